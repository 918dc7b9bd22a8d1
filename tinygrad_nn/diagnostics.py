"""Watch a network's health while it trains: dead ReLUs, saturated sigmoids and tanhs, the size of
each update relative to its weights, and gradient norms, per layer and per epoch.

The course notes' advice, as a tool: a ReLU unit that is never active on a whole epoch's data
gets no gradient and will not recover ("dead"); a sigmoid or tanh unit in its flat tails passes
almost no gradient ("saturated"); updates much larger than about 1e-3 of the weights' size
suggest a learning rate that is too high, much smaller ones one that is too low.

    monitor = Monitor(model)
    for epoch in range(epochs):
        for x, y in loader:
            loss = loss_fn(model(x), y)       # activations are recorded by forward hooks
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            monitor.step()                    # after optimizer.step(), before the next zero_grad
        monitor.end_epoch()
    print(monitor.table())
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .nn.activations import ReLU, Sigmoid, Tanh
from .nn.module import Module, RemovableHandle
from ._tensor import Tensor


@dataclass
class EpochHealth:
    """One epoch's numbers, each a dict keyed by module or parameter name.

    - dead[m]: fraction of ReLU m's units (last axis) that were 0 for every training sample.
    - saturated[m]: fraction of sigmoid/tanh m's outputs (over samples and units) in a flat
      tail: |tanh| > threshold, or |2 sigmoid - 1| > threshold (the same region of x / 2).
    - grad_norm[p]: mean over the epoch's steps of |p.grad| (L2 norm).
    - update_ratio[p]: mean over the steps of |Δp| / |p|, the update's size next to the weight's.
    """
    epoch: int
    dead: dict[str, float] = field(default_factory=dict)
    saturated: dict[str, float] = field(default_factory=dict)
    grad_norm: dict[str, float] = field(default_factory=dict)
    update_ratio: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts and floats, e.g. for metrics.json or a plot."""
        return asdict(self)


class _ActivationStats:
    """What one activation module's outputs did during the current epoch."""

    def __init__(self, kind: str) -> None:
        self.kind = kind                       # 'relu', 'sigmoid' or 'tanh'
        self.ever_active: np.ndarray | None = None   # (units,) for ReLU
        self.in_tail = 0
        self.outputs = 0

    def reset(self) -> None:
        self.ever_active = None
        self.in_tail = self.outputs = 0


