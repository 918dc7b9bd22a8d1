"""PyTorch's spelling of tinygrad_nn, produced from Tensor by two mechanisms instead of being
written out name by name:

- function forms: every public Tensor method `m` is also `tinygrad_nn.m(x, ...)`, meaning
  `x.m(...)` (function_form, used by the package's module __getattr__); the few functions whose
  PyTorch meaning is not "call the method" (max, min: `max(a, b)` is maximum) are written here;
- keyword aliases: every function with `axis`/`keepdims` parameters also accepts PyTorch's
  `dim`/`keepdim` (accept_torch_keywords, applied once when the package has finished importing).

It also holds the dtype names (`float32`, `long`, ... as numpy dtypes, so `x.dtype == float32`).
"""
from __future__ import annotations

import builtins
import functools
import inspect
from typing import Any, Callable

import numpy as np

from ._tensor import Size, Tensor
from .creation import tensor

# --- dtype names: numpy dtypes, so that x.dtype == tinygrad_nn.float32 -------------------------
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
float16 = half = np.dtype(np.float16)    # numpy's half: works, slowly; not a default dtype
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)
dtype = np.dtype   # isinstance(x.dtype, tinygrad_nn.dtype)

DTYPE_NAMES = ("float32", "float", "float64", "double", "float16", "half", "int8", "int16", "short",
               "int32", "int", "int64", "long", "uint8", "bool", "dtype")


# --- keyword aliases ---------------------------------------------------------------------------
_ALIASES = {"dim": "axis", "keepdim": "keepdims", "dim0": "axis0", "dim1": "axis1"}
# function -> its wrapper (one per function, however many names it has), and wrapper -> itself
_accepting: dict[Callable, Callable] = {}


def torch_keywords(fn: Callable) -> Callable:
    """fn, also accepting PyTorch's dim=/keepdim= for its axis=/keepdims= parameters.

    Functions without such parameters (or that already have PyTorch's names) come back
    unchanged; the wrapper renames keywords only when keywords are given."""
    if fn in _accepting:
        return _accepting[fn]
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    renames = {theirs: ours for theirs, ours in _ALIASES.items() if ours in params and theirs not in params}
    if not renames:
        return fn

    @functools.wraps(fn)
    def accepting_dim(*args: Any, **kwargs: Any) -> Any:
        if not kwargs:   # the engine's own calls (sum_to's x.sum(axes)): one extra call, no more
            return fn(*args)
        for theirs, ours in renames.items():
            if theirs in kwargs:
                if ours in kwargs:
                    raise TypeError(f"{fn.__name__}: got both {theirs}= and {ours}=")
                kwargs[ours] = kwargs.pop(theirs)
        return fn(*args, **kwargs)

    _accepting[fn] = _accepting[accepting_dim] = accepting_dim
    return accepting_dim


def accept_torch_keywords(*namespaces: dict[str, Any]) -> None:
    """Give every Tensor method with axis/keepdims (and every tinygrad_nn function in the
    `namespaces`, e.g. a module's vars()) PyTorch's dim/keepdim too. Run it after all ops are
    attached; running it again wraps only what is new."""
    for name, attr in list(vars(Tensor).items()):
        if inspect.isfunction(attr):
            wrapped = torch_keywords(attr)
            if wrapped is not attr:
                setattr(Tensor, name, wrapped)
    for namespace in namespaces:
        for name, attr in list(namespace.items()):
            if inspect.isfunction(attr) and attr.__module__.startswith("tinygrad_nn"):
                namespace[name] = torch_keywords(attr)


# --- function forms ------------------------------------------------------------------------------
def function_form(name: str) -> Callable | None:
    """`tinygrad_nn.<name>(x, *args, **kwargs)` as `x.<name>(*args, **kwargs)`, for a public
    Tensor method `name` (None otherwise). A first argument that is not a Tensor goes through
    tensor() first, so torch.exp(2.0) works."""
    method = inspect.getattr_static(Tensor, name, None)
    if name.startswith("_") or not inspect.isfunction(method):
        return None

    def form(input: Any, *args: Any, **kwargs: Any) -> Any:
        x = input if isinstance(input, Tensor) else tensor(input)
        return getattr(x, name)(*args, **kwargs)

    form.__name__ = form.__qualname__ = name
    form.__doc__ = f"tinygrad_nn.{name}(x, ...) is x.{name}(...):\n\n{method.__doc__ or ''}"
    return form


def tensor_method_names() -> list[str]:
    """The public Tensor methods, each of which has a function form."""
    return sorted(n for n in dir(Tensor) if function_form(n) is not None)


