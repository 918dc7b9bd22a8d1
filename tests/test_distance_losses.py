"""nn.functional's distances (normalize, cosine_similarity, pairwise_distance), softmin, bilinear,
the ranking / embedding / soft-margin / likelihood losses and their modules, and torch.nn.utils:
values and gradients against PyTorch (float64 to 1e-10, float32 to 1e-5; skipped without torch),
and the errors and structure that need no torch."""
import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn
from tinygrad_nn.nn import functional as F

from test_linalg import compare_with_torch

try:
    import torch
    tF = torch.nn.functional
except ImportError:   # the comparisons skip; the checks without torch still run
    torch = tF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
RNG = np.random.default_rng(0)

X = RNG.standard_normal((5, 4))
Y = RNG.standard_normal((5, 4))
Z = RNG.standard_normal((5, 4))
ROW = RNG.standard_normal(4)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, -1.0])
BITS = (RNG.random((5, 4)) > 0.5).astype(np.float64)
COUNTS = RNG.integers(0, 5, (5, 4)).astype(np.float64)       # Poisson targets, some 0 and 1
POSITIVE = RNG.uniform(0.2, 2.0, (5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
CLASS_W = np.array([0.5, 2.0, 1.0, 3.0])
NEAR_ZERO = np.array([[1e-9, -2e-9, 0.0, 1e-9], [3.0, 4.0, 0.0, 1.0]])   # a norm below eps


# name -> (ours(*tensors, reduction), torch's(*tensors, reduction, c), input arrays); every input is
# checked; c makes torch constants (targets, weights) of the dtype under test
LOSSES = {
    "margin_ranking_loss": (lambda a, b, r: F.margin_ranking_loss(a, b, SIGNS, 0.3, reduction=r),
                            lambda a, b, r, c: tF.margin_ranking_loss(a, b, c(SIGNS), 0.3, reduction=r),
                            [X[:, 0], Y[:, 0]]),
    "nn.MarginRankingLoss": (lambda a, b, r: nn.MarginRankingLoss(reduction=r)(a, b, SIGNS),
                             lambda a, b, r, c: torch.nn.MarginRankingLoss(reduction=r)(a, b, c(SIGNS)),
                             [X[:, 0], Y[:, 0]]),
    "triplet_margin_loss": (lambda a, p, n, r: F.triplet_margin_loss(a, p, n, reduction=r),
                            lambda a, p, n, r, c: tF.triplet_margin_loss(a, p, n, reduction=r), [X, Y, Z]),
    "nn.TripletMarginLoss (p=1, swap, margin=2)": (
        lambda a, p, n, r: nn.TripletMarginLoss(2.0, 1.0, swap=True, reduction=r)(a, p, n),
        lambda a, p, n, r, c: torch.nn.TripletMarginLoss(2.0, 1.0, swap=True, reduction=r)(a, p, n), [X, Y,
                                                                                                      Z]),
    "triplet_margin_loss (1-D)": (lambda a, p, n, r: F.triplet_margin_loss(a, p, n, 3.0, reduction=r),
                                  lambda a, p, n, r, c: tF.triplet_margin_loss(a, p, n, 3.0, reduction=r),
                                  [X[0], Y[0], Z[0]]),
    "cosine_embedding_loss": (lambda a, b, r: F.cosine_embedding_loss(a, b, SIGNS, -0.5, reduction=r),
                              lambda a, b, r, c: tF.cosine_embedding_loss(a, b, c(SIGNS), -0.5, reduction=r),
                              [X, Y]),
    "nn.CosineEmbeddingLoss (1-D)": (
        lambda a, b, r: nn.CosineEmbeddingLoss(reduction=r)(a, b, np.array(-1.0)),
        lambda a, b, r, c: torch.nn.CosineEmbeddingLoss(reduction=r)(a, b, torch.tensor(-1.0)), [X[0],
                                                                                                 X[0] + 0.1]),
    "hinge_embedding_loss": (lambda x, r: F.hinge_embedding_loss(x, np.tile(SIGNS, (4, 1)).T, 1.5, r),
                             lambda x, r, c: tF.hinge_embedding_loss(x, c(np.tile(SIGNS, (4, 1)).T), 1.5,
                                                                     reduction=r),
                             [X]),
    "soft_margin_loss": (lambda x, r: F.soft_margin_loss(x, 2 * BITS - 1, reduction=r),
                         lambda x, r, c: tF.soft_margin_loss(x, c(2 * BITS - 1), reduction=r), [X * 3]),
    "nn.SoftMarginLoss": (lambda x, r: nn.SoftMarginLoss(reduction=r)(x, 2 * BITS - 1),
                          lambda x, r, c: torch.nn.SoftMarginLoss(reduction=r)(x, c(2 * BITS - 1)), [X]),
    "multilabel_soft_margin_loss": (lambda x, r: F.multilabel_soft_margin_loss(x, BITS, reduction=r),
                                    lambda x, r, c: tF.multilabel_soft_margin_loss(x, c(BITS),
                                                                                   reduction=r), [X]),
    "nn.MultiLabelSoftMarginLoss (weight)": (
        lambda x, r: nn.MultiLabelSoftMarginLoss(CLASS_W, reduction=r)(x, BITS),
        lambda x, r, c: torch.nn.MultiLabelSoftMarginLoss(c(CLASS_W), reduction=r)(x, c(BITS)), [X]),
    "multi_margin_loss (weight)": (lambda x, r: F.multi_margin_loss(x, LABELS, weight=CLASS_W, reduction=r),
                                   lambda x, r, c: tF.multi_margin_loss(x, c(LABELS), weight=c(CLASS_W),
                                                                        reduction=r),
                                   [X]),
    "nn.MultiMarginLoss (p=2, margin, weight)": (
        lambda x, r: nn.MultiMarginLoss(2, 0.7, CLASS_W, reduction=r)(x, LABELS),
        lambda x, r, c: torch.nn.MultiMarginLoss(2, 0.7, c(CLASS_W), reduction=r)(x, c(LABELS)), [X]),
    "poisson_nll_loss": (lambda x, r: F.poisson_nll_loss(x, COUNTS, reduction=r),
                         lambda x, r, c: tF.poisson_nll_loss(x, c(COUNTS), reduction=r), [X]),
    "poisson_nll_loss (rates, full, target checked)": (
        lambda x, y, r: F.poisson_nll_loss(x, y, log_input=False, full=True, reduction=r),
        lambda x, y, r, c: tF.poisson_nll_loss(x, y, log_input=False, full=True, reduction=r),
        [POSITIVE, COUNTS + 0.5]),
    "nn.PoissonNLLLoss (full)": (
        lambda x, r: nn.PoissonNLLLoss(full=True, reduction=r)(x, COUNTS),
        lambda x, r, c: torch.nn.PoissonNLLLoss(full=True, reduction=r)(x, c(COUNTS)), [X]),
    "gaussian_nll_loss": (lambda x, y, v, r: F.gaussian_nll_loss(x, y, v, reduction=r),
                          lambda x, y, v, r, c: tF.gaussian_nll_loss(x, y, v, reduction=r), [X, Y, POSITIVE]),
    "gaussian_nll_loss (var below eps)": (
        lambda x, v, r: F.gaussian_nll_loss(x, Y, v, eps=0.5, reduction=r),
        lambda x, v, r, c: tF.gaussian_nll_loss(x, c(Y), v, eps=0.5, reduction=r), [X, POSITIVE]),
    "nn.GaussianNLLLoss (var one short, full)": (
        lambda x, v, r: nn.GaussianNLLLoss(full=True, reduction=r)(x, Y, v),
        lambda x, v, r, c: torch.nn.GaussianNLLLoss(full=True, reduction=r)(x, c(Y), v), [X, POSITIVE[:, 0]]),
    "gaussian_nll_loss (var (N, 1))": (
        lambda x, v, r: F.gaussian_nll_loss(x, Y, v, reduction=r),
        lambda x, v, r, c: tF.gaussian_nll_loss(x, c(Y), v, reduction=r), [X, POSITIVE[:, :1]]),
    "gaussian_nll_loss (var a number)": (
        lambda x, r: F.gaussian_nll_loss(x, Y, 0.7, reduction=r),
        lambda x, r, c: tF.gaussian_nll_loss(x, c(Y), 0.7, reduction=r), [X]),
}

# name -> (ours(*tensors), torch's(*tensors), input arrays)
FUNCTIONS = {
    "normalize": (lambda x: F.normalize(x), lambda x: tF.normalize(x), [X]),
    "normalize (p=1, dim=0)": (lambda x: F.normalize(x, 1.0, 0), lambda x: tF.normalize(x, 1.0, 0), [X]),
    "normalize (norm below eps)": (lambda x: F.normalize(x, eps=1e-6), lambda x: tF.normalize(x, eps=1e-6),
                                   [NEAR_ZERO]),
    "cosine_similarity": (lambda a, b: F.cosine_similarity(a, b), lambda a, b: tF.cosine_similarity(a, b),
                          [X, Y]),
    "cosine_similarity (dim=0, broadcast)": (lambda a, b: F.cosine_similarity(a, b, 0),
                                             lambda a, b: tF.cosine_similarity(a, b, 0), [X, Y[:, :1]]),
    "cosine_similarity (norm below eps)": (lambda a, b: F.cosine_similarity(a, b, eps=1e-6),
                                           lambda a, b: tF.cosine_similarity(a, b, eps=1e-6),
                                           [NEAR_ZERO, X[:2]]),
    "nn.CosineSimilarity (dim=-1)": (lambda a, b: nn.CosineSimilarity(-1)(a, b),
                                     lambda a, b: torch.nn.CosineSimilarity(-1)(a, b), [X, Y]),
    "pairwise_distance": (lambda a, b: F.pairwise_distance(a, b), lambda a, b: tF.pairwise_distance(a, b),
                          [X, Y]),
    "pairwise_distance (p=1, keepdim, broadcast)": (
        lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
        lambda a, b: tF.pairwise_distance(a, b, 1.0, keepdim=True), [X, ROW]),
    "nn.PairwiseDistance (p=3, eps=0.1)": (lambda a, b: nn.PairwiseDistance(3.0, 0.1)(a, b),
                                           lambda a, b: torch.nn.PairwiseDistance(3.0, 0.1)(a, b), [X, Y]),
    "pairwise_distance (1-D)": (lambda a, b: F.pairwise_distance(a, b), lambda a, b: tF.pairwise_distance(a,
                                                                                                          b),
                                [ROW, X[0]]),
    "softmin": (lambda x: F.softmin(x, 1), lambda x: tF.softmin(x, 1), [X]),
    "nn.Softmin (dim=0)": (lambda x: nn.Softmin(0)(x), lambda x: torch.nn.Softmin(0)(x), [X]),
    "bilinear": (lambda a, b, w, c: F.bilinear(a, b, w, c), lambda a, b, w, c: tF.bilinear(a, b, w, c),
                 [X, Y[:, :3], RNG.standard_normal((2, 4, 3)), RNG.standard_normal(2)]),
    "bilinear (batch dims, no bias)": (lambda a, b, w: F.bilinear(a, b, w), lambda a, b, w: tF.bilinear(a,
                                                                                                        b, w),
                                       [RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 2)),
                                        RNG.standard_normal((5, 4, 2))]),
    "parameters_to_vector": (lambda a, b: nn.utils.parameters_to_vector([a, b]),
                             lambda a, b: torch.nn.utils.parameters_to_vector([a, b]), [X, ROW]),
}


