"""Tensor.register_hook, retain_grad, and detect_anomaly."""
import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Function, Tensor


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_hook_sees_the_whole_gradient_and_can_replace_it():
    x = leaf([1.0, 2.0])
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = h.register_hook(lambda g: g * 0.5)
    (h * h).sum().backward(retain_graph=True)      # dL/dh = 2h = [6, 12]
    assert np.array_equal(seen[0], [6.0, 12.0])
    assert np.array_equal(x.grad.numpy(), [9.0, 18.0])  # halved, then times 3
    handle.remove()
    x.grad = None
    (h * h).sum().backward()
    assert np.array_equal(x.grad.numpy(), [18.0, 36.0])


def test_hook_on_a_leaf_changes_what_lands_in_grad():
    w = leaf([1.0, -2.0])
    w.register_hook(lambda g: g.clip(-0.5, 0.5))
    (w * 10).sum().backward()
    assert np.array_equal(w.grad.numpy(), [0.5, 0.5])


def test_hook_must_return_none_or_a_tensor_of_the_right_shape():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"hook on a tensor of shape \(2,\) returned \(\)"):
        (x * 2).sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(print)


def test_retain_grad_and_hooks_together():
    x = leaf([2.0])
    h = x * x
    h.retain_grad()
    h.register_hook(lambda g: g * 2)
    (h * 3).sum().backward()
    assert h.grad.numpy()[0] == 6.0 and x.grad.numpy()[0] == 6.0 * 2 * 2


def test_detect_anomaly_names_the_forward_op_and_the_user_line():
    x = leaf([-1.0, 1.0])
    with tg.detect_anomaly():
        with pytest.raises(FloatingPointError,
                           match=r"log produced nan .*\(2,\) float64.*test_hooks_and_anomaly.py"):
            x.log()
    with np.errstate(invalid="ignore"):
        y = x.log()                     # outside the mode: nan, silently, as numpy does
    assert np.isnan(y.numpy()[0])


def test_detect_anomaly_in_backward_points_at_where_the_op_was_created():
    class BadBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * np.inf

    x = leaf([1.0])
    with tg.detect_anomaly():
        y = BadBackward.apply(x)        # the line the error must name
        with pytest.raises(FloatingPointError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "mul produced inf" in message and "return g * np.inf" in message   # the formula's line
    assert "while computing the backward of badbackward" in message
    assert "y = BadBackward.apply(x)" in message                               # the user's line

    class InfFromNowhere(BadBackward):
        @staticmethod
        def backward(ctx, g):
            return Tensor(np.full(g.shape, np.inf))

    with tg.detect_anomaly():
        z = InfFromNowhere.apply(x)
        with pytest.raises(FloatingPointError, match=r"the backward of inffromnowhere produced inf in "
                                                     r"the gradient of argument 0.*z = InfFromNowhere"):
            z.sum().backward()


def test_detect_anomaly_as_a_decorator_and_off_by_default():
    @tg.detect_anomaly()
    def divide(a):
        return a / 0.0

    with pytest.raises(FloatingPointError, match="div produced inf"):
        with np.errstate(divide="ignore"):
            divide(leaf([1.0]))
    with np.errstate(divide="ignore"):
        assert np.isinf((leaf([1.0]) / 0.0).numpy()[0])
