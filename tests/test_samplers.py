"""Samplers (Sequential, Random with and without replacement, SubsetRandom, WeightedRandom, Batch),
IterableDataset through DataLoader, get_worker_info and num_workers: PyTorch's lengths, counts and
batches (against torch when installed; the random orders themselves differ, numpy's generator)."""
from collections import Counter

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Generator, Tensor
from tinygrad_nn.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, IterableDataset,
                                    RandomSampler, SequentialSampler, SubsetRandomSampler, TensorDataset,
                                    WeightedRandomSampler, get_worker_info)


class Stream(IterableDataset):
    """0.0, 1.0, ..., n - 1 as a stream; with a length only if asked."""

    def __init__(self, n, sized=False):
        self.n, self.sized = n, sized

    def __iter__(self):
        return iter(float(i) for i in range(self.n))

    def __len__(self):
        if not self.sized:
            raise TypeError("no len")
        return self.n


def _gen(seed=0):
    return Generator().manual_seed(seed)


# --- random samplers: counts and lengths as PyTorch's ---------------------------------------------

@pytest.mark.parametrize("n, num_samples", [(5, None), (5, 3), (3, 7), (4, 8)])
def test_random_sampler_without_replacement_gives_whole_permutations(n, num_samples):
    drawn = list(RandomSampler(range(n), num_samples=num_samples, generator=_gen()))
    k = n if num_samples is None else num_samples
    assert len(drawn) == k == len(RandomSampler(range(n), num_samples=num_samples))
    for start in range(0, k - k % n, n):   # each block of n is a permutation, then a partial one
        assert sorted(drawn[start:start + n]) == list(range(n))
    assert len(set(drawn[k - k % n:])) == k % n
    torch = pytest.importorskip("torch")
    theirs = list(torch.utils.data.RandomSampler(range(n), num_samples=num_samples))
    assert sorted(Counter(drawn).values()) == sorted(Counter(theirs).values())


def test_random_sampler_with_replacement_is_uniform_and_reproducible():
    drawn = list(RandomSampler(range(4), replacement=True, num_samples=40000, generator=_gen(1)))
    assert len(drawn) == 40000 and set(drawn) == {0, 1, 2, 3}
    counts = np.bincount(drawn, minlength=4) / 40000
    np.testing.assert_allclose(counts, 0.25, atol=0.01)
    assert drawn == list(RandomSampler(range(4), replacement=True, num_samples=40000, generator=_gen(1)))
    tinygrad_nn.manual_seed(3)
    first = list(RandomSampler(range(10)))
    tinygrad_nn.manual_seed(3)
    assert list(RandomSampler(range(10))) == first      # the default generator follows manual_seed
    sampler = RandomSampler(range(10), generator=_gen())
    assert list(sampler) != list(sampler)                # a new order every pass


def test_weighted_random_sampler_follows_the_weights():
    weights = [0.1, 0.0, 0.6, 0.3]
    drawn = list(WeightedRandomSampler(weights, 50000, generator=_gen()))
    assert len(drawn) == 50000 and 1 not in drawn
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 50000, weights, atol=0.01)
    once = list(WeightedRandomSampler(Tensor(np.array([1.0, 2.0, 3.0, 0.0])), 3, replacement=False,
                                      generator=_gen()))
    assert sorted(once) == [0, 1, 2]                     # without replacement: each non-zero index once
    torch = pytest.importorskip("torch")
    theirs = torch.utils.data.WeightedRandomSampler(weights, 7)
    ours = WeightedRandomSampler(weights, 7)
    assert len(ours) == len(theirs) == len(list(ours)) == len(list(theirs))
    assert ours.weights.dtype == np.float64 and theirs.weights.dtype == torch.float64


def test_subset_random_sampler_permutes_the_given_indices():
    indices = [7, 3, 9, 0]
    sampler = SubsetRandomSampler(indices, generator=_gen())
    assert len(sampler) == 4 and sorted(sampler) == sorted(indices)
    again = SubsetRandomSampler(indices, generator=_gen(5))
    assert list(SubsetRandomSampler(indices, generator=_gen(5))) == list(again)
    ds = TensorDataset(np.arange(10.0))
    (batch,) = DataLoader(ds, batch_size=4, sampler=SubsetRandomSampler(indices, generator=_gen()))
    assert sorted(batch[0].tolist()) == [0.0, 3.0, 7.0, 9.0]


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 5, 11])
def test_batch_sampler_matches_pytorch(batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(10)), batch_size, drop_last)
    batches = list(ours)
    assert all(len(b) == batch_size for b in batches[:-1])
    torch = pytest.importorskip("torch")
    data = torch.utils.data
    theirs = data.BatchSampler(data.SequentialSampler(range(10)), batch_size, drop_last)
    assert batches == list(theirs) and len(ours) == len(theirs)


