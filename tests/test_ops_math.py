"""Issue 15's wrong values, each with the number PyTorch gives (worked out by hand, so these run
without torch), and the conventions of max/min, rounding and the new math ops."""
import math

import numpy as np
import pytest

from tinygrad_nn import Tensor
from tinygrad_nn.ops import ValuesIndices


def _leaf(values):
    return Tensor(np.array(values, np.float64), requires_grad=True)


# --- min / minimum are their own ops -----------------------------------------------------------

def test_integer_and_bool_min_are_exact():
    assert Tensor(np.array([0, 1, 2], np.uint8)).min().item() == 0      # -max(-x) gave 1
    assert Tensor(np.array([-2 ** 31, 5], np.int32)).min().item() == -2 ** 31   # gave 0
    assert Tensor(np.array([True, False])).min().item() is False        # raised
    assert Tensor(np.array([2, 0, 1], np.uint8)).amin().dtype == np.uint8
    m = Tensor(np.array([0, 5, 200], np.uint8)).minimum(Tensor(np.array([1, 1, 1], np.uint8)))
    assert m.tolist() == [0, 1, 1] and m.dtype == np.uint8
    assert Tensor(np.array([-2 ** 31, 3], np.int32)).minimum(0).tolist() == [-2 ** 31, 0]


def test_min_ties_share_the_gradient_like_amin_and_minimum():
    x = _leaf([1.0, 1.0, 2.0])
    x.min().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.5, 0.5, 0.0])
    a, b = _leaf([1.0, 0.0]), _leaf([1.0, 3.0])
    a.minimum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


# --- pow at zero ----------------------------------------------------------------------------------

def test_x_to_the_zero_has_gradient_zero_at_zero():
    x = _leaf([0.0, 2.0])
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])       # was nan at 0
    x = _leaf([0.0, 2.0])
    (x ** Tensor(np.zeros(2))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_zero_to_a_negative_power_has_exponent_gradient_minus_inf():
    x, y = _leaf([0.0, 0.0, 0.0]), _leaf([-1.0, 2.0, 0.0])
    with np.errstate(divide="ignore"):   # 0 ** -1 = inf: numpy warns, the value is right
        (x ** y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [-np.inf, 0.0, 0.0])   # was [nan, 0, 0]
    np.testing.assert_array_equal(x.grad.numpy(), [-np.inf, 0.0, 0.0])


def test_exponent_gradient_with_an_exact_zero_in_the_base():
    x, y = Tensor(np.array([0.0, 2.0, 0.0])), _leaf([0.5, 0.5, 3.0])   # x needs no gradient
    (x ** y).sum().backward()
    # d/dy x**y = x**y log x: 0 where x == 0 (y > 0), sqrt(2) log 2 at x = 2
    np.testing.assert_allclose(y.grad.numpy(), [0.0, math.sqrt(2) * math.log(2), 0.0], rtol=1e-15)
    (gy,) = __import__("tinygrad_nn").grad((x ** y).sum(), [y], create_graph=True)
    assert np.all(np.isfinite(gy.numpy()))
    b = _leaf([0.5, 1.0])
    (Tensor(np.array([0.0, 0.0])) ** b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0])


# --- 0-d reductions -----------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, -1])
def test_reductions_of_a_zero_dim_tensor_over_its_one_axis(axis):
    x = _leaf(1.5)
    assert x.sum(axis).item() == 1.5 and x.sum(axis, keepdims=True).shape == ()
    assert x.mean(axis).item() == 1.5
    assert x.amax(axis).item() == 1.5 and x.amin(axis).item() == 1.5
    assert x.max(axis).values.item() == 1.5 and x.max(axis).indices.item() == 0
    assert x.softmax(axis).item() == 1.0
    assert x.log_softmax(axis).item() == 0.0
    assert x.logsumexp(axis).item() == 1.5
    assert x.argmax(axis).item() == 0
    x.logsumexp(axis).backward()
    assert x.grad.item() == 1.0
    with pytest.raises(ValueError, match="out of range"):
        x.sum(1)


# --- dtype promotion ------------------------------------------------------------------------------

def test_mixed_int_float_results_follow_pytorch():
    i32, i64 = Tensor(np.array([1, 2], np.int32)), Tensor(np.array([1, 2], np.int64))
    f32 = Tensor(np.array([1.0, 2.0], np.float32))
    assert (f32 + i64).dtype == np.float32      # numpy: float64
    assert (i64 * f32).dtype == np.float32
    assert (i32 + 0.5).dtype == np.float32      # numpy: float64
    assert (i32 / i32).dtype == np.float32      # numpy: float64
    assert (1 / i32).dtype == np.float32
    assert i32.exp().dtype == np.float32 and i32.log().dtype == np.float32 and i32.sin().dtype == np.float32
    assert Tensor(np.array([1, 2], np.int8)).exp().dtype == np.float32   # numpy: float16
    assert i32.maximum(f32).dtype == np.float32 and i32.minimum(f32).dtype == np.float32
    assert (i32 + i64).dtype == np.int64 and (i32 + 2).dtype == np.int32
    b = Tensor(np.array([True, False]))
    assert (b + b).dtype == np.bool_ and (b + 1).dtype == np.int64 and (b * 1.5).dtype == np.float32
    # a 0-d tensor does not widen a tensor with dimensions of its own category
    assert (f32 + Tensor(np.array(2.0))).dtype == np.float32
    assert (i32 + Tensor(np.array(2.5))).dtype == np.float64
    np.testing.assert_array_equal((i32 / i32).numpy(), [1.0, 1.0])