def max(input: Any, dim: Any = None, keepdim: builtins.bool = False, **kwargs: Any) -> Any:
    """max(x): the largest element; max(x, dim, keepdim=False): Tensor.max along dim (values and
    indices where Tensor.max gives them); max(a, b) with a Tensor b: the elementwise maximum."""
    x = input if isinstance(input, Tensor) else tensor(input)
    if isinstance(dim, Tensor):
        return x.maximum(dim)
    if "other" in kwargs:
        return x.maximum(kwargs.pop("other"))
    if dim is None:
        return x.max(**kwargs)
    return x.max(dim, keepdim, **kwargs)


def min(input: Any, dim: Any = None, keepdim: builtins.bool = False, **kwargs: Any) -> Any:
    """min(x), min(x, dim, keepdim=False), and min(a, b) = the elementwise minimum (see max)."""
    x = input if isinstance(input, Tensor) else tensor(input)
    if isinstance(dim, Tensor):
        return x.minimum(dim)
    if "other" in kwargs:
        return x.minimum(kwargs.pop("other"))
    if dim is None:
        return x.min(**kwargs)
    return x.min(dim, keepdim, **kwargs)


# --- dtype rules: PyTorch's, as the ops use them (ops/register.py) ----------------------------------
def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype PyTorch gives `tensor1 op tensor2` (tensors or Python numbers): result_type(
    tensor([1]), 1.0) is float32, result_type(tensor([1.0]), tensor(1.0, dtype=float64)) float32."""
    from .ops.register import result_dtype
    return result_dtype(tensor1, tensor2)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The smallest dtype both promote to, PyTorch's way: promote_types(int64, float32) is float32
    (numpy says float64)."""
    from .ops.register import _promote_types
    return _promote_types(np.dtype(type1), np.dtype(type2))


def can_cast(from_: Any, to: Any) -> builtins.bool:
    """Whether PyTorch's in-place ops may write a `from_` result into a `to` tensor: all casts but
    float to integer or bool, and non-bool to bool."""
    from .ops.register import can_cast as rule
    return rule(np.dtype(from_), np.dtype(to))


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def typename(obj: Any) -> str:
    """PyTorch's type name: 'torch.FloatTensor' for a float32 tensor, else the Python type's name."""
    if isinstance(obj, Tensor):
        return f"torch.{_TYPE_NAMES.get(str(obj.dtype), 'Tensor')}"
    kind = type(obj)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


# --- threads: numpy's BLAS pool (threadpoolctl, an optional extra) -----------------------------------
class _Threads:
    limits: Any = None   # threadpoolctl's limiter from the last set_num_threads, kept so it stays applied


def set_num_threads(n: builtins.int) -> None:
    """Limit the threads numpy's BLAS uses for matmul to n (through threadpoolctl, installed with the
    `main` extra). Without threadpoolctl this warns and changes nothing: set OMP_NUM_THREADS before
    Python starts instead. Elementwise numpy work is single-threaded anyway."""
    if not isinstance(n, builtins.int) or isinstance(n, builtins.bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import warnings
        warnings.warn("set_num_threads: threadpoolctl is not installed (pip install threadpoolctl), so "
                      "numpy's BLAS thread count is unchanged; set OMP_NUM_THREADS before starting "
                      "Python instead", RuntimeWarning, stacklevel=2)
        return
    _Threads.limits = threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> builtins.int:
    """The threads numpy's BLAS uses (the largest pool's, through threadpoolctl), or the CPU count
    when that cannot be known."""
    import os
    try:
        from threadpoolctl import threadpool_info
        counts = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    except ImportError:
        counts = []
    return builtins.max(counts) if counts else (os.cpu_count() or 1)


def is_tensor(obj: Any) -> builtins.bool:
    return isinstance(obj, Tensor)


def set_printoptions(precision: builtins.int | None = None, threshold: builtins.int | None = None,
                     edgeitems: builtins.int | None = None, linewidth: builtins.int | None = None,
                     sci_mode: builtins.bool | None = None, profile: Any = None) -> None:
    """How tensors print (numpy's print options underneath)."""
    options: dict[str, Any] = {"precision": precision, "threshold": threshold,
                               "edgeitems": edgeitems, "linewidth": linewidth}
    if sci_mode is not None:
        options["suppress"] = not sci_mode
    np.set_printoptions(**{k: v for k, v in options.items() if v is not None})


__all__ = ["Size", "max", "min", "is_tensor", "set_printoptions", "function_form", "result_type",
           "promote_types", "can_cast", "typename", "set_num_threads", "get_num_threads",
           "tensor_method_names", "accept_torch_keywords", "torch_keywords", *DTYPE_NAMES]
