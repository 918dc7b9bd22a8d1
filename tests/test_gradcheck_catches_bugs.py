"""A checker is trusted only once it has been shown to fail: feed it wrong derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings

from tinygrad_nn import Function, Tensor
from tinygrad_nn.testing import (GradcheckError, away_from_zero, broadcastable_tensors, check,
                                 check_gradients, gradcheck, gradgradcheck, locate_gradient_errors,
                                 matmul_tensors, tensors)


class SigmoidWrong(Function):
    """σ' written as σ instead of σ(1 - σ)."""
    @staticmethod
    def forward(ctx, x):
        return 1 / (1 + (-x).exp())

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


class AddSameGradient(Function):
    """a + b whose backward hands the incoming gradient to both inputs: one Tensor twice, and of
    the broadcast shape when the inputs were broadcast (the engine sums it back)."""
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class AddTransposedSameGradient(AddSameGradient):
    """a + b.T for b of shape (n, 1): b's gradient must be summed and transposed back, and the
    broadcast-shaped one this returns is not something b's shape broadcasts to."""
    @staticmethod
    def forward(ctx, a, b):
        return a + b.T


class MatMulTransposed(Function):
    """The gradient of a wrt a @ b computed with b instead of b.T (square b only)."""
    @staticmethod
    def forward(ctx, a, b):
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return g @ b, a.T @ g


class DoubleOnNegatives(Function):
    """x², whose gradient is doubled only where x < 0."""
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * 2 * x * Tensor(np.where(x.numpy() < 0, 2.0, 1.0))


class CubeWrongSecondOrder(Function):
    """x³ with the right first derivative but computed from a constant: second order is wrong."""
    @staticmethod
    def forward(ctx, x):
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        return g * Tensor(3 * ctx.inputs[0].numpy() ** 2)


def test_wrong_sigmoid_derivative_is_reported_with_element_and_values():
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(SigmoidWrong.apply, [x])
    message = str(info.value)
    s = 1 / (1 + np.exp(-0.5))
    assert "input 0, element (0,)" in message
    assert f"analytical {s:.10g}" in message and f"numerical {s * (1 - s):.10g}" in message
    assert "3 of 9 Jacobian entries" in message   # the off-diagonal zeros agree
    assert "does not shrink with h: the derivative formula is wrong" in message
    assert gradcheck(SigmoidWrong.apply, [x], raise_exception=False) is False


def test_check_gradients_shrinks_wrong_sigmoid_to_a_small_counterexample():
    with pytest.raises(GradcheckError) as info:
        check_gradients(SigmoidWrong.apply, tensors(), max_examples=50)
    assert "analytical" in str(info.value) and "numerical" in str(info.value)


def test_broadcast_gradient_is_summed_back_by_the_engine_as_in_pytorch():
    # returning the gradient of the broadcast shape is not a bug: backward sums it back to the
    # input's shape, as PyTorch's engine does, so the checker must pass it
    a = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    b = Tensor(np.random.default_rng(1).standard_normal((4,)), requires_grad=True)
    assert gradcheck(AddSameGradient.apply, [a, b])
    check_gradients(AddSameGradient.apply, broadcastable_tensors(2), max_examples=30)


def test_gradient_of_a_shape_the_input_does_not_broadcast_to_is_caught():
    a = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    b = Tensor(np.random.default_rng(1).standard_normal((4, 1)), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"gradient of shape \(3, 4\) for argument 1 of shape \(4, 1\)"):
        gradcheck(AddTransposedSameGradient.apply, [a, b])


def test_transposed_matmul_gradient_is_caught():
    rng = np.random.default_rng(2)
    a = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(MatMulTransposed.apply, [a, b])


def test_gradient_wrong_only_on_negative_inputs_is_caught_and_shrunk():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(DoubleOnNegatives.apply, [x])
    assert "1 of 4" in str(info.value) and "element (1,)" in str(info.value)
    with pytest.raises(GradcheckError):
        check_gradients(DoubleOnNegatives.apply, tensors(elements=away_from_zero()), max_examples=50)


def test_second_order_error_passes_gradcheck_but_fails_gradgradcheck():
    x = Tensor(np.array([0.7, -1.3]), requires_grad=True)
    assert gradcheck(CubeWrongSecondOrder.apply, [x])
    with pytest.raises(GradcheckError, match="second order"):
        gradgradcheck(CubeWrongSecondOrder.apply, [x])


