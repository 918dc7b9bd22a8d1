"""tinygrad_nn.compile: trace a training step once, replay it as straight-line numpy.

    step = tinygrad_nn.compile(train_step)      # or @tinygrad_nn.compile
    for x, y in batches:
        loss = step(x, y)                       # first calls trace, later ones replay

The first call runs `fn` eagerly while recording every numpy call it makes: the forward ops, the
backward formulas (Tensor ops, so recorded too), the gradient sums and `.grad` updates, and the
optimizer's `step()`/`zero_grad()` (recorded as calls of those methods). The second call traces
again and checks that it recorded the same program with the same constants: a value that
differs, such as numpy work on a tensor's data, is refused with the line that made it, instead
of being frozen. Later calls run only the recorded calls, as one generated Python function: no
Tensor objects, no graph, no version checks.

Guards (see guards.py) decide whether a recording fits a call; when none does, `fn` is traced
again (up to `max_recordings` are kept) and `explain()` says why. `print(step.code)` shows the
program; `step.verify(*args)` runs eager and compiled side by side on the same state and reports
the largest difference per output, parameter, gradient and optimizer state.

Returned Tensors are plain values (requires_grad=False, no graph): call backward inside `fn`.
"""
from __future__ import annotations

import gc
import inspect
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import creation, function
from .._tensor import Tensor
from .guards import Guards
from .program import Program, describe_outputs
from .trace import CompileError, Patches, Recorder, _Bound

__all__ = ["compile", "CompiledFunction", "CompileError", "VerifyReport"]

_STABLE_AFTER = 2        # a recording is replayed once two traces in a row agree on it
_MAX_ATTEMPTS = 4        # traces that keep disagreeing: run the function eagerly from then on


@dataclass
class Recording:
    guards: Guards
    program: Program
    confirmed: bool = False
    attempts: int = 1
    eager: bool = False   # the function did different work on every trace: never replayed


def compile(fn: Callable | None = None, *, verify: bool = False,
            max_recordings: int = 4) -> Any:
    """Compile `fn` (a training step or any function of Tensors) into a replayed numpy program.

    `fn(*args)` takes Tensors, numpy arrays and Python scalars and returns Tensors (or a tuple,
    list or dict of them, or None); it may call backward(), tinygrad_nn.grad (also with
    create_graph=True), an optimizer's zero_grad()/step(), Modules and custom Functions. With
    `verify=True` every replay also runs eagerly on the same state and raises if they differ.

    Example::

        @tinygrad_nn.compile
        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        step(x, y); step(x, y)     # traced twice (the second trace checks the first)
        step(x, y)                 # replayed
        print(step.code)           # v0 = linear(x, 0.weight, 0.bias) ...
    """
    if fn is None:
        return lambda f: CompiledFunction(f, verify=verify, max_recordings=max_recordings)
    return CompiledFunction(fn, verify=verify, max_recordings=max_recordings)


