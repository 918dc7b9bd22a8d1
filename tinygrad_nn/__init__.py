"""tinygrad_nn: a small, exact autograd framework on numpy.

>>> from tinygrad_nn import Tensor
>>> x = Tensor([2.0], requires_grad=True)
>>> (x * x * x).sum().backward()
>>> x.grad
Tensor([12.])
"""
from .function import (detect_anomaly, enable_grad, grad, inference_mode, is_grad_enabled, no_grad,
                       set_grad_enabled)
from .function import TensorFunction as Function
from ._tensor import Size, Tensor, get_default_dtype, set_default_dtype
from . import ops  # noqa: F401  (adds the primitive ops to Tensor)
from .ops import cat, concatenate, stack, where
from .ops import einsum, pad  # opsshape: functions that are not Tensor methods
from .ops import searchsorted  # opsmath: a function, not a Tensor method (as in PyTorch)
from .ops import (atleast_1d, atleast_2d, atleast_3d, broadcast_tensors, bucketize,  # functions only
                  cartesian_prod, column_stack, concat, dstack, hstack, row_stack, tensordot, vstack)
from .creation import (arange, eye, full, manual_seed, ones, ones_like, rand, rand_like, randn,
                       randn_like, zeros, zeros_like)
from . import datasets  # noqa: F401  (tinygrad_nn.datasets: real digits, generated sets, DataLoader)
from . import nn, optim  # noqa: F401  (modules, layers, losses, init; optimizers)
from . import utils  # noqa: F401  (tinygrad_nn.utils.data: Dataset, DataLoader, random_split)
from .serialization import load, save
from . import func  # noqa: F401  (grad/vjp/jvp/jacobian/hessian/hvp of Python functions)
from . import linalg, special  # noqa: F401  (torch.linalg: norms, inv, det, solve; torch.special)
from .nn.distance import cdist
from . import diagnostics, viz  # noqa: F401  (training health monitor; graph views)
from .compile import compile  # noqa: E402  (the function; the package is tinygrad_nn.compile's module)

__version__ = "0.1.0"

_TESTING = ("gradcheck", "gradgradcheck", "GradcheckError", "locate_gradient_errors")


def __getattr__(name: str) -> object:
    # tinygrad_nn.gradcheck and friends live in tinygrad_nn.testing, loaded (with hypothesis)
    # only when first asked for, so that `import tinygrad_nn` stays light
    if name in _TESTING:
        from . import testing
        return getattr(testing, name)
    # every public Tensor method is also a function: tinygrad_nn.sin(x) is x.sin(). The forms are
    # kept out of globals(), where `sum`, `all`, `abs`... would hide the builtins from this file
    form = _FORMS.get(name)
    if form is None:
        form = None if name.startswith("_") else _surface.function_form(name)
        if form is None:
            raise AttributeError(f"module 'tinygrad_nn' has no attribute {name!r}")
        _FORMS[name] = form
    return form


_FORMS: dict = {}


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_surface.tensor_method_names()))


__all__ = [
    "Tensor", "Function", "grad", "detect_anomaly", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled",
    "set_default_dtype", "get_default_dtype", "manual_seed",
    "zeros", "ones", "full", "arange", "eye", "randn", "rand", "zeros_like", "ones_like",
    "randn_like", "rand_like", "cat", "concatenate", "stack", "where",
    "nn", "optim", "save", "load", "func", "diagnostics", "viz", *_TESTING,
    "compile",
    "einsum", "pad",  # opsshape
    "searchsorted",
    "linalg", "special", "cdist",
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_tensors", "bucketize", "cartesian_prod",
    "column_stack", "concat", "dstack", "hstack", "row_stack", "tensordot", "vstack",
]

# === surface: PyTorch's names (issue 11) =========================================================
from . import _surface  # noqa: E402  (first: __getattr__ needs it while the imports below run)
from . import autograd  # noqa: E402,F401  (torch.autograd: Function, grad, backward, gradcheck)
from ._device import backends, cuda, device, set_default_device  # noqa: E402,F401
from .legacy_types import (BoolTensor, ByteTensor, CharTensor, DoubleTensor,  # noqa: E402,F401
                           FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor)
from .creation import (Generator, as_tensor, bernoulli, default_generator, empty,  # noqa: E402,F401
                       empty_like, from_numpy, full_like, get_rng_state, initial_seed, linspace,
                       logspace, meshgrid, multinomial, normal, randint, randint_like, randperm,
                       seed, set_rng_state, tensor, tril_indices, triu_indices)
from ._surface import (bool, double, dtype, float, float16, float32, float64, half,  # noqa: E402,F401
                       int, int8, int16, int32, int64, is_tensor, long, max, min, set_printoptions,
                       short, uint8)
from ._surface import (can_cast, get_num_threads, promote_types, result_type,  # noqa: E402,F401
                       set_num_threads, typename)

__all__ += [
    "Size", "inference_mode", "autograd", "device", "cuda", "backends", "set_default_device",
    "Generator", "default_generator", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    "tensor", "as_tensor", "from_numpy", "empty", "empty_like", "full_like", "linspace", "logspace",
    "meshgrid", "tril_indices", "triu_indices", "randint", "randint_like", "normal", "randperm",
    "multinomial", "bernoulli", "is_tensor", "set_printoptions",
    "can_cast", "get_num_threads", "promote_types", "result_type", "set_num_threads", "typename",
    # not float, int, bool, max, min: `from tinygrad_nn import *` must not hide Python's builtins
    *(n for n in _surface.DTYPE_NAMES if n not in ("float", "int", "bool")),
]

# Last, once every op is attached to Tensor: dim=/keepdim= wherever axis=/keepdims= are, on Tensor
# methods and on the functions here and in nn.functional (F.softmax(x, dim=1)).
_surface.accept_torch_keywords(globals(), vars(nn.functional))