def test_a_loader_over_samplers_and_batch_samplers():
    ds = TensorDataset(np.arange(6.0), np.arange(6))
    sampler = WeightedRandomSampler([0, 0, 1, 1, 0, 0], 8, generator=_gen())
    loader = DataLoader(ds, batch_size=3, sampler=sampler)
    assert len(loader) == 3 and set(np.concatenate([y.numpy() for _, y in loader]).tolist()) <= {2, 3}
    batches = DataLoader(ds, batch_sampler=BatchSampler(RandomSampler(ds, generator=_gen()), 4, True))
    assert [len(y) for _, y in batches] == [4]
    both = ds + TensorDataset(np.arange(6.0, 8.0), np.arange(6, 8))
    assert isinstance(both, ConcatDataset) and len(both) == 8 and both[7][1].item() == 7


# --- IterableDataset, workers ----------------------------------------------------------------------

@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (1, False), (None, False)])
def test_iterable_dataset_batches_like_pytorch(batch_size, drop_last):
    loader = DataLoader(Stream(7), batch_size=batch_size, drop_last=drop_last)
    ours = [b.tolist() if isinstance(b, Tensor) else b for b in loader]
    with pytest.raises(TypeError, match="the IterableDataset Stream has no __len__"):
        len(loader)
    assert len(DataLoader(Stream(7, sized=True), batch_size=batch_size, drop_last=drop_last)) == len(ours)
    torch = pytest.importorskip("torch")

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(float(i) for i in range(7))
    theirs = [b.tolist() if isinstance(b, torch.Tensor) else b
              for b in torch.utils.data.DataLoader(TorchStream(), batch_size=batch_size, drop_last=drop_last)]
    assert ours == theirs


def test_iterable_dataset_with_collate_fn_and_workers():
    assert list(DataLoader(Stream(5), batch_size=2, collate_fn=sum)) == [1.0, 5.0, 4.0]
    assert list(DataLoader(Stream(5), batch_size=2, num_workers=2, collate_fn=sum)) == [1.0, 5.0, 4.0]
    with pytest.raises(TypeError, match="Stream is an IterableDataset: iterate over it"):
        Stream(3)[0]


def test_workers_load_in_this_process():
    seen = []

    class Probe(TensorDataset):
        def __getitem__(self, index):
            seen.append(get_worker_info())
            return super().__getitem__(index)

    def collate(samples):
        return [Tensor([x[0].item() for x in samples])]
    ds = Probe(np.arange(6.0))
    plain = [b[0].tolist() for b in DataLoader(ds, batch_size=2, collate_fn=collate)]
    workers = DataLoader(ds, batch_size=2, num_workers=3, prefetch_factor=2, persistent_workers=True,
                         worker_init_fn=lambda i: seen.append("init"), collate_fn=collate)
    assert [b[0].tolist() for b in workers] == plain and get_worker_info() is None
    assert set(seen) == {None}      # no worker processes: no worker info, worker_init_fn not called


@pytest.mark.parametrize("call, error, message", [
    (lambda: RandomSampler(range(3), replacement=1), TypeError, "RandomSampler: replacement must be a bool"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError,
     "RandomSampler: num_samples must be a positive integer, got 0"),
    (lambda: RandomSampler(range(3), generator=3), TypeError, "generator must be a tinygrad_nn.Generator"),
    (lambda: WeightedRandomSampler([1.0, 2.0], 2.5), ValueError, "num_samples must be a positive integer"),
    (lambda: WeightedRandomSampler([[1.0, 2.0]], 2), ValueError,
     r"weights must be a 1-d sequence, got shape \(1, 2\)"),
    (lambda: WeightedRandomSampler([1.0, -2.0], 2), ValueError, "weights must be finite, >= 0 and not all 0"),
    (lambda: WeightedRandomSampler([0.0, 0.0], 2), ValueError, "not all 0"),
    (lambda: WeightedRandomSampler([1.0, 0.0], 2, replacement=False), ValueError,
     "cannot draw 2 samples without replacement from 1 non-zero weights"),
    (lambda: BatchSampler(range(3), 2, drop_last=None), TypeError, "BatchSampler: drop_last must be a bool"),
    (lambda: DataLoader(Stream(3), shuffle=True), ValueError,
     "IterableDataset .* shuffle=True does not apply"),
    (lambda: DataLoader(Stream(3), sampler=[0, 1]), ValueError, "sampler=.* does not apply"),
    (lambda: DataLoader(Stream(3), batch_size=0), ValueError, "batch_size must be at least 1"),
    (lambda: DataLoader(range(3), num_workers=-1), ValueError, "num_workers must be an integer >= 0, got -1"),
    (lambda: DataLoader(range(3), prefetch_factor=2), ValueError, "prefetch_factor needs num_workers > 0"),
    (lambda: DataLoader(range(3), persistent_workers=True), ValueError, "persistent_workers needs"),
])
def test_bad_arguments_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_chained_iterable_datasets():
    both = Stream(2) + Stream(3, sized=True)
    assert list(both) == [0.0, 1.0, 0.0, 1.0, 2.0]
    assert [b.tolist() for b in DataLoader(both, batch_size=4)] == [[0.0, 1.0, 0.0, 1.0], [2.0]]
    with pytest.raises(TypeError, match="ChainDataset: expected IterableDatasets, got TensorDataset"):
        ChainDataset([Stream(2), TensorDataset(np.zeros(2))])
