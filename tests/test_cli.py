"""The `tinygrad-nn` command line: what train writes, predict round trips, gradcheck, and that every
mistake in the input is one line on stderr with a non-zero exit status, never a traceback.

Runs in-process through cli.main (fast), plus one real `python -m tinygrad_nn` subprocess.
Training uses tiny settings (xor / digits, 1-2 epochs); the 60-second MNIST run is not here.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import cli

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--data", "xor", "--epochs", "2", "--hidden", "8", "--progress", "none"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """One tiny xor run shared by the tests that only read its outputs."""
    out = tmp_path_factory.mktemp("run") / "xor"
    assert cli.main(["train", *TINY, "--out", str(out)]) == 0
    return out


# --- train ------------------------------------------------------------------------------------

def test_train_writes_model_metrics_and_plots(trained):
    assert (trained / "model.npz").is_file()
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["settings"]["data"] == "xor"
    assert metrics["settings"]["hidden"] == [8]
    assert metrics["architecture"]["n_inputs"] == 2 and metrics["architecture"]["n_classes"] == 2
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2]
    for epoch in metrics["epochs"]:
        assert set(epoch) >= {"train_loss", "train_accuracy", "test_loss", "test_accuracy",
                              "examples_per_second"}
        assert 0 <= epoch["train_accuracy"] <= 1 and 0 <= epoch["test_accuracy"] <= 1
        assert np.isfinite(epoch["train_loss"]) and epoch["train_loss"] > 0
    assert metrics["train_examples"] == 300 and metrics["test_examples"] == 100
    if HAS_MATPLOTLIB:
        assert metrics["plots"] == ["curves.png", "decision_regions.png"]
        for name in metrics["plots"]:
            assert (trained / name).read_bytes()[:8] == PNG_MAGIC
        assert not (trained / "misclassified.png").exists()


def test_train_prints_progress_and_accuracies(tmp_path, capsys):
    code, out, err = run(capsys, "train", "--data", "xor", "--epochs", "2", "--hidden", "4",
                         "--progress", "plain", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert "epoch 1/2" in out and "epoch 2/2" in out and "examples/s" in out
    assert "train accuracy" in out and "test accuracy" in out
    assert "model.npz" in out


def test_train_on_digit_images_draws_misclassified(tmp_path, capsys):
    out = tmp_path / "digits"
    code, _, err = run(capsys, "train", "--data", "digits", "--epochs", "1", "--hidden", "16",
                       "--progress", "none", "--out", str(out))
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["architecture"]["n_inputs"] == 64
    if HAS_MATPLOTLIB:
        assert (out / "misclassified.png").read_bytes()[:8] == PNG_MAGIC
        assert not (out / "decision_regions.png").exists()


@pytest.mark.parametrize("flags", [
    ["--activation", "maxout", "--dropout", "0.1"],
    ["--activation", "tanh", "--optimizer", "sgd", "--momentum", "0.9", "--weight-decay", "1e-4"],
    ["--activation", "leaky_relu", "--hidden", "none"],
])
def test_train_variants_round_trip_through_predict(tmp_path, capsys, flags):
    out = tmp_path / "r"
    code, _, err = run(capsys, "train", *TINY, *flags, "--out", str(out))
    assert code == 0, err
    expected = json.loads((out / "metrics.json").read_text())["test_accuracy"]
    code, printed, err = run(capsys, "predict", "--model", str(out / "model.npz"))
    assert code == 0, err
    assert f"{expected:.2%}" in printed


def test_same_seed_same_run_and_force_overwrites(tmp_path, capsys):
    out = tmp_path / "r"
    assert run(capsys, "train", *TINY, "--seed", "3", "--out", str(out))[0] == 0
    first = json.loads((out / "metrics.json").read_text())["epochs"]
    model_before = (out / "model.npz").read_bytes()

    code, _, err = run(capsys, "train", *TINY, "--seed", "4", "--out", str(out))
    assert_one_line_error(code, err, "--force", "model.npz")
    assert (out / "model.npz").read_bytes() == model_before  # the earlier run is untouched

    assert run(capsys, "train", *TINY, "--seed", "3", "--out", str(out), "--force")[0] == 0
    again = json.loads((out / "metrics.json").read_text())["epochs"]
    assert [e["train_loss"] for e in again] == [e["train_loss"] for e in first]
    assert run(capsys, "train", *TINY, "--seed", "4", "--out", str(out), "--force")[0] == 0
    assert (out / "model.npz").read_bytes() != model_before


def test_force_removes_an_earlier_runs_other_plots(tmp_path, capsys):
    out = tmp_path / "r"
    (out).mkdir()
    (out / "misclassified.png").write_bytes(b"old")
    assert run(capsys, "train", *TINY, "--out", str(out), "--force")[0] == 0
    assert not (out / "misclassified.png").exists()


def test_default_output_folder_is_a_fresh_runs_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "train", *TINY)[0] == 0
    assert run(capsys, "train", *TINY)[0] == 0  # maybe the same second: needs a folder of its own
    runs = sorted((tmp_path / "runs").iterdir())
    assert len(runs) == 2
    for folder in runs:
        assert (folder / "model.npz").is_file() and (folder / "metrics.json").is_file()


def test_without_matplotlib_and_tqdm_it_trains_and_says_what_it_skipped(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "tqdm", None)
    out = tmp_path / "r"
    code, printed, err = run(capsys, "train", "--data", "xor", "--epochs", "1", "--hidden", "4",
                             "--out", str(out))
    assert code == 0, err
    assert "matplotlib is not installed" in printed and "tqdm is not installed" in printed
    assert "epoch 1/1" in printed  # plain progress lines instead of the bar
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["skipped"] == ["tqdm", "matplotlib"] and metrics["plots"] == []
    assert not list(out.glob("*.png"))


# --- bad input: one line, non-zero, no traceback ---------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["train", "--data", "cifar"], ["--data", "cifar"]),
    (["train", "--activation", "swish"], ["--activation", "swish"]),
    (["train", "--hidden", "12,,x"], ["--hidden", "12,,x"]),
    (["train", "--hidden", "0"], ["--hidden"]),
    (["train", "--lr", "-0.1"], ["--lr", "positive"]),
    (["train", "--lr", "nan"], ["--lr"]),
    (["train", "--epochs", "0"], ["--epochs"]),
    (["train", "--batch-size", "two"], ["--batch-size", "two"]),
    (["train", "--dropout", "1"], ["--dropout"]),
    (["train", "--momentum", "0.9"], ["--momentum", "sgd"]),
    (["train", "--weight-decay", "-1"], ["--weight-decay"]),
    (["train", "--data", "xor", "--idx-dir", "."], ["--idx-dir"]),
    (["predict"], ["--model"]),
    (["frobnicate"], ["frobnicate"]),
])
def test_bad_flags(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, *words)


def test_folder_without_idx_files(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--data", "mnist", "--idx-dir", str(tmp_path), "--out",
                       str(tmp_path / "r"))
    assert_one_line_error(code, err, "train-images-idx3-ubyte")
    assert not (tmp_path / "r").exists()  # no empty run folder left behind


def test_output_folder_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "train", *TINY, "--out", str(blocker))
    assert_one_line_error(code, err, "not a folder")
    code, _, err = run(capsys, "train", *TINY, "--out", str(blocker / "run"))
    assert_one_line_error(code, err, "cannot write", "a-file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_output_folder(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = run(capsys, "train", *TINY, "--out", str(folder))
        assert_one_line_error(code, err, "cannot write")
    finally:
        folder.chmod(0o700)


def test_missing_and_corrupt_model_files(tmp_path, trained, capsys):
    code, _, err = run(capsys, "predict", "--model", str(tmp_path / "nope.npz"))
    assert_one_line_error(code, err, "nope.npz")

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes((trained / "model.npz").read_bytes()[:200])
    code, _, err = run(capsys, "predict", "--model", str(truncated))
    assert_one_line_error(code, err, "truncated.npz")

    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a checkpoint at all")
    code, _, err = run(capsys, "predict", "--model", str(garbage))
    assert_one_line_error(code, err, "garbage.npz")

    other = tmp_path / "other.npz"
    tinygrad_nn.save({"weights": tinygrad_nn.ones(3)}, other)  # a checkpoint, but not a model
    code, _, err = run(capsys, "predict", "--model", str(other))
    assert_one_line_error(code, err, "other.npz", "architecture")

    ckpt = tinygrad_nn.load(trained / "model.npz")
    ckpt["state_dict"].pop("layers.0.weight")
    damaged = tmp_path / "damaged.npz"
    tinygrad_nn.save(ckpt, damaged)
    code, _, err = run(capsys, "predict", "--model", str(damaged))
    assert_one_line_error(code, err, "damaged.npz", "layers.0.weight")


def test_predict_on_a_data_set_of_another_shape(trained, capsys):
    code, _, err = run(capsys, "predict", "--model", str(trained / "model.npz"), "--data", "digits")
    assert_one_line_error(code, err, "64", "xor")


def test_predict_on_another_2d_data_set_works(trained, capsys):
    code, out, err = run(capsys, "predict", "--model", str(trained / "model.npz"), "--data", "moons")
    assert code == 0, err
    assert "test accuracy on moons" in out


# --- gradcheck ---------------------------------------------------------------------------------

def _catalogue_report():
    return pytest.importorskip("tinygrad_nn.testing.catalogue_report")


def test_gradcheck_prints_a_table_for_chosen_ops(capsys):
    _catalogue_report()
    code, out, err = run(capsys, "gradcheck", "--op", "exp", "--op", "tanh", "--examples", "2")
    assert code == 0, err
    assert "| exp |" in out and "| tanh |" in out and "pass" in out


def test_gradcheck_exit_status_on_failure(monkeypatch, capsys):
    module = _catalogue_report()
    failing = module.RowResult("exp", examples=1, max_abs_error=1.0, max_rel_error=1.0,
                               first_order_ok=False, failure="wrong derivative")
    monkeypatch.setattr(module, "run_catalogue", lambda max_examples=10, ops=None: [failing])
    code, out, _ = run(capsys, "gradcheck")
    assert code == 1
    assert "FAIL" in out


def test_gradcheck_unknown_op(capsys):
    _catalogue_report()
    code, _, err = run(capsys, "gradcheck", "--op", "no_such_op")
    assert_one_line_error(code, err, "no_such_op")


# --- the real entry point ----------------------------------------------------------------------

def _python_m(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "tinygrad_nn", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_python_m_tinygrad_nn(tmp_path):
    done = _python_m("train", *TINY, "--out", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "model.npz").is_file()
    bad = _python_m("train", "--hidden", "12,,x", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert _python_m("--help", cwd=tmp_path).returncode == 0


def test_diverging_run_is_one_line_and_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "diverged"
    code, _, err = run(capsys, "train", *TINY, "--optimizer", "sgd", "--lr", "1e9", "--out", str(out))
    assert_one_line_error(code, err, "diverged", "--lr")
    assert not out.exists()


# --- graph -------------------------------------------------------------------------------------

@pytest.mark.parametrize("example", ["neuron", "mlp", "attention-free-toy"])
def test_graph_writes_each_example_and_says_where(tmp_path, capsys, example):
    code, out, err = run(capsys, "graph", "--example", example, "--out", str(tmp_path / "g.svg"))
    assert code == 0, err
    written = [p.name for p in tmp_path.iterdir()]
    assert written in (["g.svg"], ["g.dot"])   # .dot when Graphviz is not installed
    path = tmp_path / written[0]
    assert f"wrote {path}" in out
    if path.suffix == ".dot":
        assert path.read_text().startswith("digraph") and "dot -Tsvg" in out
        assert "loss" in path.read_text() or example == "neuron"


def test_graph_renders_the_requested_format_when_graphviz_is_there(tmp_path, monkeypatch, capsys):
    from tinygrad_nn.viz import graph
    monkeypatch.setattr(graph, "_render", lambda dot, fmt: b"<svg>" + dot.encode() + b"</svg>")
    target = tmp_path / "sub" / "g.png"   # a missing folder is made, as train does
    code, out, err = run(capsys, "graph", "--example", "neuron", "--out", str(target))
    assert code == 0, err
    assert out.strip() == f"wrote {target}"
    assert target.read_bytes().startswith(b"<svg>digraph")
    assert [p.name for p in target.parent.iterdir()] == ["g.png"]   # no scratch folder left


def test_graph_svg_is_drawn_without_graphviz_and_html_writes_the_explorer(tmp_path, monkeypatch, capsys):
    from tinygrad_nn.viz import graph
    monkeypatch.setattr(graph, "_render", lambda dot, fmt: None)   # no Graphviz
    code, out, err = run(capsys, "graph", "--example", "neuron", "--out", str(tmp_path / "g.svg"),
                         "--html", str(tmp_path / "g.html"))
    assert code == 0, err
    assert (tmp_path / "g.svg").read_text().startswith("<svg")
    page = (tmp_path / "g.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and '<script id="explorer-data"' in page
    assert f"wrote {tmp_path / 'g.html'}" in out
    code, _, err = run(capsys, "graph", "--html", str(tmp_path / "g.html"))
    assert_one_line_error(code, err, "g.html", "--force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.html", "g.svg"]   # --html alone: no graph.svg


def test_graph_does_not_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "g.dot"
    target.write_text("mine")
    code, _, err = run(capsys, "graph", "--example", "neuron", "--out", str(target))
    assert_one_line_error(code, err, "g.dot", "--force")
    assert target.read_text() == "mine"
    assert run(capsys, "graph", "--example", "neuron", "--out", str(target), "--force")[0] == 0
    assert target.read_text().startswith("digraph")


def test_graph_does_not_overwrite_the_dot_fallback_without_force(tmp_path, monkeypatch, capsys):
    from tinygrad_nn.viz import graph
    monkeypatch.setattr(graph, "_render", lambda dot, fmt: None)   # no Graphviz
    (tmp_path / "g.dot").write_text("mine")
    code, _, err = run(capsys, "graph", "--out", str(tmp_path / "g.png"))   # .svg needs no Graphviz
    assert_one_line_error(code, err, "g.dot", "--force")
    assert (tmp_path / "g.dot").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]


def test_graph_text_and_explain_print_without_writing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "graph", "--example", "neuron", "--text")
    assert code == 0, err
    assert out.startswith("out = tanh(z)") and "grad" in out and "└──" in out
    code, out, err = run(capsys, "graph", "--example", "mlp", "--explain")
    assert code == 0, err
    assert "backward from loss" in out and "tanh: dx = dout * (1 - t * t)" in out
    assert "layers.0.weight" in out
    assert not list(tmp_path.iterdir())   # printing only: no graph.svg
    code, out, err = run(capsys, "graph", "--text", "--explain", "--out", "both.dot")
    assert code == 0, err
    assert "loss = " in out and "backward from loss" in out and "wrote both.dot" in out


@pytest.mark.parametrize("argv, words", [
    (["graph", "--example", "transformer"], ["--example", "transformer"]),
    (["graph", "--out", "graph.txt"], ["graph.txt", ".svg"]),
])
def test_graph_bad_flags(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, *words)


def test_graph_unwritable_path(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "graph", "--out", str(blocker / "g.svg"))
    assert_one_line_error(code, err, "cannot write", "a-file")
    code, _, err = run(capsys, "graph", "--out", str(tmp_path), "--force")
    assert_one_line_error(code, err, "folder")


# --- train --diagnostics -----------------------------------------------------------------------

def test_train_diagnostics_prints_a_table_and_keeps_the_history(tmp_path, capsys):
    out = tmp_path / "r"
    code, printed, err = run(capsys, "train", *TINY, "--hidden", "8,8", "--diagnostics",
                             "--out", str(out))
    assert code == 0, err
    assert "layer health" in printed and "|update|/|w|" in printed
    assert "activations.1" in printed and "layers.2.weight" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    history = metrics["diagnostics"]
    assert [h["epoch"] for h in history] == [1, 2]
    for h in history:
        assert set(h["dead"]) == {"activations.0", "activations.1"}
        assert all(0 <= v <= 1 for v in h["dead"].values())
        assert set(h["grad_norm"]) == set(h["update_ratio"]) == {
            f"layers.{i}.{kind}" for i in range(3) for kind in ("weight", "bias")}
        assert all(v > 0 for v in h["update_ratio"].values())
    if HAS_MATPLOTLIB:
        assert "diagnostics.png" in metrics["plots"]
        assert (out / "diagnostics.png").read_bytes()[:8] == PNG_MAGIC


def test_train_diagnostics_sees_saturation_of_tanh_on_digits(tmp_path, capsys):
    out = tmp_path / "d"
    code, _, err = run(capsys, "train", "--data", "digits", "--epochs", "1", "--hidden", "16",
                       "--activation", "tanh", "--progress", "none", "--diagnostics", "--out", str(out))
    assert code == 0, err
    (health,) = json.loads((out / "metrics.json").read_text())["diagnostics"]
    assert health["dead"] == {} and set(health["saturated"]) == {"activations.0"}


def test_train_without_diagnostics_is_unchanged(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    assert "diagnostics" not in metrics
    assert not (trained / "diagnostics.png").exists()
