"""W3: a deep chain. 100,000 elementwise ops on a (1,) float64 tensor, forward and backward, each run in a
fresh process so that peak-RSS growth belongs to that one graph. That process loads only its own
contender's library (no torch for numpy and tinygrad_nn: see harness.WITHOUT_TORCH).

Reported per contender: time, peak RSS growth over the process's settled size, whether a weakref
to an interior node of the graph dies once backward returns (the graph's memory is released while
the caller still holds the output), and the RSS growth left after. A second graph of the same
depth is then dropped without backward, to show that freeing it raises no RecursionError either.
Run by hand: `python -m benchmarks.w3_deep tinygrad_nn 100000`.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
import weakref

N_OPS = 100_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM (the peak) to the current RSS
        return True
    except OSError:
        return False


def measure(contender: str, n_ops: int) -> dict:
    """In this (fresh) process: build, differentiate and free one chain; report what was seen."""
    from .harness import NUMPY, TINYGRAD, TORCH, torch  # pins threads before numpy loads
    from .w2_chain import framework_ops, numpy_chain, start_value
    import numpy as np

    x0 = start_value((1,), np.float64)  # float32 would drown the gradient in rounding: see README
    if contender == NUMPY:
        run_numpy = numpy_chain
    else:
        if contender == TINYGRAD:
            from tinygrad_nn import Tensor

            def leaf():
                return Tensor(x0, requires_grad=True)
        elif contender == TORCH:
            def leaf():
                return torch.tensor(x0, requires_grad=True)
        else:
            raise SystemExit(f"unknown contender {contender!r}")

        def build(n):
            x = leaf()
            half = framework_ops(x, n // 2)         # W2's chain, in two halves so that
            interior = weakref.ref(half)             # the node in the middle can be watched
            return x, framework_ops(half, n - n // 2, start=n // 2), interior

    def one_run(n):
        """Returns (gradient, interior weakref or None, output kept alive)."""
        if contender == NUMPY:
            return run_numpy(x0, n), None, None
        x, v, interior = build(n)
        v.sum().backward()
        return np.asarray(x.grad.detach() if contender == TORCH else x.grad.numpy()), interior, v

    one_run(100)  # warm up code paths, so the baseline below includes them
    gc.collect()
    base = _rss_kib("VmRSS")
    exact_peak = _reset_peak()
    start = time.perf_counter()
    grad, interior, out = one_run(n_ops)
    seconds = time.perf_counter() - start
    peak = _rss_kib("VmHWM") if exact_peak else base
    freed = None if interior is None else interior() is None
    after_backward = _rss_kib("VmRSS")
    del out
    gc.collect()
    after_release = _rss_kib("VmRSS")
    # a graph dropped without backward is freed by its owner's refcount; must not recurse
    dropped_ok = True  # a failure here kills the process or prints a RecursionError: see below
    if contender != NUMPY:
        _, v, _ = build(n_ops)
        del v
        gc.collect()
    return {"contender": contender, "seconds": seconds, "grad": float(grad.ravel()[0]),
            "peak_growth_mib": (peak - base) / 1024, "exact_peak": exact_peak,
            "interior_freed": freed, "rss_left_mib": (after_backward - base) / 1024,
            "rss_left_released_mib": (after_release - base) / 1024, "drop_ok": dropped_ok}


def measure_in_subprocess(contender: str, n_ops: int) -> dict:
    from .harness import TORCH, WITHOUT_TORCH
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if contender != TORCH:
        env[WITHOUT_TORCH] = "1"   # each contender's process loads only its own library
    proc = subprocess.run([sys.executable, "-m", "benchmarks.w3_deep", contender, str(n_ops)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if proc.returncode != 0 or "RecursionError" in proc.stderr:
        # a RecursionError while freeing a graph is only printed ("Exception ignored"): look for it
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"contender": contender, "error": tail}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(settings):
    from .harness import NUMPY, TINYGRAD, TORCH, TORCH_MISSING, Row, assert_close, torch
    n_ops = 2_000 if settings.smoke else N_OPS
    rounds = 1 if settings.smoke else 2 if settings.quick else 5
    names = [NUMPY, TINYGRAD] + ([TORCH] if torch is not None else [])
    results: dict[str, list[dict]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(measure_in_subprocess(name, n_ops))
    rows = []
    want = results[NUMPY][0]
    for name in names:
        errors = [res["error"] for res in results[name] if "error" in res]
        if errors:
            rows.append(Row("W3 deep chain", f"{n_ops:,} ops on (1,)", name, None, "",
                            note=f"FAILED: {errors[0]}"))
            continue
        for res in results[name]:
            assert_close(f"W3 {name} gradient", res["grad"], want["grad"], rtol=1e-6, atol=1e-12)
        secs = [res["seconds"] for res in results[name]]
        ratios = [res["seconds"] / ref["seconds"] for res, ref in zip(results[name], results[NUMPY])]
        first = results[name][0]
        peak = statistics.median(res["peak_growth_mib"] for res in results[name])
        note = f"peak RSS +{peak:.0f} MiB"
        if not first["exact_peak"]:
            note += " (peak not resettable here)"
        if first["interior_freed"] is not None:
            note += ("; interior node freed after backward" if first["interior_freed"]
                     else "; interior node ALIVE after backward")
            note += f"; RSS left +{first['rss_left_mib']:.0f} MiB"
            note += f" (+{first['rss_left_released_mib']:.0f} MiB once the output is dropped)"
            note += "; graph dropped unused: freed, no RecursionError" if first["drop_ok"] else ""
        rows.append(Row("W3 deep chain", f"{n_ops:,} ops on (1,), fresh process", name,
                        statistics.median(secs), "s", statistics.median(ratios), min(ratios),
                        max(ratios), note))
    if torch is None:
        rows.append(Row("W3 deep chain", "", TORCH, None, "", note=TORCH_MISSING))
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
