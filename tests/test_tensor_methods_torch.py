"""The PyTorch methods and functions scripts use (issue: missing names) against PyTorch: forward
values and dtypes for every name, gradients (float64, to 1e-10) for the differentiable ones, and
the errors for bad input. PyTorch comparisons skip without torch; the error checks run anyway."""
import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor
from test_pytorch_habits import needs_torch, same

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4))
B = RNG.normal(size=(3, 4))
P = np.abs(B) + 0.5


def _dtype_name(d):
    return str(d).replace("torch.", "")


def agree(ours_fn, theirs_fn, *arrays, grad=True, tol=1e-10):
    """ours_fn(*Tensors) and theirs_fn(*torch tensors) agree in value and dtype, and (grad) the
    gradient of a weighted sum of the output reaches every input alike."""
    torch = needs_torch()
    ours_in = [Tensor(a.copy(), requires_grad=grad) for a in arrays]
    theirs_in = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    ours, theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
    same(ours, theirs, tol)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), (ours.dtype, theirs.dtype)
    if grad:
        weights = np.linspace(0.5, 1.5, ours.numel()).reshape(ours.shape)
        (ours * Tensor(weights)).sum().backward()
        (theirs * torch.tensor(weights)).sum().backward()
        for o, t in zip(ours_in, theirs_in):   # an input the result ignores: None here, zeros there
            same(o.grad if o.grad is not None else np.zeros(o.shape),
                 t.grad if t.grad is not None else torch.zeros_like(t), tol)


