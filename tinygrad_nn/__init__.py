"""tinygrad_nn: a small, exact autograd framework on numpy.

>>> from tinygrad_nn import Tensor
>>> x = Tensor([2.0], requires_grad=True)
>>> (x * x * x).sum().backward()
>>> x.grad
Tensor([12.])
"""
from .function import (Function, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad,
                       set_grad_enabled)
from ._tensor import Tensor, get_default_dtype, set_default_dtype
from . import ops  # noqa: F401  (adds the primitive ops to Tensor)
from .ops import cat, concatenate, stack, where
from .ops import searchsorted  # opsmath: a function, not a Tensor method (as in PyTorch)
from .creation import (arange, eye, full, manual_seed, ones, ones_like, rand, rand_like, randn,
                       randn_like, zeros, zeros_like)
from . import datasets  # noqa: F401  (tinygrad_nn.datasets: real digits, generated sets, DataLoader)
from . import nn, optim  # noqa: F401  (modules, layers, losses, init; optimizers)
from .serialization import load, save
from . import func  # noqa: F401  (grad/vjp/jvp/jacobian/hessian/hvp of Python functions)
from . import diagnostics, viz  # noqa: F401  (training health monitor; graph views)

__version__ = "0.1.0"

_TESTING = ("gradcheck", "gradgradcheck", "GradcheckError", "locate_gradient_errors")


def __getattr__(name: str) -> object:
    # tinygrad_nn.gradcheck and friends live in tinygrad_nn.testing, loaded (with hypothesis)
    # only when first asked for, so that `import tinygrad_nn` stays light
    if name in _TESTING:
        from . import testing
        return getattr(testing, name)
    raise AttributeError(f"module 'tinygrad_nn' has no attribute {name!r}")


__all__ = [
    "Tensor", "Function", "grad", "detect_anomaly", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled",
    "set_default_dtype", "get_default_dtype", "manual_seed",
    "zeros", "ones", "full", "arange", "eye", "randn", "rand", "zeros_like", "ones_like",
    "randn_like", "rand_like", "cat", "concatenate", "stack", "where",
    "nn", "optim", "save", "load", "func", "diagnostics", "viz", *_TESTING,
    "searchsorted",
]
