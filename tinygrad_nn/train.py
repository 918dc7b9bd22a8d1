"""Training an MLP classifier from a few settings: the engine behind `tinygrad-nn train`.

The pieces are usable on their own:
    load_data(name)                   a named data set, split into train and test parts
    Architecture / build_model(arch)  the network, described by plain values that a checkpoint can hold
    make_optimizer(...)               SGD or Adam over the model's parameters
    fit(...)                          the epoch loop, with a progress bar (tqdm) or one line per epoch
    evaluate(model, x, y)             loss, accuracy and predictions, without recording a graph
    save_model / load_model           model.npz: the architecture stored beside the weights

Example::

    >>> data = load_data("xor")
    >>> arch = Architecture(data.n_features, (16,), data.n_classes, "tanh")
    >>> model = build_model(arch)
    >>> history = fit(model, make_optimizer(model, "adam", lr=0.05), data, epochs=2,
    ...               batch_size=32, seed=0, progress="none")
    >>> len(history)
    2
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from . import creation
from .datasets import (DataLoader, circles, load_digits, load_mnist, load_mnist_idx, moons, spiral,
                       stratified_split, xor)
from .diagnostics import Monitor
from .function import no_grad
from .nn import functional as F
from .nn.layers import Dropout, Linear, Maxout
from .nn.mlp import MLP
from .nn.module import Module, Sequential
from .optim import SGD, Adam, Optimizer
from .serialization import load, save
from ._tensor import Tensor

DATASETS = ("mnist", "digits", "spiral", "moons", "circles", "xor")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "maxout")
OPTIMIZERS = ("sgd", "adam")

# The data never depends on --seed: the held-out part stays the same images in every run, so
# test accuracies of different runs (and `predict` on a saved model) are comparable.
DATA_SEED = 0
MODEL_FORMAT = "tinygrad_nn.train.model"
MODEL_VERSION = 1

# An epoch whose mean loss is this many times the first batch's has diverged, even if it stayed
# finite: at --lr 1000 the loss sits near 1e9 while the accuracy is at chance.
DIVERGED_FACTOR = 10


@dataclass(frozen=True)
class Data:
    """A classification data set split into train and test parts.

    x_* are float32 (N, n_features); y_* int64 (N,) in 0..n_classes-1. `image_shape` is the
    (height, width) of one example for image data, None for 2-D points.
    """
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])


def load_data(name: str, idx_dir: str | os.PathLike | None = None) -> Data:
    """The data set `name` (one of DATASETS), split with a fixed seed.

    mnist: 8,000 train / 2,000 test real 28x28 digits shipped with the package, or, with
    `idx_dir`, the full 60,000 / 10,000 MNIST read from the four IDX files in that folder;
    digits: 1,438 / 359 real 8x8 digits; spiral (3 arms, 300 points), moons, circles, xor
    (400 points each): generated 2-D points, a quarter held out.
    """
    if idx_dir is not None:
        if name != "mnist":
            raise ValueError(f"an IDX folder holds the full MNIST; it cannot be used with data set {name!r}")
        split = load_mnist_idx(idx_dir)
        return Data(name, *split, n_classes=10, image_shape=(28, 28))
    if name == "mnist":
        split = load_mnist(test_size=2000, seed=DATA_SEED)
        return Data(name, *split, n_classes=10, image_shape=(28, 28))
    if name == "digits":
        split = load_digits(test_size=0.2, seed=DATA_SEED)
        return Data(name, *split, n_classes=10, image_shape=(8, 8))
    generators: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
        "spiral": lambda: spiral(n_per_class=100, n_classes=3, noise=0.2, seed=DATA_SEED),
        "moons": lambda: moons(n=400, noise=0.15, seed=DATA_SEED),
        "circles": lambda: circles(n=400, noise=0.08, factor=0.5, seed=DATA_SEED),
        "xor": lambda: xor(n=400, noise=0.05, seed=DATA_SEED),
    }
    if name not in generators:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    x, y = generators[name]()
    split = stratified_split(x, y, test_size=0.25, seed=DATA_SEED, where=f"load_data({name!r})")
    return Data(name, *split, n_classes=int(y.max()) + 1, image_shape=None)


@dataclass(frozen=True)
class Architecture:
    """Everything needed to rebuild a model before loading its weights.

    n_inputs -> hidden[0] -> ... -> hidden[-1] -> n_classes, with `activation` after each hidden
    layer and Dropout(dropout) after that when dropout > 0. 'maxout' replaces each hidden Linear
    and its activation by a Maxout layer of `maxout_pieces` pieces.
    """
    n_inputs: int
    hidden: tuple[int, ...]
    n_classes: int
    activation: str = "relu"
    dropout: float = 0.0
    maxout_pieces: int = 2

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Architecture:
        return cls(n_inputs=int(d["n_inputs"]), hidden=tuple(int(h) for h in d["hidden"]),
                   n_classes=int(d["n_classes"]), activation=str(d["activation"]),
                   dropout=float(d["dropout"]), maxout_pieces=int(d["maxout_pieces"]))


def build_model(arch: Architecture) -> Module:
    """A fresh, randomly initialised network for `arch` (seed it with manual_seed first).

    Shapes: x (N, n_inputs) -> logits (N, n_classes).
    """
    if arch.activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {arch.activation!r}; expected one of {', '.join(ACTIVATIONS)}")
    sizes = [arch.n_inputs, *arch.hidden, arch.n_classes]
    if arch.activation != "maxout":
        return MLP(sizes, activation=arch.activation, dropout=arch.dropout)
    layers: list[Module] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Maxout(n_in, n_out, pieces=arch.maxout_pieces))
        if arch.dropout > 0:
            layers.append(Dropout(arch.dropout))
    layers.append(Linear(sizes[-2], sizes[-1]))
    return Sequential(*layers)


def make_optimizer(model: Module, name: str, lr: float, momentum: float = 0.0,
                   weight_decay: float = 0.0) -> Optimizer:
    """SGD (with optional momentum) or Adam over `model`'s parameters; weight_decay is L2."""
    if name == "sgd":
        return SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        if momentum:
            raise ValueError("momentum applies to sgd only (adam has its own betas)")
        return Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}")


