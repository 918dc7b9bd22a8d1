"""tinygrad_nn.linalg, the square-matrix ops (inverse, det, slogdet, logdet, solve), cdist and
tinygrad_nn.special: values and gradients against PyTorch (float64 to 1e-10, float32 to 1e-5; skipped
without torch), and the errors that need no torch."""
import math

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, linalg, special

try:
    import torch
except ImportError:   # the comparisons skip; the error checks below still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
RNG = np.random.default_rng(0)


def _well_conditioned(*shape):
    """Random matrices near 2·I: far from singular."""
    n = shape[-1]
    return RNG.standard_normal(shape) * 0.3 + 2 * np.eye(n)


A = _well_conditioned(3, 3)
A_BATCH = _well_conditioned(2, 3, 3)
A_NEG = A @ np.diag([1.0, 1.0, -1.0])            # det < 0
B = RNG.standard_normal((3, 2))
V = RNG.standard_normal(3)
X = RNG.standard_normal((2, 4, 3))
X1, X2 = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3))

# name -> (ours(*tensors), torch's(*tensors), input arrays)
CASES = {
    "inverse": (lambda a: a.inverse(), lambda a: torch.linalg.inv(a), [A]),
    "tinygrad_nn.inverse (batch)": (lambda a: tinygrad_nn.inverse(a), lambda a: torch.inverse(a), [A_BATCH]),
    "linalg.inv": (lambda a: linalg.inv(a), lambda a: torch.linalg.inv(a), [A_BATCH]),
    "det": (lambda a: a.det(), lambda a: torch.det(a), [A]),
    "linalg.det (batch, negative)": (lambda a: linalg.det(a), lambda a: torch.linalg.det(a),
                                     [np.stack([A, A_NEG])]),
    "slogdet.logabsdet": (lambda a: a.slogdet().logabsdet, lambda a: torch.linalg.slogdet(a).logabsdet,
                          [np.stack([A, A_NEG])]),
    "slogdet.sign": (lambda a: linalg.slogdet(a)[0] * a.sum(), lambda a: torch.slogdet(a)[0] * a.sum(),
                     [np.stack([A, A_NEG])]),
    "logdet": (lambda a: tinygrad_nn.logdet(a), lambda a: torch.logdet(a), [A_BATCH]),
    "solve (matrix)": (lambda a, b: linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b), [A, B]),
    "solve (vector)": (lambda a, b: linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b), [A, V]),
    "solve (batched A, broadcast B)": (lambda a, b: linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b),
                                       [A_BATCH, B]),
    "solve (batched vectors)": (lambda a, b: linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b),
                                [A_BATCH, RNG.standard_normal((2, 3))]),
    "solve (left=False)": (lambda a, b: linalg.solve(a, b, left=False),
                           lambda a, b: torch.linalg.solve(a, b, left=False), [A, B.T]),
    "vector_norm": (lambda x: linalg.vector_norm(x), lambda x: torch.linalg.vector_norm(x), [X]),
    "vector_norm (ord=3, dim, keepdim)": (lambda x: linalg.vector_norm(x, 3, dim=(0, 2), keepdim=True),
                                          lambda x: torch.linalg.vector_norm(x, 3, dim=(0, 2),
                                                                             keepdim=True), [X]),
    "vector_norm (ord=1)": (lambda x: linalg.vector_norm(x, 1, dim=-1),
                            lambda x: torch.linalg.vector_norm(x, 1, dim=-1), [X]),
    "vector_norm (ord=inf)": (lambda x: linalg.vector_norm(x, math.inf, dim=1),
                              lambda x: torch.linalg.vector_norm(x, math.inf, dim=1), [X]),
    "matrix_norm (fro)": (lambda x: linalg.matrix_norm(x), lambda x: torch.linalg.matrix_norm(x), [X]),
    "matrix_norm (1)": (lambda x: linalg.matrix_norm(x, 1), lambda x: torch.linalg.matrix_norm(x, 1), [X]),
    "matrix_norm (-1, keepdim)": (lambda x: linalg.matrix_norm(x, -1, keepdim=True),
                                  lambda x: torch.linalg.matrix_norm(x, -1, keepdim=True), [X]),
    "matrix_norm (inf, dim=(0, 2))": (lambda x: linalg.matrix_norm(x, math.inf, dim=(0, 2)),
                                      lambda x: torch.linalg.matrix_norm(x, math.inf, dim=(0, 2)), [X]),
    "matrix_norm (-inf)": (lambda x: linalg.matrix_norm(x, -math.inf),
                           lambda x: torch.linalg.matrix_norm(x, -math.inf), [X]),
    "norm (all elements)": (lambda x: linalg.norm(x), lambda x: torch.linalg.norm(x), [X]),
    "norm (matrix, ord=1)": (lambda x: linalg.norm(x, 1), lambda x: torch.linalg.norm(x, 1), [A]),
    "norm (vector, ord=inf)": (lambda x: linalg.norm(x, math.inf), lambda x: torch.linalg.norm(x, math.inf),
                               [V]),
    "norm (dim=int)": (lambda x: linalg.norm(x, dim=1), lambda x: torch.linalg.norm(x, dim=1), [X]),
    "norm (dim=pair, fro)": (lambda x: linalg.norm(x, "fro", dim=(1, 2)),
                             lambda x: torch.linalg.norm(x, "fro", dim=(1, 2)), [X]),
    "cdist": (lambda a, b: tinygrad_nn.cdist(a, b), lambda a, b: torch.cdist(a, b), [X1, X2]),
    "cdist (p=1)": (lambda a, b: tinygrad_nn.cdist(a, b, p=1), lambda a, b: torch.cdist(a, b, p=1), [X1, X2]),
    "cdist (p=3, batch broadcast)": (lambda a, b: tinygrad_nn.cdist(a, b, 3.0),
                                     lambda a, b: torch.cdist(a, b, 3.0),
                                     [RNG.standard_normal((2, 4, 3)), X2]),
    "cdist (p=inf)": (lambda a, b: tinygrad_nn.cdist(a, b, math.inf), lambda a, b: torch.cdist(a, b,
                                                                                               math.inf),
                      [X1, X2]),
    # torch.special's names
    "special.expit": (lambda x: special.expit(x), lambda *a: torch.special.expit(*a), [X]),
    "special.logit": (lambda x: special.logit(x), lambda *a: torch.special.logit(*a),
                      [RNG.uniform(0.05, 0.95, (3, 4))]),
    "special.logit (eps)": (lambda x: special.logit(x, eps=0.1), lambda x: torch.special.logit(x, eps=0.1),
                            [RNG.uniform(0.02, 0.98, (3, 4))]),
    "special.erf": (lambda x: special.erf(x), lambda *a: torch.special.erf(*a), [X]),
    "special.erfc": (lambda x: special.erfc(x), lambda *a: torch.special.erfc(*a), [X]),
    "special.xlogy": (lambda x, y: special.xlogy(x, y), lambda *a: torch.special.xlogy(*a),
                      [X, RNG.uniform(0.1, 3, (2, 4, 3))]),
    "special.logsumexp": (lambda x: special.logsumexp(x, dim=1),
                          lambda x: torch.special.logsumexp(x, dim=1), [X]),
    "special.softmax": (lambda x: special.softmax(x, 1), lambda x: torch.special.softmax(x, 1), [X]),
    "special.log_softmax": (lambda x: special.log_softmax(x, -1),
                            lambda x: torch.special.log_softmax(x, -1), [X]),
    "special.expm1": (lambda x: special.expm1(x), lambda *a: torch.special.expm1(*a), [X]),
    "special.log1p": (lambda x: special.log1p(x), lambda *a: torch.special.log1p(*a),
                      [RNG.uniform(0.1, 3, (3, 3))]),
    "special.exp2": (lambda x: special.exp2(x), lambda *a: torch.special.exp2(*a), [X]),
    "logit (Tensor method)": (lambda x: x.logit(), lambda x: x.logit(), [RNG.uniform(0.05, 0.95, (5,))]),
}


