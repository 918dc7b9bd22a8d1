"""Factories (tensor, zeros, arange, linspace, randn, ...) and the random Generator they share.

Every factory takes PyTorch's keywords: `dtype=`, `device=` (only "cpu" exists), `requires_grad=`,
and the random ones `generator=`. Dtypes are inferred as PyTorch does: Python ints become int64,
floats the default float dtype (float32 unless set_default_dtype), bools bool. Random numbers come
from numpy's PCG64, so a seed gives the same numbers every run but not PyTorch's numbers.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._device import check_device
from .function import numpy_call
from ._tensor import Tensor, _supported_dtype, get_default_dtype


class Generator:
    """PyTorch's random Generator: `g = Generator().manual_seed(0)`, then `randn(3, generator=g)`.

    Each generator is its own stream (numpy's PCG64); the factories, init functions and dropout
    use `default_generator` (seeded by manual_seed) unless given one. get_state() is numpy's
    bit-generator state (a dict), not PyTorch's byte tensor."""

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed`; returns the generator (for one-line use)."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: expected an int seed, got {seed!r}")
        self._initial_seed = int(seed)
        self._rng = np.random.default_rng(int(seed) % 2 ** 64)
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0]) % 2 ** 63
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._initial_seed

    def get_state(self) -> dict:
        """The stream's position (numpy's bit-generator state), for set_state."""
        return dict(self._rng.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self

    @property
    def device(self) -> Any:
        from ._device import CPU
        return CPU


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed every random factory, init function and dropout mask: same seed, same numbers.
    Returns the default generator, as PyTorch does."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator nondeterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def rng() -> np.random.Generator:
    """The numpy generator behind randn, rand and the init functions (reseeded by manual_seed)."""
    return default_generator._rng


def _numpy_rng(generator: Generator | np.random.Generator | None,
               op: str = "generator=") -> np.random.Generator:
    """The numpy stream behind `generator`: the default generator's for None (looked up at each
    call, as manual_seed restarts it), a tinygrad_nn.Generator's, or a numpy Generator itself."""
    if generator is None:
        return default_generator._rng
    if isinstance(generator, Generator):
        return generator._rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"{op}: generator must be a tinygrad_nn.Generator or a numpy Generator, got "
                    f"{type(generator).__name__}")


# --- helpers: shapes and dtypes ---------------------------------------------------------------
def _shape(shape: Sequence[Any], size: Any = None) -> tuple[int, ...]:
    """`zeros(2, 3)`, `zeros((2, 3))`, `zeros([2, 3])` and `zeros(size=(2, 3))` alike."""
    if size is not None:
        if shape:
            raise TypeError("give the shape either as arguments or as size=, not both")
        shape = (size,)
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    lengths = []
    for n in shape:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"shape must be non-negative integers, got {tuple(shape)}")
        lengths.append(int(n))
    return tuple(lengths)


def _dtype(dtype: Any, op: str = "factory") -> np.dtype:
    return get_default_dtype() if dtype is None else _supported_dtype(dtype, op)


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    d = _dtype(dtype, op)
    if d.kind != "f":
        raise TypeError(f"{op}: samples from a continuous distribution need a float dtype, got {d}")
    return d


def _scalar_dtype(value: Any) -> np.dtype:
    """PyTorch's dtype for a Python number: bool, int64, or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    return get_default_dtype()


def _make(array: np.ndarray, requires_grad: bool, device: Any, op: str) -> Tensor:
    check_device(device, op)
    return Tensor(array, requires_grad=requires_grad)


def _number(x: Any) -> Any:
    return x.item() if isinstance(x, Tensor) else x


# --- from data ----------------------------------------------------------------------------------
def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data`, with PyTorch's dtype rules.

    Python ints become int64, floats the default float dtype, bools bool; a numpy array or scalar
    keeps its dtype; a Tensor is copied (cut off from its graph). `dtype=` overrides.

    >>> tensor([1, 2]).dtype, tensor([1.0, 2]).dtype, tensor(True).dtype
    (dtype('int64'), dtype('float32'), dtype('bool'))
    """
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
    elif dtype is not None:
        array = np.array(data, dtype=_supported_dtype(dtype, "tensor"))
    else:
        array = np.array(data)
        if array.dtype.kind == "f":
            array = array.astype(get_default_dtype())
        elif array.dtype.kind == "i":
            array = array.astype(np.int64)
        elif array.dtype.kind not in "bu":
            raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} data "
                            f"(numpy reads it as {array.dtype})")
    if dtype is not None:
        array = array.astype(_supported_dtype(dtype, "tensor"), copy=False)
    return _make(array, requires_grad, device, "tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like tensor(), but a Tensor or numpy array of the right dtype is used without copying."""
    check_device(device, "as_tensor")
    d = None if dtype is None else _supported_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if d is None or d == data.dtype else data.to(d)
    if isinstance(data, np.ndarray):
        return Tensor(data if d is None else data.astype(d, copy=False))
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a numpy array (writes through either show in both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    _supported_dtype(array.dtype, "from_numpy")
    return Tensor(array)


# --- constant fills -----------------------------------------------------------------------------
def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3))."""
    return _make(np.zeros(_shape(shape, size), _dtype(dtype, "zeros")), requires_grad, device, "zeros")


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ones(2, 3) or ones((2, 3))."""
    return _make(np.ones(_shape(shape, size), _dtype(dtype, "ones")), requires_grad, device, "ones")


