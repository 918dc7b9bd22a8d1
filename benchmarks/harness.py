"""What every workload shares: interleaved timing, paired ratios, gradient checks, the report.

Timing method: each contender's step is calibrated to run for about `Settings.target` seconds per
round; in every round all contenders run one after the other (the order rotates), so a burst of
load from a neighbour hits all of them alike. A contender's figure is the median over rounds of
its time per step, and its ratio is the median over rounds of (its time / numpy's time in the
same round): a paired ratio, which a noisy shared machine cannot fake.
"""
from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# W3's fresh process for a contender other than PyTorch does not load it: importing torch adds
# about 100,000 objects that Python's cyclic collector would rescan during that contender's run.
WITHOUT_TORCH = "BENCHMARKS_WITHOUT_TORCH"
if os.environ.get(WITHOUT_TORCH):
    torch = None
else:
    try:
        import torch
    except ImportError:  # PyTorch is an optional contender
        torch = None
    else:
        torch.set_num_threads(1)

NUMPY = "numpy (by hand)"
TINYGRAD = "tinygrad_nn"
TORCH = "PyTorch"
COMPILED = "tinygrad_nn compiled"
TORCH_MISSING = "PyTorch not installed: skipped (pip install torch==2.13.0)"


@dataclass
class Settings:
    quick: bool = False
    smoke: bool = False
    rounds: int = 15
    target: float = 0.25  # seconds each contender runs per round

    @classmethod
    def make(cls, quick: bool, smoke: bool) -> Settings:
        if smoke:
            return cls(quick, smoke, rounds=2, target=0.002)
        if quick:
            return cls(quick, smoke, rounds=5, target=0.08)
        return cls(quick, smoke)


@dataclass
class Row:
    """One line of the results table."""
    workload: str
    case: str
    contender: str
    value: float | None  # in `unit`
    unit: str
    ratio: float | None = None  # median of paired per-round ratios to the reference
    low: float | None = None  # smallest and largest paired ratio
    high: float | None = None
    note: str = ""


def time_interleaved(steps: dict[str, Callable[[], Any]], settings: Settings) -> dict[str, list[float]]:
    """Seconds per call of each step, one entry per round; contenders alternate within a round."""
    reps = {}
    for name, step in steps.items():
        step()  # warm up: first-call costs (imports, caches, BLAS buffers) are not the steady state
        # Calibrate on a tenth of the target, not on one call: a single call that met a full
        # collection or a neighbour's burst once set W2's repetitions to 2 per round, so every
        # round timed two cold calls right after gc.collect() (2.95x instead of 2.6x).
        gc.collect()
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= settings.target / 10:
                break
        reps[name] = max(1, int(settings.target * calls / max(elapsed, 1e-7)))
    names = list(steps)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(settings.rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            step, n = steps[name], reps[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - start) / n)
    return times


def paired_rows(workload: str, case: str, times: dict[str, list[float]], unit: str,
                scale: float, reference: str = NUMPY, notes: dict[str, str] | None = None) -> list[Row]:
    """Rows with median time (times `scale`, in `unit`) and paired ratios to `reference`."""
    rows = []
    for name, ts in times.items():
        ratios = [t / ref for t, ref in zip(ts, times[reference])]
        rows.append(Row(workload, case, name, statistics.median(ts) * scale, unit,
                        statistics.median(ratios), min(ratios), max(ratios),
                        (notes or {}).get(name, "")))
    return rows


def assert_close(what: str, got: Any, want: Any, rtol: float, atol: float) -> None:
    """Fail loudly, naming the workload, contender and array, if `got` differs from `want`."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {want.shape}")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        err = np.max(np.abs(got - want) / (atol + rtol * np.abs(want)))
        raise AssertionError(f"{what}: gradients differ from hand-written numpy "
                             f"(worst error {err:.3g} x tolerance)")


def check_grads(workload: str, contender: str, got: list, want: list, rtol: float, atol: float) -> None:
    assert len(got) == len(want), f"{workload} {contender}: {len(got)} gradients, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert_close(f"{workload} {contender} gradient {i}", g, w, rtol, atol)


def to_numpy(x: Any) -> np.ndarray:
    """A gradient from any contender as a numpy array."""
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(getattr(x, "data", x))


def compiled(fn: Callable[[], Any]) -> tuple[Callable[[], Any], float]:
    """tinygrad_nn.compile(fn) with its recording made (two traces: the second confirms the first),
    and the first call's time: the tracing cost, to compare with an eager call."""
    import tinygrad_nn
    step = tinygrad_nn.compile(fn)
    start = time.perf_counter()
    step()
    first = time.perf_counter() - start
    step()
    assert step.replays == 0 and step.recordings[0].confirmed, step.explain()
    return step, first


def compiled_grads(model: Any) -> Callable[[], list]:
    """A compiled version of SGDStep.grads, replayed (third call) when the check runs."""
    import tinygrad_nn

    def grads() -> list:
        for p in model.params:
            p.grad = None
        model.loss().backward()
        return [p.grad for p in model.params]

    step = tinygrad_nn.compile(grads)

    def check() -> list[np.ndarray]:
        for _ in range(3):
            out = step()
        assert step.replays >= 1, step.explain()
        return [g.numpy() for g in out]
    return check


def trace_note(first: float, eager_times: list[float]) -> str:
    return f"first call (trace) {first / statistics.median(eager_times):.1f}× an eager step"


class SGDStep:
    """grads() and one plain SGD step() for a framework model: tinygrad_nn and PyTorch share these
    method names, so one user loop serves both. Subclasses set params, lr, no_grad and loss()."""

    params: list
    lr: float
    no_grad: Any

    def loss(self) -> Any:
        raise NotImplementedError

    def grads(self) -> list[np.ndarray]:
        for p in self.params:
            p.grad = None
        self.loss().backward()
        return [to_numpy(p.grad) for p in self.params]

    def step(self) -> None:
        self.loss().backward()
        with self.no_grad():
            for p in self.params:
                p.sub_(p.grad, alpha=self.lr)
                p.grad = None


# --- the report ---------------------------------------------------------------------------------

def machine_description() -> list[str]:
    """CPU, cores, Python, numpy and its BLAS, thread settings, PyTorch."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores, {usable} usable by this process",
        f"- OS: {platform.platform()}; Python {platform.python_version()} ({sys.implementation.name})",
        f"- numpy {np.__version__}; BLAS: {_blas_description()}",
        "- threads: " + ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in
                                  ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")),
    ]
    if torch is not None:
        lines.append(f"- PyTorch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
    else:
        lines.append(f"- {TORCH_MISSING}")
    return lines


def _blas_description() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
        extra = blas.get("openblas configuration") or ""
        return f"{text} ({extra})" if extra else text
    except Exception:  # older numpy: no dict mode; the name is enough
        return "unknown (numpy.show_config() has details)"


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def markdown_table(rows: list[Row]) -> str:
    lines = ["| workload | case | contender | median | × numpy (paired median) | paired range | notes |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        value = "—" if r.value is None else f"{_fmt(r.value)} {r.unit}"
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        spread = "—" if r.low is None else f"{r.low:.2f}–{r.high:.2f}"
        lines.append(f"| {r.workload} | {r.case} | {r.contender} | {value} | {ratio} | {spread} | {r.note} |")
    return "\n".join(lines)
