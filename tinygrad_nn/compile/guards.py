"""Guards: what must be as it was while tracing for a recording to be replayed.

Shapes, dtypes and requires_grad of Tensor and array arguments; the values of Python scalar
arguments; grad mode, anomaly mode and the default dtype; each module's train/eval mode and the
identity of its parameters; the shape and dtype of every parameter the program reads; and, for
a parameter whose existing `.grad` the program adds into, whether it has one.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import function
from .._tensor import Tensor, get_default_dtype


def signature(value: Any) -> tuple:
    """What a guard compares for one argument."""
    if isinstance(value, Tensor):
        return ("Tensor", value._data.shape, value._data.dtype, value.requires_grad)
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype)
    if value is None or value is Ellipsis or isinstance(value, (bool, int, float, complex, str,
                                                                np.generic, slice)):
        return ("value", type(value), value)
    if isinstance(value, (tuple, list)):
        if all(_plain(v) for v in value):
            return ("value", type(value), tuple(value))   # an axis, a shape, a basic index
        return (type(value).__name__, tuple(signature(v) for v in value))   # an index with arrays
    raise TypeError(f"compile: cannot guard an argument of type {type(value).__name__}; a compiled "
                    "function takes Tensors, numpy arrays and Python scalars (close over other "
                    "objects instead)")


def _plain(v: Any) -> bool:
    return v is None or v is Ellipsis or isinstance(v, (bool, int, float, str, np.generic, slice)) or (
        isinstance(v, (tuple, list)) and all(_plain(e) for e in v))


def describe(sig: tuple) -> str:
    if sig[0] == "Tensor":
        return f"Tensor {sig[1]} {sig[2]}" + (" requires_grad" if sig[3] else "")
    if sig[0] == "array":
        return f"array {sig[1]} {sig[2]}"
    if sig[0] in ("tuple", "list"):
        return f"{sig[0]} of ({', '.join(describe(s) for s in sig[1])})"
    return f"{sig[1].__name__} {sig[2]!r}"


class Guards:
    """Checks a call against the state a recording was traced in; `check` returns why not."""

    def __init__(self, args: tuple, names: list[str]) -> None:
        self.args = [signature(a) for a in args]
        self.names = names
        self.mode = _mode()
        self.modules: list[tuple[Any, bool, tuple[int, ...]]] = []
        self.leaves: list[tuple[Tensor, tuple, np.dtype]] = []
        self.entry_grads: list[tuple[Any, Any]] = []   # (Tensor or argument position, grad)
        self.python: list[tuple[str, Any, Any]] = []   # (what, how to read it, its value)

    def watch_python_state(self, fn: Any) -> None:
        """Guard the plain values fn reads from outside (a learning rate in a global, a closure
        cell or an attribute of a bound method's object): the recording baked them in as
        constants, so a call after one of them changed must trace again. Objects (a model, an
        optimizer) read that way are guarded by identity."""
        code = getattr(fn, "__code__", None)
        if code is None and hasattr(fn, "__func__"):
            code = fn.__func__.__code__
        globals_ = getattr(fn, "__globals__", None) or getattr(getattr(fn, "__func__", None),
                                                               "__globals__", {})
        for name in getattr(code, "co_names", ()):
            if name in globals_ and _watchable(globals_[name]):
                self.python.append((f"global {name}", _Global(globals_, name), _key(globals_[name])))
        for i, cell in enumerate(getattr(fn, "__closure__", None) or ()):
            try:
                value = cell.cell_contents
            except ValueError:   # a cell not filled yet
                continue
            if _watchable(value):
                name = code.co_freevars[i] if code is not None else str(i)
                self.python.append((f"closure variable {name}", _Cell(cell), _key(value)))
        owner = getattr(fn, "__self__", None)
        if owner is not None and hasattr(owner, "__dict__"):
            for name, value in vars(owner).items():
                if _watchable(value):
                    self.python.append((f"attribute {name}", _Attr(owner, name), _key(value)))

    def finish(self, modules: dict[int, Any], leaves: list[Tensor], args: tuple,
               entry_grads: list[tuple[Tensor, Any]]) -> None:
        self.modules = [(m, m.training, _param_ids(m)) for m in modules.values()]
        arg_ids = {id(a) for a in args}
        self.leaves = [(t, t._data.shape, t._data.dtype) for t in leaves if id(t) not in arg_ids]
        # an argument's .grad is checked on the argument of each call, by position
        position = {id(a): i for i, a in enumerate(args)}
        self.entry_grads = [(position.get(id(t), t), want) for t, want in entry_grads]

    def check(self, args: tuple) -> str | None:
        if len(args) != len(self.args):
            return f"{len(args)} arguments instead of {len(self.args)}"
        for name, a, want in zip(self.names, args, self.args):
            got = signature(a)
            if got != want:
                return f"argument {name}: {describe(got)} instead of {describe(want)}"
        for what, read, key in self.python:
            try:
                now = _key(read())
            except (KeyError, AttributeError, ValueError):
                return f"{what} is gone"
            if now != key:
                return f"{what} changed"
        mode = _mode()
        if mode != self.mode:
            return f"grad mode / anomaly mode / default dtype {mode} instead of {self.mode}"
        for m, training, ids in self.modules:
            if m.training != training:
                return f"{type(m).__name__} is in {'train' if m.training else 'eval'} mode"
            if _param_ids(m) != ids:
                return f"{type(m).__name__}'s parameters were replaced"
        for t, shape, dtype in self.leaves:
            if t._data.shape != shape or t._data.dtype != dtype:
                return (f"parameter {t.name or ''} is {t._data.shape} {t._data.dtype} instead of "
                        f"{shape} {dtype}")
        for t, want in self.entry_grads:
            if isinstance(t, int):
                t = args[t]
            g = t.grad
            has: Any = None if g is None else (g._data.shape, g._data.dtype)
            if has != want:
                return (f".grad of {t.name or 'a tensor of shape ' + str(t.shape)} is "
                        f"{'None' if has is None else 'set'} at the call (it was "
                        f"{'None' if want is None else 'set'} when traced)")
        return None

    def summary(self) -> str:
        args = ", ".join(f"{n}: {describe(s)}" for n, s in zip(self.names, self.args))
        return f"({args}) grad_enabled={self.mode[0]}, {len(self.modules)} modules"


def _mode() -> tuple:
    return (function.is_grad_enabled(), function._anomaly.enabled, get_default_dtype())


def _param_ids(m: Any) -> tuple[int, ...]:
    return tuple(id(p) for p in m._parameters.values())


def _watchable(value: Any) -> bool:
    from ..nn.module import Module
    from ..optim import Optimizer
    return (type(value) in (bool, int, float, str) or isinstance(value, (Module, Optimizer, Tensor))
            or (isinstance(value, tuple) and all(type(v) in (bool, int, float, str) for v in value)))


def _key(value: Any) -> Any:
    """What is compared: a plain value itself, an object by identity."""
    if type(value) in (bool, int, float, str, tuple):
        return (type(value), value)
    return ("id", id(value))


class _Global:
    def __init__(self, namespace: dict, name: str) -> None:
        self.namespace, self.name = namespace, name

    def __call__(self) -> Any:
        return self.namespace[self.name]


class _Cell:
    def __init__(self, cell: Any) -> None:
        self.cell = cell

    def __call__(self) -> Any:
        return self.cell.cell_contents


class _Attr:
    def __init__(self, owner: Any, name: str) -> None:
        self.owner, self.name = owner, name

    def __call__(self) -> Any:
        return getattr(self.owner, self.name)
