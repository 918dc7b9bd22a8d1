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
             ((0, -5), []), ((1, -6), []), ((1, -7), None)]
CIRCULAR = [((2, -3), [0, 1, 0, 1]), ((4, -1), [0, 1, 2, 3, 0, 1, 2, 3]), ((-2, 3), [2, 3, 4, 2, 3, 4]),
            ((0, -5), []), ((-4, 2), None), ((3, -5), None), ((1, -6), None)]
REFLECT = [((3, -5), [3, 2, 1]), ((2, -3), [2, 1, 0, 1]), ((-4, 2), [4, 3, 2]), ((-5, 6), None),
           ((0, -5), [])]


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


# --- the ops and arguments the suite found missing ------------------------------------------

@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
@pytest.mark.parametrize("op", ["sum", "prod", "cumsum", "cumprod"])
def test_integer_reductions_accumulate_in_int64(op, dtype):
    x = tg.tensor([1, 0, 1, 1], dtype=getattr(tg, dtype))
    args = (0,) if op.startswith("cum") else ()
    assert getattr(x, op)(*args).dtype == np.int64   # numpy: uint64 for uint8


@pytest.mark.parametrize("op", ["sum", "prod", "cumsum", "cumprod", "mean"])
def test_dtype_keyword_casts_first(op):
    x = tg.tensor([1.5, 2.25, 3.0], requires_grad=True)
    args = (0,) if op.startswith("cum") else ()
    y = getattr(x, op)(*args, dtype=tg.float64)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32      # the cast is part of the graph
    if torch is not None:
        X = torch.tensor([1.5, 2.25, 3.0], requires_grad=True)
        Y = getattr(X, op)(*args, dtype=torch.float64)
        Y.sum().backward()
        np.testing.assert_allclose(y.numpy(), Y.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), rtol=1e-6)


def test_mean_of_integers_needs_a_dtype_as_in_pytorch():
    with pytest.raises(TypeError, match=r"mean: could not infer output dtype.*int64.*x.float\(\).mean\(\)"):
        tg.tensor([1, 2]).mean()
    assert tg.tensor([1, 2]).mean(dtype=tg.float32).item() == 1.5
    with pytest.raises(TypeError, match="var/std: only floating point"):
        tg.tensor([1, 2]).std()


VALUES = [-3.0, -0.5, 0.0, 0.75, 2.5, 30.0, 1000.0, -0.0]
OTHERS = [1.0, -2.0, 0.25, 0.75, -1.5, 29.0, 999.0, 2.0]


@needs_torch
@pytest.mark.parametrize("op", ["logaddexp", "logaddexp2", "copysign"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_ops_against_torch(op, dtype):
    x = tg.tensor(VALUES, dtype=getattr(tg, dtype), requires_grad=True)
    X = torch.tensor(VALUES, dtype=getattr(torch, dtype), requires_grad=True)
    out = getattr(x, op)(tg.tensor(OTHERS, dtype=x.dtype))
    OUT = getattr(X, op)(torch.tensor(OTHERS, dtype=X.dtype))
    (out * tg.arange(1, 9)).sum().backward()
    (OUT * torch.arange(1, 9)).sum().backward()
    tol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(out.numpy(), OUT.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), rtol=tol, atol=tol)
    assert out.dtype == x.dtype


def test_logaddexp_is_exact_where_the_naive_formula_overflows():
    x = tg.tensor([1000.0, -1000.0, float("inf"), float("-inf")], dtype=tg.float64)
    got = x.logaddexp(x).tolist()
    assert got[:2] == [1000.0 + np.log(2.0), -1000.0 + np.log(2.0)] and got[2:] == [np.inf, -np.inf]
    assert tg.tensor([1, 2]).copysign(-1).tolist() == [-1.0, -2.0]    # integers give floats


def test_isposinf_isneginf():
    x = tg.tensor([1.0, float("inf"), float("-inf"), float("nan")])
    assert x.isposinf().tolist() == [False, True, False, False]
    assert tg.isneginf(x).tolist() == [False, False, True, False]


@needs_torch
@pytest.mark.parametrize("beta,threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0), (3.0, 0.0)])
def test_softplus_beta_and_linear_tail_against_torch(beta, threshold):
    values = [-30.0, -3.0, -0.1, 0.0, 0.4, 1.9, 2.6, 25.0, 30.0]
    x = tg.tensor(values, dtype=tg.float64, requires_grad=True)
    X = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    y = tg.nn.functional.softplus(x, beta=beta, threshold=threshold)
    Y = torch.nn.functional.softplus(X, beta=beta, threshold=threshold)
    y.sum().backward()
    Y.sum().backward()
    np.testing.assert_allclose(y.numpy(), Y.detach().numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), rtol=1e-14, atol=1e-300)
    module = tg.nn.Softplus(beta, threshold)
    assert repr(module) == repr(torch.nn.Softplus(beta, threshold))
    np.testing.assert_allclose(module(x).numpy(), Y.detach().numpy(), rtol=1e-14)


def test_softplus_tail_is_exact_and_losses_keep_the_exact_form():
    assert tg.tensor([30.0], dtype=tg.float64).softplus().item() == 30.0       # no 9.4e-14
    logits = tg.tensor([30.0], dtype=tg.float64)
    loss = tg.nn.functional.binary_cross_entropy_with_logits(logits, tg.tensor([0.0], dtype=tg.float64))
    assert loss.item() == pytest.approx(30.0 + np.log1p(np.exp(-30.0)), rel=1e-15)


@needs_torch
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("amounts", [(0, 0, 0, -5), (0, -5, 0, 0), (3, -5, 1, -5), (1, 1, 0, -5),
                                     (-2, 3, 4, -1)])
def test_two_dim_pads_with_crops_against_torch(mode, amounts):
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    if mode == "circular" and amounts == (3, -5, 1, -5):   # PyTorch 2.13 returns uninitialised memory
        with pytest.raises(ValueError, match="circular padding of .* does not fit"):
            tg.nn.functional.pad(tg.tensor(x), amounts, mode=mode)
        return
    ours = tg.nn.functional.pad(tg.tensor(x), amounts, mode=mode)
    theirs = torch.nn.functional.pad(torch.tensor(x), amounts, mode=mode)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_where_of_a_condition_alone_gives_the_indices():
    mask = tg.tensor([[True, False], [False, True]])
    rows, cols = tg.where(mask)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == np.int64
    with pytest.raises(TypeError, match="give both a and b, or neither"):
        tg.where(mask, 1.0)


@pytest.mark.parametrize("name,shapes", [("atleast_1d", [(1,), (2,)]), ("atleast_2d", [(1, 1), (1, 2)]),
                                         ("atleast_3d", [(1, 1, 1), (1, 2, 1)])])
def test_atleast_of_several_tensors_is_a_tuple(name, shapes):
    fn = getattr(tg, name)
    pair = fn(tg.tensor(1.0), tg.ones(2))
    assert isinstance(pair, tuple) and [t.shape for t in pair] == shapes
    assert [t.shape for t in fn([tg.tensor(1.0), tg.ones(2)])] == shapes
    assert fn(tg.ones(2)).shape == shapes[1]