@needs_torch
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 1e-5, 1e-6)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_against_torch(name, reduction, dtype, rtol, atol):
    ours, theirs, arrays = LOSSES[name]
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32

    def constant(a):
        return torch.tensor(a, dtype=torch_dtype) if np.asarray(a).dtype.kind == "f" else torch.tensor(a)

    compare_with_torch(lambda *t: ours(*t, reduction), lambda *t: theirs(*t, reduction, constant),
                       arrays, dtype, rtol, atol)


@needs_torch
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 1e-5, 1e-6)])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_functions_against_torch(name, dtype, rtol, atol):
    ours, theirs, arrays = FUNCTIONS[name]
    compare_with_torch(ours, theirs, arrays, dtype, rtol, atol)


@needs_torch
def test_bilinear_module_has_torch_shapes_init_bounds_and_numbers():
    ours, theirs = nn.Bilinear(3, 4, 2, dtype=np.float64), torch.nn.Bilinear(3, 4, 2, dtype=torch.float64)
    assert ours.weight.shape == tuple(theirs.weight.shape) and ours.bias.shape == tuple(theirs.bias.shape)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert np.all(np.abs(ours.weight.numpy()) <= 1 / np.sqrt(3)) and np.abs(ours.weight.numpy()).max() > 0.3
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 4))
    np.testing.assert_allclose(ours(Tensor(a), Tensor(b)).numpy(),
                               theirs(torch.tensor(a), torch.tensor(b)).detach().numpy(), rtol=1e-10)
    assert repr(ours) == repr(theirs)
    assert nn.Bilinear(3, 4, 2, bias=False).bias is None