class Monitor:
    """Record a model's health per epoch: dead ReLUs, saturated sigmoid/tanh units, update/weight
    ratios and gradient norms (see the module docstring for the training loop).

    `Monitor(model, saturation=0.97)` hooks every ReLU, Sigmoid and Tanh module of `model`
    (activations applied as functions inside a forward are not seen). Outputs are recorded only
    while the model is in training mode, so evaluation passes do not count as the epoch's data.
    Call `step()` after each optimizer step, `end_epoch()` at the end of each epoch, `table()`
    to print; `history` holds one EpochHealth per epoch. `remove()` (or leaving a `with Monitor(...)`
    block) takes the hooks off.

    Example::

        >>> from tinygrad_nn import nn, randn
        >>> model = nn.MLP([3, 8, 1])
        >>> monitor = Monitor(model)
        >>> _ = model(randn(16, 3))
        >>> health = monitor.end_epoch()
        >>> sorted(health.dead)                  # one ReLU, between the two layers
        ['activations.0']
    """

    def __init__(self, model: Module, saturation: float = 0.97) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Monitor: expected a Module, got {type(model).__name__}")
        if not 0.0 < saturation < 1.0:
            raise ValueError(f"Monitor: saturation must be between 0 and 1, got {saturation}")
        self.model = model
        self.saturation = saturation
        self.history: list[EpochHealth] = []
        self._stats: dict[str, _ActivationStats] = {}
        self._handles: list[RemovableHandle] = []
        kinds = {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}
        for name, module in model.named_modules():
            kind = kinds.get(type(module))
            if kind is None:
                continue
            stats = _ActivationStats(kind)
            self._stats[name or type(module).__name__.lower()] = stats
            self._handles.append(module.register_forward_hook(self._recorder(stats)))
        self._params = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self._before = {name: p._data.copy() for name, p in self._params}
        self._grad_norms: dict[str, list[float]] = {name: [] for name, _ in self._params}
        self._ratios: dict[str, list[float]] = {name: [] for name, _ in self._params}

    # --- recording --------------------------------------------------------------------------------
    def _recorder(self, stats: _ActivationStats) -> Any:
        def record(module: Module, args: tuple, out: Any) -> None:
            if module.training and isinstance(out, Tensor):
                self._record(stats, out._data)
        return record

    def _record(self, stats: _ActivationStats, out: np.ndarray) -> None:
        if stats.kind == "relu":
            units = out.shape[-1] if out.ndim else 1
            active = np.asarray((out.reshape(-1, units) > 0).any(axis=0))   # (samples, units) -> (units,)
            if stats.ever_active is None or stats.ever_active.shape != active.shape:
                stats.ever_active = active
            else:
                stats.ever_active |= active
        else:
            centred = np.abs(out) if stats.kind == "tanh" else np.abs(2 * out - 1)
            stats.in_tail += int(np.count_nonzero(centred > self.saturation))
        stats.outputs += out.size

    def step(self) -> None:
        """Record each parameter's gradient norm and its update since the last step.

        Call it after optimizer.step() (the weights have moved) and before the next zero_grad()
        (the gradient that moved them is still in .grad).
        """
        for name, p in self._params:
            if p.grad is not None:
                self._grad_norms[name].append(float(np.linalg.norm(p.grad._data.astype(np.float64))))
            before = self._before[name]
            if before.shape != p._data.shape:   # the parameter was replaced: start afresh
                self._before[name] = p._data.copy()
                continue
            update = np.linalg.norm((p._data - before).astype(np.float64))
            size = np.linalg.norm(before.astype(np.float64))
            self._ratios[name].append(float(update / size) if size > 0 else float("inf"))
            np.copyto(before, p._data)

    def end_epoch(self) -> EpochHealth:
        """Close the epoch: compute its numbers, add them to `history`, and start counting anew."""
        health = EpochHealth(epoch=len(self.history) + 1)
        for name, stats in self._stats.items():
            if stats.outputs == 0:
                continue   # the module did not run in training mode this epoch
            if stats.kind == "relu":
                assert stats.ever_active is not None
                health.dead[name] = float(1.0 - stats.ever_active.mean())
            else:
                health.saturated[name] = stats.in_tail / stats.outputs
            stats.reset()
        for name, _ in self._params:
            if self._grad_norms[name]:
                health.grad_norm[name] = float(np.mean(self._grad_norms[name]))
            if self._ratios[name]:
                health.update_ratio[name] = float(np.mean(self._ratios[name]))
            self._grad_norms[name] = []
            self._ratios[name] = []
        self.history.append(health)
        return health

    # --- reporting --------------------------------------------------------------------------------
    def table(self, epoch: int | None = None) -> str:
        """A compact text table: one row per layer (activation module or parameter) and epoch.

        `epoch` (1-based; -1 for the latest) picks one epoch; by default every recorded epoch
        is shown. A dash means the number does not apply (no ReLU there) or was not recorded.
        """
        if epoch is None:
            rows = self.history
        else:
            if not self.history:
                raise ValueError("Monitor.table: no epoch recorded yet; call end_epoch() first")
            index = epoch if epoch < 0 else epoch - 1
            if not -len(self.history) <= index < len(self.history):
                raise ValueError(f"Monitor.table: epoch {epoch} was not recorded (have 1.."
                                 f"{len(self.history)})")
            rows = [self.history[index]]
        names = list(self._stats) + [name for name, _ in self._params]
        width = max([len("layer")] + [len(n) for n in names])
        head = (f"{'epoch':>5}  {'layer':<{width}}  {'dead':>6}  {'saturated':>9}  {'|grad|':>9}  "
                f"{'|update|/|w|':>12}")
        lines = [head, "-" * len(head)]
        for h in rows:
            for name in names:
                values = (h.dead.get(name), h.saturated.get(name), h.grad_norm.get(name),
                          h.update_ratio.get(name))
                if all(v is None for v in values):
                    continue
                dead, saturated, grad_norm, ratio = values
                lines.append(f"{h.epoch:>5}  {name:<{width}}  {_percent(dead):>6}  "
                             f"{_percent(saturated):>9}  {_number(grad_norm):>9}  {_number(ratio):>12}")
        return "\n".join(lines)

    def remove(self) -> None:
        """Take the forward hooks off the model (recorded history is kept)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


__all__ = ["Monitor", "EpochHealth"]
