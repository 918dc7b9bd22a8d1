"""Issue 13: a careless user loses nothing and always learns what went wrong.

Each test does what a user did and asserts what they now see."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_nn import Tensor
from tinygrad_nn.function import Function, grad
from tinygrad_nn.nn.module import Parameter
from tinygrad_nn.nn.layers import Linear
from tinygrad_nn.testing.gradcheck import gradcheck, gradgradcheck, GradcheckError


# --- 1. integer tensors never get a silently truncated gradient ---------------------------------

def test_setting_requires_grad_on_an_integer_tensor_is_refused_at_backward():
    x = Tensor(np.array([1, 2, 3]))
    x.requires_grad = True
    with pytest.raises(TypeError, match=r"shape \(3,\) and dtype int64 requires grad \(requires_grad "
                                        r"was set on it directly\).*truncated.*\.float\(\)"):
        (x * 0.5).sum().backward()
    assert x.grad is None


def test_integer_root_and_grad_are_refused_too():
    x = Tensor(np.array([1, 2, 3]))
    x.requires_grad = True
    with pytest.raises(TypeError, match="int64 requires grad"):
        (x * 2).sum().backward()          # the root itself is int64
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="int64 requires grad"):
        grad(((x * 2) * w).sum(), [w])    # a float root, an integer leaf inside
    assert w.grad is None                 # refused before any gradient was accumulated


def test_an_integer_parameter_is_refused_and_load_state_dict_keeps_floats():
    with pytest.raises(TypeError, match="only floating point tensors can require grad"):
        Parameter(np.array([1, 2]))
    layer = Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[1, 2]]), "bias": np.array([3])})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    layer(Tensor([[0.5, 0.25]])).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [[0.5, 0.25]])
    with pytest.raises(TypeError, match="cannot hold int64"):
        layer.weight.data = np.array([[1, 2]])


class RoundToInt(Function):
    @staticmethod
    def forward(ctx, x):
        return np.round(x).astype(np.int64)

    @staticmethod
    def backward(ctx, g):
        return g


@pytest.mark.parametrize("use", [lambda y: (y * 0.5).sum(), lambda y: y.float().sum(),
                                 lambda y: y.sum()], ids=["mul", "cast back", "root"])
def test_a_custom_function_returning_integers_is_named(use):
    x = Tensor([0.4, 1.6], requires_grad=True)
    with pytest.raises(TypeError, match=r"roundtoint's forward returned int64 values.*return floating"):
        use(RoundToInt.apply(x)).backward()
    assert x.grad is None


# --- 2. a custom backward that returns the wrong thing -----------------------------------------

class NumpySquare(Function):
    """The natural mistake: forward is numpy, so backward returns numpy too."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x.numpy() * g.numpy()


def test_a_numpy_gradient_is_accepted_for_first_order():
    x = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    NumpySquare.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -6.0])
    assert isinstance(x.grad, Tensor) and x.grad.dtype == np.float64
    assert gradcheck(NumpySquare.apply, [x])


def test_a_numpy_gradient_under_create_graph_says_first_order_only():
    x = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"numpysquare.backward returned a numpy array as the "
                                           r"gradient of argument 0.*first-order gradients only"):
        grad(NumpySquare.apply(x).sum(), [x], create_graph=True)
    with pytest.raises(RuntimeError, match="numpysquare.backward returned a numpy array"):
        gradgradcheck(NumpySquare.apply, [x])   # its first-order function raises, named


def _op(result):
    class Custom(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return result(g)
    return Custom


@pytest.mark.parametrize("result, error, message", [
    (lambda g: [g, g], RuntimeError,
     r"custom.backward returned 1 gradient\(s\) for 2 forward arguments; expected a tuple of 2.*"
     r"it returned a list: return a tuple"),
    (lambda g: g, RuntimeError, r"returned 1 gradient\(s\) for 2 forward arguments"),
    (lambda g: (g, g, g), RuntimeError, r"returned 3 gradient\(s\) for 2 forward arguments"),
    (lambda g: (g, "oops"), TypeError,
     r"custom.backward returned a str as the gradient of argument 1; expected a Tensor of shape "
     r"\(2,\) and dtype float64, or None"),
    (lambda g: (g, 2.0), TypeError, r"returned a float as the gradient of argument 1"),
    (lambda g: (g, Tensor(np.ones((3,)))), RuntimeError,
     r"custom.backward returned a gradient of shape \(3,\) for argument 1 of shape \(2,\)"),
    (lambda g: (g, Tensor(np.array([1, 1]))), TypeError,
     r"custom.backward returned a gradient of dtype int64 for argument 1 \(\(2,\) float64\); expected a "
     r"floating point gradient, of dtype float64"),
    (lambda g: (np.array([True, False]), g), TypeError, r"returned a gradient of dtype bool for argument 0"),
])
def test_a_wrong_gradient_names_the_op_the_argument_and_what_was_expected(result, error, message):
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    op = _op(result)
    with pytest.raises(error, match=message):
        op.apply(x, y).sum().backward()
    with pytest.raises(GradcheckError, match=message):
        gradcheck(op.apply, [x, y])