@needs_torch
def test_nn_utils_against_torch():
    grads = [RNG.standard_normal((3, 4)), RNG.standard_normal(5)]

    def pair():
        ours = [Tensor(np.zeros(g.shape), requires_grad=True) for g in grads]
        theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for o, t, g in zip(ours, theirs, grads):
            o.grad, t.grad = Tensor(g.copy()), torch.tensor(g)
        return ours, theirs

    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        ours, theirs = pair()
        total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type, error_if_nonfinite=True, foreach=None)
        expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type, error_if_nonfinite=True,
                                                  foreach=None)
        assert total.shape == () and total.dtype == np.float64
        np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    ours, theirs = pair()
    norm = nn.utils.get_total_norm([p.grad for p in ours], 2.0)
    np.testing.assert_allclose(norm.item(), torch.nn.utils.get_total_norm([t.grad for t in theirs]).item())
    nn.utils.clip_grads_with_norm_(ours, 1.0, norm)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.0, torch.nn.utils.get_total_norm([t.grad for t in theirs]))
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    nn.utils.clip_grad_value_(ours, 0.1, foreach=False)
    torch.nn.utils.clip_grad_value_(theirs, 0.1, foreach=False)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    vec = RNG.standard_normal(17)
    nn.utils.vector_to_parameters(Tensor(vec), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(vec), theirs)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.numpy(), t.detach().numpy())


