"""gradcheck and gradgradcheck: backward's Jacobian against finite differences, with a report.

The analytical Jacobian J (one vector-Jacobian product per output element, or per random
projection when the output is large) is compared with finite differences of the forward pass,
element by element, in float64. Beyond that, gradcheck checks what a naive checker misses:
the gradient's shape and dtype, that backward is linear in grad_output and deterministic, that it
leaves inputs and saved tensors alone, that gradients alias nothing, and that inputs which do
not require grad get none. Where the step crosses a kink (relu at 0, a tie in max), one-sided
differences disagree: such an element is reported as non-differentiable instead of failing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..function import enable_grad, grad, graph_tensors
from .._tensor import Tensor

STEP_SIZES = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
_TINY = 1e-12


class GradcheckError(AssertionError):
    """Raised by gradcheck when a gradient is wrong; its message is the full report."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.explain())
        self.report = report


@dataclass
class Mismatch:
    """One Jacobian entry where backward and finite differences disagree."""
    target: str                # "input 0", or "parameter 1 (weight)" for one fn closes over
    element: tuple[int, ...]   # index into that tensor
    row: str                   # the output element (or random projection) of that Jacobian row
    analytical: float
    numerical: float
    which: Any = field(default=None, repr=False, compare=False)   # input position or the parameter

    @property
    def abs_error(self) -> float:
        return abs(self.analytical - self.numerical)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.analytical), abs(self.numerical), _TINY)

    def describe(self) -> str:
        return (f"{self.target}, element {self.element}, {self.row}: analytical "
                f"{self.analytical:.10g}, numerical {self.numerical:.10g}, abs error "
                f"{self.abs_error:.3g}, rel error {self.rel_error:.3g}")


