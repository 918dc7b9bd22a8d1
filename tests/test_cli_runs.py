"""Issue 13, item 3: a `tinygrad-nn train` run is never half-written.

The run is written into a temporary folder beside --out and moved into place when complete. These
tests interrupt it (KeyboardInterrupt) and fill the disk (OSError ENOSPC) at every write step and
every move, and check that the folder is then the complete new run, the untouched earlier run, or
absent, that the error is one line naming the file, and that nothing temporary is left behind."""
from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import pytest

from tinygrad_nn import cli
from tinygrad_nn import train as T
from tinygrad_nn.viz import plots

TINY = ["--data", "xor", "--epochs", "1", "--hidden", "4", "--progress", "none"]
FILL_DISK = "disk full"
INTERRUPT = "Ctrl-C"


@pytest.fixture(autouse=True)
def quick_plots(monkeypatch):
    """The plots are beside the point here: small stand-ins that write through the same path."""
    def fake(*args, **kwargs):
        path = next(a for a in (*args, *kwargs.values()) if isinstance(a, Path))
        path.write_bytes(b"\x89PNG stand-in")
    for name in ("plot_training_curves", "plot_decision_regions", "plot_misclassified",
                 "plot_diagnostics"):
        monkeypatch.setattr(plots, name, fake)
    monkeypatch.setattr(plots, "available", lambda: True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def state(target: Path, earlier: dict[str, bytes] | None) -> str:
    """'absent', 'earlier' (byte for byte) or 'new' (complete and consistent); anything else fails."""
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers
    if not target.exists():
        return "absent"
    files = snapshot(target)
    if files == earlier:
        return "earlier"
    metrics = json.loads(files["metrics.json"])
    user_files = {"notes.txt"} if earlier else set()
    assert set(files) == {"model.npz", "metrics.json", *metrics["plots"]} | user_files
    assert metrics["settings"]["seed"] == 7      # the new run's, not the earlier run's
    T.load_model(target / "model.npz")
    if earlier:
        assert files["notes.txt"] == earlier["notes.txt"]
    return "new"


def make_earlier_run(target: Path) -> dict[str, bytes]:
    """An earlier run of another kind (digits: misclassified.png, which xor does not draw), and a
    file of the user's that is not part of any run."""
    assert cli.main(["train", "--data", "digits", "--epochs", "1", "--progress", "none",
                     "--out", str(target)]) == 0
    (target / "notes.txt").write_text("mine")
    return snapshot(target)


class Failure:
    """Counts the write steps (files written, files moved) and fails at step `at`."""

    def __init__(self, monkeypatch, at: int | None, kind: str) -> None:
        self.at, self.kind, self.steps = at, kind, 0
        real_write, real_replace = cli._write, os.replace

        def write(path, target, writer):
            def failing_writer(p):
                if self.step():
                    writer(p)
                    if self.kind == INTERRUPT:
                        raise KeyboardInterrupt
                    with open(p, "r+b") as f:   # the disk filled up in the middle of the file
                        f.truncate(max(os.path.getsize(p) // 2, 1))
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                writer(p)
            real_write(path, target, failing_writer)

        def replace(src, dst):
            if cli_is_moving() and self.step():
                if self.kind == INTERRUPT:
                    raise KeyboardInterrupt
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(cli, "_write", write)
        monkeypatch.setattr(cli.os, "replace", replace)

    def step(self) -> bool:
        self.steps += 1
        return self.steps - 1 == self.at


def cli_is_moving() -> bool:
    import inspect
    return any(f.function in ("_rename", "_move_into_place") for f in inspect.stack()[1:6])


def count_steps(monkeypatch, tmp_path: Path, earlier: bool) -> int:
    target = tmp_path / "count" / "run"
    target.parent.mkdir()
    if earlier:
        make_earlier_run(target)
    with monkeypatch.context() as m:
        counter = Failure(m, None, INTERRUPT)
        args = ["train", *TINY, "--seed", "7", "--out", str(target)] + (["--force"] if earlier else [])
        assert cli.main(args) == 0
    return counter.steps


@pytest.mark.parametrize("earlier", [False, True], ids=["fresh folder", "--force over a run"])
@pytest.mark.parametrize("kind", [INTERRUPT, FILL_DISK])
def test_an_interrupted_or_full_disk_run_leaves_a_whole_run_or_none(tmp_path, monkeypatch, capsys,
                                                                    earlier, kind):
    steps = count_steps(monkeypatch, tmp_path, earlier)
    assert steps == (4 + 4 + 4 if earlier else 4 + 1)   # 4 files (+ 4 set aside, 4 moved in, or 1 move)
    for at in range(steps):
        target = tmp_path / f"step{at}" / "run"
        target.parent.mkdir()
        before = make_earlier_run(target) if earlier else None
        capsys.readouterr()
        with monkeypatch.context() as m:
            Failure(m, at, kind)
            args = ["train", *TINY, "--seed", "7", "--out", str(target)]
            code = cli.main(args + (["--force"] if earlier else []))
        err = capsys.readouterr().err.strip()
        assert state(target, before) == ("earlier" if earlier else "absent"), (at, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        if kind == INTERRUPT:
            assert code == 130
            assert err == ("tinygrad-nn train: interrupted; " +
                           (f"{str(target)!r} is as it was" if earlier else "no run was written"))
        else:
            assert code == 1
            assert "No space left on device" in err and str(target) in err, err
            if at < 4:   # a file being written is named; a move names where it was going
                assert any(f"{target / name}'" in err for name in
                           ("model.npz", "metrics.json", "curves.png", "decision_regions.png")), err
        # and the same command, once nothing fails, gives the complete new run
        assert cli.main(args + ["--force"]) == 0
        assert state(target, before) == "new"


def test_a_real_ctrl_c_while_a_file_is_written_finishes_the_file_then_stops(
        tmp_path, monkeypatch, capsys):
    real = plots.plot_training_curves

    def interrupted_while_drawing(history, path, title=""):
        os.kill(os.getpid(), signal.SIGINT)   # arrives in the middle of matplotlib's work
        real(history, path, title)
        assert path.read_bytes().startswith(b"\x89PNG")   # not cut short
    monkeypatch.setattr(plots, "plot_training_curves", interrupted_while_drawing)
    target = tmp_path / "run"
    code = cli.main(["train", *TINY, "--out", str(target)])
    err = capsys.readouterr().err.strip()
    assert code == 130 and err == "tinygrad-nn train: interrupted; no run was written"
    assert not target.exists() and list(tmp_path.iterdir()) == []
