"""Shape, indexing, cumulative and einsum ops against PyTorch (skipped without torch): forward
values, the gradient of a random vᵀ·out, and the second-order gradient of that gradient, on the
same float64 data in both."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_nn
from tinygrad_nn import Tensor
from tinygrad_nn.testing import arrays, shapes

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _as_pair(a):
    """A float array becomes a Tensor requiring grad in both libraries; others pass as they are
    (integer arrays as index tensors for PyTorch)."""
    if isinstance(a, np.ndarray) and a.dtype == np.float64:
        return Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    if isinstance(a, np.ndarray):
        return a, torch.tensor(a)
    return a, a


def _flat(out):
    if isinstance(out, (tuple, list)):
        if isinstance(out[0], Tensor):
            return tinygrad_nn.cat([o.reshape(-1) for o in out])
        return torch.cat([o.reshape(-1) for o in out])
    return out


def compare(ours, theirs, *args, second_order=True):
    pairs = [_as_pair(a) for a in args]
    xs, ts = [p[0] for p in pairs], [p[1] for p in pairs]
    out, ref = _flat(ours(*xs)), _flat(theirs(*ts))
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    leaves = [(x, t) for x, t in zip(xs, ts) if isinstance(x, Tensor) and x.requires_grad]
    rng = np.random.default_rng(1)
    v = np.asarray(rng.standard_normal(out.shape))
    grads = tinygrad_nn.grad(out, [x for x, _ in leaves], Tensor(v), create_graph=True,
                             allow_unused=True)
    ref_grads = torch.autograd.grad(ref, [t for _, t in leaves], torch.tensor(v), create_graph=True,
                                    allow_unused=True)
    for g, r in zip(grads, ref_grads):
        if r is None:
            assert g is None or not g.numpy().any()
            continue
        np.testing.assert_allclose(g.numpy(), r.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not second_order:
        return
    # the gradient of wᵀ·grad: second-order gradients, compared the same way
    pairs = [(g, r) for g, r in zip(grads, ref_grads) if r is not None and r.requires_grad]
    if not pairs:
        return
    ws = [np.asarray(rng.standard_normal(r.shape)) for _, r in pairs]
    s = sum(((g * w).sum() for (g, _), w in zip(pairs, ws)), Tensor(0.0, dtype=np.float64))
    s_ref = sum((r * torch.tensor(w)).sum() for (_, r), w in zip(pairs, ws))
    if s.requires_grad:
        second = tinygrad_nn.grad(s, [x for x, _ in leaves], allow_unused=True)
    else:   # the gradient does not depend on the inputs (a linear op): zero second order
        second = [None] * len(leaves)
    second_ref = torch.autograd.grad(s_ref, [t for _, t in leaves], allow_unused=True)
    for g, r in zip(second, second_ref):
        if g is None or r is None:
            assert (g is None or not g.numpy().any()) and (r is None or not r.numpy().any())
        else:
            np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-9, atol=1e-12)


rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 4))
M = rng.standard_normal((3, 4))
INDEX = rng.integers(0, 3, (2, 2, 4))
SRC = rng.standard_normal((2, 2, 4))
ROUNDED = np.round(2 * X) / 2            # ties for cummax/cummin and scatter_reduce
WITH_ZEROS = X.copy()
WITH_ZEROS[0, 1, 1] = WITH_ZEROS[1, 0, 2] = WITH_ZEROS[1, 0, 3] = WITH_ZEROS[1, 2, 0] = 0.0
MASK = rng.random((3, 1)) > 0.5
DISTINCT = np.stack([rng.permutation(3)[:2] for _ in range(8)]).reshape(2, 4, 2).transpose(0, 2, 1)

CASES = {
    "flip": (lambda x: x.flip((0, 2)), lambda t: t.flip((0, 2)), X),
    "roll": (lambda x: x.roll((1, -5), (0, 2)), lambda t: t.roll((1, -5), (0, 2)), X),
    "roll flat": (lambda x: x.roll(7), lambda t: t.roll(7), X),
    "narrow": (lambda x: x.narrow(1, -2, 2), lambda t: t.narrow(1, -2, 2), X),
    "split": (lambda x: x.split(3, -1), lambda t: t.split(3, -1), X),
    "split sections": (lambda x: x.split([1, 0, 3], 2), lambda t: t.split([1, 0, 3], 2), X),
    "chunk": (lambda x: x.chunk(3, 2), lambda t: t.chunk(3, 2), X),
    "unbind": (lambda x: x.unbind(1), lambda t: t.unbind(1), X),
    "movedim": (lambda x: x.movedim((0, 1), (2, 0)), lambda t: t.movedim((0, 1), (2, 0)), X),
    "swapaxes": (lambda x: x.swapaxes(0, 2), lambda t: t.swapaxes(0, 2), X),
    "swapdims": (lambda x: x.swapdims(-1, 1), lambda t: t.swapdims(-1, 1), X),
    "view_as": (lambda x: x.view_as(Tensor(np.zeros((6, 4)))), lambda t: t.view_as(torch.zeros(6, 4)), X),
    "expand_as": (lambda x: x.expand_as(Tensor(np.zeros((2, 2, 3, 4)))),
                  lambda t: t.expand_as(torch.zeros(2, 2, 3, 4)), X),
    "unflatten": (lambda x: x.unflatten(2, (2, -1)), lambda t: t.unflatten(2, (2, -1)), X),
    "repeat": (lambda x: x.repeat(2, 1, 3, 2), lambda t: t.repeat(2, 1, 3, 2), X),
    "tile": (lambda x: x.tile((2,)), lambda t: t.tile((2,)), X),
    "repeat_interleave": (lambda x: x.repeat_interleave(2, 1), lambda t: t.repeat_interleave(2, 1), X),
    "repeat_interleave flat": (lambda x: x.repeat_interleave(3), lambda t: t.repeat_interleave(3), M),
    "repeat_interleave counts": (lambda x: x.repeat_interleave(np.array([1, 0, 2]), dim=1),
                                 lambda t: t.repeat_interleave(torch.tensor([1, 0, 2]), dim=1), X),
    "unfold": (lambda x: x.unfold(2, 2, 1), lambda t: t.unfold(2, 2, 1), X),
    "unfold step": (lambda x: x.unfold(-2, 2, 2), lambda t: t.unfold(-2, 2, 2), X),
    "tril": (lambda x: x.tril(1), lambda t: t.tril(1), X),
    "triu": (lambda x: x.triu(-1), lambda t: t.triu(-1), X),
    "diagonal": (lambda x: x.diagonal(1, 2, 0), lambda t: t.diagonal(1, 2, 0), X),
    "trace": (lambda x: x.trace(), lambda t: t.trace(), M),
    "clone": (lambda x: x.clone(), lambda t: t.clone(), X),
    "contiguous": (lambda x: x.mT.contiguous(), lambda t: t.mT.contiguous(), X),
    "gather": (lambda x, i: x.gather(1, i), lambda t, i: t.gather(1, i), X, INDEX),
    "scatter": (lambda x, i, s: x.scatter(1, i, s), lambda t, i, s: t.scatter(1, i, s), X, DISTINCT,
                SRC),
    "scatter value": (lambda x, i: x.scatter(1, i, value=2.5), lambda t, i: t.scatter(1, i, value=2.5),
                      X, INDEX),
    "scatter_add": (lambda x, i, s: x.scatter_add(1, i, s), lambda t, i, s: t.scatter_add(1, i, s), X,
                    INDEX, SRC),
    "index_select": (lambda x: x.index_select(2, np.array([3, 0, 3])),
                     lambda t: t.index_select(2, torch.tensor([3, 0, 3])), X),
    "masked_fill": (lambda x: x.masked_fill(MASK, -1.5), lambda t: t.masked_fill(torch.tensor(MASK), -1.5),
                    X),
    "masked_fill tensor value": (lambda x, v: x.masked_fill(MASK, v),
                                 lambda t, v: t.masked_fill(torch.tensor(MASK), v), X, np.array(0.5)),
    "masked_select": (lambda x: x.masked_select(MASK), lambda t: t.masked_select(torch.tensor(MASK)), X),
    "take": (lambda x: x.take(np.array([[0, -1], [5, 23]])),
             lambda t: t.take(torch.tensor([[0, -1], [5, 23]])), X),
    "cumsum": (lambda x: x.cumsum(1), lambda t: t.cumsum(1), X),
    "cumprod": (lambda x: x.cumprod(0), lambda t: t.cumprod(0), X),
    "cumprod with zeros": (lambda x: x.cumprod(2), lambda t: t.cumprod(2), WITH_ZEROS),
    "cumprod with zeros, dim 1": (lambda x: x.cumprod(1), lambda t: t.cumprod(1), WITH_ZEROS),
    "logcumsumexp": (lambda x: x.logcumsumexp(1), lambda t: t.logcumsumexp(1), X),
    "logcumsumexp of widely spread values": (lambda x: x.logcumsumexp(0), lambda t: t.logcumsumexp(0),
                                             np.array([-800.0, 1.0, 750.0, -3.0, 900.0])),
    "cummax": (lambda x: x.cummax(2).values, lambda t: t.cummax(2).values, ROUNDED),
    "cummin": (lambda x: x.cummin(1).values, lambda t: t.cummin(1).values, ROUNDED),
    "einsum matmul": (lambda a, b: tinygrad_nn.einsum("bij,jk->bik", a, b),
                      lambda a, b: torch.einsum("bij,jk->bik", a, b), X, M.T),
    "einsum trace": (lambda a: tinygrad_nn.einsum("ii", a), lambda a: torch.einsum("ii", a), M[:, :3]),
    "einsum diagonal in 3-D": (lambda a: tinygrad_nn.einsum("iji->j", a), lambda a: torch.einsum("iji->j", a),
                               X.transpose(1, 2, 0)[:2, :, :]),
    "einsum broadcast ellipsis": (lambda a, b: tinygrad_nn.einsum("...ij,...jk", a, b),
                                  lambda a, b: torch.einsum("...ij,...jk", a, b), X,
                                  rng.standard_normal((1, 4, 2))),
    "einsum summed only in one operand": (lambda a, b: tinygrad_nn.einsum("ij,k->", a, b),
                                          lambda a, b: torch.einsum("ij,k->", a, b), M, X[0, 0]),
    "einsum ellipsis summed": (lambda a, b: tinygrad_nn.einsum("b...,b...->b", a, b),
                               lambda a, b: torch.einsum("b...,b...->b", a, b), X, M[:2]),
    "einsum three operands": (lambda a, b, c: tinygrad_nn.einsum("ij,jk,kl->il", a, b, c),
                              lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c), M, M.T, M),
    "einsum the same operand twice": (lambda a: tinygrad_nn.einsum("ij,ij->i", a, a),
                                      lambda a: torch.einsum("ij,ij->i", a, a), M),
    "outer": (lambda a, b: a.outer(b), lambda a, b: a.outer(b), M[0], M[:, 1]),
    "bmm": (lambda a, b: a.bmm(b), lambda a, b: a.bmm(b), X, X.transpose(0, 2, 1)),
    "mv": (lambda a, b: a.mv(b), lambda a, b: a.mv(b), M, M[0]),
    "inner": (lambda a, b: a.inner(b), lambda a, b: a.inner(b), X, M),
    "kron": (lambda a, b: a.kron(b), lambda a, b: a.kron(b), M[:2], X[0]),
    # PyTorch's cross broadcasts only tensors with the same number of dims
    "cross": (lambda a, b: a.cross(b, dim=1), lambda a, b: a.cross(b, dim=1), X, M[None, :, :1]),
    "cross, the first dim of length 3": (lambda a, b: a.cross(b),
                                         lambda a, b: torch.linalg.cross(a, b, dim=1), X, M[None, :, :1]),
    "diag of a vector": (lambda x: x.diag(-2), lambda t: t.diag(-2), M[0]),
    "diag of a matrix": (lambda x: x.diag(1), lambda t: t.diag(1), M),
    "take_along_dim": (lambda x, i: x.take_along_dim(i, 2), lambda t, i: t.take_along_dim(i, 2),
                       X[:, :1], INDEX[:1]),
    "take_along_dim flat": (lambda x, i: x.take_along_dim(i), lambda t, i: t.take_along_dim(i),
                            X, np.array([[23, 0], [4, 4]])),
    "squeeze dims": (lambda x: x.reshape(1, 2, 1, 12).squeeze((0, 1, 2)),
                     lambda t: t.reshape(1, 2, 1, 12).squeeze((0, 1, 2)), X),
    "getitem int then array": (lambda x: x[0, :, [0, 2]], lambda t: t[0, :, [0, 2]], X),
    "getitem None, int, array": (lambda x: x[None, 1, :, np.array([[0, 1], [3, 3]])],
                                 lambda t: t[None, 1, :, torch.tensor([[0, 1], [3, 3]])], X),
    "getitem mask after int": (lambda x: x[0, :, np.array([True, False, True, True])],
                               lambda t: t[0, :, torch.tensor([True, False, True, True])], X),
}
for mode in ("constant", "reflect", "replicate", "circular"):
    for amounts in ((1, 2), (1, 2, -1, 2), (-1, 3), (2, -1), (0, 0, 2, 1, 1, 0)):
        if mode == "reflect" and amounts == (0, 0, 2, 1, 1, 0):
            amounts = (0, 0, 2, 1, 1, -1)
        # PyTorch pads 3 axes (non-constant) only of a 4-D or 5-D tensor; we pad any axes
        data = X[None] if len(amounts) == 6 else X
        CASES[f"pad {mode} {amounts}"] = (
            lambda x, a=amounts, m=mode: tinygrad_nn.pad(x, a, m),
            lambda t, a=amounts, m=mode: F.pad(t, a, m), data)
CASES["pad constant value"] = (lambda x: tinygrad_nn.nn.functional.pad(x, (1, 2, 0, 1), value=3.5),
                               lambda t: F.pad(t, (1, 2, 0, 1), value=3.5), X)
for reduce in ("sum", "mean", "amax", "amin"):
    for include_self in (True, False):
        CASES[f"scatter_reduce {reduce} include_self={include_self}"] = (
            lambda x, i, s, r=reduce, inc=include_self: x.scatter_reduce(1, i, s, r, include_self=inc),
            lambda t, i, s, r=reduce, inc=include_self: t.scatter_reduce(1, i, s, r, include_self=inc),
            ROUNDED, INDEX, np.round(2 * SRC) / 2)


def _differs_at_ties(name):
    # PyTorch counts x's own tied value when sharing amax/amin's gradient even with
    # include_self=False, so its shares do not add up to dout; ours do (see the README's table)
    return name.startswith("scatter_reduce am") and name.endswith("False")


@pytest.mark.parametrize("name", [n for n in CASES if not _differs_at_ties(n)])
def test_matches_pytorch(name):
    ours, theirs, *args = CASES[name]
    compare(ours, theirs, *args)


def test_scatter_reduce_amax_ties_without_self_share_the_whole_gradient():
    x = Tensor([1.0, 5.0], requires_grad=True)
    src = Tensor([5.0, 5.0, 3.0], requires_grad=True)
    out = x.scatter_reduce(0, np.array([1, 1, 0]), src, "amax", include_self=False)
    out.backward(np.ones(2, np.float32))
    np.testing.assert_array_equal(out.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(src.grad.numpy(), [0.5, 0.5, 1.0])   # PyTorch: [1/3, 1/3, 1]


def test_cummax_and_cummin_indices_match_pytorch():
    for op in ("cummax", "cummin"):
        for dim in range(3):
            ours = getattr(Tensor(ROUNDED), op)(dim)
            theirs = getattr(torch.tensor(ROUNDED), op)(dim)
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())


def test_cumsum_of_integers_gives_int64_as_pytorch():
    for dtype in (np.int32, np.int64, np.bool_):
        ours = Tensor(np.array([1, 0, 1], dtype)).cumsum(0)
        theirs = torch.tensor(np.array([1, 0, 1], dtype)).cumsum(0)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_squeeze_and_unsqueeze_of_0d_and_non_1_axes_match_pytorch():
    for shape, dims in [((), 0), ((), -1), ((3,), 0), ((1, 3, 1), (0, 1)), ((1, 3, 1), -1),
                        ((2, 1), (0, 1)), ((1, 1), ())]:
        a = np.zeros(shape)
        assert Tensor(a).squeeze(dims).shape == tuple(torch.tensor(a).squeeze(dims).shape)
    for dim in (0, -1):
        assert Tensor(np.zeros(())).unsqueeze(dim).shape == tuple(torch.zeros(()).unsqueeze(dim).shape)


def test_setitem_with_an_int_and_an_array_follows_pytorchs_order():
    a, b = X.copy(), torch.tensor(X)
    value = np.arange(6.0).reshape(3, 2)
    t = Tensor(a)
    t[0, :, [1, 3]] = value           # (3, 2) in PyTorch's reading; numpy's would be (2, 3)
    b[0, :, [1, 3]] = torch.tensor(value)
    np.testing.assert_array_equal(t.numpy(), b.numpy())
    t[t > 0.5] = 0.0
    b[b > 0.5] = 0.0
    np.testing.assert_array_equal(t.numpy(), b.numpy())


@st.composite
def _mixed_indices(draw):
    """An index of ints, slices, None, Ellipsis, integer and boolean arrays for a 3-D tensor."""
    shape = draw(shapes(min_dims=3, max_dims=3, min_side=1, max_side=3))
    items, axis = [], 0
    used_ellipsis = False
    while axis < 3:
        kind = draw(st.sampled_from(["int", "slice", "array", "mask", "none", "ellipsis"]))
        n = shape[axis]
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            items.append(draw(st.slices(n)))
        elif kind == "array":
            items.append(draw(arrays((draw(st.integers(1, 3)),), np.int64, elements=st.integers(-n, n - 1))))
        elif kind == "mask":
            items.append(draw(arrays((n,), np.bool_, elements=st.booleans())))
        elif kind == "none":
            items.append(None)
            continue
        elif not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            axis = 3 - draw(st.integers(0, 3 - axis))
            continue
        axis += 1
    return shape, tuple(items)


@given(_mixed_indices())
def test_indexing_follows_pytorch(case):
    shape, index = case
    x = np.arange(float(np.prod(shape))).reshape(shape)
    arrays_ = [i for i in index if isinstance(i, np.ndarray)]
    if len(arrays_) > 1:
        try:
            np.broadcast_shapes(*[np.nonzero(i)[0].shape if i.dtype == bool else i.shape for i in arrays_])
        except ValueError:
            return   # index arrays that do not broadcast: an error in both
    torch_index = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    try:
        expected = torch.tensor(x)[torch_index]
    except (IndexError, RuntimeError, ValueError):
        return   # e.g. a negative step, which PyTorch refuses (numpy, and we, allow it)
    t = Tensor(x, requires_grad=True)
    out = t[index]
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    out.sum().backward()
    ref = torch.tensor(x, requires_grad=True)
    ref[torch_index].sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), ref.grad.numpy())


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_scatter_reduce_values_for_every_reduction_and_dtype(reduce, include_self, dtype):
    # integer mean rounds down as PyTorch's; prod has values (no gradient)
    r = np.random.default_rng(2)
    x, src = r.integers(-5, 6, (4, 5)).astype(dtype), r.integers(-5, 6, (3, 5)).astype(dtype)
    index = r.integers(0, 4, (3, 5))
    ours = Tensor(x).scatter_reduce(0, index, Tensor(src), reduce, include_self=include_self)
    theirs = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src), reduce,
                                            include_self=include_self)
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