@dataclass
class Report:
    """Everything gradcheck found: mismatches, skipped kinks, failed structural checks."""
    order: int = 1
    mismatches: list[Mismatch] = field(default_factory=list)
    kinks: list[Mismatch] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    # entries where either value is nan or infinite: |a - n| > tol is False for nan, so they
    # would pass the element test silently; each one fails gradcheck instead
    non_finite: list[Mismatch] = field(default_factory=list)
    elements_checked: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0   # over entries larger than atol
    step_table: list[tuple[float, float, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.failed_checks and not self.non_finite

    def explain(self, limit: int = 5) -> str:
        what = "gradcheck" if self.order == 1 else "gradgradcheck (second order)"
        if self.ok:
            return f"{what}: {self.elements_checked} Jacobian entries agree"
        lines = [f"{what} failed:"]
        for check in self.failed_checks:
            lines.append(f"  structural check failed: {check}")
        if self.non_finite:
            one_sided = [m for m in self.non_finite if np.isfinite(m.analytical) != np.isfinite(m.numerical)]
            lines.append(f"  {len(self.non_finite)} Jacobian entries are not finite ({len(one_sided)} "
                         f"where the other value is finite, {len(self.non_finite) - len(one_sided)} "
                         "where both are nan or inf):")
            for m in self.non_finite[:limit]:
                side = ("analytical" if not np.isfinite(m.analytical) else "numerical") \
                    if np.isfinite(m.analytical) != np.isfinite(m.numerical) else "both"
                lines.append(f"    {side} not finite: {m.describe()}")
            if len(self.non_finite) > limit:
                lines.append(f"    ... and {len(self.non_finite) - limit} more")
        if self.mismatches:
            worst = max(self.mismatches, key=lambda m: m.abs_error)
            lines.append(f"  {len(self.mismatches)} of {self.elements_checked} Jacobian entries "
                         f"differ from finite differences; worst: {worst.describe()}")
            for m in self.mismatches[:limit]:
                lines.append(f"    {m.describe()}")
            if len(self.mismatches) > limit:
                lines.append(f"    ... and {len(self.mismatches) - limit} more")
        if self.step_table:
            lines.append("  error of the worst entry at several finite-difference steps h:")
            for h, numerical, err in self.step_table:
                lines.append(f"    h={h:.0e}  numerical {numerical:.10g}  abs error {err:.3g}")
            errors = [e for _, _, e in self.step_table]
            if max(errors) < 10 * min(errors) + 1e-300:
                lines.append("  the error does not shrink with h: the derivative formula is wrong")
            else:
                lines.append("  the error changes with h: suspect the step size or a kink near "
                             "the point as much as the formula")
        if self.kinks:
            lines.append(f"  ({len(self.kinks)} entries skipped as non-differentiable points)")
        return "\n".join(lines)


def gradcheck(fn: Callable[..., Tensor], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, method: str = "central",
              kinks: str = "skip", nondet_tol: float = 0.0, allow_float32: bool = False,
              max_outputs: int = 32, max_elements: int | None = None,
              check_structure: bool = True, params: Sequence[Tensor] = ()) -> bool:
    """Check `fn`'s backward against finite differences for every input that requires grad.

    `params` are tensors `fn` closes over (a layer's weights, say): they are checked too, by
    perturbing them in place (and restoring them exactly). `gradcheck(layer, [x],
    params=list(layer.parameters()))` checks a Module.

    An entry passes when |analytical - numerical| <= atol + rtol * |numerical|. `method` is
    "central" ((f(x+h) - f(x-h)) / 2h, error O(h²)) or "five_point" (error O(h⁴)). Entries at a
    non-differentiable point are skipped (`kinks="skip"`) or failed (`kinks="fail"`). Inputs that
    require grad must be float64: float32 cannot resolve a difference quotient with h = 1e-6.

    Returns True, or raises GradcheckError with the report (returns False if
    raise_exception=False).

    >>> x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    >>> gradcheck(lambda t: t.sigmoid(), [x])
    True
    """
    report = check(fn, inputs, eps=eps, atol=atol, rtol=rtol, method=method, kinks=kinks,
                   nondet_tol=nondet_tol, allow_float32=allow_float32, max_outputs=max_outputs,
                   max_elements=max_elements, check_structure=check_structure, params=params)
    if report.ok:
        return True
    if raise_exception:
        raise GradcheckError(report)
    return False


def gradgradcheck(fn: Callable[..., Tensor], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, params: Sequence[Tensor] = (), **kwargs: Any) -> bool:
    """Check second-order gradients: the gradient computed with create_graph=True, as a function
    of the inputs, is itself gradchecked against finite differences.

    `grad_outputs` (default: a fixed random tensor) is the vector v in the product vᵀJ whose
    derivative is checked.
    """
    inputs = _as_tuple(inputs)
    out = _call(fn, inputs)
    if grad_outputs is None:
        v = np.random.default_rng(0).standard_normal(out.shape)
    else:
        v = np.asarray(grad_outputs._data if isinstance(grad_outputs, Tensor) else grad_outputs)
    positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_order(*xs: Any) -> Tensor:
        y = _call(fn, xs)
        diff = [xs[i] for i in positions] + list(params)
        if not y.requires_grad:
            return Tensor(np.zeros(sum(x.numel() for x in diff)))
        grads = grad(y, diff, Tensor(v.astype(y.dtype)), create_graph=True, allow_unused=True)
        flat = [g.reshape(-1) if g is not None else Tensor(np.zeros(x.numel())) for g, x in zip(grads, diff)]
        from ..ops import cat
        return cat(flat) if flat else Tensor(np.zeros(0))

    report = check(first_order, inputs, eps=eps, atol=atol, rtol=rtol, params=params, **kwargs)
    report.order = 2
    if report.ok:
        return True
    if raise_exception:
        raise GradcheckError(report)
    return False


# --- the work -------------------------------------------------------------------------------

def check(fn: Callable[..., Tensor], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
          rtol: float = 1e-3, method: str = "central", kinks: str = "skip",
          nondet_tol: float = 0.0, allow_float32: bool = False, max_outputs: int = 32,
          max_elements: int | None = None, check_structure: bool = True,
          params: Sequence[Tensor] = ()) -> Report:
    """What gradcheck does, returning the Report instead of raising."""
    if method not in ("central", "five_point"):
        raise ValueError(f"gradcheck: method must be 'central' or 'five_point', got {method!r}")
    if kinks not in ("skip", "fail"):
        raise ValueError(f"gradcheck: kinks must be 'skip' or 'fail', got {kinks!r}")
    inputs = _as_tuple(inputs)
    positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    # what gets checked: (label, input position or the closed-over parameter itself, tensor)
    targets: list[tuple[str, Any, Tensor]] = [(f"input {i}", i, inputs[i]) for i in positions]
    for k, p in enumerate(params):
        if not isinstance(p, Tensor) or not p.requires_grad:
            raise ValueError(f"gradcheck: parameter {k} must be a Tensor that requires grad")
        targets.append((f"parameter {k}" + (f" ({p.name})" if p.name else ""), p, p))
    if not targets:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    for label, _, x in targets:
        if x.dtype != np.float64 and not allow_float32:
            raise TypeError(f"gradcheck: {label} is {x.dtype}, but gradients must be checked in "
                            "float64: with float32's 7 digits, (f(x+h) - f(x-h)) / 2h for h = 1e-6 "
                            "keeps about one correct digit. Pass .double() inputs, or "
                            "allow_float32=True with eps >= 1e-3 and atol, rtol >= 1e-2")
        if x.dtype != np.float64 and (eps < 1e-3 or atol < 1e-2 or rtol < 1e-2):
            raise ValueError("gradcheck: allow_float32=True needs widened settings: eps >= 1e-3, "
                             f"atol >= 1e-2 and rtol >= 1e-2 (got eps={eps}, atol={atol}, rtol={rtol})")
    report = Report()
    before = {k: x._data.copy() for k, x in enumerate(inputs) if isinstance(x, Tensor)}
    out = _call(fn, inputs)
    saved_before = [t._data.copy() for t in graph_tensors(out)]
    diff = [x for _, _, x in targets]
    rng = np.random.default_rng(0)

    # Rows of the analytical Jacobian: vᵀJ for each one-hot v, or random projections v
    m = out.numel()
    if m <= max_outputs:
        vectors = np.eye(m).reshape((m,) + out.shape)
        rows = [f"output element {tuple(int(k) for k in np.unravel_index(r, out.shape))}" for r in range(m)]
    else:
        vectors = rng.standard_normal((16,) + out.shape)
        rows = [f"random projection {r} of the {out.shape} output" for r in range(16)]
    try:
        analytical = [np.stack([_vjp(out, diff, v)[j].reshape(-1) for v in vectors]) if m else
                      np.zeros((0, x.numel())) for j, x in enumerate(diff)]   # per input: (rows, n)
    except (RuntimeError, ValueError, TypeError) as err:   # e.g. a gradient of the wrong shape
        report.failed_checks.append(f"backward raised {type(err).__name__}: {err}")
        return report

    f0 = _evaluate(fn, inputs, None, 0, None)
    project = vectors.reshape(len(vectors), m)
    for j, (label, which, x) in enumerate(targets):
        elements: Sequence[int] = range(x.numel())
        if max_elements is not None and x.numel() > max_elements:
            elements = sorted(rng.choice(x.numel(), max_elements, replace=False).tolist())
        for e in elements:
            numerical, right, left = (project @ d for d in _derivative(fn, inputs, f0, which, e, eps, method))
            element = tuple(int(k) for k in np.unravel_index(e, x.shape))
            suspects = []
            for r in range(len(vectors)):
                entry = Mismatch(label, element, rows[r], float(analytical[j][r, e]),
                                 float(numerical[r]), which)
                report.elements_checked += 1
                if not (np.isfinite(entry.analytical) and np.isfinite(entry.numerical)):
                    report.non_finite.append(entry)
                    continue
                mismatch = entry.abs_error > atol + rtol * abs(entry.numerical)
                # one-sided slopes that disagree: a kink, or just curvature (h·f''); a central
                # quotient that happens to agree at a kink would otherwise be a false pass
                slopes_disagree = abs(right[r] - left[r]) > 10 * (atol + rtol * abs(entry.numerical))
                if mismatch or slopes_disagree:
                    suspects.append(entry)
                else:
                    _record_error(report, entry, atol)
            for entry, verdict in _near_kink(fn, inputs, f0, e, eps, project, rows, suspects, atol, rtol):
                if verdict == "kink":
                    report.kinks.append(entry)
                    if kinks == "fail":
                        report.failed_checks.append(f"non-differentiable point: {entry.describe()}")
                elif verdict == "smooth near a kink":
                    _record_error(report, entry, atol)
                else:
                    _record_error(report, entry, atol)
                    report.mismatches.append(entry)

    if report.mismatches:
        worst = max(report.mismatches, key=lambda mm: mm.abs_error)
        report.step_table = _step_table(fn, inputs, worst, vectors, rows)
    if check_structure:
        report.failed_checks += _structural_checks(out, inputs, targets, vectors, atol, rtol, nondet_tol)
        for k, original in before.items():
            if not np.array_equal(inputs[k]._data, original, equal_nan=True):
                report.failed_checks.append(f"backward modified input {k} in place")
        saved_after = [t._data for t in graph_tensors(out)]
        if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(saved_before, saved_after)):
            report.failed_checks.append("backward modified a tensor saved in the graph")
    return report


def _as_tuple(inputs: Any) -> tuple:
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _call(fn: Callable[..., Tensor], inputs: Sequence[Any]) -> Tensor:
    with enable_grad():
        out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: the function must return a Tensor, got {type(out).__name__}")
    if out.dtype.kind != "f":
        raise TypeError(f"gradcheck: the function returned a {out.dtype} tensor; it must be float")
    return out


def _vjp(out: Tensor, diff: list[Tensor], v: np.ndarray) -> list[np.ndarray]:
    """vᵀJ for each input in `diff`, as float64 arrays (zeros where the output does not depend on it)."""
    if not out.requires_grad:
        return [np.zeros(x.shape) for x in diff]
    grads = grad(out, diff, Tensor(v.astype(out.dtype)), retain_graph=True, allow_unused=True)
    return [np.zeros(x.shape) if g is None else g._data.astype(np.float64) for g, x in zip(grads, diff)]


def _record_error(report: Report, entry: Mismatch, atol: float) -> None:
    report.max_abs_error = max(report.max_abs_error, entry.abs_error)
    if max(abs(entry.analytical), abs(entry.numerical)) > atol:  # 1e-12 vs 0 is not "100% off"
        report.max_rel_error = max(report.max_rel_error, entry.rel_error)


def _evaluate(fn: Callable[..., Tensor], inputs: Sequence[Any], which: Any, e: int,
              delta: float | None) -> np.ndarray:
    """fn's output (flattened, float64) with element e of `which` moved by delta.

    `which` is an input position (that input is copied and shifted), a parameter Tensor that fn
    closes over (shifted in place and restored exactly), or None (nothing moves).
    """
    if isinstance(which, Tensor):
        index = np.unravel_index(e, which.shape)
        old = which._data[index]
        which._data[index] = old + delta
        try:
            return _evaluate(fn, inputs, None, 0, None)
        finally:
            which._data[index] = old
    shifted = []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor):
            data = x._data
            if k == which and delta is not None:
                data = data.copy()
                data.reshape(-1)[e] += delta
            shifted.append(Tensor(data, requires_grad=x.requires_grad))
        else:
            shifted.append(x)
    return _call(fn, shifted)._data.astype(np.float64).reshape(-1)