class CompiledFunction:
    """What `compile(fn)` returns: call it like fn. See the module docstring."""

    def __init__(self, fn: Callable, verify: bool = False, max_recordings: int = 4) -> None:
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        self.fn = fn
        self.verify_each = verify
        self.max_recordings = max_recordings
        self.recordings: list[Recording] = []
        self.log: list[str] = []
        self.calls = self.traces = self.replays = 0
        self.last: Recording | None = None
        self.last_report: VerifyReport | None = None
        try:
            params = [p for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            self._arg_names = [p.name for p in params]
        except (TypeError, ValueError):
            self._arg_names = []
        self.__name__ = getattr(fn, "__name__", "step")
        self.__doc__ = getattr(fn, "__doc__", None)

    # --- calling -----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"compile: {self.__name__} takes its arguments positionally (got "
                            f"keywords {sorted(kwargs)})")
        if function._trace is not None:   # called while another compiled function traces:
            return self.fn(*args)          # its recording takes in this call's work directly
        if function._anomaly.enabled:      # detect_anomaly checks every op: run them all
            return self.fn(*args)
        self.calls += 1
        recording, reasons = self._find(args)
        if recording is None:
            why = f" ({'; '.join(reasons)})" if reasons else ""
            self._note(f"traced: no recording fits{why}")
            result, recording = self._trace(args)
            self.recordings.append(recording)
            if len(self.recordings) > self.max_recordings:
                dropped = self.recordings.pop(0)
                self._note(f"dropped the oldest recording {dropped.guards.summary()}")
            self.last = recording
            return result
        self.last = recording
        if recording.eager:
            return self.fn(*args)
        if not recording.confirmed:
            return self._confirm(recording, args)
        if self.verify_each:
            report = self.verify(*args)
            if not report.ok:
                raise CompileError(f"compile(verify=True): compiled and eager differ\n{report}")
            return report.compiled_result
        self.replays += 1
        return recording.program.run(args)

    def _find(self, args: tuple) -> tuple[Recording | None, list[str]]:
        reasons: list[str] = []
        for r in self.recordings:
            reason = r.guards.check(args)
            if reason is None:
                return r, reasons
            reasons.append(reason)
        return None, reasons

    def _names(self, n: int) -> list[str]:
        names = self._arg_names[:n]
        return names + [f"arg{i}" for i in range(len(names), n)]

    def _trace(self, args: tuple) -> tuple[Any, Recording]:
        self.traces += 1
        rec = Recorder()
        names = self._names(len(args))
        kinds = []
        for i, (a, name) in enumerate(zip(args, names)):
            if isinstance(a, Tensor):
                rec.tensors[id(a)] = f"A{i}"
                rec.names[id(a._data)] = f"A{i}._data"
                rec.display[f"A{i}"] = rec.display[f"A{i}._data"] = name
                kinds.append("A")
            elif isinstance(a, np.ndarray):
                rec.names[id(a)] = f"a{i}"
                rec.display[f"a{i}"] = name
                kinds.append("a")
            elif isinstance(a, (tuple, list)) and any(isinstance(e, np.ndarray) for e in a):
                for j, e in enumerate(a):   # an index with arrays: each array is an input too
                    if isinstance(e, np.ndarray):
                        rec.names[id(e)] = f"a{i}[{j}]"
                        rec.display[f"a{i}[{j}]"] = f"{name}[{j}]"
                kinds.append("a")
            else:
                kinds.append("s")
        guards = Guards(args, names)   # before fn runs: it sees the state fn was called in
        guards.watch_python_state(self.fn)
        # the recorder keeps every traced object alive; the cyclic collector would rescan them
        # all again and again (half of W2's tracing time), and they make no cycles
        collector_was_on = gc.isenabled()
        gc.disable()
        try:
            with Patches(rec):
                result = self.fn(*args)
                out_exprs: list[str] = []
                outputs = describe_outputs(rec, result, out_exprs)
        finally:
            if collector_was_on:
                gc.enable()
        _final_grads(rec, args)
        leaves = [t for n, t in rec.tensor_objects.items()]
        guards.finish(rec.modules, leaves, args, list(rec.entry_grads.values()))
        program = Program(rec, names, kinds, outputs, out_exprs)
        rec.release()   # the traced call's arrays: the program keeps only what it replays
        return result, Recording(guards, program)

    def _confirm(self, first: Recording, args: tuple) -> Any:
        result, second = self._trace(args)
        index = self.recordings.index(first)
        old = [i.code for i in first.program.instrs]
        new = [i.code for i in second.program.instrs]
        if old != new:
            second.attempts = first.attempts + 1
            self.recordings[index] = second
            self.last = second
            if second.attempts >= _MAX_ATTEMPTS:
                second.eager = True
                self._note(f"{second.attempts} traces recorded different programs: running eagerly "
                           "from now on (the step's work depends on something no guard covers)")
            else:
                self._note("traced again: the program differs from the previous trace "
                           f"(first difference at line {_first_difference(old, new)})")
            return result
        for a, b in zip(first.program.instrs, second.program.instrs):
            for k in a.constants:
                x, y = first.program.env[k], second.program.env[k]
                if isinstance(x, Tensor) and isinstance(y, Tensor):
                    # the same tensor is state that the replay reads as it is then; a tensor made
                    # afresh by each call must hold the same values every time
                    x, y = (None, None) if x is y else (x._data, y._data)
                if not _same(x, y):
                    raise CompileError(
                        f"compile: {a.op} at {a.where} uses a value that changed between two "
                        f"calls but was not computed by a recorded op ({first.program.show(k)} "
                        f"became {second.program.show(k)}); a replay would freeze it. Typical "
                        "causes: numpy work on a tensor's data, random numbers from a generator "
                        "other than tinygrad_nn's, a Python number that changes between calls. "
                        "Compute it with Tensor ops, or pass it to the function as an argument")
        second.confirmed = True
        self.recordings[index] = second
        self.last = second
        self._note("traced again: the same program and constants, replaying from the next call")
        return result

    def _note(self, event: str) -> None:
        self.log.append(f"call {self.calls}: {event}")
        del self.log[:-50]

    # --- looking at it -------------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The most recently used recording as a readable straight-line program."""
        if self.last is None:
            return f"# {self.__name__}: not traced yet (call it once)"
        return self.last.program.listing(self.__name__)

    @property
    def source(self) -> str:
        """The generated Python function that a replay runs."""
        return "" if self.last is None else self.last.program.source

    def __str__(self) -> str:
        return self.code

    def explain(self) -> str:
        """Calls, traces and replays; each recording's guards; why the latest traces happened."""
        lines = [f"{self.__name__}: {self.calls} calls, {self.traces} traces, {self.replays} replays"]
        for i, r in enumerate(self.recordings):
            state = "eager" if r.eager else "replayed" if r.confirmed else "awaiting a second trace"
            lines.append(f"  recording {i}: {len(r.program)} instructions, {state}; guards "
                         f"{r.guards.summary()}")
        lines += ["  " + e for e in self.log[-10:]]
        return "\n".join(lines)

    # --- verification --------------------------------------------------------------------------
    def verify(self, *args: Any) -> VerifyReport:
        """Run eager and the recording from the same state and compare everything they change.

        The eager run happens first, on the real objects; the state is then restored and the
        compiled program runs, so afterwards the state is the compiled one. Returns a
        VerifyReport (largest absolute difference per output, parameter, .grad and optimizer
        state array). Before a recording is confirmed this just calls the function."""
        recording, _ = self._find(args)
        if recording is None or not recording.confirmed or recording.eager:
            result = self(*args)
            report = VerifyReport([], result, traced=True)
            self.last_report = report
            return report
        state = _State(recording)
        eager_result = self.fn(*args)
        eager = state.capture(eager_result)
        state.restore()
        self.replays += 1
        compiled_result = recording.program.run(args)
        compiled = state.capture(compiled_result)
        rows = []
        for key in list(dict.fromkeys(list(eager) + list(compiled))):
            a, b = eager.get(key), compiled.get(key)
            if a is None or b is None or a.shape != b.shape:
                rows.append((key, float("inf"), False))
                continue
            diff = float(np.max(np.abs(a.astype(np.float64) - b))) if a.size else 0.0
            if a.dtype.kind != "f":
                ok = bool(np.array_equal(a, b))
            else:
                rtol = 1e-12 if a.dtype == np.float64 else 1e-5
                ok = bool(np.allclose(a, b, rtol=rtol, atol=rtol, equal_nan=True))
            rows.append((key, diff, ok))
        report = VerifyReport(rows, compiled_result)
        self.last_report = report
        return report


