"""Losses: values against numpy, reductions, target checks, stability, gradients (first and
second order, float64), and PyTorch when it is installed."""
import numpy as np
import pytest

from tinygrad_nn import Tensor, nn
from tinygrad_nn.nn import functional as F

from nn_gradcheck import check_grads

R = np.random.default_rng(0)
X = R.standard_normal((4, 3))                          # scores / predictions (N, C)
Y = R.standard_normal((4, 3))                          # regression targets
LABELS = np.array([0, 2, 1, 2])
PROBS = np.exp(Y) / np.exp(Y).sum(1, keepdims=True)    # class-probability targets
BITS = (R.random((4, 3)) > 0.5).astype(np.float64)    # binary targets
SIGNS = 2 * BITS - 1


def _log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _multi_margin(x, y, p=1, margin=1.0):
    correct = x[np.arange(len(y)), y][:, None]
    h = np.maximum(0, margin - correct + x) ** p
    h[np.arange(len(y)), y] = 0
    return h.sum(1) / x.shape[1]


# name -> (loss(input, reduction), per-sample numpy reference, input array)
CASES = {
    "mse_loss": (lambda x, r: F.mse_loss(x, Y, r), lambda x: (x - Y) ** 2, X),
    "l1_loss": (lambda x, r: F.l1_loss(x, Y, r), lambda x: np.abs(x - Y), X),
    "cross_entropy": (lambda x, r: F.cross_entropy(x, LABELS, reduction=r),
                      lambda x: -_log_softmax(x)[np.arange(4), LABELS], X),
    "cross_entropy(probabilities)": (lambda x, r: F.cross_entropy(x, PROBS, reduction=r),
                                     lambda x: -(PROBS * _log_softmax(x)).sum(1), X),
    "nll_loss": (lambda x, r: F.nll_loss(x.log_softmax(), LABELS, reduction=r),
                 lambda x: -_log_softmax(x)[np.arange(4), LABELS], X),
    "binary_cross_entropy_with_logits": (
        lambda x, r: F.binary_cross_entropy_with_logits(x, BITS, reduction=r),
        lambda x: -(BITS * np.log(_sigmoid(x)) + (1 - BITS) * np.log(1 - _sigmoid(x))), X),
    "binary_cross_entropy_with_logits(pos_weight)": (
        lambda x, r: F.binary_cross_entropy_with_logits(x, BITS, reduction=r,
                                                        pos_weight=np.array([1.0, 2.0, 3.0])),
        lambda x: -(np.array([1.0, 2.0, 3.0]) * BITS * np.log(_sigmoid(x))
                    + (1 - BITS) * np.log(1 - _sigmoid(x))), X),
    "binary_cross_entropy": (lambda x, r: F.binary_cross_entropy(x.sigmoid(), BITS, reduction=r),
                             lambda x: -(BITS * np.log(_sigmoid(x))
                                         + (1 - BITS) * np.log(1 - _sigmoid(x))), X),
    "hinge_embedding_loss": (lambda x, r: F.hinge_embedding_loss(x, SIGNS, 1.0, r),
                             lambda x: np.where(SIGNS == 1, x, np.maximum(0, 1 - x)), X),
    "binary_hinge_loss": (lambda x, r: F.binary_hinge_loss(x, SIGNS, 1.0, r),
                          lambda x: np.maximum(0, 1 - SIGNS * x), X),
    "multi_margin_loss": (lambda x, r: F.multi_margin_loss(x, LABELS, reduction=r),
                          lambda x: _multi_margin(x, LABELS), X),
    "multi_margin_loss(p=2, margin=0.5)": (
        lambda x, r: F.multi_margin_loss(x, LABELS, p=2, margin=0.5, reduction=r),
        lambda x: _multi_margin(x, LABELS, 2, 0.5), X),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_values_match_numpy(name, reduction):
    loss, reference, x = CASES[name]
    per_sample = reference(x)
    expected = {"mean": per_sample.mean(), "sum": per_sample.sum(), "none": per_sample}[reduction]
    np.testing.assert_allclose(loss(Tensor(x), reduction).numpy(), expected, rtol=1e-12, atol=1e-12)


def _kink_free(name, x):
    """Move x off the loss's kinks, where the derivative does not exist."""
    x = x.copy()
    if name == "l1_loss":
        x[np.abs(x - Y) < 0.1] += 0.3
    if "hinge" in name or "margin" in name:
        x = np.round(x, 1) + 0.05       # margins of 1 / 0.5 between scores on a 0.1 grid: never 0
    return x


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_match_finite_differences(name):
    loss, _, x = CASES[name]
    leaf = Tensor(_kink_free(name, x), requires_grad=True)
    check_grads(lambda: loss(leaf, "none"), [leaf])
    check_grads(lambda: loss(leaf, "mean"), [leaf], second_order=False)


def test_gradients_flow_into_float_targets():
    x = Tensor(X.copy(), requires_grad=True)
    y = Tensor(_kink_free("l1_loss", Y), requires_grad=True)
    check_grads(lambda: F.mse_loss(x, y, "none") + F.l1_loss(x, y, "none"), [x, y])
    p = Tensor(PROBS.copy(), requires_grad=True)
    check_grads(lambda: F.cross_entropy(x, p, reduction="none")
                + F.binary_cross_entropy_with_logits(x, p, reduction="none").sum(axis=1),
                [x, p])


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = Tensor(X.copy(), requires_grad=True)
    F.cross_entropy(logits, LABELS, reduction="sum").backward()
    one_hot = np.eye(3)[LABELS]
    np.testing.assert_allclose(logits.grad.numpy(), np.exp(_log_softmax(X)) - one_hot, atol=1e-12)


def test_cross_entropy_single_sample_and_one_hot_probabilities_agree():
    x = Tensor(X)
    np.testing.assert_allclose(F.cross_entropy(x, np.eye(3)[LABELS]).numpy(),
                               F.cross_entropy(x, LABELS).numpy(), rtol=1e-12)
    np.testing.assert_allclose(F.cross_entropy(Tensor(X[1]), np.int64(2)).numpy(),
                               -_log_softmax(X[1])[2], rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor(np.array([[1000.0, -1000.0, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([1]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    np.testing.assert_allclose(logits.grad.numpy(), [[1.0, -1.0, 0.0]], atol=1e-12)


def test_multi_margin_is_the_course_notes_svm_loss_over_c():
    # the notes' example: scores (cat, car, frog) = (3.2, 5.1, -1.7), true class cat
    # L = max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9
    loss = F.multi_margin_loss(Tensor(np.array([[3.2, 5.1, -1.7]])), np.array([0]))
    assert loss.item() * 3 == pytest.approx(2.9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_is_exact_for_logits_of_1000(dtype):
    x = Tensor(np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0], dtype), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 1000.0, 1000.0, np.log(2)], rtol=1e-6)
    loss.sum().backward(create_graph=True)
    g = x.grad
    np.testing.assert_allclose(g.numpy(), [0.0, 0.0, 1.0, -1.0, -0.5], atol=1e-7)   # σ(x) - y
    x.grad = None
    g.sum().backward()                                                         # σ'(x), finite
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 0.0, 0.0, 0.25], atol=1e-7)


def test_binary_cross_entropy_clamps_logs_at_minus_100():
    loss = F.binary_cross_entropy(Tensor(np.array([0.0, 1.0, 1.0])), np.array([1.0, 0.0, 1.0]),
                                  reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0, 0.0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(Tensor([1.5]), Tensor([1.0]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.mse_loss(Tensor(X), Y[:, :2]), ValueError,
     r"mse_loss: expected a target of the input's shape \(4, 3\), got \(4, 2\)"),
    (lambda: F.l1_loss(Tensor(X), np.array(["a"] * 12).reshape(4, 3)), TypeError,
     "l1_loss: expected a float target, got dtype <U1"),
    (lambda: F.cross_entropy(Tensor(X), LABELS.astype(np.float32)), TypeError,
     r"cross_entropy: expected integer class indices of shape \(4,\), got dtype float32"),
    (lambda: F.cross_entropy(Tensor(X), LABELS[:3]), ValueError,
     r"cross_entropy: expected class indices of shape \(4,\) for input of shape \(4, 3\), got \(3,\)"),
    (lambda: F.cross_entropy(Tensor(X), np.array([0, 3, -1, 1])), ValueError,
     r"class indices must be in \[0, 3\), got \[-1, 3\]"),
    (lambda: F.cross_entropy(Tensor(X[None]), LABELS), ValueError,   # (N, C, d1) = (1, 4, 3)
     r"expected class indices of shape \(1, 3\) for input of shape \(1, 4, 3\), got \(4,\)"),
    (lambda: F.cross_entropy(Tensor(X), LABELS, "sum"), TypeError, "pass reduction= by keyword"),
    (lambda: F.nll_loss(Tensor(X), LABELS[:, None]), ValueError, "nll_loss: expected class indices"),
    (lambda: F.binary_cross_entropy_with_logits(Tensor(X), BITS[0]), ValueError,
     "binary_cross_entropy_with_logits: expected a target of the input's shape"),
    (lambda: F.hinge_embedding_loss(Tensor(X), BITS), ValueError,
     "expected targets of -1 or 1, got values \\[0.0\\]"),
    (lambda: F.multi_margin_loss(Tensor(X), LABELS, p=3), ValueError, "p must be 1 or 2"),
    (lambda: F.mse_loss(Tensor(X), Y, reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: F.mse_loss(X, Y), TypeError, "mse_loss: expected the input to be a Tensor"),
    (lambda: nn.CrossEntropyLoss(reduction="max"), ValueError, "CrossEntropyLoss: reduction must be"),
])
def test_target_checks_say_what_they_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_module_forms_call_the_functional_forms():
    x = Tensor(X)
    pairs = [
        (nn.MSELoss(), F.mse_loss(x, Y), Y), (nn.L1Loss(reduction="sum"), F.l1_loss(x, Y, "sum"), Y),
        (nn.CrossEntropyLoss(), F.cross_entropy(x, LABELS), LABELS),
        (nn.NLLLoss(), F.nll_loss(x, LABELS), LABELS),
        (nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits(x, BITS), BITS),
        (nn.HingeEmbeddingLoss(margin=2.0), F.hinge_embedding_loss(x, SIGNS, 2.0), SIGNS),
        (nn.BinaryHingeLoss(), F.binary_hinge_loss(x, SIGNS), SIGNS),
        (nn.MultiMarginLoss(p=2), F.multi_margin_loss(x, LABELS, p=2), LABELS),
    ]
    for module, expected, target in pairs:
        assert module(x, target).item() == expected.item()
    assert nn.BCELoss()(x.sigmoid(), BITS).item() == F.binary_cross_entropy(x.sigmoid(), BITS).item()
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"


def test_losses_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    xt = torch.tensor(X)
    pairs = {
        "mse_loss": tf.mse_loss(xt, torch.tensor(Y), reduction="none"),
        "l1_loss": tf.l1_loss(xt, torch.tensor(Y), reduction="none"),
        "cross_entropy": tf.cross_entropy(xt, torch.tensor(LABELS), reduction="none"),
        "cross_entropy(probabilities)": tf.cross_entropy(xt, torch.tensor(PROBS), reduction="none"),
        "nll_loss": tf.nll_loss(torch.log_softmax(xt, 1), torch.tensor(LABELS), reduction="none"),
        "binary_cross_entropy_with_logits": tf.binary_cross_entropy_with_logits(
            xt, torch.tensor(BITS), reduction="none"),
        "binary_cross_entropy_with_logits(pos_weight)": tf.binary_cross_entropy_with_logits(
            xt, torch.tensor(BITS), reduction="none", pos_weight=torch.tensor([1.0, 2.0, 3.0],
                                                                              dtype=torch.float64)),
        "binary_cross_entropy": tf.binary_cross_entropy(torch.sigmoid(xt), torch.tensor(BITS),
                                                        reduction="none"),
        "hinge_embedding_loss": tf.hinge_embedding_loss(xt, torch.tensor(SIGNS), reduction="none"),
        "multi_margin_loss": tf.multi_margin_loss(xt, torch.tensor(LABELS), reduction="none"),
        "multi_margin_loss(p=2, margin=0.5)": tf.multi_margin_loss(xt, torch.tensor(LABELS), p=2,
                                                                   margin=0.5, reduction="none"),
    }
    for name, expected in pairs.items():
        ours = CASES[name][0](Tensor(X), "none")
        np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
