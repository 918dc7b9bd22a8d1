"""W6: end to end. The main job's default training run (`python -m tinygrad_nn train`: mnist, the
default MLP) in a fresh process: wall time and the test accuracy it reports.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from .harness import TINYGRAD, Row, Settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(settings: Settings) -> list[Row]:
    case = "`tinygrad-nn train` defaults (mnist)"
    if importlib.util.find_spec("tinygrad_nn.cli") is None:
        return [Row("W6 end to end", case, TINYGRAD, None, "", note="skipped: main job not built yet")]
    if settings.quick or settings.smoke:
        return [Row("W6 end to end", case, TINYGRAD, None, "",
                    note="skipped under --quick (takes up to a minute; run the full suite)")]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "tinygrad_nn", "train", "--out", out],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            return [Row("W6 end to end", case, TINYGRAD, None, "", note=f"FAILED: {tail}")]
        accuracy = _test_accuracy(out, proc.stdout)
    note = "test accuracy " + (f"{accuracy:.2%}" if accuracy is not None else "not reported")
    return [Row("W6 end to end", case, TINYGRAD, seconds, "s", note=note + " (target ≥ 95% in < 60 s)")]


def _test_accuracy(out_dir: str, stdout: str) -> float | None:
    """From metrics.json if the run wrote one, else from a 'test accuracy' line it printed."""
    try:
        with open(os.path.join(out_dir, "metrics.json")) as f:
            metrics = json.load(f)
        for key in ("test_accuracy", "test_acc"):
            if key in metrics:
                value = metrics[key]
                return float(value[-1] if isinstance(value, list) else value)
    except (OSError, ValueError, TypeError):
        pass
    match = re.search(r"test[^\n]*?acc\w*[^\d\n]*([\d.]+)\s*(%?)", stdout, re.IGNORECASE)
    if match is None:
        return None
    value = float(match.group(1))
    return value / 100 if match.group(2) or value > 1 else value
