"""Tensor: a numpy array that remembers the op that made it, so gradients can flow back.

The primitive ops (each a `Function` with its backward beside it) live in `ops.py`, which adds
them to Tensor as methods. Everything in this file is built from those primitives and needs no
backward of its own: mean, var, logsumexp, softmax, log_softmax, shape helpers.
"""
from __future__ import annotations

import builtins
import sys
import warnings
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import function
from ._device import CPU, check_device, device
from .function import Function

Axis = int | Sequence[int] | None

_FLOAT_KINDS = "f"


class _Defaults:
    dtype: np.dtype = np.dtype(np.float32)


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype that Python scalars and lists become (float32 unless changed)."""
    d = np.dtype(dtype)
    if d not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {d}")
    _Defaults.dtype = d


def get_default_dtype() -> np.dtype:
    """The float dtype that Python scalars and lists become."""
    return _Defaults.dtype


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None)`: `data` is a numpy array (a float array keeps
    its dtype and is not copied), a Python scalar or a nested list (these become the default
    dtype, float32). Ops broadcast like numpy; `backward()` fills `.grad` of every leaf that
    requires grad.

    Example::

        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        Tensor([2. 4. 6.])
    """

    __slots__ = ("_data", "_grad", "requires_grad", "_ctx", "_version", "name", "_hooks",
                 "__weakref__")

    _data: np.ndarray                     # the values: the engine works on this array directly
    _grad: Tensor | None                  # .grad (a property, which may warn); the engine uses the slot
    requires_grad: bool
    _ctx: Function | None
    _version: int
    name: str | None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        if isinstance(data, Tensor):
            data = data._data
        if isinstance(data, np.ndarray):
            array = data if dtype is None else data.astype(dtype, copy=False)
        elif isinstance(data, (np.generic, bool)) and dtype is None:
            array = np.asarray(data)
        else:
            array = np.asarray(data, dtype=dtype)
            if dtype is None and array.dtype.kind in "iuf":
                array = array.astype(_Defaults.dtype)
        if requires_grad and array.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"Tensor: only floating point tensors can require grad, got dtype "
                            f"{array.dtype} (convert with .float() or dtype=np.float32)")
        if array.dtype == object:
            raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} data")
        self._data = array
        self._grad = None
        self.requires_grad = requires_grad
        self._ctx = None
        self._version = 0
        self.name = name
        self._hooks: list | None = None

    # --- properties and interop ------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """PyTorch's `.data`: a Tensor that shares this tensor's memory and requires no grad.

        Changes made through it (`p.data -= lr * p.grad`) reach this tensor and are not seen by
        autograd, exactly as in PyTorch; use `.numpy()` for the numpy array."""
        return Tensor(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if self.requires_grad and array.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"data: a tensor that requires grad cannot hold {array.dtype} values")
        self._data = array

    @property
    def grad(self) -> Tensor | None:
        """d(loss)/d(self), filled by backward on leaves (and on tensors that called retain_grad)."""
        if self._ctx is not None and self._grad is None:
            _warn_non_leaf_grad(self)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """np.sin(x), np.exp(x), array * x, ...: a numpy ufunc runs as the Tensor op of the same
        name, so it records the graph; one without a Tensor op is a TypeError that says so."""
        from .ufuncs import dispatch
        return dispatch(ufunc, method, inputs, kwargs)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def size(self, dim: int | None = None) -> Any:
        """PyTorch's size(): the shape as a Size (a tuple), or the length of axis `dim`.
        (Not numpy's `.size` property: the number of elements is numel().)"""
        if dim is None:
            return Size(self._data.shape)
        (axis,) = _axes(dim, self.ndim)
        return self._data.shape[axis]

    def numel(self) -> int:
        """Number of elements (PyTorch's name)."""
        return self._data.size

    def nelement(self) -> int:
        """Number of elements (PyTorch's older name for numel)."""
        return self._data.size

    def dim(self) -> int:
        """Number of axes (PyTorch's name for ndim)."""
        return self._data.ndim

    def ndimension(self) -> int:
        """Number of axes (PyTorch's older name for ndim)."""
        return self._data.ndim

    def stride(self, dim: int | None = None) -> Any:
        """The steps between neighbouring elements along each axis, in elements (numpy's strides are
        in bytes): a tuple, or one axis's step. A contiguous (2, 3) tensor has stride (3, 1)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return steps
        (axis,) = _axes(dim, self.ndim)
        return steps[axis]

    def is_contiguous(self) -> bool:
        """Whether the elements lie in memory in row-major order (a transpose is not contiguous)."""
        return bool(self._data.flags.c_contiguous)

    def element_size(self) -> int:
        """Bytes per element: 4 for float32."""
        return self._data.itemsize

    def is_nonzero(self) -> bool:
        """The truth of a one-element tensor (an error for any other size, as PyTorch)."""
        if self._data.size != 1:
            raise RuntimeError(f"is_nonzero: only a tensor with one element has a truth value, got "
                               f"shape {self.shape}")
        return bool(self._data)

    @property
    def device(self) -> device:
        """Always the CPU: device(type='cpu')."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def T(self) -> Tensor:
        """All axes reversed, as numpy's `.T`."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed)."""
        n = self.ndim
        if n < 2:
            raise ValueError(f"mT: needs a matrix or a batch of matrices, got shape {self.shape}")
        return self.permute(*range(n - 2), n - 1, n - 2)

    @property
    def grad_fn(self) -> Function | None:
        """The node (a Function) that produced this tensor, or None for a leaf."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records gradients."""
        return self._ctx is None

    def numpy(self) -> np.ndarray:
        """The underlying numpy array (shared, not copied)."""
        return self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted to a Python "
                             f"number, got shape {self.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested lists of) Python numbers."""
        return self._data.tolist()

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats a one-element tensor's number, as PyTorch does
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)
        return format(str(self), spec)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                             "use .any() or .all()")
        return bool(self._data)

    def __index__(self) -> int:
        """A one-element integer tensor used as an index: range(Tensor(3)), [1, 2, 3][Tensor(1)]."""
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors of a single element can be converted to an index, "
                            f"got shape {self.shape} and dtype {self.dtype}")
        return int(self._data.item())

    def __contains__(self, element: Any) -> bool:
        """`v in x`: whether any element of x equals v (a number or a tensor, broadcasting)."""
        if not isinstance(element, (Tensor, builtins.int, builtins.float, builtins.bool, np.generic)):
            raise RuntimeError(f"Tensor.__contains__ only supports a Tensor or a number, got "
                               f"{type(element).__name__}")
        return bool((self._data == _raw(element)).any())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=" ", prefix="Tensor(")
        extra = []
        if self._data.dtype not in (np.float32,):
            extra.append(f"dtype={self._data.dtype}")
        if self.name is not None:
            extra.append(f"name={self.name!r}")
        if self._ctx is not None:
            extra.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"Tensor({body}{''.join(', ' + e for e in extra)})"

    # --- autograd state ----------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad.

        `gradient` is d(loss)/d(self), of self's shape; it may be omitted for a one-element
        tensor (it is then 1). The graph's saved values are freed afterwards unless
        `retain_graph=True` (which defaults to `create_graph`, as in PyTorch). With
        `create_graph=True` the gradients are themselves differentiable (for Hessian-vector
        products and other second-order uses).
        """
        function.backward(self, gradient, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        return Tensor(self._data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place (on leaves) and return self."""
        if self._ctx is not None and not requires_grad:
            raise RuntimeError("requires_grad_: a non-leaf tensor always requires grad; use detach()")
        if requires_grad and self._data.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"requires_grad_: only floating point tensors can require grad, "
                            f"got dtype {self._data.dtype}")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> Tensor:
        """Keep `.grad` on this non-leaf tensor too when backward passes through it."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if self._ctx is not None and not (self._hooks and function.RETAIN_GRAD in self._hooks):
            self._hooks = (self._hooks or []) + [function.RETAIN_GRAD]
        return self

    def register_hook(self, hook: Any) -> function.HookHandle:
        """Call `hook(grad)` when backward has this tensor's whole gradient; if it returns a
        Tensor, that replaces the gradient (for the inputs and, on a leaf, for `.grad`).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> handle = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward(); x.grad
        Tensor([20. 40.])
        >>> handle.remove()
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad, so no gradient "
                               "will ever reach it")
        if not callable(hook):
            raise TypeError(f"register_hook: expected a callable, got {type(hook).__name__}")
        self._hooks = (self._hooks or []) + [hook]
        return function.HookHandle(self, hook)

    def zero_grad_(self) -> None:
        self._grad = None

    # --- in-place updates (for optimizers and init; never recorded) ----------------------------
    def _refuse_inplace(self, op: str) -> None:
        if not (self.requires_grad and function.is_grad_enabled()):
            return
        if self._ctx is None:
            raise RuntimeError(f"{op}: in-place operation on a tensor that requires grad (PyTorch: "
                               "a leaf Variable that requires grad is being used in an in-place "
                               "operation); do it inside no_grad() (as optimizers do), on .data, "
                               "or use the out-of-place op")
        name = op.rstrip("_") or op
        raise RuntimeError(f"{op}: in-place operations are not recorded by tinygrad_nn, and this tensor "
                           f"is part of a graph that requires grad (PyTorch would record {op} here); "
                           f"write y = y.{name}(...) instead, or do it inside no_grad()")

    def _inplace(self, op: str) -> np.ndarray:
        self._refuse_inplace(op)
        if not self._data.flags.writeable:
            raise RuntimeError(f"{op}: the tensor's data is read-only (a broadcast view?)")
        function.mark_modified(self)
        return self._data

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place."""
        d = self._inplace("add_")
        o = other._data if isinstance(other, Tensor) else other
        d += o if alpha == 1.0 else alpha * o
        return self

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self -= alpha * other, in place."""
        return self.add_(other, -alpha)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        self._inplace("mul_")[...] *= other._data if isinstance(other, Tensor) else other
        return self

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        self._inplace("div_")[...] /= other._data if isinstance(other, Tensor) else other
        return self

    def copy_(self, src: Any) -> Tensor:
        """Copy src's values into self (broadcasting), in place."""
        src = src._data if isinstance(src, Tensor) else np.asarray(src)
        try:
            np.copyto(self._inplace("copy_"), src, casting="same_kind")
        except (ValueError, TypeError) as e:
            raise ValueError(f"copy_: cannot copy {src.shape} {src.dtype} into {self.shape} "
                             f"{self.dtype}: {e}") from None
        return self

    def fill_(self, value: float) -> Tensor:
        self._inplace("fill_").fill(value)
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0.0)

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples of U(a, b) in place (from `generator`, else the manual_seed one)."""
        from .creation import _numpy_rng
        return self.copy_(_numpy_rng(generator).uniform(a, b, self.shape))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std²) in place."""
        from .creation import _numpy_rng
        return self.copy_(_numpy_rng(generator).normal(mean, std, self.shape))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        array = self._inplace("__setitem__")
        steps = _index_steps(_plain_index(index))
        if len(steps) == 2:
            array = array[steps[0]]   # ints first, as getitem (a basic index: a view)
        array[steps[-1]] = value._data if isinstance(value, Tensor) else value

    # --- dtype and device --------------------------------------------------------------------
    def float(self) -> Tensor:
        """Cast to float32."""
        return self._cast(np.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return self._cast(np.float64)

    def half(self) -> Tensor:
        """Cast to float16 (numpy's half: slow, for storage rather than training)."""
        return self._cast(np.float16)

    def long(self) -> Tensor:
        """Cast to int64 (not differentiable: the result requires no grad)."""
        return self._cast(np.int64)

    def is_floating_point(self) -> builtins.bool:
        return self._data.dtype.kind == "f"

    def type(self, dtype: Any = None) -> Any:
        """With a dtype: cast to it (as .to(dtype)); without: the dtype's name, e.g. 'float32'
        (PyTorch answers 'torch.FloatTensor')."""
        if dtype is None:
            return str(self._data.dtype)
        return self._cast(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """PyTorch's to(): .to(dtype), .to("cpu"), .to(device, dtype), .to(other) (other's dtype).

        Returns self when nothing changes. A cast to a float dtype is differentiable; any device
        but the CPU is refused."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None), "to")
        kwargs.pop("non_blocking", None)
        copy = kwargs.pop("copy", False)
        if kwargs:
            raise TypeError(f"to: unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a._data.dtype
            elif isinstance(a, (str, device)):
                check_device(a, "to")
            else:
                dtype = a
        out = self if dtype is None else self._cast(dtype)
        return out.clone() if copy and out is self else out

    def type_as(self, other: Tensor) -> Tensor:
        """Cast to other's dtype: x.to(other.dtype). tensor([1.7]).type_as(tensor([1])) is tensor([1])."""
        return self._cast(other.dtype)

    def cpu(self) -> Tensor:
        """Already on the CPU: self."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda", "cuda")
        return self

    def _cast(self, dtype: Any) -> Tensor:
        d = _supported_dtype(dtype, "to")
        if d == self._data.dtype:
            return self
        if d.kind == "f":
            return self.astype(d)
        return Tensor(self._data.astype(d))   # an integer or bool result carries no gradient

    def clone(self) -> Tensor:
        """A copy of the values that stays in the graph (its gradient flows back to self)."""
        return self * 1 if self.requires_grad else Tensor(self._data.copy())

    def mm(self, other: Tensor) -> Tensor:
        """Matrix product of two matrices (PyTorch's mm; @ also broadcasts batches)."""
        if self.ndim != 2 or _tensor(other).ndim != 2:
            raise ValueError(f"mm: expected two matrices, got shapes {self.shape} and "
                             f"{_tensor(other).shape}")
        return self @ other

    def t(self) -> Tensor:
        """Transpose of a matrix (a vector or a scalar comes back as it is), as PyTorch's t()."""
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor with at most 2 dimensions, got shape {self.shape}")
        return self.T if self.ndim == 2 else self

    # --- comparisons: plain boolean tensors, never part of the graph ---------------------------
    def __lt__(self, other: Any) -> Tensor:
        return Tensor(self._data < _raw(other))

    def __le__(self, other: Any) -> Tensor:
        return Tensor(self._data <= _raw(other))

    def __gt__(self, other: Any) -> Tensor:
        return Tensor(self._data > _raw(other))

    def __ge__(self, other: Any) -> Tensor:
        return Tensor(self._data >= _raw(other))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor(self._data == _raw(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor(self._data != _raw(other))

    # --- compositions of primitives: no backward of their own --------------------------------
    def mean(self, axis: Axis = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
        """Arithmetic mean over `axis` (all axes by default). As in PyTorch, an integer or bool
        tensor needs `dtype=` (or `.float()` first): its mean has no dtype to infer."""
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind != "f":
            raise TypeError(f"mean: could not infer output dtype: the input is {x.dtype}, not floating "
                            "point (PyTorch refuses it too); use x.float().mean() or mean(dtype=...)")
        return x.sum(axis, keepdims) / _count(x.shape, axis)

    def var(self, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> Tensor:
        """Variance over `axis`, divided by N - correction (PyTorch's default correction=1;
        numpy's np.var is correction=0)."""
        if self._data.dtype.kind != "f":
            raise TypeError(f"var/std: only floating point tensors (as PyTorch), got {self.dtype}")
        centered = self - self.mean(axis, keepdims=True)
        n = _count(self.shape, axis)
        return (centered * centered).sum(axis, keepdims) / max(n - correction, 0)

    def std(self, axis: Axis = None, keepdims: bool = False, correction: int = 1) -> Tensor:
        """Standard deviation: sqrt(var)."""
        return self.var(axis, keepdims, correction).sqrt()

    def sqrt(self) -> Tensor:
        """Elementwise square root."""
        return self ** 0.5

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) over `axis`, without overflow: the max is shifted out first."""
        m = _stable_shift(self._data, axis)
        out = (self - m).exp().sum(axis, keepdims=True).log() + m
        return out if keepdims or not self.ndim else out.squeeze(_axes(axis, self.ndim))

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along `axis`; shifting by the (constant) max keeps exp <= 1."""
        e = (self - _stable_shift(self._data, axis)).exp()
        return e / e.sum(axis, keepdims=True)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - logsumexp(x) along `axis`, stable for inputs of any size."""
        shifted = self - _stable_shift(self._data, axis)
        return shifted - shifted.exp().sum(axis, keepdims=True).log()

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes start_dim..end_dim into one (PyTorch's flatten)."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = start_dim % self.ndim, end_dim % self.ndim
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1:])

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Remove axes of length 1 (all of them, or those in `axis`, an int or a tuple).

        As PyTorch (not numpy): an axis in `axis` whose length is not 1 is left alone, and a
        0-d tensor has one axis (0 or -1) to squeeze, which leaves it unchanged."""
        if axis is None:
            return self.reshape(*[n for n in self.shape if n != 1])
        axes = _axes(axis, self.ndim)
        return self.reshape(*[n for i, n in enumerate(self.shape) if not (i in axes and n == 1)])

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert an axis of length 1 at position `axis`."""
        if not -self.ndim - 1 <= axis <= self.ndim:
            raise ValueError(f"unsqueeze: axis {axis} is out of range for shape {self.shape}")
        axis = axis % (self.ndim + 1)
        return self.reshape(*self.shape[:axis], 1, *self.shape[axis:])

    def transpose(self, axis0: int, axis1: int) -> Tensor:
        """Swap two axes (PyTorch's transpose; for numpy's, use permute)."""
        (a0,), (a1,) = _axes(axis0, self.ndim), _axes(axis1, self.ndim)
        if a0 == a1:
            return self
        order = list(range(self.ndim))
        order[a0], order[a1] = a1, a0
        return self.permute(*order)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """numpy's broadcast_to: the same as expand(*shape)."""
        return self.expand(*shape)

    def sum_to(self, shape: Sequence[int]) -> Tensor:
        """Sum over broadcast axes so that the result has `shape`: undoes broadcasting.

        This is how every binary op's gradient gets back to its input's shape.
        """
        if self._data.shape == shape:  # the common case (no broadcasting): no work, no conversion
            return self
        shape = tuple(shape)
        if self._data.shape == shape:
            return self
        out = self
        lead = self.ndim - len(shape)
        if lead > 0:
            out = out.sum(tuple(range(lead)))
        ones = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
        if ones:
            out = out.sum(ones, keepdims=True)
        return out

    def sum_to_size(self, *size: Any) -> Tensor:
        """Sum over broadcast axes down to `size` (which must broadcast to x's shape), as PyTorch:
        ones(2, 3).sum_to_size(1, 3) is [[2, 2, 2]]; the gradient is broadcast back."""
        shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], (builtins.int, np.integer)) \
            else tuple(size)
        try:
            ok = np.broadcast_shapes(shape, self.shape) == self.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"sum_to_size: size {shape} is not expandable to the tensor's size "
                               f"{self.shape}")
        return self.sum_to(shape)

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where condition holds, else other: tinygrad_nn.where(condition, self, other)."""
        from .ops import where
        return where(condition, self, other)

    def dot(self, other: Tensor) -> Tensor:
        return self @ other

    def clamp(self, min: builtins.float | None = None, max: builtins.float | None = None) -> Tensor:
        """PyTorch's name for clip."""
        return self.clip(min, max)

    # last in the class: below these two, `int` and `bool` would name the methods, not the types
    def int(self) -> Tensor:
        """Cast to int32 (not differentiable)."""
        return self._cast(np.int32)

    def bool(self) -> Tensor:
        """Cast to bool (not differentiable)."""
        return self._cast(np.bool_)

    if TYPE_CHECKING:  # ops.py attaches the primitive ops at import; these lines only type them
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __getattr__(self, name: str) -> Any: ...


class Size(tuple):
    """What size() returns: a tuple of axis lengths, as PyTorch's torch.Size."""

    def numel(self) -> int:
        n = 1
        for length in self:
            n *= length
        return n

    def __repr__(self) -> str:
        return f"Size({list(self)})"


def _supported_dtype(dtype: Any, op: str) -> np.dtype:
    """`dtype` as a numpy dtype, refusing those the engine has no use for (complex, strings,
    objects) with an error that names the op."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        from .legacy_types import legacy_dtype   # torch.FloatTensor, 'torch.LongTensor'
        if legacy_dtype(dtype) is dtype:
            raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
        d = np.dtype(legacy_dtype(dtype))
    if d.kind not in "biuf":
        raise TypeError(f"{op}: dtype {d} is not supported (use a float, int, uint or bool dtype)")
    return d


def _warn_non_leaf_grad(t: Tensor) -> None:
    """PyTorch's warning, for a user who reads .grad of an intermediate result. Only code outside
    the package is warned: the graph drawings read every tensor's .grad on purpose."""
    if t._hooks and function.RETAIN_GRAD in t._hooks:
        return
    caller = sys._getframe(2).f_globals.get("__name__", "")
    if caller == __package__ or caller.startswith(f"{__package__}."):
        return
    warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                  ".grad is not filled by backward(); call .retain_grad() on it before backward if "
                  "you want it, or read .grad of the leaf tensor (the one made with "
                  "requires_grad=True) if that is what you meant", UserWarning, stacklevel=3)


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _plain_index(index: Any) -> Any:
    """An index with Tensors replaced by their arrays (numpy can use it directly)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _index_steps(index: Any) -> tuple:
    """PyTorch's reading of an index that mixes ints and arrays, as numpy indexes: the ints
    select first (a basic index), then the arrays index what is left. numpy instead treats the
    ints as arrays too and, when a slice separates them from the arrays, puts the indexed axes
    first: x[0, :, [0, 1]] of a (2, 3, 4) tensor is (3, 2) in PyTorch and (2, 3) in numpy.
    Returns (index,) when there is no such mix, else (ints, arrays)."""
    if type(index) is not tuple:
        return (index,)
    ints = arrays = False
    for i in index:   # one cheap pass: most indices are ints and slices only
        kind = type(i)
        if kind is int or (kind is not bool and isinstance(i, np.integer)):
            ints = True
        elif kind is list or kind is tuple or (kind is np.ndarray and i.ndim):
            arrays = True   # a tuple inside the index is a sequence of positions, as a list
    if not (ints and arrays):
        return (index,)
    items = [np.asarray(i) if isinstance(i, (list, tuple)) else i for i in index]
    first: list = []
    second: list = []
    for i in items:
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            first.append(i)
        elif isinstance(i, np.ndarray):
            first.extend([slice(None)] * (i.ndim if i.dtype == bool else 1))  # the axes i indexes
            second.append(i)
        elif i is Ellipsis:
            first.append(i)
            second.append(i)
        else:   # a slice or None: applied in the first step, the axis is kept for the second
            first.append(i)
            second.append(slice(None))
    return tuple(first), tuple(second)


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """`axis` as a tuple of non-negative ints (None means all axes)."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and 0 <= axis < ndim:   # the common case, without the checks below
        return (axis,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"axis {axis} repeats an axis")
    return tuple(out)


def _count(shape: tuple[int, ...], axis: Axis) -> int:
    n = 1
    for a in _axes(axis, len(shape)):
        n *= shape[a] if shape else 1
    return n


def _stable_shift(x: np.ndarray, axis: Axis) -> np.ndarray:
    """The max along `axis` (keepdims), with non-finite maxima replaced by 0, as a constant
    (through numpy_call, so that a compiled step computes it afresh from each call's data)."""
    return function.numpy_call(_max_shift, x, axis)


def _max_shift(x: np.ndarray, axis: Axis) -> np.ndarray:
    if x.ndim == 0:   # a 0-d tensor's one axis (0 or -1, as in PyTorch) is all of it
        _axes(axis, 0)
        axis = None
    m = np.max(x, axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)


function.Tensor = Tensor  # type: ignore[misc]  # the engine creates Tensors
