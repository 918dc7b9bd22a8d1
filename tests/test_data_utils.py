"""tinygrad_nn.utils.data: Dataset, TensorDataset, Subset, random_split, DataLoader and
default_collate, against torch.utils.data where the result is not random (skipped without torch
for those tests)."""
from collections import namedtuple

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.utils.data import (ConcatDataset, DataLoader, Dataset, Subset, TensorDataset,
                                    default_collate, random_split)

X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64)


def _labels(loader):
    return [int(v) for _, yb in loader for v in yb.numpy()]


def test_tensor_dataset_and_loader_in_order():
    ds = TensorDataset(Tensor(X), Tensor(Y))
    assert len(ds) == 10
    x3, y3 = ds[3]
    assert x3.tolist() == X[3].tolist() and y3.item() == 3
    loader = DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert all(isinstance(b, list) and len(b) == 2 for b in batches)            # PyTorch gives a list
    xb, yb = batches[2]
    assert isinstance(xb, Tensor) and xb.dtype == np.float32 and xb.shape == (2, 3)
    assert yb.dtype == np.int64 and yb.tolist() == [8, 9]
    xb.numpy()[0, 0] = -1.0                                                    # a batch is a copy
    assert X[8, 0] == 24.0 and ds.tensors[0].numpy()[8, 0] == 24.0
    assert [len(yb) for _, yb in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(ds)) == 10


def test_shuffle_covers_everything_reproducibly_and_reshuffles_each_epoch():
    ds = TensorDataset(X, Y)
    loader = DataLoader(ds, batch_size=3, shuffle=True, generator=tinygrad_nn.Generator().manual_seed(0))
    first, second = _labels(loader), _labels(loader)
    assert sorted(first) == list(range(10)) and first != second
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])           # pairs stay together
    again = tinygrad_nn.Generator().manual_seed(0)
    assert _labels(DataLoader(ds, batch_size=3, shuffle=True, generator=again)) == first
    assert _labels(DataLoader(ds, batch_size=3, shuffle=True, generator=np.random.default_rng(5))) == \
        _labels(DataLoader(ds, batch_size=3, shuffle=True, generator=np.random.default_rng(5)))
    tinygrad_nn.manual_seed(3)       # no generator: the default one, which manual_seed restarts
    a = _labels(DataLoader(ds, batch_size=3, shuffle=True))
    tinygrad_nn.manual_seed(3)
    assert _labels(DataLoader(ds, batch_size=3, shuffle=True)) == a
    g = tinygrad_nn.Generator().manual_seed(1)
    assert sorted(_labels(DataLoader(ds, batch_size=4, shuffle=True, generator=g))) == list(range(10))


def test_training_loop_over_a_loader():
    tinygrad_nn.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    y = (x[:, 0] > x[:, 1]).astype(np.int64)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    loader = DataLoader(TensorDataset(Tensor(x), Tensor(y)), batch_size=16, shuffle=True)
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    assert (model(Tensor(x)).numpy().argmax(1) == y).mean() > 0.95


class _Samples(Dataset):
    """A map-style data set returning mixed samples, for the collate rules."""

    def __init__(self, kind):
        self.kind = kind

    def __len__(self):
        return 5

    def __getitem__(self, i):
        features = np.full(3, i, np.float32)
        if self.kind == "tuple":
            return features, i, float(i) / 2
        if self.kind == "dict":
            return {"x": features, "y": np.int64(i), "name": f"s{i}", "flag": i % 2 == 0}
        return [np.full((2, 2), i, np.float64), [i, i + 1]]


@pytest.mark.parametrize("kind", ["tuple", "dict", "nested list"])
def test_default_collate_matches_pytorch(kind):
    torch = pytest.importorskip("torch")
    ours = list(DataLoader(_Samples(kind), batch_size=2))
    torch_data = torch.utils.data
    theirs = list(torch_data.DataLoader(_Samples(kind), batch_size=2))
    assert len(ours) == len(theirs) == 3

    def same(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, Tensor) and a.shape == tuple(b.shape)
            assert str(a.dtype) == str(b.dtype).replace("torch.", "")
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        elif isinstance(b, dict):
            assert list(a) == list(b)
            for k in b:
                same(a[k], b[k])
        elif isinstance(b, (list, tuple)) and b and not isinstance(b[0], str):
            assert type(a) is type(b) and len(a) == len(b)
            for u, v in zip(a, b):
                same(u, v)
        else:
            assert a == b
    for a, b in zip(ours, theirs):
        same(a, b)


