"""The package type-checks (mypy) and lints (flake8) clean; both are in the `test` extra."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("tool, args", [
    ("mypy", []),                                     # files and settings: [tool.mypy] in pyproject
    ("flake8", ["tinygrad_nn", "tests", "benchmarks", "examples"]),   # settings: setup.cfg
])
def test_tool_reports_nothing(tool, args):
    pytest.importorskip(tool)
    result = subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