def empty(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """PyTorch's empty: here filled with zeros (never uninitialised memory)."""
    return _make(np.zeros(_shape(shape, size), _dtype(dtype, "empty")), requires_grad, device, "empty")


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value`; the dtype follows the value as in PyTorch
    (an int gives int64, a float the default float, a bool bool)."""
    d = _scalar_dtype(_number(fill_value)) if dtype is None else _dtype(dtype, "full")
    return _make(np.full(_shape((size,)), _number(fill_value), d), requires_grad, device, "full")


def _like(t: Any, op: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    return t


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    t = _like(t, "zeros_like")
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    t = _like(t, "ones_like")
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    t = _like(t, "empty_like")
    return empty(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    t = _like(t, "full_like")
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix."""
    return _make(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad, device, "eye")


# --- ranges -------------------------------------------------------------------------------------
def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values start, start + step, ... below `end` (arange(n) is 0..n-1).

    As in PyTorch, all-integer arguments give int64 and any float gives the default float."""
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        d = np.dtype(np.int64) if integral else get_default_dtype()
    else:
        d = _dtype(dtype, "arange")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    return _make(np.arange(start, end, step).astype(d), requires_grad, device, "arange")


def linspace(start: Any, end: Any, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included (default float dtype).

    Computed as PyTorch does, from both ends toward the middle (so both ends are exact), with
    the step rounded to the dtype: start + step*i in the first half, end - step*(steps-1-i) in
    the second. In float32 each value is rounded once, from float64, as PyTorch's fused
    multiply-add does (its middle value of linspace(-1, 1, 7) is -2.98e-08, not 0)."""
    d = _dtype(dtype, "linspace")
    if d == np.bool_:
        raise TypeError("linspace: not implemented for dtype bool (as in PyTorch)")
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    grid = d if d.kind == "f" else np.dtype(np.float64)   # the dtype the step is rounded to
    first, last = np.asarray(_number(start), grid), np.asarray(_number(end), grid)
    i = np.arange(steps)
    if steps == 1:
        values = np.full(1, first, np.float64)
    else:
        step = ((last - first) / grid.type(steps - 1)).astype(np.float64)
        wide_first, wide_last = first.astype(np.float64), last.astype(np.float64)
        values = np.where(i < steps // 2, wide_first + step * i, wide_last - step * (steps - 1 - i))
    return _make(values.astype(d), requires_grad, device, "linspace")


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    d = _dtype(dtype, "logspace")
    exponents = linspace(start, end, steps, dtype=np.float64)._data
    return _make((base ** exponents).astype(d), requires_grad, device, "logspace")


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors: out[k] has shape (len(t0), len(t1), ...) ('ij') and
    varies along axis k. indexing='xy' swaps the first two axes (as numpy's default).
    Differentiable: each grid is its tensor reshaped and expanded."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [t if isinstance(t, Tensor) else tensor(t) for t in tensors]
    for t in ts:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-d or 1-d tensors, got shape {t.shape}")
    lengths = [t.numel() for t in ts]
    if indexing == "xy" and len(ts) >= 2:
        lengths[0], lengths[1] = lengths[1], lengths[0]
    grids = []
    for k, t in enumerate(ts):
        axis = k if indexing == "ij" or k >= 2 or len(ts) < 2 else 1 - k
        shape = [1] * len(ts)
        shape[axis] = lengths[axis]
        grids.append(t.reshape(*shape).expand(*lengths))
    return tuple(grids)


def tril_indices(row: int, col: int, offset: int = 0, dtype: Any = np.int64,
                 device: Any = None) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row x col matrix."""
    rows, cols = np.tril_indices(row, offset, col)
    return _make(np.stack([rows, cols]).astype(_dtype(dtype, "tril_indices")), False, device,
                 "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, dtype: Any = np.int64,
                 device: Any = None) -> Tensor:
    """The (2, N) row and column indices of the upper triangle of a row x col matrix."""
    rows, cols = np.triu_indices(row, offset, col)
    return _make(np.stack([rows, cols]).astype(_dtype(dtype, "triu_indices")), False, device,
                 "triu_indices")


# --- random -------------------------------------------------------------------------------------
def randn(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples (seeded by manual_seed, or from `generator`)."""
    d = _float_dtype(dtype, "randn")
    # numpy_call: a compiled step draws new numbers on every call, as eager does
    values = numpy_call(_standard_normal, generator, _shape(shape, size), d)
    return _make(values, requires_grad, device, "randn")


def rand(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    d = _float_dtype(dtype, "rand")
    values = numpy_call(_uniform, generator, _shape(shape, size), d)
    return _make(values, requires_grad, device, "rand")


def _standard_normal(generator: Generator | None, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return _numpy_rng(generator).standard_normal(shape).astype(dtype)   # the stream current at the call


def _uniform(generator: Generator | None, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return _numpy_rng(generator).random(shape).astype(dtype)


def randint(*args: Any, size: Any = None, low: int = 0, high: int | None = None,
            generator: Generator | None = None, dtype: Any = np.int64, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high): randint(high, size) or randint(low, high, size)."""
    if len(args) == 3:
        low, high, size = args
    elif len(args) == 2:
        if size is None:
            high, size = args
        else:
            low, high = args
    elif len(args) == 1:
        high = args[0]
    elif args:
        raise TypeError(f"randint: expected (high, size) or (low, high, size), got {len(args)} arguments")
    if high is None or size is None:
        raise TypeError("randint: needs high and size, as randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be larger than low ({low})")
    values = _numpy_rng(generator).integers(low, high, _shape((size,)))
    return _make(values.astype(_dtype(dtype, "randint")), requires_grad, device, "randint")


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               generator: Generator | None = None) -> Tensor:
    t = _like(t, "randn_like")
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad, generator=generator)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              generator: Generator | None = None) -> Tensor:
    t = _like(t, "rand_like")
    return rand(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad, generator=generator)


def randint_like(t: Tensor, low: int = 0, high: int | None = None, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False,
                 generator: Generator | None = None) -> Tensor:
    """randint_like(t, high) or randint_like(t, low, high): t's shape and dtype."""
    t = _like(t, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(low, high, t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad, generator=generator)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std²): normal(0.0, 1.0, size=(2, 3)), or elementwise for tensor mean
    and/or std (the result has their broadcast shape and dtype)."""
    given = [x for x in (mean, std) if isinstance(x, Tensor)]
    m, s = np.asarray(mean), np.asarray(std)   # a Tensor gives its array
    if (s < 0).any():
        raise ValueError("normal: std must be non-negative")
    if given:
        if size is not None:
            raise TypeError("normal: size= is only for a float mean and std")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        d = _float_dtype(dtype if dtype is not None else given[0].dtype, "normal")
    else:
        if size is None:
            raise TypeError("normal: with a float mean and std, give size=")
        shape, d = _shape((size,)), _float_dtype(dtype, "normal")
    values = _numpy_rng(generator).normal(m, s, shape).astype(d)
    return _make(values, requires_grad, device, "normal")


def randperm(n: int, generator: Generator | None = None, dtype: Any = np.int64, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    values = _numpy_rng(generator).permutation(int(n)).astype(_dtype(dtype, "randperm"))
    return _make(values, requires_grad, device, "randperm")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> Tensor:
    """Draw `num_samples` category indices per row of non-negative weights `input`
    ((K,) -> (num_samples,), (N, K) -> (N, num_samples)), int64; without replacement each
    category is drawn at most once."""
    p = np.asarray(_like(input, "multinomial")._data, np.float64)
    if p.ndim not in (1, 2):
        raise ValueError(f"multinomial: expects a 1-d or 2-d tensor of weights, got shape {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("multinomial: weights must be finite and non-negative")
    rows = p.reshape(-1, p.shape[-1])   # (N, K)
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise ValueError("multinomial: every row of weights needs a positive sum")
    if not replacement and num_samples > int((rows > 0).sum(axis=1).min()):
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"{int((rows > 0).sum(axis=1).min())} categories with nonzero weight")
    r = _numpy_rng(generator)
    out = np.stack([r.choice(rows.shape[1], num_samples, replace=replacement, p=row / total)
                    for row, total in zip(rows, totals)])   # (N, num_samples)
    return Tensor(out.reshape(*p.shape[:-1], num_samples).astype(np.int64))


def bernoulli(input: Tensor, p: float | None = None, generator: Generator | None = None) -> Tensor:
    """1 with probability input (or p), else 0; the result has input's shape and dtype."""
    t = _like(input, "bernoulli")
    prob = t._data if p is None else np.full(t.shape, p)
    if (prob < 0).any() or (prob > 1).any():
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    draws = _numpy_rng(generator).random(t.shape) < prob
    return Tensor(draws.astype(t.dtype))


Tensor.multinomial = multinomial   # type: ignore[attr-defined]  # also probs.multinomial(n)
Tensor.bernoulli = bernoulli   # type: ignore[attr-defined]


# --- Tensor.new_*: a factory with this tensor's dtype (and device) unless told otherwise --------------
def _new_form(factory: Any, name: str) -> Any:
    def method(self: Tensor, *args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        return factory(*args, dtype=self.dtype if dtype is None else dtype, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"x.{name}(...) is tinygrad_nn.{factory.__name__}(..., dtype=x.dtype) (another "
                      f"dtype= may be given): x.new_zeros(2, 3) is zeros(2, 3) of x's dtype.")
    return method


for _factory in (zeros, ones, empty, full, tensor):
    _name = f"new_{_factory.__name__}"
    setattr(Tensor, _name, _new_form(_factory, _name))