def test_default_collate_named_tuples_and_errors():
    Point = namedtuple("Point", "x y")
    batch = default_collate([Point(1.0, np.zeros(2)), Point(2.0, np.ones(2))])
    assert isinstance(batch, Point) and batch.x.dtype == np.float64 and batch.y.shape == (2, 2)
    with pytest.raises(RuntimeError, match="each element in the batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object()])


def test_random_split_lengths_match_pytorch():
    torch = pytest.importorskip("torch")
    ds = TensorDataset(X, Y)
    for lengths in ([7, 3], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [0.25, 0.25, 0.25, 0.25], [1.0]):
        ours = random_split(ds, lengths, generator=tinygrad_nn.Generator().manual_seed(0))
        theirs = torch.utils.data.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
        assert [len(s) for s in ours] == [len(s) for s in theirs]
        indices = [i for s in ours for i in s.indices]
        assert sorted(indices) == list(range(10))                            # disjoint and complete
    a = random_split(ds, [0.5, 0.5], generator=tinygrad_nn.Generator().manual_seed(4))
    b = random_split(ds, [0.5, 0.5], generator=tinygrad_nn.Generator().manual_seed(4))
    assert a[0].indices == b[0].indices
    with pytest.raises(ValueError, match=r"lengths \[3, 3\] must add up to the data set's length 10"):
        random_split(ds, [3, 3])


def test_subsets_and_concatenation_batch_like_their_samples():
    ds = TensorDataset(Tensor(X), Tensor(Y))
    train, val = random_split(ds, [6, 4], generator=tinygrad_nn.Generator().manual_seed(1))
    assert [int(train[i][1].item()) for i in range(6)] == train.indices
    assert _labels(DataLoader(val, batch_size=3)) == val.indices
    sub = Subset(ds, [9, 0, 4])
    xb, yb = next(iter(DataLoader(sub, batch_size=3)))
    assert yb.tolist() == [9, 0, 4] and xb.numpy().tolist() == X[[9, 0, 4]].tolist()
    both = ConcatDataset([sub, Subset(ds, [1])])
    assert len(both) == 4 and both[3][1].item() == 1 and both[-1][1].item() == 1
    assert _labels(DataLoader(both, batch_size=2)) == [9, 0, 4, 1]


def test_samplers_batch_samplers_and_custom_collate():
    ds = TensorDataset(X, Y)
    assert _labels(DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 1, 2])) == [9, 8, 7, 1, 2]
    loader = DataLoader(ds, batch_sampler=[[0, 1], [5, 6, 7]])
    assert len(loader) == 2 and _labels(loader) == [0, 1, 5, 6, 7]
    sizes = list(DataLoader(ds, batch_size=4, collate_fn=len))
    assert sizes == [4, 4, 2]
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 10 and samples[2][1].item() == 2


@pytest.mark.parametrize("call, error, message", [
    (lambda: DataLoader(TensorDataset(X, Y), batch_size=0), ValueError,
     "DataLoader: batch_size must be at least 1"),
    (lambda: DataLoader(TensorDataset(X, Y), batch_size=2.0), TypeError,
     "DataLoader: batch_size must be an int"),
    (lambda: DataLoader(TensorDataset(X, Y), sampler=[0], shuffle=True), ValueError, "sampler and shuffle"),
    (lambda: DataLoader(TensorDataset(X, Y), shuffle=True, generator=3), TypeError,
     "generator must be a tinygrad_nn.Generator or a numpy Generator, got int"),
    (lambda: DataLoader(iter([1, 2])), TypeError, "DataLoader: expected a map-style data set"),
    (lambda: TensorDataset(X, Y[:3]), ValueError, "TensorDataset: size mismatch between tensors"),
])
def test_bad_arguments_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_course_loader_is_the_same_loader():
    from tinygrad_nn.datasets import DataLoader as CourseLoader
    assert issubclass(CourseLoader, DataLoader)
    xb, yb = next(iter(CourseLoader(X, Y, batch_size=4)))
    assert isinstance(xb, np.ndarray) and yb.tolist() == [0, 1, 2, 3]        # numpy batches, as before
    torch_style = CourseLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, seed=0)
    assert all(isinstance(yb, Tensor) for _, yb in torch_style) and len(torch_style) == 3
    import tinygrad_nn.utils.data as data_module
    assert tinygrad_nn.utils.data is data_module