@dataclass
class VerifyReport:
    """Eager against compiled: (what, largest absolute difference, within tolerance) rows."""
    rows: list[tuple[str, float, bool]]
    compiled_result: Any = None
    traced: bool = False

    @property
    def ok(self) -> bool:
        return all(ok for _, _, ok in self.rows)

    @property
    def max_difference(self) -> float:
        return max((d for _, d, _ in self.rows), default=0.0)

    def __str__(self) -> str:
        if self.traced:
            return "verify: this call traced the function (eager), nothing to compare yet"
        width = max((len(k) for k, _, _ in self.rows), default=10)
        lines = [f"{'':2}{'what':<{width}}  largest |eager - compiled|"]
        for key, diff, ok in self.rows:
            lines.append(f"{'' if ok else '!!'}{'':2}{key:<{width}}  {diff:.3g}")
        return "\n".join(lines)


class _State:
    """Copies of everything a recording can change, to put back after the eager run."""

    def __init__(self, recording: Recording) -> None:
        env = recording.program.env
        self.tensors = [(n, t) for n, t in sorted(env.items()) if n.startswith("L")
                        and isinstance(t, Tensor)]
        self.optimizers: list[Any] = []
        for n, obj in env.items():
            if n.startswith("O"):
                owner = obj.obj if isinstance(obj, _Bound) else obj
                if hasattr(owner, "state") and hasattr(owner, "param_groups"):
                    if all(owner is not o for o in self.optimizers):
                        self.optimizers.append(owner)
        self.names = {id(t): recording.program.show(n) for n, t in self.tensors}
        self.saved = [(t, t._data, t._data.copy(), t.grad,
                       None if t.grad is None else t.grad._data.copy()) for _, t in self.tensors]
        # per optimizer: its state dict, each entry's dict with a copy of its plain values and of
        # its arrays (restored into the same objects), and its hyperparameters
        self.opt_saved = []
        for o in self.optimizers:
            entries = {p: (s, dict(s), {k: v.copy() for k, v in s.items() if isinstance(v, np.ndarray)})
                       for p, s in o.state.items()}
            self.opt_saved.append((o, o.state, entries, [dict(g) for g in o.param_groups]))
        self.rng = creation.default_generator._rng
        self.rng_state = creation.default_generator._rng.bit_generator.state

    def restore(self) -> None:
        for t, data, values, grad, grad_values in self.saved:
            t._data = data
            if data.flags.writeable:
                np.copyto(data, values)
            t.grad = grad
            if grad is not None and grad_values is not None and grad._data.flags.writeable:
                np.copyto(grad._data, grad_values)
        for o, state, entries, groups in self.opt_saved:
            state.clear()
            for p, (inner, plain, arrays) in entries.items():
                inner.clear()
                inner.update(plain)
                for k, v in arrays.items():
                    np.copyto(inner[k], v)
                state[p] = inner
            for g, saved in zip(o.param_groups, groups):
                g.update(saved)
        creation.default_generator._rng = self.rng
        self.rng.bit_generator.state = self.rng_state

    def capture(self, result: Any) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i, r in enumerate(_flat_tensors(result)):
            out[f"output {i}"] = np.array(r._data)
        for n, t in self.tensors:
            name = self.names[id(t)]
            out[name] = np.array(t._data)
            if t.grad is not None:
                out[name + ".grad"] = np.array(t.grad._data)
        for o in self.optimizers:
            for p, s in o.state.items():
                for k, v in s.items():
                    if isinstance(v, np.ndarray):
                        out[f"{type(o).__name__}[{self.names.get(id(p), p.shape)}].{k}"] = v.copy()
        return out


def _flat_tensors(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat_tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flat_tensors(v)]
    return []


def _final_grads(rec: Recorder, args: tuple) -> None:
    """Make the replay leave every .grad as the traced call left it (zero_grad(), p.grad = None
    and the like are plain Python, so only their final effect can be recorded)."""
    tensors = dict(rec.tensor_objects)
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            tensors[f"A{i}"] = a
    rec.phase = "update" if any(i.phase == "update" for i in rec.instrs) else rec.phase
    for name, t in tensors.items():
        state = rec.grad_state.get(id(t))
        g = t.grad
        if g is None:
            if state is not None and state[0] == "set" and state[1] is not None:
                rec.set_grad(t, None)
            continue
        expr = rec.names.get(id(g._data))
        if expr is not None and state != ("set", expr) and not (state and state[0] == "live"):
            rec.set_grad(t, expr)


def _first_difference(old: list[str], new: list[str]) -> int:
    for i, (a, b) in enumerate(zip(old, new)):
        if a != b:
            return i
    return min(len(old), len(new))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        except TypeError:
            return bool(np.array_equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:   # an object without a usable ==: the same object is the same value
        return a is b
