"""The recorder: runs a step eagerly while noting every numpy call it makes.

While a `Recorder` is active (`function._trace`), Function.apply reports each forward call, the
engine reports its first-order gradient sums and `numpy_call` reports numpy work outside ops
(masks, max shifts, random draws). Each report becomes one `Instr`: a line of Python that
repeats the call on the arrays of a later call. Arrays are named by identity: an argument's
array is `A0._data`, an array an earlier instruction made is `v3`, an array a forward kept on its
ctx (relu's mask) is `C3.mask` (the forward runs again on every replay, so the mask is
recomputed), a parameter's array is `L0._data` (read when the replay runs, so it sees the
optimizer's updates); any other array is a constant `K0`.

What the recorder cannot replay it refuses while tracing, naming the user's line: a Tensor's
value leaving for Python (`.item()`, `bool(t)`, `float(t)`, `.numpy()`, `np.asarray(t)`) and an
in-place change that no recorded path made. The optimizer's `step()` and `zero_grad()` are
recorded as calls of those methods, so that everything they keep in Python (Adam's step count,
a scheduler's lr, momentum buffers made on the first step) stays live.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import function
from .._tensor import Tensor

_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")   # names, not attributes
_BUILT_IN = "tinygrad_nn.ops"   # the built-in ops are deterministic: constant inputs, constant output
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class CompileError(RuntimeError):
    """tinygrad_nn.compile refuses to record something that a replay could not repeat."""


def user_line() -> str:
    """'file:line in function' of the innermost frame outside tinygrad_nn (cheap: no source)."""
    frame: Any = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        inside = _INSIDE.get(filename)
        if inside is None:
            inside = _INSIDE[filename] = os.path.abspath(filename).startswith(_PACKAGE)
        if not inside:
            return f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return "an unknown place"


_INSIDE: dict[str, bool] = {}   # file name -> is it part of tinygrad_nn?


def refuse_if_tracing(op: str, why: str) -> None:
    """For library functions that compute Python values from data: refuse inside a trace."""
    if function._trace is not None and not function._trace.opaque:
        raise CompileError(f"compile: {op} at {user_line()} {why}, which a replay would freeze; "
                           "call it outside the compiled function")


@dataclass
class Instr:
    """One recorded call. `code` is its line of Python over named values; `op` and `shapes`
    are for the readable listing; `phase` is forward, backward or update."""
    code: str
    text: str
    op: str
    inputs: list[str]
    output: str | None
    shapes: str
    phase: str
    where: str
    constants: list[str] = field(default_factory=list)
    scratch: str | None = None   # a value the line may overwrite if nothing reads it afterwards


class Recorder:
    """Collects the instructions of one traced call; see the module docstring."""

    def __init__(self) -> None:
        self.instrs: list[Instr] = []
        self.names: dict[int, str] = {}       # id(array) -> the expression that gives it
        self.keep: list[Any] = []             # every named array stays alive: ids stay unique
        self.env: dict[str, Any] = {"np": np}  # the replay function's globals
        self.display: dict[str, str] = {}     # expression -> how the listing shows it
        self.tensors: dict[int, str] = {}     # id(Tensor) -> its name ("A0" or "L3")
        self.tensor_objects: dict[str, Tensor] = {}
        self.counts = {"v": 0, "K": 0, "L": 0, "C": 0, "F": 0, "O": 0}
        self.phase = "forward"
        self.opaque = 0        # > 0 inside a recorded optimizer call: nothing in it is recorded
        self.allow_modify = 0  # > 0 inside a recorded in-place path
        self.modules: dict[int, Any] = {}     # id -> module called during the trace
        self.optimizers: dict[int, Any] = {}
        self.grad_state: dict[int, Any] = {}  # id(Tensor) -> what the program last did to .grad
        self.entry_grads: dict[int, tuple[Tensor, Any]] = {}   # grads the program reads at entry
        self.ctx_kept: set[str] = set()       # replay ctxs whose forward keeps arrays on them
        self.in_accumulate = 0
        self.made_here: set[int] = set()      # ids of tensors created during the trace
        self.const_tensors: set[str] = set()  # L names of tensors made here from constants

    # --- naming ------------------------------------------------------------------------------
    def fresh(self, kind: str) -> str:
        n = self.counts[kind]
        self.counts[kind] = n + 1
        return f"{kind}{n}"

    def constant(self, value: Any) -> str:
        name = self.fresh("K")
        self.env[name] = value
        self.keep.append(value)
        if isinstance(value, np.ndarray):
            self.names[id(value)] = name
            self.display[name] = (repr(value.item()) if value.size == 1 and value.ndim == 0
                                  else f"const{value.shape}")
        else:
            self.display[name] = repr(value)
        return name

    def tensor(self, t: Tensor, label: str | None = None) -> str:
        """The name of a Tensor object the replay refers to (an argument or a leaf it reads)."""
        name = self.tensors.get(id(t))
        if name is None:
            name = self.fresh("L")
            self.tensors[id(t)] = name
            self.tensor_objects[name] = t
            self.env[name] = t
            self.keep.append(t)
            if label or t.name or t.requires_grad:
                self.display[name] = label or t.name or f"p{name[1:]}"
            else:   # a constant made inside the step, such as backward's seed gradient of ones
                a = t._data
                self.display[name] = repr(a.item()) if a.ndim == 0 else f"const{a.shape}"
            self.display[name + "._data"] = self.display[name]
            if id(t) in self.made_here and not t.requires_grad:
                self.const_tensors.add(name)   # made by this call from constants: a constant
        return name

    def is_constant(self, expr: str) -> bool:
        """Is the expression the same on every call (constants, tensors made from them)?"""
        names = _NAME.findall(expr)
        return all(n.startswith("K") or n in self.const_tensors for n in names)

    def array(self, a: Any, owner: Tensor | None = None) -> str:
        """The expression for array `a` (owner: the Tensor holding it, if any)."""
        name = self.names.get(id(a))
        if name is not None:
            return name
        if owner is not None and owner._ctx is None:
            name = self.tensor(owner) + "._data"
            self.names[id(a)] = name
            self.keep.append(a)
            return name
        return self.constant(a)

    def value(self, v: Any, owner: Tensor | None = None) -> str:
        """The expression for an argument: an array, a Tensor, a tuple of these, or a constant."""
        if isinstance(v, np.ndarray):
            return self.array(v, owner)
        if isinstance(v, np.generic) and id(v) in self.names:   # a kept numpy scalar
            return self.names[id(v)]
        if isinstance(v, Tensor):
            return self.array(v._data, v)
        if isinstance(v, (tuple, list)) and any(isinstance(e, (np.ndarray, Tensor)) for e in v):
            parts = [self.value(e) for e in v]
            body = ", ".join(parts) + ("," if len(parts) == 1 else "")
            return f"({body})" if isinstance(v, tuple) else f"[{body}]"
        return self.constant(v)

    def output(self, a: Any) -> str:
        name = self.fresh("v")
        self.names[id(a)] = name
        self.keep.append(a)
        self.display[name] = name
        return name

    def show(self, expr: str) -> str:
        """How the listing shows an expression: parameter names, constants' values."""
        expr = expr.strip()
        if expr in self.display:
            return self.display[expr]
        if expr.startswith("_wrap(") and expr.endswith(")"):
            return self.show(expr[6:-1])
        if expr.endswith("._data"):
            return self.show(expr[:-6])
        if expr[:1] in "([":
            inner = [self.show(p) for p in expr[1:-1].split(",") if p.strip()]
            return "[" + ", ".join(inner) + "]"
        return expr

    def text(self, op: str, inputs: list[str], kwargs: dict | None = None) -> str:
        parts = [self.show(e) for e in inputs]
        parts += [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
        return f"{op}({', '.join(parts)})"

    def release(self) -> None:
        """Forget the traced call's arrays (kept while tracing so that their ids stayed unique)."""
        self.keep.clear()
        self.names.clear()
        self.tensors.clear()
        self.grad_state.clear()
        self.made_here.clear()
        self.entry_grads.clear()

    # --- what the engine reports -------------------------------------------------------------
    def op(self, cls: Any, ctx: Any, args: tuple, arrays: list, kwargs: dict,
           out: np.ndarray) -> None:
        if self.opaque:
            return
        if id(out) in self.names:
            # the output is already named: a forward written in Tensor ops (whose ops were
            # recorded as they ran) or one that returns an input unchanged; nothing to repeat
            return
        inputs = [self.value(a, t if isinstance(t, Tensor) else None) for a, t in zip(arrays, args)]
        if cls.__module__.startswith(_BUILT_IN) and all(map(self.is_constant, inputs)):
            # constant folding: a built-in op of constants (backward's seed times a loss's scale)
            # gives the same array on every call, so the replay uses the traced one
            self.constant(out)
            for kept in list(ctx.__dict__.values()) + list(getattr(ctx, "_saved", None) or ()):
                if isinstance(kept, (np.ndarray, np.generic)) and id(kept) not in self.names:
                    self.constant(kept)
            return
        f = self.fresh("F")
        c = "C" + f[1:]
        self.env[f] = cls.forward
        replay_ctx = cls.__new__(cls)
        replay_ctx.needs_input_grad = ctx.needs_input_grad
        self.env[c] = replay_ctx
        if ctx.__dict__ or getattr(ctx, "_saved", None) is not None:
            self.ctx_kept.add(c)
        call = ", ".join([c] + inputs)
        if kwargs:
            kw = self.constant(dict(kwargs))
            call += f", **{kw}"
        name = self.output(out)
        # arrays the forward kept on ctx are read back from the replay's ctx after its forward
        for key, kept in ctx.__dict__.items():
            if isinstance(kept, (np.ndarray, np.generic)) and id(kept) not in self.names:
                self.names[id(kept)] = f"{c}.{key}"
                self.keep.append(kept)
                self.display[f"{c}.{key}"] = f"{name}.{key}"
        saved = getattr(ctx, "_saved", None)
        for i, kept in enumerate(saved or ()):
            if isinstance(kept, np.ndarray) and id(kept) not in self.names:
                self.names[id(kept)] = f"{c}._saved[{i}]"
                self.keep.append(kept)
                self.display[f"{c}._saved[{i}]"] = f"{name}.saved[{i}]"
        op = cls.__name__.lower()
        # apply makes a 0-d array of a numpy scalar (what a ufunc of 0-d arrays returns)
        code = f"{name} = {f}({call})" if out.ndim else f"{name} = np.asarray({f}({call}))"
        self.add(code, f"{name} = {self.text(op, inputs, kwargs)}", op,
                 inputs, name, _shapes(arrays, out))

    def call(self, fn: Callable, args: tuple, out: Any, kwargs: dict | None = None,
             pure: bool = False) -> None:
        if self.opaque:
            return
        inputs = [self.value(a) for a in args]
        if pure and all(map(self.is_constant, inputs)):
            self.constant(out)
            return
        f = self.fresh("F")
        self.env[f] = fn
        call = ", ".join(inputs)
        if kwargs:
            call += ", **" + self.constant(dict(kwargs))
        if not isinstance(out, (np.ndarray, np.generic)):   # a ufunc of 0-d arrays gives a scalar
            raise CompileError(f"compile: {_fn_name(fn)} returned a {type(out).__name__}, not an "
                               f"array, at {user_line()}; a compiled step can only record arrays")
        name = self.output(out)
        op = _fn_name(fn)
        self.add(f"{name} = {f}({call})", f"{name} = {self.text(op, inputs, kwargs)}", op, inputs,
                 name, _shapes(args, out))

    def add(self, code: str, text: str, op: str, inputs: list[str], output: str | None,
            shapes: str, phase: str | None = None) -> None:
        consts = re.findall(r"\b[KL]\d+\b", code)
        self.instrs.append(Instr(code, text, op, inputs, output, shapes, phase or self.phase,
                                 user_line(), consts))

    def modified(self, t: Tensor) -> None:
        if self.allow_modify or self.opaque:
            return
        raise CompileError(f"compile: a tensor of shape {t.shape} was changed in place by code "
                           f"the recorder cannot replay, at {user_line()}; inside a compiled "
                           "function change tensors with add_/sub_/mul_/div_/copy_/fill_/<op>_/"
                           "__setitem__ or an optimizer's step()")

    def refuse(self, what: str, t: Tensor) -> None:
        raise CompileError(f"compile: {what} of a traced tensor (shape {t.shape}) at {user_line()}: "
                           "its value would be frozen at the first call. Keep the computation in "
                           "Tensor ops (use tinygrad_nn.where for data-dependent choices), or move "
                           "it outside the compiled function")

    def traced(self, t: Tensor) -> bool:
        """Does t's value depend on the call (an argument, a parameter, an op's result)?"""
        return id(t._data) in self.names or t.requires_grad or t._ctx is not None

    # --- gradients into .grad ------------------------------------------------------------------
    def grad_assigned(self, t: Tensor, value: Any) -> None:
        """`t.grad = value` in the traced code (p.grad = None, a hand-made gradient)."""
        if self.opaque or self.in_accumulate:
            return
        try:
            leaf = t.requires_grad and t._ctx is None
        except AttributeError:   # Tensor.__init__ or _wrap setting up a tensor made in the step:
            self.grad_state[id(t)] = ("fresh",)   # its .grad starts as None on every call
            self.made_here.add(id(t))
            self.keep.append(t)
            return
        if not leaf and id(t) not in self.tensors:
            return
        if value is None:
            self.set_grad(t, None)
        elif isinstance(value, Tensor):
            self.set_grad(t, self.value(value._data, value))

    def made(self, t: Tensor) -> None:
        """A tensor made in the traced step (its .grad is None on every call)."""
        if self.opaque:
            return
        self.grad_state[id(t)] = ("fresh",)
        self.made_here.add(id(t))
        self.keep.append(t)

    def accumulate(self, real: Callable, t: Tensor, g: Tensor, handed: set, create_graph: bool) -> None:
        before = t.grad
        before_data = None if before is None else before._data
        self.allow_modify += 1
        self.in_accumulate += 1
        try:
            real(t, g, handed, create_graph)
        finally:
            self.allow_modify -= 1
            self.in_accumulate -= 1
        if self.opaque:
            return
        name = self.tensor(t) if id(t) not in self.tensors else self.tensors[id(t)]
        if id(t) not in self.grad_state:   # the program depends on .grad as it was at entry
            self.entry_grads[id(t)] = (t, None if before is None else (before.shape, before.dtype))
        after = t.grad
        assert after is not None
        if after is before and after._data is before_data:   # added in place
            g_expr = self.value(g._data)
            f = self.fresh("F")
            self.env[f] = _add_into_grad
            self.add(f"{f}({name}, {g_expr})", f"{self.display[name]}.grad += {self.show(g_expr)}",
                     "accumulate", [g_expr], None, str(g.shape))
            self.grad_state[id(t)] = ("live",)
            return
        expr = self.names.get(id(after._data))
        if expr is None:   # the engine copied g to give .grad its own memory and layout
            g_expr = self.value(g._data)
            f = self.fresh("F")
            self.env[f] = _contiguous_copy
            expr = self.output(after._data)
            self.add(f"{expr} = {f}({g_expr})", f"{expr} = {self.text('copy', [g_expr])}", "copy",
                     [g_expr], expr, str(g.shape))
        self.set_grad(t, expr)

    def set_grad(self, t: Tensor, expr: str | None) -> None:
        name = self.tensor(t)
        if expr is None:
            self.add(f"{name}.grad = None", f"{self.display[name]}.grad = None", "set_grad", [], None,
                     "")
        else:
            self.env.setdefault("_wrap", function._wrap)
            if self.is_constant(expr):   # every call hands out a new array, as eager does
                expr = f"{expr}.copy()"
            self.add(f"{name}.grad = _wrap({expr})", f"{self.display[name]}.grad = {self.show(expr)}",
                     "set_grad", [expr], None, "")
        self.grad_state[id(t)] = ("set", expr)

    def method_call(self, obj: Any, method: str, params: list[Tensor]) -> None:
        """obj.method() is recorded as itself (an optimizer's step or zero_grad)."""
        o = self.fresh("O")
        self.env[o] = obj
        self.keep.append(obj)
        owner = obj.obj if isinstance(obj, _Bound) else obj
        self.display[o] = type(owner).__name__
        for p in params:
            self.tensor(p)
        label = f"{type(owner).__name__}.{getattr(obj, '__name__', method)}"
        self.add(f"{o}.{method}()", f"{label}()", label, [], None,
                 f"{len(params)} parameters", phase="update" if method == "step" else self.phase)
        if method != "step":   # zero_grad: .grad is whatever the replayed call leaves
            for p in params:
                self.grad_state[id(p)] = ("opaque",)

    def _fast_inplace(self, op: str, name: str | None, array: str, target: Tensor, args: tuple,
                      kwargs: dict) -> bool:
        """add_/sub_/mul_/div_ as the numpy statement the method runs (_tensor.py), plus its
        mark_modified: a manual SGD update replays without a Tensor or a no_grad block."""
        if op == "add_":
            if not 1 <= len(args) <= 2 or set(kwargs) - {"alpha"}:
                return False
            alpha = args[1] if len(args) == 2 else kwargs.get("alpha", 1.0)
        elif len(args) != 1 or kwargs:
            return False
        other = args[0]
        o = self.value(other._data if isinstance(other, Tensor) else other)
        scratch = None
        if op == "add_":
            code = f"{array} += {o}" if alpha == 1.0 else f"{array} += {self.constant(alpha)} * {o}"
            if alpha != 1.0 and isinstance(other, Tensor) and self._owns_memory(other._data, target):
                scratch = o   # p -= lr * g may scale g in place when g is dead (see program.py)
        else:
            code = f"{array}[...] {'*' if op == 'mul_' else '/'}= {o}"
        if name is not None:
            self.env.setdefault("_mark", function.mark_modified)
            code += f"; _mark({name})"
        shown, other_shown = self.show(array), self.show(o)
        if op == "add_":
            if alpha == 1.0:
                text = f"{shown} += {other_shown}"
            else:   # p.sub_(g, alpha=lr) is add_(g, -lr): shown as the update rule it is
                sign = "-" if alpha < 0 else "+"
                text = f"{shown} {sign}= {abs(alpha)!r} * {other_shown}"
        else:
            text = f"{shown} {'*' if op == 'mul_' else '/'}= {other_shown}"
        self.add(code, text, op, [o], None, str(target.shape),
                 phase="update" if target.requires_grad else self.phase)
        self.instrs[-1].scratch = scratch
        return True

    def _owns_memory(self, a: np.ndarray, target: Tensor) -> bool:
        """Whether `a` may be scaled in place once dead: a recorded output (not an argument or a
        constant) that owns its memory, of the target's dtype, that no other recorded array views."""
        name = self.names.get(id(a), "")
        if not name.startswith("v") or not a.flags.owndata or a.dtype != target._data.dtype:
            return False
        return not any(isinstance(b, np.ndarray) and b is not a and np.may_share_memory(a, b)
                       for b in self.keep)

    def effect(self, fn: Callable, args: tuple) -> None:
        """fn(*args) for its effect alone (manual_seed): replayed as the same call."""
        f = self.fresh("F")
        self.env[f] = fn
        parts = [self.constant(a) for a in args]
        self.add(f"{f}({', '.join(parts)})", self.text(_fn_name(fn), parts), _fn_name(fn), parts,
                 None, "")

    def inplace(self, method: Callable, target: Tensor, args: tuple, kwargs: dict) -> None:
        name = self.tensors.get(id(target))
        array = name + "._data" if name else self.value(target._data, target)
        if self.is_constant(array):
            raise CompileError(f"compile: {method.__name__} changes in place a tensor made inside the "
                               f"compiled function from constants (shape {target.shape}), at "
                               f"{user_line()}; make it with an op of the inputs instead (e.g. "
                               "x * 0), or outside the function")
        if method.__name__ in ("add_", "mul_", "div_") and self._fast_inplace(
                method.__name__, name, array, target, args, kwargs):
            return
        if name is not None:
            t_expr = name
        else:
            self.env.setdefault("_wrap", function._wrap)
            t_expr = f"_wrap({self.value(target._data, target)})"
        parts = []
        for a in args:
            if isinstance(a, Tensor):
                self.env.setdefault("_wrap", function._wrap)
                parts.append(f"_wrap({self.value(a._data)})")
            else:
                parts.append(self.value(a))
        f = self.fresh("F")
        self.env[f] = method
        self.env.setdefault("_inplace", _inplace)
        kw = self.constant(dict(kwargs)) if kwargs else "None"
        tuple_ = f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
        op = method.__name__
        self.add(f"_inplace({f}, {t_expr}, {tuple_}, {kw})",
                 f"{self.show(t_expr)}.{self.text(op, parts, kwargs)}", op, parts, None,
                 str(target.shape),
                 phase="update" if target.requires_grad else self.phase)


def _add_into_grad(t: Tensor, g: np.ndarray) -> None:
    assert t.grad is not None
    t.grad._data += g
    function.mark_modified(t.grad)


def _contiguous_copy(a: np.ndarray) -> np.ndarray:
    return a.copy()   # C order, as the engine's copies for .grad


def _inplace(method: Callable, target: Tensor, args: tuple, kwargs: dict | None) -> None:
    with function.no_grad():
        method(target, *args, **(kwargs or {}))


def _fn_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", type(fn).__name__)
    return name.lstrip("_")


def _shapes(arrays: Any, out: Any) -> str:
    ins = [str(a.shape) for a in arrays if isinstance(a, np.ndarray)]
    return f"{' '.join(ins)} -> {getattr(out, 'shape', '')} {getattr(out, 'dtype', '')}".strip()


# --- patches that are in place only while tracing -------------------------------------------------

_REFUSED = {"item": ".item()", "__bool__": "bool()", "__float__": "float()", "__int__": "int()",
            "numpy": ".numpy()", "__array__": "np.asarray()", "tolist": ".tolist()",
            "any": ".any()", "all": ".all()"}
_COMPARISONS = {"__lt__": np.less, "__le__": np.less_equal, "__gt__": np.greater,
                "__ge__": np.greater_equal, "__eq__": np.equal, "__ne__": np.not_equal}
_INPLACE = ("add_", "mul_", "div_", "copy_", "fill_", "__setitem__", "uniform_", "normal_",
            "bernoulli_", "exponential_", "random_")


def _inplace_methods() -> tuple[str, ...]:
    """Every in-place method a replay repeats by calling it again: the ones above and each value
    op's `<op>_` (ops/inplace.py). View ops (squeeze_, t_ ...) rebind the array and are refused."""
    from ..ops.inplace import VALUE_OPS
    return _INPLACE + tuple(f"{name}_" for name in VALUE_OPS)


class Patches:
    """Swaps the methods above (and the optimizers' step/zero_grad, Module.__call__) for
    recording versions, and puts the originals back on exit."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.saved: list[tuple[Any, str, Any]] = []

    def patch(self, owner: Any, name: str, new: Any) -> None:
        self.saved.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, new)

    def __enter__(self) -> Patches:
        rec = self.rec
        for name, what in _REFUSED.items():
            self.patch(Tensor, name, _refusing(rec, Tensor.__dict__[name], what))
        for name, fn in _COMPARISONS.items():
            self.patch(Tensor, name, _comparing(rec, Tensor.__dict__[name], fn))
        for name in ("argmax", "argmin"):
            self.patch(Tensor, name, _arg_reducing(rec, Tensor.__dict__[name],
                                                   np.argmax if name == "argmax" else np.argmin))
        data = Tensor.__dict__["data"]

        def set_data(t: Tensor, value: Any) -> None:
            if (value._data if isinstance(value, Tensor) else value) is t._data:
                return data.fset(t, value)   # `p.data -= u` assigns back the same array
            raise CompileError(f"compile: `.data = ...` rebinds a tensor's array at {user_line()}; a "
                               "replay would not repeat it: use t.data.copy_(new) or t.copy_(new)")

        self.patch(Tensor, "data", property(data.fget, set_data))
        for name in _inplace_methods():
            self.patch(Tensor, name, _recording_inplace(rec, Tensor.__dict__[name]))
        from ..nn.module import Module
        from ..optim import Optimizer
        self.patch(Module, "__call__", _module_call(rec, Module.__dict__["__call__"]))
        self.patch(Module, "zero_grad", _opaque(rec, Module.__dict__["zero_grad"], "zero_grad",
                                                lambda m: list(m.parameters())))
        for cls in _subclasses(Optimizer):
            for method in ("step", "zero_grad"):
                if method in cls.__dict__:
                    self.patch(cls, method, _opaque(rec, cls.__dict__[method], method, _opt_params))
        from .. import creation
        import tinygrad_nn
        seed = _seeding(rec, creation.manual_seed)
        self.patch(creation, "manual_seed", seed)
        if vars(tinygrad_nn).get("manual_seed") is self.saved[-1][2]:
            self.patch(tinygrad_nn, "manual_seed", seed)
        grad_slot = Tensor.__dict__["grad"]

        def set_grad(t: Tensor, value: Any) -> None:
            rec.grad_assigned(t, value)
            grad_slot.__set__(t, value)

        self.patch(Tensor, "grad", property(lambda t: grad_slot.__get__(t, Tensor), set_grad))
        # a tensor made in the step starts with .grad None on every call: Tensor.__init__ sets up
        # its _grad slot directly, so creation is noted here rather than through the property
        # (function._wrap is not patched: the program calls it, and would keep the patched one)
        real_init = Tensor.__dict__["__init__"]

        def init(t: Tensor, *args: Any, **kwargs: Any) -> None:
            real_init(t, *args, **kwargs)
            rec.made(t)

        self.patch(Tensor, "__init__", init)
        real_accumulate = function._accumulate
        real_backward = function._backward
        self.patch(function, "_accumulate",
                   lambda t, g, handed, cg: rec.accumulate(real_accumulate, t, g, handed, cg))

        def backward(*args: Any) -> Any:
            outer, rec.phase = rec.phase, "backward"
            try:
                return real_backward(*args)
            finally:
                rec.phase = outer

        self.patch(function, "_backward", backward)
        function._trace = rec
        return self

    def __exit__(self, *exc: object) -> None:
        function._trace = None
        for owner, name, old in reversed(self.saved):
            setattr(owner, name, old)


def _subclasses(cls: Any) -> list[Any]:
    out = [cls]
    subs: list[Any] = cls.__subclasses__()
    for sub in subs:
        out.extend(c for c in _subclasses(sub) if c not in out)
    return out


def _opt_params(opt: Any) -> list[Tensor]:
    return [p for group in opt.param_groups for p in group["params"]]


def _refusing(rec: Recorder, original: Any, what: str) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if rec.traced(self) and not rec.opaque:
            rec.refuse(what, self)
        return original(self, *args, **kwargs)
    return method


def _comparing(rec: Recorder, original: Any, fn: Callable) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        out = original(self, other)
        raw = other._data if isinstance(other, Tensor) else other
        rec.call(fn, (self._data, raw), out._data, pure=True)
        return out
    return method


def _arg_reducing(rec: Recorder, original: Any, fn: Callable) -> Any:
    def method(self: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        out = original(self, axis, keepdims)
        rec.call(fn, (self._data,), out._data, {"axis": axis, "keepdims": keepdims}, pure=True)
        return out
    return method


def _recording_inplace(rec: Recorder, original: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if rec.opaque:
            return original(self, *args, **kwargs)
        rec.inplace(original, self, args, kwargs)   # named before: the values are the old ones
        # the method is replayed as one call, so the ops it runs inside (x.relu_() computes
        # x.relu() under no_grad) are not recorded as well
        rec.allow_modify += 1
        rec.opaque += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            rec.opaque -= 1
            rec.allow_modify -= 1
    method.__name__ = original.__name__
    return method


def _seeding(rec: Recorder, original: Any) -> Any:
    def manual_seed(seed: int) -> None:
        if not rec.opaque:
            rec.effect(original, (seed,))
        original(seed)
    return manual_seed


def _module_call(rec: Recorder, original: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        rec.modules[id(self)] = self
        return original(self, *args, **kwargs)
    return method


def _opaque(rec: Recorder, original: Any, name: str, params: Callable[[Any], list]) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.opaque:
            return original(self, *args, **kwargs)
        if args or kwargs:
            # zero_grad(set_to_none=False) and the like: bind the arguments into the recording
            bound = _Bound(original, self, args, kwargs)
            rec.method_call(bound, "__call__", params(self))
        else:
            rec.method_call(self, name, params(self))
        if name == "step":
            rec.optimizers[id(self)] = self
        rec.opaque += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            rec.opaque -= 1
    return method


class _Bound:
    """A method call with fixed arguments, replayed as `O3.__call__()`."""

    def __init__(self, fn: Callable, obj: Any, args: tuple, kwargs: dict) -> None:
        self.fn, self.obj, self.args, self.kwargs = fn, obj, args, kwargs
        self.__name__ = fn.__name__

    def __call__(self) -> Any:
        return self.fn(self.obj, *self.args, **self.kwargs)