# --- differentiable: values and gradients ------------------------------------------------------------
DIFFERENTIABLE = {
    "erfinv": (lambda x: x.erfinv(), lambda x: x.erfinv(), [np.tanh(A)]),
    "clamp_min": (lambda x: x.clamp_min(0.1), lambda x: x.clamp_min(0.1), [A]),
    "clamp_max": (lambda x: tg.clamp_max(x, 0.1), lambda x: x.clamp_max(0.1), [A]),
    "addcmul": (lambda x, a, b: tg.addcmul(x, a, b, value=0.5), lambda x, a, b: x.addcmul(a, b, value=0.5),
                [A, B, P]),
    "addcdiv": (lambda x, a, b: x.addcdiv(a, b, value=-2), lambda x, a, b: x.addcdiv(a, b, value=-2),
                [A, B, P]),
    "addmm": (lambda x, a, b: tg.addmm(x, a, b.T, beta=0.5, alpha=2.0),
              lambda x, a, b: x.addmm(a, b.T, beta=0.5, alpha=2.0), [A[:, :3], A, B]),
    "addmm (beta=0)": (lambda x, a, b: x.addmm(a, b.T, beta=0), lambda x, a, b: x.addmm(a, b.T, beta=0),
                       [A[0, :3], A, B]),
    "where method": (lambda a, b: a.where(Tensor(A > 0), b), lambda a, b: a.where(a > 0, b), [A, B]),
    "sum_to_size": (lambda x: x.sum_to_size(1, 4), lambda x: x.sum_to_size(1, 4), [A]),
    "nansum": (lambda x: tg.nansum(x.masked_fill(Tensor(A > 1), float("nan")), dim=1),
               lambda x: x.masked_fill(x > 1, float("nan")).nansum(dim=1), [A]),
    "nanmean": (lambda x: x.masked_fill(Tensor(A > 1), float("nan")).nanmean(0, keepdim=True),
                lambda x: x.masked_fill(x > 1, float("nan")).nanmean(0, keepdim=True), [A]),
    "nan_to_num": (lambda x: x.masked_fill(Tensor(A > 1), float("inf")).nan_to_num(posinf=7.0),
                   lambda x: x.masked_fill(x > 1, float("inf")).nan_to_num(posinf=7.0), [A]),
    "float_power": (lambda x, y: tg.float_power(x, y), lambda x, y: x.float_power(y), [P, B]),
    "true_divide": (lambda x, y: tg.true_divide(x, y), lambda x, y: x.true_divide(y), [A, P]),
    "aminmax": (lambda x: sum(tg.aminmax(x, dim=0)), lambda x: sum(x.aminmax(dim=0)), [A]),
    "aminmax (all)": (lambda x: x.aminmax().max - x.aminmax().min,
                      lambda x: x.aminmax().max - x.aminmax().min, [A]),
    "quantile": (lambda x: tg.quantile(x, 0.3, dim=1, keepdim=True),
                 lambda x: x.quantile(0.3, dim=1, keepdim=True), [A]),
    "cov": (lambda x: tg.cov(x), lambda x: x.cov(), [A]),
    "cov (weights)": (lambda x: x.cov(correction=2, fweights=tg.tensor([1, 2, 1, 3]),
                                      aweights=tg.tensor([0.5, 1.0, 2.0, 1.0], dtype=tg.float64)),
                      lambda x: x.cov(correction=2, fweights=_torch().tensor([1, 2, 1, 3]),
                                      aweights=_torch().tensor([0.5, 1.0, 2.0, 1.0], dtype=_torch().float64)),
                      [A]),
    "corrcoef": (lambda x: tg.corrcoef(x), lambda x: x.corrcoef(), [A]),
    "index_add": (lambda x, s: x.index_add(1, tg.tensor([3, 0, 3]), s, alpha=2),
                  lambda x, s: x.index_add(1, _torch().tensor([3, 0, 3]), s, alpha=2), [A, B[:, :3]]),
    "index_copy": (lambda x, s: x.index_copy(0, tg.tensor([2, 0]), s),
                   lambda x, s: x.index_copy(0, _torch().tensor([2, 0]), s), [A, B[:2]]),
    "index_fill": (lambda x: x.index_fill(1, tg.tensor([1, 3]), -1.0),
                   lambda x: x.index_fill(1, _torch().tensor([1, 3]), -1.0), [A]),
    "rot90": (lambda x: tg.rot90(x, 3, [1, 0]), lambda x: x.rot90(3, [1, 0]), [A]),
    "tensordot": (lambda a, b: tg.tensordot(a, b, dims=([0], [0])),
                  lambda a, b: _torch().tensordot(a, b, dims=([0], [0])), [A, B]),
    "tensordot (int)": (lambda a, b: tg.tensordot(a, b.T, 1), lambda a, b: _torch().tensordot(a, b.T, 1),
                        [A, B]),
    "concat": (lambda a, b: tg.concat([a, b], dim=1), lambda a, b: _torch().concat([a, b], dim=1), [A, B]),
    "concatenate": (lambda a, b: tg.concatenate([a, b]), lambda a, b: _torch().concatenate([a, b]), [A, B]),
    "hstack": (lambda a, b: tg.hstack([a, b]), lambda a, b: _torch().hstack([a, b]), [A, B]),
    "hstack (1-d)": (lambda a, b: tg.hstack([a[0], b[1]]), lambda a, b: _torch().hstack([a[0], b[1]]),
                     [A, B]),
    "vstack": (lambda a, b: tg.vstack([a[0], b]), lambda a, b: _torch().vstack([a[0], b]), [A, B]),
    "dstack": (lambda a, b: tg.dstack([a, b]), lambda a, b: _torch().dstack([a, b]), [A, B]),
    "dstack (1-d)": (lambda a, b: tg.dstack([a[0], b[0]]), lambda a, b: _torch().dstack([a[0], b[0]]),
                     [A, B]),
    "column_stack": (lambda a, b: tg.column_stack([a[0], b.T]), lambda a,
                     b: _torch().column_stack([a[0], b.T]),
                     [A, B]),
    "broadcast_tensors": (lambda a, b: sum(t * (k + 1) for k,
                                           t in enumerate(tg.broadcast_tensors(a[:1], b[:, :1]))),
                          lambda a, b: sum(t * (k + 1) for k, t in
                                           enumerate(_torch().broadcast_tensors(a[:1], b[:, :1]))), [A, B]),
    "cartesian_prod": (lambda a, b: tg.cartesian_prod(a[0], b[1, :2]),
                       lambda a, b: _torch().cartesian_prod(a[0], b[1, :2]), [A, B]),
}