@dataclass
class EpochMetrics:
    """One epoch's numbers. train_* are averaged over the epoch's batches (in training mode,
    so with dropout active); test_* are measured after the epoch in evaluation mode."""
    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    examples_per_second: float


@dataclass
class Evaluation:
    loss: float
    accuracy: float
    predictions: np.ndarray = field(repr=False)


def evaluate(model: Module, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> Evaluation:
    """Mean cross-entropy, accuracy and predicted classes (N,) of `model` on (x, y), in eval mode.

    The model's training/eval mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    total_loss, predictions = 0.0, []
    try:
        with no_grad():
            for xb, yb in DataLoader(x, y, batch_size=batch_size):
                logits = model(Tensor(xb))  # (B, n_classes)
                total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
                predictions.append(logits.numpy().argmax(axis=1))
    finally:
        model.train(was_training)
    pred = np.concatenate(predictions) if predictions else np.zeros(0, np.int64)
    n = max(len(y), 1)
    return Evaluation(total_loss / n, float((pred == y).mean()) if len(y) else 0.0, pred)


def fit(model: Module, optimizer: Optimizer, data: Data, epochs: int, batch_size: int,
        seed: int | None = 0, progress: str = "auto",
        on_epoch: Callable[[EpochMetrics], None] | None = None,
        monitor: Monitor | None = None, compile: bool = False) -> list[EpochMetrics]:
    """Train `model` with softmax cross-entropy on data.x_train for `epochs` passes.

    Batches are reshuffled each epoch from `seed`. `progress` is 'tqdm' (a bar per epoch on
    stderr) then a summary line, 'plain' (summary lines only, on stdout), 'none', or 'auto'
    (tqdm if installed and stderr is a terminal, else plain). Returns the metrics of every
    epoch; `on_epoch` sees each as it is made. A `diagnostics.Monitor(model)` passed as
    `monitor` is stepped after every optimizer step and closes an epoch after each pass, so
    its `history` holds one EpochHealth per epoch. With `compile=True` the training step
    (zero_grad, forward, loss, backward, step) runs through tinygrad_nn.compile: the same
    numbers, replayed without the per-op Python.
    """
    if epochs < 1:
        raise ValueError(f"fit: epochs must be at least 1, got {epochs}")
    if progress == "auto":
        # a bar redrawn with carriage returns only makes sense on a terminal, not in a log file
        progress = "tqdm" if tqdm_available() and sys.stderr.isatty() else "plain"
    if compile and monitor is not None:
        raise ValueError("fit: compile=True cannot be combined with a diagnostics monitor, whose "
                         "hooks read every step's activations in Python")
    step = _training_step(model, optimizer)
    if compile:
        from .compile import compile as compile_step
        step = compile_step(step)
    loader = DataLoader(data.x_train, data.y_train, batch_size=batch_size, shuffle=True, seed=seed)
    history: list[EpochMetrics] = []
    first_loss = None
    for epoch in range(1, epochs + 1):
        bar = _EpochBar(progress, epoch, epochs, len(data.x_train))
        model.train()
        start = time.perf_counter()
        loss_sum, correct, seen = 0.0, 0, 0
        for xb, yb in loader:
            loss, logits = step(xb, yb)
            if monitor is not None:
                monitor.step()
            batch_loss = loss.item()
            if not np.isfinite(batch_loss):
                bar.close()
                raise FloatingPointError(f"training diverged in epoch {epoch}: the loss became "
                                         f"{batch_loss}; try a smaller --lr")
            if first_loss is None:
                first_loss = batch_loss
            loss_sum += batch_loss * len(yb)
            correct += int((logits.numpy().argmax(axis=1) == yb).sum())
            seen += len(yb)
            bar.update(len(yb), loss_sum / seen, correct / seen)
        seconds = time.perf_counter() - start
        if monitor is not None:
            monitor.end_epoch()   # before evaluate, whose eval-mode passes it would ignore anyway
        test = evaluate(model, data.x_test, data.y_test)
        metrics = EpochMetrics(epoch, loss_sum / seen, correct / seen, test.loss, test.accuracy,
                               seconds, seen / seconds)
        bar.finish(metrics)
        if first_loss is not None and metrics.train_loss > DIVERGED_FACTOR * max(first_loss, 1e-3):
            raise FloatingPointError(f"training diverged in epoch {epoch}: the mean loss was "
                                     f"{metrics.train_loss:.4g}, more than {DIVERGED_FACTOR} times the "
                                     f"first batch's {first_loss:.4g}; lower the learning rate (--lr)")
        history.append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
    return history


def _training_step(model: Module, optimizer: Optimizer) -> Callable[[np.ndarray, np.ndarray], Any]:
    def step(xb: np.ndarray, yb: np.ndarray) -> tuple[Tensor, Tensor]:
        optimizer.zero_grad()
        logits = model(Tensor(xb))  # (B, n_classes)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        return loss, logits
    return step


def tqdm_available() -> bool:
    """Whether the optional progress-bar package tqdm can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


class _EpochBar:
    """The progress display of one epoch: a tqdm bar while it runs (on stderr), then a summary
    line on stdout; with kind='none', nothing. Long runs print about 20 summary lines in all."""

    def __init__(self, kind: str, epoch: int, epochs: int, total: int) -> None:
        if kind not in ("tqdm", "plain", "none"):
            raise ValueError(f"fit: progress must be 'auto', 'tqdm', 'plain' or 'none', got {kind!r}")
        self.kind = kind
        self.label = f"epoch {epoch:>{len(str(epochs))}}/{epochs}"
        every = max(1, math.ceil(epochs / 20))
        self.report = epoch == 1 or epoch == epochs or epoch % every == 0
        self.bar = None
        if kind == "tqdm":
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=self.label, unit="ex", unit_scale=True, leave=False,
                            dynamic_ncols=True, file=sys.stderr)

    def update(self, n: int, loss: float, accuracy: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"loss {loss:.4f}, acc {accuracy:.1%}", refresh=False)
            self.bar.update(n)

    def finish(self, m: EpochMetrics) -> None:
        self.close()
        if self.kind != "none" and self.report:
            print(f"{self.label}  loss {m.train_loss:.4f}  acc {m.train_accuracy:6.1%}  "
                  f"test acc {m.test_accuracy:6.1%}  {m.examples_per_second:9,.0f} examples/s  "
                  f"{m.seconds:5.1f} s", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def save_model(path: str | os.PathLike, model: Module, arch: Architecture, data_name: str) -> None:
    """Write model.npz: the architecture and the data set's name beside the weights (no pickle)."""
    save({"format": MODEL_FORMAT, "version": MODEL_VERSION, "architecture": arch.to_dict(),
          "data": data_name, "state_dict": model.state_dict()}, path)


def load_model(path: str | os.PathLike) -> tuple[Module, Architecture, str]:
    """Rebuild a model saved by save_model: (model in eval mode, its architecture, data set name).

    A missing file raises FileNotFoundError; anything else wrong with it raises ValueError
    naming the file.
    """
    ckpt = load(path)  # FileNotFoundError / ValueError name the path already
    where = os.fspath(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != MODEL_FORMAT:
        raise ValueError(f"{where!r} is a tinygrad_nn checkpoint but not a model saved by "
                         "`tinygrad-nn train` (no architecture stored in it)")
    if ckpt.get("version") != MODEL_VERSION:
        raise ValueError(f"{where!r} has model format version {ckpt.get('version')!r}; this "
                         f"tinygrad_nn reads version {MODEL_VERSION}")
    try:
        arch = Architecture.from_dict(ckpt["architecture"])
        _check_architecture(arch, ckpt["state_dict"])   # before building: it may be absurd
        model = build_model(arch)
        model.load_state_dict(ckpt["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise ValueError(f"{where!r} holds a damaged model: {e}") from None
    model.eval()
    return model, arch, str(ckpt.get("data", ""))


def parameter_count(arch: Architecture) -> int:
    """How many numbers the network for `arch` holds, computed without building it."""
    sizes = [arch.n_inputs, *arch.hidden, arch.n_classes]
    pieces = [arch.maxout_pieces if arch.activation == "maxout" else 1] * len(arch.hidden) + [1]
    return sum(k * (n_in + 1) * n_out for k, n_in, n_out in zip(pieces, sizes[:-1], sizes[1:]))


def training_bytes(arch: Architecture, batch_size: int = 0, dtype: Any = np.float32) -> int:
    """A lower bound on the memory training `arch` takes: weights, gradients and two Adam moments
    per parameter, plus a few (batch, width) activations per layer."""
    itemsize = np.dtype(dtype).itemsize
    widths = sum((arch.n_inputs, *arch.hidden, arch.n_classes))
    return (4 * parameter_count(arch) + 4 * batch_size * widths) * itemsize


def _check_architecture(arch: Architecture, state_dict: Any) -> None:
    """Refuse a stored architecture that is impossible, or that disagrees with the weights stored
    beside it (whose size the file bounds), before any memory is spent building it."""
    for name, value in (("n_inputs", arch.n_inputs), ("n_classes", arch.n_classes),
                        ("maxout_pieces", arch.maxout_pieces), *(("hidden", h) for h in arch.hidden)):
        if value < 1:
            raise ValueError(f"architecture {name} is {value}; sizes must be at least 1")
    if not 0 <= arch.dropout < 1:
        raise ValueError(f"architecture dropout is {arch.dropout}; it must be in [0, 1)")
    if not isinstance(state_dict, dict):
        raise ValueError("no state dict stored beside the architecture")
    stored = sum(int(np.prod(np.shape(v))) for v in state_dict.values())
    wanted = parameter_count(arch)
    # a small mismatch is left to load_state_dict, which names the parameter; a large one would
    # allocate far more than the file holds before that
    if wanted > max(2 * stored, 10**6):
        raise ValueError(f"its architecture (hidden {list(arch.hidden)}) has {wanted:,} parameters, "
                         f"but the file stores {stored:,}")


def parse_hidden(text: str) -> tuple[int, ...]:
    """'128,64' -> (128, 64); '' or 'none' -> () (no hidden layer: a linear classifier)."""
    if text.strip().lower() in ("", "none"):
        return ()
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"hidden layer sizes must be positive integers separated by commas "
                             f"(like 128,64), got {text!r}")
        sizes.append(int(part))
    return tuple(sizes)


def seed_everything(seed: int) -> None:
    """Seed weight initialisation and dropout masks (the batch order takes `seed` in fit)."""
    creation.manual_seed(seed)


__all__ = [
    "DATASETS", "ACTIVATIONS", "OPTIMIZERS", "Data", "load_data", "Architecture", "build_model",
    "make_optimizer", "EpochMetrics", "Evaluation", "evaluate", "fit", "tqdm_available",
    "save_model", "load_model", "parse_hidden", "seed_everything", "parameter_count", "training_bytes",
]
