"""More elementwise math: logs and exponentials of other bases, hyperbolic and inverse
trigonometric functions, erf/erfc, atan2; and compositions of primitives (square, rsqrt, lerp,
hypot, xlogy, exp2 ...) that need no backward of their own.

Every backward is in Tensor ops, so second derivatives work. Integer inputs give the default
float dtype, as in PyTorch."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..function import Function, numpy_call
from .._tensor import Tensor
from .arithmetic import where
from .register import floating, promote, tensor_method

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


class Log2(Function):
    derivative = "dx = dout / (x * ln 2)"

    @staticmethod
    def forward(ctx, x):
        return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] * _LN2)


class Log10(Function):
    derivative = "dx = dout / (x * ln 10)"

    @staticmethod
    def forward(ctx, x):
        return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] * _LN10)


class Log1p(Function):
    """log(1 + x), exact for tiny x (where 1 + x would round to 1)."""
    derivative = "dx = dout / (1 + x)"

    @staticmethod
    def forward(ctx, x):
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] + 1)


class Expm1(Function):
    """e^x - 1, exact for tiny x."""
    derivative = "dx = dout * (out + 1)"

    @staticmethod
    def forward(ctx, x):
        return np.expm1(x)

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.output + 1)


class Sinh(Function):
    derivative = "dx = dout * cosh(x)"

    @staticmethod
    def forward(ctx, x):
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inputs[0].cosh()


class Cosh(Function):
    derivative = "dx = dout * sinh(x)"

    @staticmethod
    def forward(ctx, x):
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inputs[0].sinh()


class Tan(Function):
    derivative = "dx = dout * (1 + out²)"

    @staticmethod
    def forward(ctx, x):
        return np.tan(x)

    @staticmethod
    def backward(ctx, g):
        t = ctx.output
        return g * (t * t + 1)


class Asin(Function):
    derivative = "dx = dout / sqrt(1 - x²)"

    @staticmethod
    def forward(ctx, x):
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (1 - x * x).rsqrt()


class Acos(Function):
    derivative = "dx = -dout / sqrt(1 - x²)"

    @staticmethod
    def forward(ctx, x):
        return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return -g * (1 - x * x).rsqrt()


class Atan(Function):
    derivative = "dx = dout / (1 + x²)"

    @staticmethod
    def forward(ctx, x):
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g / (x * x + 1)


class Asinh(Function):
    derivative = "dx = dout / sqrt(x² + 1)"

    @staticmethod
    def forward(ctx, x):
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (x * x + 1).rsqrt()


class Acosh(Function):
    derivative = "dx = dout / sqrt(x² - 1)"

    @staticmethod
    def forward(ctx, x):
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (x * x - 1).rsqrt()


class Atanh(Function):
    derivative = "dx = dout / (1 - x²)"

    @staticmethod
    def forward(ctx, x):
        return np.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g / (1 - x * x)


class Atan2(Function):
    """The angle of the point (x, y): atan2(y, x) in (-π, π]."""
    derivative = "dy = dout * x / (x² + y²); dx = -dout * y / (x² + y²)"

    @staticmethod
    def forward(ctx, y, x):
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.inputs
        need_y, need_x = ctx.needs_input_grad
        r2 = x * x + y * y
        return g * x / r2 if need_y else None, -g * y / r2 if need_x else None


# numpy has no erf. math.erf applied per element is the C library's erf (within an ulp of the
# exact value, like PyTorch's); it costs about 0.1 µs per element, so erf is exact but not fast.
_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


class Erf(Function):
    """erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, elementwise with the C library's erf."""
    derivative = "dx = dout * 2 / sqrt(pi) * exp(-x²)"

    @staticmethod
    def forward(ctx, x):
        return np.asarray(_erf(x), np.float64).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI


class Erfc(Function):
    """1 - erf(x), accurate where erf(x) is close to 1 (erfc(6) = 2.2e-17, not 0)."""
    derivative = "dx = -dout * 2 / sqrt(pi) * exp(-x²)"

    @staticmethod
    def forward(ctx, x):
        return np.asarray(_erfc(x), np.float64).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return -g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI


# Giles' polynomials ("Approximating the erfinv function", 2010): erfinv to ~1e-7, in w = -log(1 - x²)
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                   -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _erfinv(x: np.ndarray) -> np.ndarray:
    """erfinv in float64: Giles' approximation, then Newton steps on erf(y) = x. Near |x| = 1 the
    residual is taken as (1 - |x|) - erfc(y), which is exact there, where erf(y) - |x| cancels."""
    a = np.abs(x.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1 - a) * (1 + a))
        central, tail = w - 2.5, np.sqrt(w) - 3
        p, q = np.zeros_like(a), np.zeros_like(a)
        for c_central, c_tail in zip(_ERFINV_CENTRAL, _ERFINV_TAIL):
            p, q = p * central + c_central, q * tail + c_tail
        y = np.where(w < 5, p, q) * a
        refine = np.isfinite(y)
        for _ in range(3):
            yr = np.where(refine, y, 0.0)
            residual = np.where(a < 0.5, np.asarray(_erf(yr), np.float64) - a,
                                (1 - a) - np.asarray(_erfc(yr), np.float64))
            y = np.where(refine, yr - residual / (_TWO_OVER_SQRT_PI * np.exp(-yr * yr)), y)
        y = np.where(a == 1, np.inf, np.where(a > 1, np.nan, y))
    return np.copysign(y, x).astype(x.dtype, copy=False)