def _torch():
    return needs_torch()


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable_values_dtypes_and_gradients(name):
    ours, theirs, arrays = DIFFERENTIABLE[name]
    agree(ours, theirs, *arrays)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, False), (-1, True)])
def test_quantile_and_nanquantile_modes(interpolation, dim, keepdim):
    torch = needs_torch()
    q = [0.0, 0.25, 0.5, 0.625, 1.0]
    agree(lambda x: x.quantile(tg.tensor(q, dtype=tg.float64), dim, keepdim, interpolation),
          lambda x: x.quantile(torch.tensor(q, dtype=torch.float64), dim, keepdim,
                               interpolation=interpolation),
          A)
    with_nan = A.copy()
    with_nan[0, 1] = with_nan[2, 2] = np.nan
    agree(lambda x: x.nanquantile(0.4, dim, keepdim, interpolation=interpolation),
          lambda x: x.nanquantile(0.4, dim, keepdim, interpolation=interpolation), with_nan, grad=False)
    agree(lambda x: x.quantile(0.4, dim, keepdim, interpolation=interpolation),
          lambda x: x.quantile(0.4, dim, keepdim, interpolation=interpolation), with_nan, grad=False)


def test_quantile_nearest_rounds_ties_to_even_as_pytorch():
    torch = needs_torch()
    x = np.arange(5.0)
    for q in (0.125, 0.375, 0.625, 0.875):
        same(Tensor(x).quantile(q, interpolation="nearest"),
             torch.tensor(x).quantile(q, interpolation="nearest"), 0)


def test_erfinv_edges_and_float32():
    torch = needs_torch()
    x = np.array([-1.0, -0.999999, -0.5, 0.0, 1e-9, 0.3, 0.9999999999, 1.0, 1.5])
    same(Tensor(x).erfinv(), torch.tensor(x).erfinv(), 1e-9)
    x32 = np.linspace(-0.99, 0.99, 101, dtype=np.float32)
    ours = Tensor(x32).erfinv()
    assert ours.dtype == np.float32
    same(ours, torch.tensor(x32).erfinv(), 1e-5)
    assert tg.erfinv(tg.tensor([0, 1])).dtype == np.float32
    assert Tensor(np.array([0.5]), requires_grad=True).erfinv().grad_fn is not None


# --- not differentiable: values and dtypes ---------------------------------------------------------------
def _pair(fn_ours, fn_theirs, tol=0):
    torch = needs_torch()
    ours, theirs = fn_ours(tg), fn_theirs(torch)
    if isinstance(theirs, torch.Tensor):
        same(ours, theirs, tol)
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), (ours.dtype, theirs.dtype)
    else:
        assert ours == theirs, (ours, theirs)