def test_nn_utils_is_a_module_with_torch_names_and_nn_clip_grad_norm_is_the_same():
    import tinygrad_nn.nn.utils as utils
    assert nn.clip_grad_norm_ is utils.clip_grad_norm_ and nn.clip_grad_value_ is utils.clip_grad_value_
    for name in ("clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
                 "parameters_to_vector", "vector_to_parameters"):
        assert callable(getattr(tinygrad_nn.nn.utils, name))
    assert isinstance(tinygrad_nn.nn.Bilinear(2, 2, 1), nn.Module)


def test_model_round_trips_through_a_vector():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (model.num_parameters(),)
    nn.utils.vector_to_parameters(vec * 0 + 1, model.parameters())
    assert all(np.all(p.numpy() == 1) for p in model.parameters())


# --- errors that name the op and the shapes ---------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: F.cosine_similarity(Tensor(X), Tensor(np.ones((5, 3)))), ValueError,
     r"cosine_similarity: shapes \(5, 4\) and \(5, 3\) do not broadcast"),
    (lambda: F.cosine_similarity(Tensor(ROW), Tensor(ROW)), IndexError,
     r"cosine_similarity: dim 1 is out of range"),
    (lambda: F.pairwise_distance(Tensor(X), Tensor(np.ones(3))), ValueError, r"pairwise_distance: shapes"),
    (lambda: F.normalize(Tensor(np.ones(3, dtype=np.int64))), TypeError,
     "normalize: expected floating point"),
    (lambda: F.margin_ranking_loss(Tensor(X), Tensor(X), SIGNS), ValueError,
     r"margin_ranking_loss: .* same number of dims, got shapes \(5, 4\), \(5, 4\) and \(5,\)"),
    (lambda: F.triplet_margin_loss(Tensor(X), Tensor(X), Tensor(ROW)), ValueError,
     r"triplet_margin_loss: .* got \(5, 4\), \(5, 4\) and \(4,\)"),
    (lambda: F.cosine_embedding_loss(Tensor(X), Tensor(Y), SIGNS[:3]), ValueError,
     r"cosine_embedding_loss: .* got \(5, 4\), \(5, 4\) and target \(3,\)"),
    (lambda: F.cosine_embedding_loss(Tensor(X), Tensor(Y), SIGNS * 2), ValueError, "targets of -1 or 1"),
    (lambda: F.soft_margin_loss(Tensor(X), SIGNS), ValueError, r"soft_margin_loss: expected a target of the "
     r"input's shape \(5, 4\), got \(5,\)"),
    (lambda: F.multilabel_soft_margin_loss(Tensor(X), BITS, "sum"), TypeError, "pass reduction= by keyword"),
    (lambda: F.multilabel_soft_margin_loss(Tensor(np.ones((2, 2, 2))), np.ones((2, 2, 2))), ValueError,
     r"multilabel_soft_margin_loss: expected scores of shape \(N, C\) or \(C,\), got \(2, 2, 2\)"),
    (lambda: F.multi_margin_loss(Tensor(X), LABELS, weight=np.ones(3)), ValueError,
     r"multi_margin_loss: expected a weight of shape \(4,\)"),
    (lambda: F.gaussian_nll_loss(Tensor(X), Y, np.ones((5, 3))), ValueError,
     r"gaussian_nll_loss: var of shape \(5, 3\) does not fit the input's shape \(5, 4\)"),
    (lambda: F.gaussian_nll_loss(Tensor(X), Y, -POSITIVE), ValueError, "var has negative entries"),
    (lambda: F.gaussian_nll_loss(Tensor(X), Y, POSITIVE, reduction="avg"), ValueError, "reduction must be"),
    (lambda: F.poisson_nll_loss(Tensor(X), COUNTS, reduction="avg"), ValueError, "reduction must be"),
    (lambda: F.bilinear(Tensor(X), Tensor(Y), Tensor(np.ones((2, 4, 3)))), ValueError,
     r"bilinear: .* got shapes \(5, 4\), \(5, 4\) and \(2, 4, 3\)"),
    (lambda: F.bilinear(Tensor(X), Tensor(Y), Tensor(np.ones((2, 4, 4))), Tensor(np.ones(3))), ValueError,
     r"bilinear: bias of shape \(3,\) does not match weight of shape \(2, 4, 4\)"),
    (lambda: nn.Bilinear(0, 2, 2), ValueError, "Bilinear: in1_features must be a positive integer"),
    (lambda: nn.utils.vector_to_parameters(Tensor(np.ones(3)), [Tensor(np.ones((2, 2)))]), ValueError,
     r"vector_to_parameters: expected a vector of shape \(4,\) for parameters of shapes \[\(2, 2\)\], "
     r"got \(3,\)"),
    (lambda: nn.utils.parameters_to_vector([np.ones(2)]), TypeError,
     "parameters_to_vector: expected Tensors"),
    (lambda: nn.MarginRankingLoss(reduction="avg"), ValueError, "MarginRankingLoss: reduction must be"),
])
def test_errors_name_the_op_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_soft_margin_loss_is_finite_for_huge_margins():
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    loss = F.soft_margin_loss(x, np.array([1.0, 1.0]), reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1000.0)
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 0.0])