class Erfinv(Function):
    """The inverse of erf on (-1, 1): erf(erfinv(x)) = x; ±inf at ±1, nan beyond."""
    derivative = "dx = dout * sqrt(pi) / 2 * exp(out²)"

    @staticmethod
    def forward(ctx, x):
        return _erfinv(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g * (y * y).exp() * _SQRT_PI_OVER_TWO


@tensor_method("log2")
def log2(x: Tensor) -> Tensor:
    """Base-2 logarithm elementwise."""
    return Log2.apply(floating(x))


@tensor_method("log10")
def log10(x: Tensor) -> Tensor:
    """Base-10 logarithm elementwise."""
    return Log10.apply(floating(x))


@tensor_method("log1p")
def log1p(x: Tensor) -> Tensor:
    """log(1 + x) elementwise, accurate for small x."""
    return Log1p.apply(floating(x))


@tensor_method("expm1")
def expm1(x: Tensor) -> Tensor:
    """e**x - 1 elementwise, accurate for small x."""
    return Expm1.apply(floating(x))


@tensor_method("sinh")
def sinh(x: Tensor) -> Tensor:
    """(e^x - e^-x) / 2; d/dx = cosh x."""
    return Sinh.apply(floating(x))


@tensor_method("cosh")
def cosh(x: Tensor) -> Tensor:
    """(e^x + e^-x) / 2; d/dx = sinh x."""
    return Cosh.apply(floating(x))


@tensor_method("tan")
def tan(x: Tensor) -> Tensor:
    """sin x / cos x; d/dx = 1 + tan² x."""
    return Tan.apply(floating(x))


@tensor_method("asin")
def asin(x: Tensor) -> Tensor:
    """Inverse sine, for -1 <= x <= 1."""
    return Asin.apply(floating(x))


@tensor_method("acos")
def acos(x: Tensor) -> Tensor:
    """Inverse cosine, for -1 <= x <= 1."""
    return Acos.apply(floating(x))


@tensor_method("atan")
def atan(x: Tensor) -> Tensor:
    """Inverse tangent, in (-π/2, π/2); d/dx = 1 / (1 + x²)."""
    return Atan.apply(floating(x))


@tensor_method("asinh")
def asinh(x: Tensor) -> Tensor:
    """Inverse hyperbolic sine; d/dx = 1 / sqrt(x² + 1)."""
    return Asinh.apply(floating(x))


@tensor_method("acosh")
def acosh(x: Tensor) -> Tensor:
    """Inverse hyperbolic cosine, for x >= 1."""
    return Acosh.apply(floating(x))


@tensor_method("atanh")
def atanh(x: Tensor) -> Tensor:
    """Inverse hyperbolic tangent, for -1 < x < 1."""
    return Atanh.apply(floating(x))


@tensor_method("atan2")
def atan2(y: Tensor, x: Any) -> Tensor:
    """atan2(y, x) elementwise, broadcasting: the angle of (x, y), in (-π, π]."""
    y, x = promote(y, x, true_divide=True)
    return Atan2.apply(y, x)


@tensor_method("erf")
def erf(x: Tensor) -> Tensor:
    """The error function 2/√π ∫₀ˣ e^(-t²) dt; erf'(x) = 2/√π e^(-x²)."""
    return Erf.apply(floating(x))


@tensor_method("erfc")
def erfc(x: Tensor) -> Tensor:
    """1 - erf(x), without the cancellation for large x."""
    return Erfc.apply(floating(x))


@tensor_method("erfinv")
def erfinv(x: Tensor) -> Tensor:
    """y with erf(y) = x, for -1 < x < 1; d/dx = √π/2 · exp(y²).

    >>> x = Tensor([0.5], requires_grad=True); x.erfinv().sum().backward(); x.grad  # [1.2663]
    """
    return Erfinv.apply(floating(x))


# --- compositions of primitives ----------------------------------------------------------------

@tensor_method("square")
def square(x: Tensor) -> Tensor:
    """x * x."""
    return x * x


@tensor_method("reciprocal")
def reciprocal(x: Tensor) -> Tensor:
    """1 / x (a float result for integer x)."""
    return 1 / x


@tensor_method("rsqrt")
def rsqrt(x: Tensor) -> Tensor:
    """1 / sqrt(x)."""
    return floating(x) ** -0.5


@tensor_method("exp2")
def exp2(x: Tensor) -> Tensor:
    """2 ** x (exact at integers); d/dx = 2**x ln 2."""
    return 2.0 ** floating(x)


@tensor_method("lerp")
def lerp(start: Tensor, end: Any, weight: Any) -> Tensor:
    """start + weight * (end - start), broadcasting; weight may be a number or a Tensor."""
    return start + weight * (end - start)


@tensor_method("hypot")
def hypot(x: Tensor, y: Any) -> Tensor:
    """sqrt(x² + y²) elementwise, broadcasting (the gradient at x = y = 0 is nan)."""
    return (x * x + y * y).sqrt()


@tensor_method("logaddexp")
def logaddexp(x: Tensor, y: Any) -> Tensor:
    """log(e^x + e^y) without overflow: max(x, y) + log1p(e^-|x - y|). d/dx = σ(x - y), 1/2 where
    x == y (the maximum's tie rule gives it); equal infinities give themselves, as PyTorch.

    >>> Tensor([1000.0]).logaddexp(Tensor([1000.0]))   # 1000 + log 2
    Tensor([1000.6931])
    """
    return _log_add(x, y, lambda d: d.exp().log1p())


@tensor_method("logaddexp2")
def logaddexp2(x: Tensor, y: Any) -> Tensor:
    """log2(2^x + 2^y) without overflow: max(x, y) + log2(1 + 2^-|x - y|)."""
    return _log_add(x, y, lambda d: d.exp2().log1p() / math.log(2.0))


def _log_add(x: Tensor, y: Any, log_one_plus: Callable[[Tensor], Tensor]) -> Tensor:
    x, y = promote(x, y, true_divide=True)
    y_data = y._data if isinstance(y, Tensor) else y
    same = numpy_call(np.equal, x._data, y_data)   # equal infinities: inf - inf would be nan
    zero = np.zeros((), x.dtype)
    gap = (where(same, zero, x) - where(same, zero, y)).abs()
    return x.maximum(y) + log_one_plus(-gap)


@tensor_method("copysign")
def copysign(x: Tensor, y: Any) -> Tensor:
    """|x| with the sign of y (its sign bit: -0.0 counts as negative), a float result. d/dx =
    sign(x) sign(y), 0 at x == 0, and d/dy = 0 (zeros, not None), as PyTorch."""
    x, y = promote(x, y, true_divide=True)
    y_data = y._data if isinstance(y, Tensor) else y
    sign = numpy_call(np.copysign, np.ones((), x.dtype), y_data)
    magnitude = x.abs() * sign
    if isinstance(y, Tensor) and y.requires_grad:
        # y joins the graph through a where that never picks it: its gradient is zeros, and
        # no arithmetic touches y (0 * y would turn an infinite y into nan)
        return where(np.zeros((), bool), y, magnitude)
    return magnitude


@tensor_method("isposinf")
def isposinf(x: Tensor) -> Tensor:
    """Where x is +inf (bool)."""
    return Tensor(np.isposinf(x._data))


@tensor_method("isneginf")
def isneginf(x: Tensor) -> Tensor:
    """Where x is -inf (bool)."""
    return Tensor(np.isneginf(x._data))


@tensor_method("xlogy")
def xlogy(x: Tensor, y: Any) -> Tensor:
    """x * log(y), and 0 where x == 0 and y == 0 (0 log 0 = 0, as in entropy), as PyTorch.

    Where x == 0 and y > 0 the gradient with respect to x is log(y), the true derivative (as
    PyTorch); where both are 0 it is 0."""
    x, y = promote(x, y, true_divide=True)
    y_t = y if isinstance(y, Tensor) else Tensor(y)
    both_zero = numpy_call(_both_zero, x._data, y_t._data)
    safe_y = where(both_zero, np.ones((), y_t.dtype), y_t)   # log of 1, not of 0, there
    return where(both_zero, np.zeros((), x.dtype), x * safe_y.log())


def _both_zero(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == 0) & (b == 0)


@tensor_method("fmax")
def fmax(x: Tensor, y: Any) -> Tensor:
    """Elementwise max that ignores nan (numpy's fmax); a tie's gradient goes to x, as PyTorch's
    fmax (maximum shares it)."""
    x, y = promote(x, y)
    y_data = y._data if isinstance(y, Tensor) else np.asarray(y)
    return where(numpy_call(_first_wins, np.greater_equal, x._data, y_data), x, y)


def _first_wins(compare: Callable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where fmax/fmin take a: a beats or ties b, or b is nan."""
    return compare(a, b) | np.isnan(b)


@tensor_method("fmin")
def fmin(x: Tensor, y: Any) -> Tensor:
    """Elementwise min that ignores nan (numpy's fmin); a tie's gradient goes to x, as PyTorch."""
    x, y = promote(x, y)
    y_data = y._data if isinstance(y, Tensor) else np.asarray(y)
    return where(numpy_call(_first_wins, np.less_equal, x._data, y_data), x, y)


@tensor_method("logit")
def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), the inverse of sigmoid; with eps, x is clamped to [eps, 1 - eps] first
    (and gets no gradient outside it), as PyTorch. d/dx = 1 / (x (1 - x)).

    >>> x = Tensor([0.25], requires_grad=True); x.logit().sum().backward(); x.grad   # 1 / (1/4 · 3/4)
    Tensor([5.3333335])
    """
    x = floating(x)
    if eps is not None:
        x = x.clip(eps, 1.0 - eps)
    return (x / (1 - x)).log()


@tensor_method("nan_to_num")
def nan_to_num(x: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """x with nan, +inf and -inf replaced by `nan`, `posinf`, `neginf` (by default 0 and the
    dtype's largest and smallest finite values). The gradient passes where x is finite and is 0
    at the replaced places, as PyTorch: Tensor([nan, 1.0]).nan_to_num() is [0, 1]."""
    if x.dtype.kind != "f":
        return x.clone()
    finite = numpy_call(np.isfinite, x._data)
    return where(finite, x, numpy_call(_replaced, x._data, nan, posinf, neginf))


def _replaced(x: np.ndarray, nan: float, posinf: float | None, neginf: float | None) -> np.ndarray:
    return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


@tensor_method("float_power")
def float_power(x: Tensor, exponent: Any) -> Tensor:
    """x ** exponent computed in float64 whatever the dtypes (PyTorch's float_power):
    tinygrad_nn.float_power(tensor([2]), 3) is Tensor(8.0, dtype=float64)."""
    exponent = exponent.double() if isinstance(exponent, Tensor) else exponent
    return x.double() ** exponent


@tensor_method("true_divide")
def true_divide(x: Tensor, y: Any) -> Tensor:
    """x / y, a float result for integer operands (div without rounding_mode): true_divide(tensor([3]), 2)
    is Tensor([1.5])."""
    return x / y


@tensor_method("addcmul")
def addcmul(x: Tensor, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """x + value * tensor1 * tensor2, broadcasting (PyTorch's addcmul).

    >>> Tensor([1.0]).addcmul(Tensor([2.0]), Tensor([3.0]), value=0.5)   # Tensor([4.])"""
    product = tensor1 * tensor2 if isinstance(tensor1, Tensor) else tensor2 * tensor1
    return x + (product if value == 1 else value * product)


@tensor_method("addcdiv")
def addcdiv(x: Tensor, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """x + value * tensor1 / tensor2, broadcasting (PyTorch's addcdiv, as in Adam's update).
    Integer tensor1 and tensor2 are refused, as PyTorch (its old integer division is gone).

    >>> Tensor([1.0]).addcdiv(Tensor([3.0]), Tensor([2.0]), value=2)   # Tensor([4.])"""
    kinds = [np.asarray(t._data if isinstance(t, Tensor) else t).dtype.kind for t in (tensor1, tensor2)]
    if all(k in "iub" for k in kinds):
        raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported (PyTorch); "
                           "use (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs, or float tensors")
    quotient = tensor1 / tensor2 if isinstance(tensor1, Tensor) else Tensor(tensor1) / tensor2
    return x + (quotient if value == 1 else value * quotient)