VALUES = {
    "new_zeros": (lambda m: m.tensor([1, 2]).new_zeros(2, 3), None),
    "new_ones": (lambda m: m.tensor([1.0]).new_ones((2,), dtype=m.float64), None),
    "new_full": (lambda m: m.tensor([1], dtype=m.int32).new_full((2, 2), 7), None),
    "new_empty": (lambda m: m.tensor([1.0]).new_empty(3).shape, None),
    "new_tensor": (lambda m: m.tensor([1.0], dtype=m.float64).new_tensor([1, 2]), None),
    "type_as": (lambda m: m.tensor([1.7, -2.2]).type_as(m.tensor([1])), None),
    "is_contiguous": (lambda m: (m.ones(2, 3).is_contiguous(), m.ones(2, 3).t().is_contiguous(),
                                 m.ones(2, 3)[:, 1].is_contiguous()), None),
    "stride": (lambda m: (m.ones(2, 3, 4).stride(), m.ones(2, 3, 4).stride(-1),
                          m.ones(2, 3, 4).permute(2, 0, 1).stride(), m.ones(4, 5)[::2, 1:].stride()), None),
    "element_size": (lambda m: tuple(m.ones(1, dtype=d).element_size()
                                     for d in (m.float32, m.float64, m.int64, m.int8, m.bool)), None),
    "contains": (lambda m: (2.0 in m.tensor([1.0, 2.0]), 5 in m.tensor([1, 2]),
                            m.tensor(1.0) in m.tensor([[1.0], [3.0]])), None),
    "index": (lambda m: ([10, 20, 30][m.tensor(2)], list(range(m.tensor(3))),
                         m.arange(5)[m.tensor(1):].tolist()),
              None),
    "equal": (lambda m: (m.equal(m.tensor([1, 2]), m.tensor([1, 2])),
                         m.tensor([1.0]).equal(m.tensor([1.0, 1.0])),
                         m.tensor([1, 2]).equal(m.tensor([1, 3])), m.tensor([float("nan")]).equal(
                             m.tensor([float("nan")]))), None),
    "argwhere": (lambda m: m.argwhere(m.tensor([[0, 1], [2, 0]])), None),
    "histc": (lambda m: m.histc(m.tensor([0.0, 0.5, 1.0, 1.0, 2.5, 3.0, -1.0], dtype=m.float64), bins=4,
                                min=0,
                                max=3), None),
    "histc (data range)": (lambda m: m.tensor([1.0, 2.0, 2.0, 5.0]).histc(3), None),
    "histc (one value)": (lambda m: m.tensor([2.0, 2.0]).histc(4), None),
    "bucketize": (lambda m: m.bucketize(m.tensor([[1, 5], [3, 9]]), m.tensor([1, 3, 5, 7])), None),
    "bucketize (right, int32)": (lambda m: m.bucketize(m.tensor([1.0, 5.0, 6.0]), m.tensor([1.0, 3.0, 5.0]),
                                                       right=True, out_int32=True), None),
    "result_type": (lambda m: tuple(str(m.result_type(*ab)).replace("torch.", "") for ab in [
        (m.tensor([1]), 1.0), (m.tensor([1], dtype=m.int8), m.tensor(1000)), (m.tensor([True]), 2),
        (m.tensor([1.0]), m.tensor(1.0, dtype=m.float64)), (m.tensor([1], dtype=m.uint8),
                                                            m.tensor([1], dtype=m.int8)),
        (2, 3.0)]), None),
    "promote_types": (lambda m: tuple(str(m.promote_types(a, b)).replace("torch.", "") for a, b in [
        (m.int64, m.float32), (m.uint8, m.int8), (m.bool, m.int16), (m.float16, m.float64)]), None),
    "can_cast": (lambda m: tuple(m.can_cast(a, b) for a, b in [
        (m.float64, m.int32), (m.int64, m.float16), (m.int32, m.bool), (m.bool, m.uint8), (m.float64,
                                                                                           m.float32),
        (m.int64, m.int8)]), None),
    "is_floating_point": (lambda m: (m.is_floating_point(m.ones(1)), m.tensor([1]).is_floating_point()),
                          None),
    "is_nonzero": (lambda m: (m.is_nonzero(m.tensor([0.0])), m.tensor(3).is_nonzero(),
                              m.tensor([[True]]).is_nonzero()),
                   None),
    "typename": (lambda m: tuple(m.typename(t) for t in (m.ones(1), m.ones(1, dtype=m.float64), m.tensor([1]),
                                                         m.tensor([True]), 1)), None),
    "and": (lambda m: m.tensor([12, 10], dtype=m.int32) & m.tensor([10, 6], dtype=m.int64), None),
    "or": (lambda m: m.tensor([True, False]) | m.tensor([False, False]), None),
    "xor": (lambda m: m.tensor([5, 3]) ^ 6, None),
    "rxor": (lambda m: 6 ^ m.tensor([5, 3], dtype=m.uint8), None),
    "invert": (lambda m: (~m.tensor([0, 5, -3]), ~m.tensor([True, False])), None),
    "shifts": (lambda m: (m.tensor([1, 2, 3]) << 2, m.tensor([8, -8], dtype=m.int16) >> 1,
                          1 << m.tensor([3])), None),
    "bitwise_and": (lambda m: m.bitwise_and(m.tensor([True, True]), m.tensor([1, 0])), None),
    "bitwise_or": (lambda m: m.tensor([[1], [2]]).bitwise_or(m.tensor([4, 8])), None),
    "bitwise_xor": (lambda m: m.bitwise_xor(m.tensor([7], dtype=m.int8), m.tensor(1)), None),
    "bitwise_not": (lambda m: m.bitwise_not(m.tensor([1, 2], dtype=m.uint8)), None),
    "bool & python bool": (lambda m: m.tensor([True, False]) & True, None),
    "nansum (ints)": (lambda m: m.nansum(m.tensor([[1, 2], [3, 4]]), 0), None),
    "float_power (ints)": (lambda m: m.float_power(m.tensor([2, 3]), 2), None),
    "true_divide (ints)": (lambda m: m.true_divide(m.tensor([3, 4]), 2), None),
    "addmm (ints)": (lambda m: m.addmm(m.tensor([1]), m.tensor([[1, 2]]), m.tensor([[3], [4]]), beta=2,
                                       alpha=3),
                     None),
    "cov (ints)": (lambda m: m.tensor([[1, 2, 4], [0, 3, 3]]).cov(), None),
    "cov (one variable)": (lambda m: m.tensor([1.0, 2.0, 4.0]).cov(), None),
    "corrcoef (one variable)": (lambda m: m.tensor([1.0, 2.0, 4.0]).corrcoef(), None),
    "aminmax (ints)": (lambda m: tuple(m.tensor([[3, 1], [2, 5]]).aminmax(dim=1, keepdim=True)), None),
    "nan_to_num (ints)": (lambda m: m.tensor([1, 2]).nan_to_num(), None),
    "nan_to_num (defaults)": (lambda m: m.tensor([float("nan"), float("inf"), -float("inf"),
                                                  1.0]).nan_to_num(), None),
    "rot90 (k=2, 3-d)": (lambda m: m.arange(24).reshape(2, 3, 4).rot90(2, [2, 0]), None),
    "rot90 (k=-1)": (lambda m: m.arange(6).reshape(2, 3).rot90(-1), None),
    "tensordot (0)": (lambda m: m.tensordot(m.tensor([1, 2]), m.tensor([3, 4, 5]), 0), None),
    "cartesian_prod (one)": (lambda m: m.cartesian_prod(m.tensor([1, 2])), None),
    "hstack (0-d)": (lambda m: m.hstack([m.tensor(1.0), m.tensor([2.0, 3.0])]), None),
    "index_add (0-d)": (lambda m: m.tensor(1.0).index_add(0, m.tensor([0]), m.tensor(2.0)), None),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_and_dtypes_as_pytorch(name):
    fn, _ = VALUES[name]

    def normalise(out, torch=None):
        if isinstance(out, tuple):
            return tuple(normalise(o) for o in out)
        if hasattr(out, "numpy") and not isinstance(out, np.ndarray):
            return (out.numpy().tolist(), _dtype_name(out.dtype))
        if isinstance(out, (list,)):
            return out
        return tuple(out) if isinstance(out, tuple) else out

    torch = needs_torch()
    ours, theirs = normalise(fn(tg)), normalise(fn(torch))
    if ours != theirs:   # float results may differ in the last bit (cov's float32 sums): compare closely
        assert repr(ours).count("float") == repr(theirs).count("float"), (ours, theirs)
        flat_ours = np.array(_numbers(ours), dtype=float)
        flat_theirs = np.array(_numbers(theirs), dtype=float)
        np.testing.assert_allclose(flat_ours, flat_theirs, rtol=1e-6)
        assert _strings(ours) == _strings(theirs), (ours, theirs)


def _numbers(value):
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _numbers(v)]
    return [] if isinstance(value, str) else [value]