def test_float_hot_path_keeps_dtype_and_python_numbers_stay_weak():
    f32 = Tensor(np.array([1.0, 2.0], np.float32))
    for out in (f32 + 1, 2 * f32, f32 / 3, 1 - f32, f32 ** 2, 2.0 ** f32, f32.maximum(0.5)):
        assert out.dtype == np.float32


# --- max / min with a dim ------------------------------------------------------------------------

def test_max_with_dim_returns_values_and_first_indices_and_sends_the_gradient_there():
    x = _leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    out = x.max(1)
    assert isinstance(out, ValuesIndices) and isinstance(out, tuple)
    values, indices = out
    np.testing.assert_array_equal(values.numpy(), [3.0, 2.0])
    assert indices.tolist() == [1, 0] and indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    assert x.max(1, keepdims=True).values.shape == (2, 1)
    assert x.min(0).indices.tolist() == [0, 1, 1]
    assert x.max().shape == () and x.max().item() == 3.0


def test_max_all_and_amax_share_ties():
    x = _leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [0, 0, 0]])
    y = _leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    y.amax(1).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0, 0.5, 0.5], [0.5, 0.5, 0]])


def test_max_of_a_tensor_is_maximum_and_tuple_dims_are_for_amax():
    a, b = Tensor([1.0, 5.0]), Tensor([2.0, 3.0])
    assert a.max(b).tolist() == [2.0, 5.0] and a.min(b).tolist() == [1.0, 3.0]
    with pytest.raises(TypeError, match="amax"):
        Tensor(np.ones((2, 2))).max((0, 1))
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.ones((0, 2))).max(0)


def test_any_and_all_return_tensors_with_axes():
    x = Tensor(np.array([[0.0, 1.0], [0.0, 0.0]]))
    assert isinstance(x.any(), Tensor) and x.any().item() is True and x.all().item() is False
    assert x.any(1).tolist() == [True, False] and x.all(0, keepdims=True).shape == (1, 2)
    assert bool(x.any()) and not x.all()


# --- rounding and special functions ------------------------------------------------------------

def test_rounding_conventions():
    halves = Tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    assert halves.round().tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0]        # half to even
    a = Tensor([-7.0, 7.0, -7.0, 7.0])
    b = Tensor([2.0, 2.0, -2.0, -2.0])
    assert (a % b).tolist() == [1.0, 1.0, -1.0, -1.0]                          # the divisor's sign
    assert a.fmod(b).tolist() == [-1.0, 1.0, -1.0, 1.0]                        # the dividend's sign
    assert (a // b).tolist() == [-4.0, 3.0, 3.0, -4.0]
    assert a.div(b, rounding_mode="trunc").tolist() == [-3.0, 3.0, 3.0, -3.0]
    assert Tensor(np.array([-7, 7])).div(2, rounding_mode="trunc").tolist() == [-3, 3]
    assert Tensor([-1.5, 2.25]).frac().tolist() == [-0.5, 0.25]
    with pytest.raises(ValueError, match="rounding_mode"):
        a.div(b, rounding_mode="round")


def test_steps_have_zero_gradient_and_remainder_minus_the_quotient():
    x = _leaf([-1.5, 0.0, 2.0])
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    a, b = _leaf([7.0, -7.0]), _leaf([2.0, 2.0])
    (a % b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [-3.0, 4.0])   # -floor(a / b)


def test_erf_and_erfc_are_the_c_library_values():
    x = np.linspace(-6, 6, 241)
    np.testing.assert_array_equal(Tensor(x).erf().numpy(), [math.erf(v) for v in x])
    np.testing.assert_array_equal(Tensor(x).erfc().numpy(), [math.erfc(v) for v in x])
    assert Tensor(np.array([6.0])).erfc().item() == pytest.approx(2.1519736712498913e-17, rel=1e-15)
    assert Tensor([0.5]).erf().dtype == np.float32


def test_xlogy_is_zero_where_x_and_y_are_zero():
    x, y = _leaf([0.0, 0.0, 2.0]), _leaf([0.0, 0.5, 3.0])
    out = x.xlogy(y)
    np.testing.assert_allclose(out.numpy(), [0.0, 0.0, 2 * math.log(3)], rtol=1e-15)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, math.log(0.5), math.log(3)], rtol=1e-15)
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 0.0, 2 / 3], rtol=1e-15)


def test_activation_errors_name_the_op():
    with pytest.raises(ValueError, match="glu"):
        Tensor(np.ones((2, 3))).glu()
    with pytest.raises(ValueError, match="prelu"):
        Tensor(np.ones((2, 3))).prelu(Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="gelu"):
        Tensor([1.0]).gelu("erf")