def compare_with_torch(ours_fn, torch_fn, arrays, dtype, rtol, atol):
    """The forward value and the gradient of sum(out * W) (a fixed random W) for every input."""
    ours = [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out, expected = ours_fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    (out * Tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    for t, e in zip(ours, theirs):
        if e.grad is None:
            assert t.grad is None or not np.any(t.grad.numpy())
            continue
        np.testing.assert_allclose(t.grad.numpy(), e.grad.numpy(), rtol=rtol, atol=atol)


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_against_torch_float64(name):
    ours, theirs, arrays = CASES[name]
    compare_with_torch(ours, theirs, arrays, np.float64, 1e-10, 1e-12)


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_against_torch_float32(name):
    ours, theirs, arrays = CASES[name]
    compare_with_torch(ours, theirs, arrays, np.float32, 1e-5, 1e-6)


@needs_torch
def test_logdet_of_a_negative_determinant_is_nan_as_torch():
    ours = tinygrad_nn.logdet(Tensor(np.stack([A, A_NEG])))
    expected = torch.logdet(torch.tensor(np.stack([A, A_NEG])))
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-12)   # [log det A, nan]
    assert np.isnan(ours.numpy()[1])


@needs_torch
def test_cdist_at_zero_distance_has_torch_gradient():
    x = RNG.standard_normal((3, 2))
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    tinygrad_nn.cdist(ours, ours).sum().backward()
    torch.cdist(theirs, theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_second_order_gradients_of_inverse_and_det():
    from tinygrad_nn.testing import gradcheck, gradgradcheck
    a = Tensor(A, requires_grad=True)
    for fn in (lambda a: a.inverse(), lambda a: a.det(), lambda a: a.slogdet().logabsdet,
               lambda a: linalg.solve(a, Tensor(B))):
        assert gradcheck(fn, (a,))
        assert gradgradcheck(fn, (a,))


def test_a_batch_of_inverses_is_each_inverse():
    np.testing.assert_allclose((Tensor(A_BATCH).inverse() @ Tensor(A_BATCH)).numpy(),
                               np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)


# --- errors that name the op and the shapes ---------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: Tensor(np.ones((2, 3))).inverse(), ValueError,
     r"inverse: expected a square matrix .* got \(2, 3\)"),
    (lambda: Tensor(np.ones(3)).det(), ValueError, r"det: expected a square matrix .* got \(3,\)"),
    (lambda: Tensor(np.ones((2, 3))).slogdet(), ValueError, r"slogdet: .* got \(2, 3\)"),
    (lambda: Tensor(np.eye(2, dtype=np.int64)).inverse(), TypeError, "inverse: expected a floating point"),
    (lambda: Tensor(np.zeros((2, 2))).inverse(), ValueError, "inverse"),      # singular: LinAlgError
    (lambda: linalg.solve(Tensor(A), Tensor(np.ones((2, 1)))), ValueError,
     r"solve: B of shape \(2, 1\) does not match A of shape \(3, 3\)"),
    (lambda: linalg.solve(Tensor(np.ones(3)), Tensor(np.ones(3))), ValueError,
     r"solve: expected A .* got \(3,\)"),
    (lambda: linalg.matrix_norm(Tensor(A), "nuc"), NotImplementedError, "'nuc' needs singular values"),
    (lambda: linalg.matrix_norm(Tensor(A), 2), NotImplementedError, "ord=2 needs singular values"),
    (lambda: linalg.matrix_norm(Tensor(A), 3), ValueError, "ord must be one of"),
    (lambda: linalg.matrix_norm(Tensor(V)), ValueError, r"expected a matrix .* got shape \(3,\)"),
    (lambda: linalg.vector_norm(Tensor(V), "fro"), ValueError, "ord must be a number"),
    (lambda: linalg.norm(Tensor(X), 1), ValueError, r"must be 1-D or 2-D, got shape \(2, 4, 3\)"),
    (lambda: tinygrad_nn.cdist(Tensor(X1), Tensor(np.ones((5, 2)))), ValueError,
     r"cdist: expected x1 \(\*, P, M\) and x2 \(\*, R, M\) with the same M, "
     r"got shapes \(4, 3\) and \(5, 2\)"),
    (lambda: tinygrad_nn.cdist(Tensor(V), Tensor(V)), ValueError, r"cdist: .* got shapes \(3,\) and \(3,\)"),
])
def test_errors_name_the_op_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_special_lists_only_aliases():
    assert "expit" in dir(special) and special.softmax is tinygrad_nn.nn.functional.softmax
    with pytest.raises(AttributeError, match="tinygrad_nn.special' has no attribute 'gammaln'"):
        special.gammaln