def _strings(value):
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_set_and_get_num_threads():
    before = tg.get_num_threads()
    assert isinstance(before, int) and before >= 1
    tg.set_num_threads(1)
    try:
        pytest.importorskip("threadpoolctl")
        from threadpoolctl import threadpool_info
        assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
        if any(p["user_api"] == "blas" for p in threadpool_info()):
            assert tg.get_num_threads() == 1
    finally:
        tg.set_num_threads(before)
    with pytest.raises(ValueError, match="set_num_threads: expected a positive int, got 0"):
        tg.set_num_threads(0)


# --- errors name the op and the shapes or dtypes -----------------------------------------------------------
ERRORS = [
    (lambda: tg.tensor([1.0]) & tg.tensor([1]), TypeError,
     r"bitwise_and: only bool and integer tensors.*float32"),
    (lambda: ~tg.tensor([1.0]), TypeError,
     r"bitwise_not: only bool and integer tensors are supported, got float32"),
    (lambda: tg.tensor([True]) << 1, TypeError, r"bitwise_left_shift: only integer tensors"),
    (lambda: tg.tensor([1]) | 1.5, TypeError, r"bitwise_or: only bool and integer"),
    (lambda: tg.ones(2, 3).addmm(tg.ones(2, 3), tg.ones(2, 3)), ValueError,
     r"addmm: mat1 and mat2 must be matrices that multiply, got shapes \(2, 3\) and \(2, 3\)"),
    (lambda: tg.ones(4).addmm(tg.ones(2, 3), tg.ones(3, 2)), ValueError,
     r"addmm: input of shape \(4,\) does not broadcast to the product's shape \(2, 2\)"),
    (lambda: tg.ones(2, 3).sum_to_size(2), RuntimeError,
     r"sum_to_size: size \(2,\) is not expandable.*\(2, 3\)"),
    (lambda: [1, 2][tg.tensor([1.0])], TypeError, r"only integer tensors of a single element.*float32"),
    (lambda: [1, 2][tg.tensor([0, 1])], TypeError, r"only integer tensors of a single element.*shape \(2,\)"),
    (lambda: "a" in tg.ones(2), RuntimeError, r"__contains__ only supports a Tensor or a number, got str"),
    (lambda: tg.ones(2).is_nonzero(), RuntimeError, r"is_nonzero: only a tensor with one element.*\(2,\)"),
    (lambda: tg.tensor([1, 2]).histc(), TypeError,
     r"histc: expected a floating point tensor, got dtype int64"),
    (lambda: tg.ones(2).histc(bins=0), ValueError, r"histc: bins must be > 0"),
    (lambda: tg.ones(2).histc(min=2, max=1), ValueError, r"histc: max must be larger than min"),
    (lambda: tg.bucketize(tg.ones(2), tg.ones(2, 2)), ValueError,
     r"bucketize: boundaries must be a 1-d.*\(2, 2\)"),
    (lambda: tg.ones(3).quantile(1.5), ValueError, r"quantile: q values must be in the range \[0, 1\]"),
    (lambda: tg.tensor([1, 2]).quantile(0.5), TypeError, r"quantile: expected a floating point input.*int64"),
    (lambda: tg.ones(3).quantile(0.5, interpolation="cubic"), ValueError, r"quantile: interpolation must be"),
    (lambda: tg.ones(3).quantile(tg.tensor([0.5], dtype=tg.float64)), TypeError,
     r"quantile: q has dtype float64, the input float32"),
    (lambda: tg.ones(0).nanquantile(0.5), RuntimeError,
     r"nanquantile: input tensor of shape \(0,\) must be non-empty"),
    (lambda: tg.tensor([1, 2]).nanmean(), TypeError,
     r"nanmean: expected a floating point tensor, got dtype int64"),
    (lambda: tg.ones(0).aminmax(), RuntimeError,
     r"aminmax: cannot compute on an empty tensor of shape \(0,\)"),
    (lambda: tg.ones(2, 2, 2).cov(), ValueError, r"cov: expected a 1-d or 2-d input.*\(2, 2, 2\)"),
    (lambda: tg.ones(2, 3).cov(fweights=tg.tensor([1.0, 1.0, 1.0])), TypeError,
     r"cov: fweights must be integers"),
    (lambda: tg.ones(2, 3).cov(aweights=tg.ones(2)), ValueError,
     r"cov: aweights must be a 1-d tensor of the 3 observations, got shape \(2,\)"),
    (lambda: tg.ones(2).addcdiv(tg.tensor([1]), tg.tensor([2])), RuntimeError,
     r"addcdiv: integer division with addcdiv is no longer supported"),
    (lambda: tg.ones(2, 3).index_add(1, tg.tensor([0]), tg.ones(2, 2)), ValueError,
     r"index_add: source of shape \(2, 2\) must have the input's shape \(2, 3\) with 1 \(the index "
     r"length\) in dim 1"),
    (lambda: tg.ones(2, 3).index_copy(0, tg.tensor([5]), tg.ones(1, 3)), IndexError,
     r"index_copy: index 5 is out of bounds for dim 0 with size 2"),
    (lambda: tg.ones(2, 3).index_fill(0, tg.tensor([[0]]), 1.0), ValueError,
     r"index_fill: index must be 0-d or 1-d"),
    (lambda: tg.ones(2, 3).index_add(0, tg.tensor([0.0]), tg.ones(1, 3)), TypeError,
     r"index_add: index must hold integers, got dtype float32"),
    (lambda: tg.ones(2, 3).index_add(0, tg.tensor([0]), tg.ones(1, 3, dtype=tg.float64)), TypeError,
     r"index_add: source has dtype float64, the input float32"),
    (lambda: tg.ones(3).rot90(), ValueError, r"rot90: needs at least 2 dims, got shape \(3,\)"),
    (lambda: tg.ones(2, 2).rot90(1, [0]), ValueError, r"rot90: expected two dims"),
    (lambda: tg.tensordot(tg.ones(2, 3), tg.ones(3, 2)), ValueError,
     r"tensordot: contracted dims \[0, 1\] of \(2, 3\) and \[0, 1\] of \(3, 2\) must have the same sizes"),
    (lambda: tg.tensordot(tg.ones(2), tg.ones(2), 3), ValueError, r"tensordot: dims=3 is out of range"),
    (lambda: tg.broadcast_tensors(tg.ones(2), tg.ones(3)), ValueError,
     r"broadcast_tensors: shapes \[\(2,\), \(3,\)\] do not broadcast"),
    (lambda: tg.cartesian_prod(tg.ones(2, 2)), ValueError,
     r"cartesian_prod: expected 1-d tensors, got shapes \[\(2, 2\)\]"),
    (lambda: tg.hstack(tg.ones(2)), TypeError, r"hstack: expected a non-empty sequence of tensors"),
    (lambda: tg.vstack([]), TypeError, r"vstack: expected a non-empty sequence of tensors"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=lambda v: getattr(v, "pattern", None))
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_pytorch_refuses_the_same_bitwise_and_histc_inputs():
    torch = needs_torch()
    for call in (lambda: torch.tensor([1.0]) & torch.tensor([1]), lambda: ~torch.tensor([1.0]),
                 lambda: torch.tensor([1, 2]).histc(), lambda: torch.ones(3).quantile(1.5),
                 lambda: torch.tensor([1, 2]).nanmean(),
                 lambda: torch.ones(2).addcdiv(torch.tensor([1]), torch.tensor([2]))):
        with pytest.raises((RuntimeError, TypeError, NotImplementedError)):
            call()
