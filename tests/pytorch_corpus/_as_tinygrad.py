"""Run PyTorch scripts with tinygrad_nn standing in for torch, changing nothing in them (what
`import tinygrad_nn as torch` does, for files that say `import torch` / `from torch import nn`).

    python _as_tinygrad.py script.py             # run one script, its output as usual
    python _as_tinygrad.py --json a.py b.py ...  # run each, print {script: output} as JSON
    python _as_tinygrad.py --torch --json ...    # the same with the real torch (for comparing)
"""
import contextlib
import importlib
import io
import json
import runpy
import sys
import traceback


def stand_ins() -> dict:
    """torch -> tinygrad_nn, and torch.X -> tinygrad_nn.X for each module the package has
    (torch.nn.functional, torch.optim.lr_scheduler, torch.utils.data, ...)."""
    import pkgutil

    import tinygrad_nn
    modules = {"torch": tinygrad_nn}
    for found in pkgutil.walk_packages(tinygrad_nn.__path__, "tinygrad_nn."):
        if found.name.split(".")[-1].startswith("_"):
            continue
        module = importlib.import_module(found.name)
        modules["torch" + found.name[len("tinygrad_nn"):]] = module
    return modules


def run_each(scripts: list) -> dict:
    """{script: its stdout, or 'FAILED' and the traceback}; each starts from the same seed and
    default dtype, as it would in a fresh process."""
    import torch
    outputs = {}
    for script in scripts:
        torch.manual_seed(0)
        torch.set_default_dtype(torch.float32)
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                runpy.run_path(script, run_name="__main__")
            outputs[script] = buffer.getvalue()
        except Exception:   # reported to the test, which shows the traceback
            outputs[script] = "FAILED\n" + traceback.format_exc()
    return outputs


if __name__ == "__main__":
    args = sys.argv[1:]
    real_torch = "--torch" in args
    if not real_torch:
        sys.modules.update(stand_ins())
    if "--json" in args:
        print(json.dumps(run_each([a for a in args if not a.startswith("--")])))
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")
