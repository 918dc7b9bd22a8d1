"""The `tinygrad-nn` command line (also `python -m tinygrad_nn`).

    tinygrad-nn train                      an MLP on 8,000 real MNIST digits; >= 95% on 2,000 held out
    tinygrad-nn train --data spiral --hidden 32,32 --activation tanh --epochs 300
    tinygrad-nn predict --model runs/<time>/model.npz
    tinygrad-nn gradcheck                  every op of the catalogue, first and second order
    tinygrad-nn graph --example mlp --out graph.svg      a small graph and its gradients, drawn
    tinygrad-nn train --data xor --diagnostics           dead units, saturation, update sizes

Every mistake in the input (an unknown data set, `--hidden 12,,x`, a negative learning rate,
a missing or corrupt model file, an output folder that cannot be written or that already
holds a run, a graph file that exists already) ends with one line on stderr naming the problem
and a non-zero exit status.
Set TINYGRAD_NN_DEBUG=1 to see the traceback instead.

`train` writes its run into a temporary folder beside the output folder and moves it into place
only when every file is complete, so that Ctrl-C, a full disk or any other failure leaves the
complete new run, the untouched earlier run, or nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, NoReturn, Sequence

import numpy as np

from . import train as T
from .diagnostics import Monitor
from .viz import EXAMPLES, draw, explain_backward, graph_example, print_graph

EXIT_ERROR = 1   # the command ran into a problem (bad file, failed check)
EXIT_USAGE = 2   # the command line itself is wrong (argparse's convention)

# What `train` writes into its output folder; `--force` is needed to replace any of them.
OUTPUT_FILES = ("model.npz", "metrics.json", "curves.png", "misclassified.png", "decision_regions.png",
                "diagnostics.png")

# The picture formats `graph --out` accepts: Graphviz renders these; .dot/.gv is the text itself.
GRAPH_FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")

# Settings that suit each data set when the flag is not given: (hidden, epochs, batch size,
# Adam learning rate, dropout). mnist's reach about 96% test accuracy in 10-20 s on 2 cores.
DATA_DEFAULTS: dict[str, tuple[tuple[int, ...], int, int, float, float]] = {
    "mnist": ((256, 128), 20, 64, 1e-3, 0.2),
    "digits": ((64,), 40, 32, 1e-3, 0.0),
    "spiral": ((64, 64), 150, 32, 1e-2, 0.0),
    "moons": ((32, 32), 100, 32, 1e-2, 0.0),
    "circles": ((32, 32), 100, 32, 1e-2, 0.0),
    "xor": ((16, 16), 100, 32, 1e-2, 0.0),
}
SGD_DEFAULT_LR = 0.1

# numpy's BLAS starts one thread per core. For these layer sizes the threads mostly wait for each
# other, and on a busy machine for the cores: 1 thread measured fastest on 2 cores, idle or busy
# (see README, "BLAS threads"). --threads overrides it.
DEFAULT_THREADS = 1

# A run refused before training when its weights, gradients and Adam state alone would take more
# than this share of the machine's memory (or of MEMORY_FALLBACK where that cannot be read).
MEMORY_SHARE = 0.8
MEMORY_FALLBACK = 16 * 2**30


class CommandError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what it left behind (for the one line the user sees)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (not the usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --- argument types: each rejects a bad value with a message naming it -----------------------

def _hidden(text: str) -> tuple[int, ...]:
    try:
        return T.parse_hidden(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The parser for all the subcommands."""
    parser = _Parser(prog="tinygrad-nn", description="Train, evaluate and check neural networks "
                     "built with tinygrad_nn.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    defaults = "; ".join(f"{name}: hidden {','.join(map(str, d[0])) or 'none'}, {d[1]} epochs, "
                         f"batch {d[2]}, adam lr {d[3]:g}, dropout {d[4]:g}"
                         for name, d in DATA_DEFAULTS.items())
    tr = commands.add_parser(
        "train", help="train an MLP classifier and write model.npz, metrics.json and plots",
        description="Train an MLP classifier with softmax cross-entropy. Settings left out take "
                    f"the data set's defaults ({defaults}; sgd lr {SGD_DEFAULT_LR:g}).")
    tr.add_argument("--data", choices=T.DATASETS, default="mnist",
                    help="the data set (default: mnist, 8,000 train / 2,000 test real digits)")
    tr.add_argument("--idx-dir", metavar="DIR",
                    help="with --data mnist: read the full 60,000 + 10,000 MNIST from the four IDX "
                         "files in DIR instead of the shipped 10,000 digits")
    tr.add_argument("--hidden", type=_hidden, metavar="SIZES",
                    help="hidden layer sizes, comma-separated, e.g. 128,64 ('none': no hidden layer)")
    tr.add_argument("--activation", choices=T.ACTIVATIONS, default="relu",
                    help="the hidden layers' activation (default: relu)")
    tr.add_argument("--epochs", type=_positive_int, help="passes over the training data")
    tr.add_argument("--batch-size", type=_positive_int, help="examples per gradient step")
    tr.add_argument("--optimizer", choices=T.OPTIMIZERS, default="adam", help="default: adam")
    tr.add_argument("--lr", type=_positive_float, help="learning rate")
    tr.add_argument("--momentum", type=_fraction, default=0.0, help="sgd momentum in [0, 1) (default: 0)")
    tr.add_argument("--weight-decay", type=_non_negative_float, default=0.0,
                    help="L2 penalty added to the gradient (default: 0)")
    tr.add_argument("--dropout", type=_fraction, help="dropout probability after each hidden layer")
    tr.add_argument("--seed", type=_int, default=0,
                    help="seeds the initial weights, dropout and batch order (default: 0); the "
                         "train/test split is always the same")
    tr.add_argument("--out", metavar="DIR",
                    help="output folder (default: a new runs/<date-time> folder)")
    tr.add_argument("--force", action="store_true",
                    help="overwrite the files of an earlier run in --out")
    tr.add_argument("--progress", choices=("auto", "tqdm", "plain", "none"), default="auto",
                    help="a tqdm bar per epoch, one line per epoch, or nothing (default: tqdm if "
                         "installed)")
    tr.add_argument("--threads", type=_positive_int, metavar="N",
                    help=f"BLAS threads for numpy's matrix products (default: {DEFAULT_THREADS}, "
                         "which measured fastest for these small layers on an idle and on a busy "
                         "machine; needs threadpoolctl, installed with the main extra)")
    tr.add_argument("--diagnostics", action="store_true",
                    help="watch the network's health: per layer and epoch, the fraction of dead "
                         "ReLU units, of saturated sigmoid/tanh units, the update/weight ratio and "
                         "the gradient norm; printed as a table, kept in metrics.json and drawn in "
                         "diagnostics.png")
    tr.add_argument("--compile", action="store_true",
                    help="trace the training step once and replay it (tinygrad_nn.compile): the "
                         "same results, less Python per step")
    tr.set_defaults(run=_train)

    pr = commands.add_parser("predict", help="evaluate a saved model on a data set's test part",
                             description="Evaluate a model.npz written by `tinygrad-nn train`; its "
                                         "architecture is stored with the weights.")
    pr.add_argument("--model", required=True, metavar="FILE", help="a model.npz written by train")
    pr.add_argument("--data", choices=T.DATASETS,
                    help="the data set (default: the one the model was trained on)")
    pr.add_argument("--idx-dir", metavar="DIR", help="with --data mnist: the full MNIST's IDX files")
    pr.set_defaults(run=_predict)

    gc = commands.add_parser("gradcheck", help="check every op's gradients against finite differences",
                             description="Run every row of the op catalogue through gradcheck, first "
                                         "and second order, and print a table. Exit status 1 if "
                                         "any row fails.")
    gc.add_argument("--examples", type=_positive_int, default=10,
                    help="hypothesis examples per op (default: 10)")
    gc.add_argument("--op", action="append", metavar="NAME",
                    help="check only this op (repeatable), e.g. --op exp --op matmul")
    gc.set_defaults(run=_gradcheck)

    gr = commands.add_parser(
        "graph", help="draw a small example's computation graph, with its gradients",
        description="Build a small example, run backward, and draw the graph that computed it: one "
                    "node per tensor (shape, values, gradient) and one per op. Without Graphviz it "
                    "writes the .dot text and says how to render it. --text and --explain print "
                    "the graph instead (and draw it too when --out is given).")
    gr.add_argument("--example", choices=EXAMPLES, default="mlp",
                    help="neuron: tanh(w·x + b); mlp: a 2-3-1 tanh MLP's MSE on XOR; "
                         "attention-free-toy: tokens mixed by a softmax over positions, a readout "
                         "and cross-entropy (default: mlp)")
    gr.add_argument("--out", metavar="FILE",
                    help=f"the picture to write, ending in {', '.join(GRAPH_FORMATS)} (default: "
                         "graph.svg, unless only --text or --explain is asked for)")
    gr.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    gr.add_argument("--text", action="store_true", help="print the graph as an indented tree")
    gr.add_argument("--explain", action="store_true",
                    help="print backward step by step: each op, its local derivative rule and the "
                         "gradient norms flowing in and out")
    gr.add_argument("--html", metavar="FILE",
                    help="write the explorer: one self-contained HTML page that steps through forward "
                         "and backward node by node with the numbers (open it by double-click)")
    gr.set_defaults(run=_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed as one line
        return int(e.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        with _blas_threads(getattr(args, "threads", None) or DEFAULT_THREADS):
            return int(args.run(args))
    except KeyboardInterrupt as e:
        detail = f"; {e}" if isinstance(e, Interrupted) else ""
        print(f"\n{parser.prog} {args.command}: interrupted{detail}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `tinygrad-nn train | head`: the reader has gone, so stop quietly as Unix tools do; stdout
        # is pointed at devnull so that Python's flush at exit does not complain again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except (CommandError, ValueError, TypeError, OSError, FloatingPointError) as e:
        if os.environ.get("TINYGRAD_NN_DEBUG"):
            raise
        message = " ".join(str(e).split())  # one line, whatever the exception's text held
        print(f"{parser.prog} {args.command}: error: {message}", file=sys.stderr)
        return EXIT_ERROR


@contextlib.contextmanager
def _blas_threads(n: int) -> Iterator[None]:
    """Limit numpy's BLAS to n threads while the command runs (nothing without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


# --- train --------------------------------------------------------------------------------------

def _train(args: argparse.Namespace) -> int:
    hidden, epochs, batch_size, adam_lr, dropout = DATA_DEFAULTS[args.data]
    hidden = args.hidden if args.hidden is not None else hidden
    epochs = args.epochs or epochs
    batch_size = args.batch_size or batch_size
    lr = args.lr or (adam_lr if args.optimizer == "adam" else SGD_DEFAULT_LR)
    dropout = args.dropout if args.dropout is not None else dropout
    if args.momentum and args.optimizer != "sgd":
        raise CommandError("--momentum applies to --optimizer sgd only (adam has its own momentum)")
    if args.idx_dir is not None and args.data != "mnist":
        raise CommandError("--idx-dir holds the full MNIST; use it with --data mnist")
    if args.activation == "maxout" and not hidden:
        raise CommandError("--activation maxout needs at least one hidden layer (--hidden)")

    data = T.load_data(args.data, args.idx_dir)  # first: a bad --idx-dir leaves no empty run folder
    _check_memory(T.Architecture(data.n_features, hidden, data.n_classes, args.activation, dropout),
                  batch_size, args.hidden is not None)
    if batch_size > len(data.y_train):
        print(f"note: --batch-size {batch_size:,} is more than the {len(data.y_train):,} training "
              f"examples, so each epoch is one full batch of {len(data.y_train):,}")
        batch_size = len(data.y_train)
    target = _output_folder(args.out, args.force)
    earlier = target.exists() and any(target.iterdir())
    try:
        with _staged_run(target) as staging:
            written = _train_into(staging, target, args, data, hidden, epochs, batch_size, lr, dropout)
    except KeyboardInterrupt:
        raise Interrupted(f"{str(target)!r} is as it was" if earlier else "no run was written") from None
    print(f"wrote {', '.join(written)} to {target}{os.sep}")   # only now: a broken pipe loses nothing
    print(f"evaluate it again: tinygrad-nn predict --model {target / 'model.npz'}")
    return 0


def _train_into(out: Path, target: Path, args: argparse.Namespace, data: T.Data,
                hidden: tuple[int, ...], epochs: int, batch_size: int, lr: float,
                dropout: float) -> list[str]:
    """Train and write the run's files into the staging folder `out` (`target` is where they will
    go); returns the names written."""
    skipped = _report_missing_extras(args.progress)
    T.seed_everything(args.seed)
    arch = T.Architecture(data.n_features, hidden, data.n_classes, args.activation, dropout)
    model = T.build_model(arch)
    optimizer = T.make_optimizer(model, args.optimizer, lr, args.momentum, args.weight_decay)
    settings = {"data": args.data, "idx_dir": args.idx_dir, "hidden": list(hidden),
                "activation": args.activation, "epochs": epochs, "batch_size": batch_size,
                "optimizer": args.optimizer, "lr": lr, "momentum": args.momentum,
                "weight_decay": args.weight_decay, "dropout": dropout, "seed": args.seed}

    sizes = "-".join(str(n) for n in (arch.n_inputs, *hidden, arch.n_classes))
    optim_text = f"{args.optimizer} lr {lr:g}" + (f" momentum {args.momentum:g}" if args.momentum else "")
    print(f"training a {sizes} {args.activation} MLP ({model.num_parameters():,} parameters) on "
          f"{args.data}: {len(data.y_train):,} train / {len(data.y_test):,} test examples, "
          f"{epochs} epochs of batch {batch_size}, {optim_text}", flush=True)

    start = time.perf_counter()
    progress = "plain" if args.progress == "tqdm" and "tqdm" in skipped else args.progress
    monitor = Monitor(model) if args.diagnostics else None
    # a diverging run overflows on its way to NaN: fit stops it with one clear line, so numpy's
    # warnings about it would only be noise
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        history = T.fit(model, optimizer, data, epochs, batch_size, seed=args.seed, progress=progress,
                        monitor=monitor, compile=args.compile)
    seconds = time.perf_counter() - start
    if monitor is not None:
        monitor.remove()   # evaluation below and the saved model need no hooks
        print(_diagnostics_table(monitor), flush=True)
    train_eval = T.evaluate(model, data.x_train, data.y_train)
    test_eval = T.evaluate(model, data.x_test, data.y_test)
    print(f"train accuracy {train_eval.accuracy:.2%}, test accuracy {test_eval.accuracy:.2%} "
          f"({len(data.y_test):,} held-out examples), {seconds:.1f} s", flush=True)

    written = []
    _write(out / "model.npz", target, lambda path: T.save_model(path, model, arch, args.data))
    written.append("model.npz")
    plots = _draw_plots(out, target, data, model, history, test_eval.predictions, f"{args.data}, "
                        f"{sizes} {args.activation}") if "matplotlib" not in skipped else []
    if monitor is not None and "matplotlib" not in skipped:
        from .viz.plots import plot_diagnostics
        _write(out / "diagnostics.png", target, lambda path: plot_diagnostics(
            monitor.history, path, f"{args.data}, {sizes} {args.activation}: layer health per epoch"))
        plots.append("diagnostics.png")
    written += plots
    metrics = {
        "settings": settings, "architecture": arch.to_dict(), "parameters": model.num_parameters(),
        "epochs": [vars(m) for m in history],
        "train_loss": train_eval.loss, "train_accuracy": train_eval.accuracy,
        "test_loss": test_eval.loss, "test_accuracy": test_eval.accuracy,
        "train_examples": len(data.y_train), "test_examples": len(data.y_test),
        "seconds": seconds, "plots": plots, "skipped": skipped,
    }
    if monitor is not None:
        metrics["diagnostics"] = [_finite_or_none(h.as_dict()) for h in monitor.history]
    text = json.dumps(metrics, indent=2) + "\n"
    _write(out / "metrics.json", target, lambda path: path.write_text(text, encoding="utf-8"))
    written.insert(1, "metrics.json")
    return written


def _diagnostics_table(monitor: Monitor) -> str:
    """The first and the last epoch's health, one row per layer: enough to see a trend without a
    table per epoch burying the progress lines (every epoch is in metrics.json and the plot)."""
    last = len(monitor.history)
    if last <= 2:
        heading, table = "layer health per epoch", monitor.table()
    else:
        first = monitor.table(epoch=1).splitlines()
        heading = f"layer health in epochs 1 and {last} (every epoch: metrics.json \"diagnostics\")"
        table = "\n".join(first + monitor.table(epoch=-1).splitlines()[2:])   # one header
    return f"{heading}:\n{table}"


def _finite_or_none(value: Any) -> Any:
    """JSON has no inf or nan: an update ratio of a weight that was all zeros becomes null."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _output_folder(out: str | None, force: bool) -> Path:
    """Where the run will go, checked (but not yet made) before any training time is spent."""
    if out is None:
        base = Path("runs") / time.strftime("%Y%m%d-%H%M%S")
        folder, n = base, 1
        while folder.exists():  # two runs in the same second each get a folder of their own
            folder = base.with_name(f"{base.name}-{n}")
            n += 1
        return folder
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"--out {str(folder)!r} is a file, not a folder")
    earlier = [name for name in OUTPUT_FILES if (folder / name).exists()]
    if earlier and not force:
        raise CommandError(f"{str(folder)!r} already holds {', '.join(earlier)} from an earlier "
                           "run; pass --force to overwrite, or choose another --out")
    return folder


@contextlib.contextmanager
def _staged_run(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target` that the run is written into. Only when the block has
    finished is it moved into place (replacing an earlier run's files then); if the block fails
    or is interrupted, it is removed. So `target` is always the complete new run, the untouched
    earlier run, or absent."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():   # its files will be replaced: check now that we may
            with tempfile.TemporaryFile(dir=target):
                pass
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    except OSError as e:
        reason = e.strerror or str(e)
        raise CommandError(f"cannot write to the output folder {str(target)!r}: {reason}") from None
    try:
        yield staging
        with _interrupts_deferred():
            _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path) -> None:
    """Make `target` hold exactly the run in `staging`: a rename of the whole folder when there
    is no target yet; otherwise the earlier run's files are set aside, the new ones moved in, and
    on any failure the earlier files put back. Only renames: nothing here needs disk space."""
    staging.chmod(0o777 & ~_umask())   # mkdtemp made it private; a run folder is an ordinary one
    if not target.exists():
        _rename(staging, target, f"cannot move the finished run into {str(target)!r}")
        return
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.earlier-"))
    earlier = [name for name in OUTPUT_FILES if (target / name).exists()]
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in earlier:
            _rename(target / name, aside / name, f"cannot set aside the earlier run's {name} in "
                    f"{str(target)!r}")
            moved_aside.append(name)
        for child in sorted(staging.iterdir()):
            _rename(child, target / child.name, f"cannot move the finished run's {child.name} "
                    f"into {str(target)!r}")
            moved_in.append(child.name)
    except BaseException:
        for name in moved_in:
            (target / name).unlink(missing_ok=True)
        for name in moved_aside:
            os.replace(aside / name, target / name)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _rename(src: Path, dst: Path, failure: str) -> None:
    try:
        os.replace(src, dst)
    except OSError as e:
        raise CommandError(f"{failure}: {e.strerror or e}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(path: Path, target: Path, write: Any) -> None:
    """Run `write(path)` for one file of the run, with Ctrl-C held until it has finished (an
    interrupt inside matplotlib surfaced as "Invalid affine transformation matrix"), and an I/O
    error reported naming the file, as it will be called in `target`."""
    try:
        with _interrupts_deferred():
            write(path)
    except OSError as e:
        raise CommandError(f"cannot write {str(target / path.name)!r}: {e.strerror or e}; the run "
                           "was not saved") from None


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block and raise it (KeyboardInterrupt) at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _check_memory(arch: T.Architecture, batch_size: int, asked: bool) -> None:
    """Refuse, before allocating anything, a network whose training cannot fit in memory."""
    need = T.training_bytes(arch, batch_size)
    have, what = _memory_available()
    if need <= MEMORY_SHARE * have:
        return
    sizes = "-".join(str(n) for n in (arch.n_inputs, *arch.hidden, arch.n_classes))
    flag = f"--hidden {','.join(map(str, arch.hidden))} makes" if asked else "the settings make"
    raise CommandError(f"{flag} a {sizes} MLP with {T.parameter_count(arch):,} parameters, which "
                       f"needs at least {_gib(need)} to train (weights, gradients and Adam's state), "
                       f"but {what} is {_gib(have)}; choose smaller layers")


def _memory_available() -> tuple[int, str]:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "the memory available"
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "this machine's memory"
    except (AttributeError, ValueError, OSError):
        return MEMORY_FALLBACK, "the assumed limit"


def _gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB"


def _report_missing_extras(progress: str) -> list[str]:
    """Say which optional extras are missing and what is skipped without them."""
    from .viz import plots
    skipped = []
    hint = "(pip install \"tinygrad_nn[main]\")"
    if progress in ("auto", "tqdm") and not T.tqdm_available():
        skipped.append("tqdm")
        print(f"note: tqdm is not installed, so progress is one line per epoch {hint}")
    if not plots.available():
        skipped.append("matplotlib")
        print(f"note: matplotlib is not installed, so no plots will be drawn {hint}")
    return skipped


def _draw_plots(out: Path, target: Path, data: T.Data, model: Any, history: list[T.EpochMetrics],
                test_predictions: Any, title: str) -> list[str]:
    from .viz import plots
    _write(out / "curves.png", target, lambda path: plots.plot_training_curves(history, path, title))
    names = ["curves.png"]
    if data.image_shape is not None:
        images = data.x_test.reshape(-1, *data.image_shape)  # (N, H, W)
        _write(out / "misclassified.png", target, lambda path: plots.plot_misclassified(
            images, data.y_test, test_predictions, path, title=title))
        names.append("misclassified.png")
    elif data.n_features == 2:
        def predict(points: Any) -> Any:
            labels = np.zeros(len(points), np.int64)  # unused: only the predictions are wanted
            return T.evaluate(model, points, labels, batch_size=len(points)).predictions
        _write(out / "decision_regions.png", target, lambda path: plots.plot_decision_regions(
            predict, data.x_train, data.y_train, path, title, x_test=data.x_test, y_test=data.y_test))
        names.append("decision_regions.png")
    return names


# --- predict ------------------------------------------------------------------------------------

def _predict(args: argparse.Namespace) -> int:
    model, arch, trained_on = T.load_model(args.model)
    name = args.data or trained_on
    if name not in T.DATASETS:
        raise CommandError("the model does not say which data set it was trained on; pass --data")
    data = T.load_data(name, args.idx_dir)
    if data.n_features != arch.n_inputs or data.n_classes > arch.n_classes:
        raise CommandError(f"the model takes {arch.n_inputs} inputs and {arch.n_classes} classes, but "
                           f"{name} has {data.n_features} features and {data.n_classes} classes "
                           f"(the model was trained on {trained_on or 'another data set'})")
    sizes = "-".join(str(n) for n in (arch.n_inputs, *arch.hidden, arch.n_classes))
    result = T.evaluate(model, data.x_test, data.y_test)
    print(f"{args.model}: a {sizes} {arch.activation} MLP trained on {trained_on}")
    print(f"test accuracy on {name}: {result.accuracy:.2%} of {len(data.y_test):,} held-out "
          f"examples (loss {result.loss:.4f})")
    return 0


# --- gradcheck ----------------------------------------------------------------------------------

def _gradcheck(args: argparse.Namespace) -> int:
    try:
        from .testing.catalogue_report import format_table, run_catalogue
    except ImportError as e:
        raise CommandError(f"the catalogue report is not available in this install ({e})") from None
    results = run_catalogue(max_examples=args.examples, ops=args.op)
    print(format_table(results))
    return 0 if all(r.ok for r in results) else EXIT_ERROR


# --- graph --------------------------------------------------------------------------------------

def _graph(args: argparse.Namespace) -> int:
    out = args.out
    if out is None and not (args.text or args.explain or args.html):
        out = "graph.svg"
    target = _graph_target(out, args.force) if out is not None else None  # checked before any work
    loss = graph_example(args.example)
    if args.text:
        print_graph(loss)
    if args.explain:
        if args.text:
            print()
        explain_backward(loss)
    if target is not None:
        _draw_graph(loss, target, args.force)
    if args.html:
        _write_explorer(loss, Path(args.html).expanduser(), args.force)
    return 0


def _write_explorer(loss: Any, path: Path, force: bool) -> None:
    from .viz import explore
    if path.exists() and not force:
        raise CommandError(f"{str(path)!r} exists already; pass --force to overwrite it")
    try:
        explore(loss, path)
    except OSError as e:
        raise CommandError(f"cannot write {str(path)!r}: {e.strerror or e}") from None
    print(f"wrote {path} (open it in a browser: no network or server needed)")


def _graph_target(out: str, force: bool) -> Path:
    path = Path(out).expanduser()
    if path.is_dir():
        raise CommandError(f"--out {out!r} is a folder, not a file")
    if path.suffix.lower() not in GRAPH_FORMATS:
        raise CommandError(f"--out {out!r} should end in {', '.join(GRAPH_FORMATS)}, which names "
                           "the picture's format")
    if path.exists() and not force:
        raise CommandError(f"{out!r} exists already; pass --force to overwrite it, or choose another --out")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CommandError(f"cannot write {out!r}: {e.strerror or e}") from None
    return path


def _draw_graph(loss: Any, path: Path, force: bool) -> None:
    """draw() into a scratch folder beside `path`, then move what it made into place: without
    Graphviz that is graph.dot rather than graph.svg, a name known only once draw has run."""
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".graph-") as scratch:
            with contextlib.redirect_stdout(io.StringIO()):   # its hint names the scratch folder
                made = draw(loss, Path(scratch) / path.name)
            final = path.with_name(made.name)
            if final != path and final.exists() and not force:
                raise CommandError(f"{str(final)!r} exists already (Graphviz is not installed, so "
                                   "the graph is written as DOT text); pass --force to overwrite it")
            os.replace(made, final)
    except (OSError, RuntimeError) as e:   # RuntimeError: Graphviz's dot failed
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise CommandError(f"cannot write {str(path)!r}: {reason}") from None
    print(f"wrote {final}")
    if final != path:
        fmt = path.suffix.lstrip(".").lower()
        print(f"Graphviz is not installed, so that is the graph as DOT text. Render it with:\n"
              f"  dot -T{fmt} {final} -o {path}\n"
              "(install Graphviz: `pip install graphviz` plus the program, e.g. "
              "`apt install graphviz` or `brew install graphviz`)")
