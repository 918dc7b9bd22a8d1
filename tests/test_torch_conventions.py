"""Results where tinygrad's op suite (run against us through a name-translating adapter) found
tinygrad_nn differing from PyTorch: result dtypes of where and tril/triu, a tuple inside an
index, meshgrid of one tensor, replicate padding with negative amounts, scatter's reduce=,
linspace of bools. Each test states PyTorch 2.13's result, and compares with torch when
installed."""
import numpy as np
import pytest

import tinygrad_nn as tg

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
COND = [True, False, True]


@pytest.mark.parametrize("a,b,want", [
    (4, 2, "int64"), (4, 2.5, "float32"), (True, False, "bool"), (4.0, 2, "float32"),
    ("int64 tensor", 2.5, "float32"), (2.5, "int64 tensor", "float32"),
    ("float32 tensor", "int64 tensor", "float32"), ("float64 tensor", 1, "float64"),
    ("int32 tensor", 7, "int32"),
])
def test_where_result_dtype(a, b, want):
    def make(v, lib):
        if not isinstance(v, str):
            return v
        dtype = getattr(lib, v.split()[0])
        return lib.tensor([1, 2, 3], dtype=dtype)
    assert str(tg.where(tg.tensor(COND), make(a, tg), make(b, tg)).dtype) == want
    if torch is not None:
        got = torch.where(torch.tensor(COND), make(a, torch), make(b, torch)).dtype
        assert str(got) == "torch." + want


def test_where_keeps_gradients_through_the_cast():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tg.where(tg.tensor(COND), x, 0).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]


@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangles_keep_the_dtype(op, dtype):
    x = np.arange(1, 10).reshape(3, 3).astype(dtype)
    ours = getattr(tg.tensor(x), op)(1)
    assert ours.dtype == x.dtype
    assert ours.tolist() == (np.tril(x, 1) if op == "tril" else np.triu(x, 1)).tolist()


def test_a_tuple_in_an_index_is_a_sequence_of_positions():
    a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    got = tg.tensor(a)[1, (2, 1, 0), tg.tensor([0, 1, 2])]
    assert got.tolist() == [30.0, 26.0, 22.0]               # PyTorch's (and a list's) result
    assert got.tolist() == tg.tensor(a)[1, [2, 1, 0], tg.tensor([0, 1, 2])].tolist()


@needs_torch
@pytest.mark.parametrize("index", [
    (1, (2, 1, 0), None, "k", (2, 1, 0), "k"),
    (1, (2, 1, 0), None, "k", slice(None), (2, 1, 0), "k"),
    (0, slice(None), (0, 1), None, 1),
    ((1, 0), 2, slice(1, 3), (0, 2)),
])
def test_mixed_indices_against_torch(index):
    x = np.arange(2 * 3 * 4 * 5 * 6 * 7, dtype=np.float64).reshape(2, 3, 4, 5, 6, 7)
    k = np.array([0, 1, 2])
    ours = tg.tensor(x)[tuple(tg.tensor(k) if i == "k" else i for i in index)]
    theirs = torch.tensor(x)[tuple(torch.tensor(k) if i == "k" else i for i in index)]
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_of_one_tensor(indexing):
    (grid,) = tg.meshgrid(tg.tensor([0.0, 1.0, 2.0]), indexing=indexing)
    assert grid.tolist() == [0.0, 1.0, 2.0]


# (amounts, PyTorch's result on [0, 1, 2, 3, 4], or None where PyTorch raises)
REPLICATE = [((3, -5), [0, 0, 0]), ((2, -3), [0, 0, 0, 1]), ((-4, 2), [4, 4, 4]),
             ((-5, 6), [4] * 6), ((4, -1), [0, 0, 0, 0, 0, 1, 2, 3]), ((-1, -1), [1, 2, 3]),
             ((0, -5), None), ((1, -6), None)]
CIRCULAR = [((2, -3), [0, 1, 0, 1]), ((4, -1), [0, 1, 2, 3, 0, 1, 2, 3]), ((-2, 3), [2, 3, 4, 2, 3, 4]),
            ((0, -5), []), ((-4, 2), None), ((3, -5), None), ((1, -6), None)]
REFLECT = [((3, -5), [3, 2, 1]), ((2, -3), [2, 1, 0, 1]), ((-4, 2), [4, 3, 2]), ((-5, 6), None),
           ((0, -5), None)]


@pytest.mark.parametrize("mode,amounts,want", [("replicate", *c) for c in REPLICATE]
                         + [("circular", *c) for c in CIRCULAR] + [("reflect", *c) for c in REFLECT])
def test_pad_with_negative_amounts(mode, amounts, want):
    x = tg.tensor(np.arange(5.0).reshape(1, 1, 5))
    if want is None:
        with pytest.raises(ValueError, match="pad"):
            tg.nn.functional.pad(x, amounts, mode=mode)
        return
    assert tg.nn.functional.pad(x, amounts, mode=mode).flatten().tolist() == want


def test_replicate_pad_gradient_with_a_crop():
    x = tg.tensor(np.arange(5.0).reshape(1, 1, 5), requires_grad=True)
    tg.nn.functional.pad(x, (3, -5), mode="replicate").sum().backward()
    assert x.grad.flatten().tolist() == [3.0, 0.0, 0.0, 0.0, 0.0]   # three copies of x[0]


@pytest.mark.parametrize("reduce,want", [("add", [[3, 3, 1, 1], [3, 1, 3, 1], [1, 1, 1, 1]]),
                                         ("multiply", [[2, 2, 1, 1], [2, 1, 2, 1], [1, 1, 1, 1]])])
def test_scatter_reduce_keyword(reduce, want):
    idx = tg.tensor([[0, 1], [2, 0]])
    assert tg.ones(3, 4).scatter(1, idx, 2.0, reduce=reduce).tolist() == want
    with pytest.warns(UserWarning, match="deprecated"):
        got = tg.ones(3, 4).scatter(1, idx, tg.full((2, 2), 2.0), reduce=reduce)
    assert got.tolist() == want
    with pytest.raises(ValueError, match="reduce must be 'add' or 'multiply'"):
        tg.ones(3, 4).scatter(1, idx, 2.0, reduce="mean")


def test_scatter_add_keyword_has_a_gradient():
    x = tg.ones(3, 4, requires_grad=True)
    src = tg.full((2, 2), 3.0, requires_grad=True)
    with pytest.warns(UserWarning):
        x.scatter(1, tg.tensor([[0, 1], [2, 0]]), src, reduce="add").sum().backward()
    assert x.grad.tolist() == [[1.0] * 4] * 3 and src.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_linspace_refuses_bool():
    with pytest.raises(TypeError, match="linspace: not implemented for dtype bool"):
        tg.linspace(5, 10, 3, dtype=tg.bool)