def test_float32_inputs_are_refused_with_the_reason():
    x = Tensor(np.array([1.0], np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t.exp(), [x])
    assert gradcheck(lambda t: t.exp(), [x], allow_float32=True, eps=1e-3, atol=1e-2, rtol=1e-2)
    with pytest.raises(ValueError, match="widened"):
        gradcheck(lambda t: t.exp(), [x], allow_float32=True)


def test_kinks_are_skipped_not_failed_and_can_be_made_failures():
    x = Tensor(np.array([0.0, 1.0, -2.0]), requires_grad=True)
    report = check(lambda t: t.relu(), [x])
    assert report.ok and len(report.kinks) == 1 and report.kinks[0].element == (0,)
    tie = Tensor(np.array([1.0, 1.0, 0.0]), requires_grad=True)
    assert len(check(lambda t: t.max(), [tie]).kinks) == 2
    with pytest.raises(GradcheckError, match="non-differentiable point"):
        gradcheck(lambda t: t.abs(), [x], kinks="fail")


def test_a_wrong_subgradient_at_a_kink_still_fails():
    class ReluWrongAtZero(Function):
        @staticmethod
        def forward(ctx, x):
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            return g * Tensor(np.where(ctx.inputs[0].numpy() >= 0, 3.0, 0.0))
    x = Tensor(np.array([0.0]), requires_grad=True)
    with pytest.raises(GradcheckError):
        gradcheck(ReluWrongAtZero.apply, [x])


def test_step_crossing_a_nearby_kink_is_not_a_false_failure():
    x = Tensor(np.array([3e-7]), requires_grad=True)   # within eps = 1e-6 of relu's kink
    assert gradcheck(lambda t: t.relu(), [x])


def test_five_point_estimator_is_more_accurate():
    x = Tensor(np.array([1.3]), requires_grad=True)
    central = check(lambda t: t.exp() * 100, [x], eps=1e-3, atol=0, rtol=1e-12)
    five = check(lambda t: t.exp() * 100, [x], eps=1e-3, atol=0, rtol=1e-12, method="five_point")
    assert five.max_abs_error < central.max_abs_error / 100


def test_structural_checks_catch_nonlinear_mutating_and_aliasing_backward():
    class NotLinear(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 2 * g * g.abs()   # right for every one-hot grad_output, so the Jacobian agrees

    class Mutates(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            ctx.inputs[0].data += 1e-9   # a backward that touches its input
            return g * 2

    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    report = check(NotLinear.apply, [x])
    assert not report.mismatches
    assert any("linear in grad_output" in f for f in report.failed_checks)
    mutated = check(Mutates.apply, [x.detach().requires_grad_()])
    assert any("modified input" in f for f in mutated.failed_checks)
    # the engine copies a gradient handed to two leaves, so a plain aliasing backward passes
    assert check(AddSameGradient.apply, [x, y]).ok


def test_nondeterministic_backward_is_reported():
    calls = []

    class Flaky(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g * (1.0 + 1e-9 * len(calls))

    report = check(Flaky.apply, [Tensor(np.array([1.0]), requires_grad=True)])
    assert any("deterministic" in f for f in report.failed_checks)


def test_locate_gradient_errors_names_the_bad_node_in_a_model():
    rng = np.random.default_rng(3)
    w1 = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w2 = Tensor(rng.standard_normal((3, 1)), requires_grad=True)
    x = Tensor(rng.standard_normal((5, 4)))
    loss = (SigmoidWrong.apply(x @ w1).tanh() @ w2).mean()
    bad = locate_gradient_errors(loss)
    assert [n.op for n in bad] == ["sigmoidwrong"]
    assert bad[0].input_shapes == [(5, 3)] and "WRONG" in str(bad[0])
    good = locate_gradient_errors(((x @ w1).sigmoid().tanh() @ w2).mean(), all_nodes=True)
    assert [n.op for n in good] == ["matmul", "sigmoid", "tanh", "matmul", "sum", "div"]
    assert all(n.ok for n in good)


def test_matmul_shapes_strategy_covers_every_kind():
    seen = set()

    @given(matmul_tensors())
    @settings(max_examples=200, derandomize=True)
    def record(pair):
        a, b = pair
        seen.add((a.ndim, b.ndim) if max(a.ndim, b.ndim) <= 2 else "batched")
    record()
    assert {(1, 1), (2, 1), (1, 2), (2, 2), "batched"} <= seen


@check_gradients(tensors(shape=(3,)), second_order=True, max_examples=10)
def test_check_gradients_as_a_decorator_passes_a_right_op(x):   # the decorator draws x
    return x * x.sigmoid()


def test_check_gradients_as_a_decorator_fails_a_wrong_op():
    @check_gradients(tensors(shape=(2,)), max_examples=20)
    def wrong(x):
        return SigmoidWrong.apply(x)
    with pytest.raises(GradcheckError):
        wrong()