def _derivative(fn: Callable[..., Tensor], inputs: Sequence[Any], f0: np.ndarray, which: Any, e: int,
                h: float, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """d(every output)/d(element e of `which`) by finite differences, and the one-sided slopes
    (f(x+h) - f(x)) / h and (f(x) - f(x-h)) / h."""
    plus, minus = _evaluate(fn, inputs, which, e, h), _evaluate(fn, inputs, which, e, -h)
    right, left = (plus - f0) / h, (f0 - minus) / h
    if method == "five_point":
        plus2, minus2 = _evaluate(fn, inputs, which, e, 2 * h), _evaluate(fn, inputs, which, e, -2 * h)
        return (-plus2 + 8 * plus - 8 * minus + minus2) / (12 * h), right, left
    return (plus - minus) / (2 * h), right, left


def _near_kink(fn: Callable[..., Tensor], inputs: Sequence[Any], f0: np.ndarray, e: int, h: float,
               project: np.ndarray, rows: list[str], suspects: list[Mismatch], atol: float,
               rtol: float) -> list[tuple[Mismatch, str]]:
    """Tell a wrong derivative from a step that crossed a point where there is no derivative.

    At a smooth point the one-sided quotients (f(x+h) - f(x)) / h and (f(x) - f(x-h)) / h differ
    by about h·f'', so their gap shrinks with h. At a kink (relu at 0, a tie in max) the gap is
    the jump in slope and stays as h shrinks. If the gap shrinks, the smallest step's central
    quotient is trusted: it may agree with backward once the step no longer crosses a nearby
    kink ("smooth near a kink"), else the derivative is wrong. If the gap stays, backward's value
    must lie between the one-sided slopes (a subgradient, as PyTorch's conventions give).
    """
    if not suspects:
        return []
    which = suspects[0].which
    slopes = {}
    for step in (h, h / 100):
        plus, minus = _evaluate(fn, inputs, which, e, step), _evaluate(fn, inputs, which, e, -step)
        slopes[step] = (project @ ((plus - f0) / step), project @ ((f0 - minus) / step),
                        project @ ((plus - minus) / (2 * step)))
    verdicts = []
    for entry in suspects:
        r = rows.index(entry.row)
        right, left, central = (float(v[r]) for v in slopes[h / 100])
        gap_big, gap_small = abs(slopes[h][0][r] - slopes[h][1][r]), abs(right - left)
        tol = atol + rtol * max(abs(right), abs(left))
        if gap_small > 10 * tol and gap_small > 0.5 * gap_big:
            inside = min(left, right) - tol <= entry.analytical <= max(left, right) + tol
            verdicts.append((entry, "kink" if inside else "wrong"))
        elif abs(entry.analytical - central) <= atol + rtol * abs(central):
            verdicts.append((entry, "smooth near a kink"))
        else:
            verdicts.append((entry, "wrong"))
    return verdicts


def _step_table(fn: Callable[..., Tensor], inputs: Sequence[Any], worst: Mismatch,
                vectors: np.ndarray, rows: list[str]) -> list[tuple[float, float, float]]:
    shape = inputs[worst.which].shape if isinstance(worst.which, int) else worst.which.shape
    e = int(np.ravel_multi_index(worst.element, shape)) if worst.element else 0
    v = vectors[rows.index(worst.row)].reshape(-1)
    table = []
    for h in STEP_SIZES:
        plus = _evaluate(fn, inputs, worst.which, e, h)
        minus = _evaluate(fn, inputs, worst.which, e, -h)
        numerical = float(v @ ((plus - minus) / (2 * h)))
        table.append((h, numerical, abs(numerical - worst.analytical)))
    return table


def _structural_checks(out: Tensor, inputs: Sequence[Any], targets: list[tuple[str, Any, Tensor]],
                       vectors: np.ndarray, atol: float, rtol: float, nondet_tol: float) -> list[str]:
    """The named checks a plain Jacobian comparison misses; returns the ones that failed."""
    failed: list[str] = []
    if not out.requires_grad:
        return failed
    labels = [label for label, _, _ in targets]
    diff = [x for _, _, x in targets]
    v = vectors.sum(axis=0)   # a vector touching every checked row
    grads = grad(out, diff, Tensor(v.astype(out.dtype)), retain_graph=True, allow_unused=True)
    for label, x, g in zip(labels, diff, grads):
        if g is not None and (g.shape != x.shape or g.dtype != x.dtype):
            failed.append(f"gradient shape and dtype: {label} is {x.shape} {x.dtype} but its "
                          f"gradient is {g.shape} {g.dtype}")
    first = _vjp(out, diff, v)
    again = _vjp(out, diff, v)
    for label, a, b in zip(labels, first, again):
        if not np.allclose(a, b, rtol=0, atol=nondet_tol):
            failed.append(f"deterministic and reentrant: two backward passes gave different "
                          f"gradients for {label} (max difference {np.max(np.abs(a - b)):.3g}, "
                          f"tolerance {nondet_tol})")
    scaled = _vjp(out, diff, 3.0 * v)
    for label, a, b in zip(labels, first, scaled):
        if not np.allclose(b, 3.0 * a, rtol=rtol, atol=atol):
            failed.append(f"linear in grad_output: scaling grad_output by 3 did not scale the "
                          f"gradient of {label} by 3")
    for label, z in zip(labels, _vjp(out, diff, np.zeros_like(v))):
        if np.any(z != 0):
            failed.append(f"linear in grad_output: a zero grad_output gave a nonzero gradient "
                          f"for {label}")
    failed += _aliasing_checks(out, inputs, v)
    return failed


def _aliasing_checks(out: Tensor, inputs: Sequence[Any], v: np.ndarray) -> list[str]:
    """Run the user's path, backward into .grad, and check what it left there."""
    failed = []
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    # backward also fills the leaves that fn closes over: keep and restore their .grad too
    touched = tensors + [t for t in graph_tensors(out) if t._ctx is None]
    kept = [x.grad for x in touched]
    for x in touched:
        x.grad = None
    try:
        out.backward(Tensor(v.astype(out.dtype)), retain_graph=True)
        for k, x in enumerate(tensors):
            if not x.requires_grad and x.grad is not None:
                failed.append(f"inputs that do not require grad get no gradient: input {k} got one")
        grads = [(k, x.grad._data) for k, x in enumerate(tensors) if x.grad is not None]
        for n, (k, g) in enumerate(grads):
            for k2, g2 in grads[n + 1:]:
                if np.shares_memory(g, g2):
                    failed.append(f"no aliasing: the gradients of inputs {k} and {k2} share memory")
            for k2, x in enumerate(tensors):
                if np.shares_memory(g, x._data):
                    failed.append(f"no aliasing: the gradient of input {k} shares memory with input {k2}")
    finally:
        for x, kept_grad in zip(touched, kept):
            x.grad = kept_grad
    return failed
