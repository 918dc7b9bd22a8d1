"""PNG plots of a training run: loss/accuracy curves, misclassified digits, decision regions,
layer health (diagnostics).

Needs matplotlib (`pip install "tinygrad_nn[main]"`); check `available()` first. Figures are
built with `matplotlib.figure.Figure` and saved through the Agg canvas directly, never through
pyplot, so drawing a plot changes no global matplotlib state and needs no display.

Example::

    from tinygrad_nn.viz import plots
    if plots.available():
        plots.plot_training_curves(history, "runs/x/curves.png")
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

PathLike = str | os.PathLike


def available() -> bool:
    """Whether matplotlib can be imported (the plots are skipped without it)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _field(row: Any, name: str) -> float:
    return float(row[name] if isinstance(row, dict) else getattr(row, name))


def plot_training_curves(history: Sequence[Any], path: PathLike, title: str = "") -> None:
    """Loss (left) and accuracy (right) per epoch, train and test, saved as a PNG at `path`.

    `history` holds one entry per epoch with train_loss, test_loss, train_accuracy and
    test_accuracy, as attributes (train.EpochMetrics) or dict keys (metrics.json's "epochs").
    """
    epochs = [int(_field(r, "epoch")) for r in history]
    fig = _figure(10, 4)
    loss_ax, acc_ax = fig.subplots(1, 2)
    marker = len(epochs) <= 30  # markers on a long run would blur into a thick line
    for split, style in (("train", "-o"), ("test", "--s")):
        if not marker:
            style = style.rstrip("os")
        loss_ax.plot(epochs, [_field(r, f"{split}_loss") for r in history], style, ms=3, label=split)
        acc_ax.plot(epochs, [100 * _field(r, f"{split}_accuracy") for r in history], style, ms=3,
                    label=split)
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    final = _field(history[-1], "test_accuracy") if history else float("nan")
    acc_ax.annotate(f"test {final:.1%}", xy=(1, 0), xycoords="axes fraction", ha="right",
                    va="bottom", xytext=(-6, 6), textcoords="offset points")
    from matplotlib.ticker import MaxNLocator
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.savefig(path)


def plot_misclassified(images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray,
                       path: PathLike, max_images: int = 36, title: str = "") -> int:
    """A grid of up to `max_images` wrongly classified images titled 'pred P, true T'.

    Shapes: images (N, H, W) in [0, 1]; y_true, y_pred (N,). Returns how many images are
    wrong in all (the grid shows the first ones). With none wrong it still writes a PNG saying so.
    """
    wrong = np.flatnonzero(y_true != y_pred)
    shown = wrong[:max_images]
    cols = max(1, min(len(shown), int(np.ceil(np.sqrt(max(len(shown), 1))))))
    rows = max(1, int(np.ceil(len(shown) / cols)))
    fig = _figure(1.3 * cols + 0.4, 1.45 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, i in zip(axes, shown):
        ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"pred {y_pred[i]}, true {y_true[i]}", fontsize=9, color="firebrick")
    if len(shown) == 0:
        axes[0].text(0.5, 0.5, "no test image is misclassified", ha="center", va="center")
    heading = f"misclassified test images: {len(wrong)} of {len(y_true)}"
    fig.suptitle(f"{title}\n{heading}" if title else heading, fontsize=10)
    fig.savefig(path)
    return len(wrong)


def draw_decision_regions(ax: Any, predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                          y: np.ndarray, title: str = "", resolution: int = 200,
                          x_test: np.ndarray | None = None, y_test: np.ndarray | None = None) -> None:
    """Colour a matplotlib Axes by the class `predict` gives each point of the plane, then scatter
    the data on top (test points, if given, as crosses).

    `predict` maps points (M, 2) to class indices (M,). Shapes: x (N, 2), y (N,).
    """
    points = x if x_test is None else np.concatenate([x, x_test])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * (hi - lo) + 1e-3
    g0 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g1 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    mesh0, mesh1 = np.meshgrid(g0, g1)  # (resolution, resolution) each
    grid = np.stack([mesh0.ravel(), mesh1.ravel()], axis=1).astype(x.dtype)  # (resolution**2, 2)
    regions = np.asarray(predict(grid)).reshape(mesh0.shape)
    n_classes = int(max(y.max(), regions.max())) + 1
    from matplotlib.colors import ListedColormap
    colours = [f"C{k % 10}" for k in range(n_classes)]
    cmap = ListedColormap(colours)
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(mesh0, mesh1, regions, levels=levels, cmap=cmap, alpha=0.3)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, s=12,
               edgecolors="k", linewidths=0.3)
    if x_test is not None and y_test is not None:
        ax.scatter(x_test[:, 0], x_test[:, 1], c=y_test, cmap=cmap, vmin=-0.5,
                   vmax=n_classes - 0.5, s=22, marker="X", edgecolors="k", linewidths=0.4)
    ax.set_xlim(g0[0], g0[-1])
    ax.set_ylim(g1[0], g1[-1])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def plot_decision_regions(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray,
                          path: PathLike, title: str = "", x_test: np.ndarray | None = None,
                          y_test: np.ndarray | None = None) -> None:
    """One panel of decision regions (see draw_decision_regions), saved as a PNG at `path`."""
    fig = _figure(5.5, 5.5)
    ax = fig.subplots()
    draw_decision_regions(ax, predict, x, y, title, x_test=x_test, y_test=y_test)
    if x_test is not None:
        ax.set_xlabel("dots: training points, crosses: test points", fontsize=9)
    fig.savefig(path)


def plot_panels(panels: Sequence[tuple[str, Callable[[np.ndarray], np.ndarray]]], x: np.ndarray,
                y: np.ndarray, path: PathLike, columns: int = 3, title: str = "") -> None:
    """Decision regions of several models side by side: `panels` is [(title, predict), ...]."""
    rows = int(np.ceil(len(panels) / columns))
    fig = _figure(3.3 * columns, 3.4 * rows + (0.4 if title else 0))
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    for ax, (panel_title, predict) in zip(axes, panels):
        draw_decision_regions(ax, predict, x, y, panel_title, resolution=150)
    if title:
        fig.suptitle(title)
    fig.savefig(path)


def plot_functions(xs: np.ndarray, curves: Sequence[tuple[str, np.ndarray, np.ndarray]],
                   path: PathLike) -> None:
    """One panel per function: its values and its derivative over `xs`.

    `curves` is [(name, values (M,), derivatives (M,)), ...], e.g. from autograd.
    """
    fig = _figure(3.0 * len(curves), 3.0)
    axes = np.atleast_1d(fig.subplots(1, len(curves))).ravel()
    for ax, (name, values, derivative) in zip(axes, curves):
        ax.plot(xs, values, label=name)
        ax.plot(xs, derivative, "--", label="derivative")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.savefig(path)


def _layer_of(name: str) -> str:
    """'layers.0.weight' -> 'layers.0'; an activation module's name stays as it is."""
    prefix, _, last = name.rpartition(".")
    return prefix if prefix and last in ("weight", "bias") else name


def plot_diagnostics(history: Sequence[Any], path: PathLike, title: str = "") -> None:
    """A network's health per epoch in four panels, saved as a PNG at `path`: the fraction of dead
    ReLU units and of saturated sigmoid/tanh units per activation layer, and the update/weight
    ratio and mean gradient norm per parameter (both on a log scale; a dotted line marks the
    rule-of-thumb update ratio 1e-3).

    `history` holds one entry per epoch with the dicts dead, saturated, update_ratio and
    grad_norm, as attributes (diagnostics.EpochHealth) or dict keys (metrics.json's
    "diagnostics"). A panel with nothing to show says so.
    """
    epochs = [int(_field(h, "epoch")) for h in history]
    fig = _figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    panels = (("dead", "dead ReLU units", "fraction of units (%)", 100.0, False),
              ("saturated", "saturated sigmoid/tanh units", "fraction of outputs (%)", 100.0, False),
              ("update_ratio", "update size / weight size", "|Δw| / |w|", 1.0, True),
              ("grad_norm", "gradient norm", "|grad|", 1.0, True))
    marker = "o" if len(epochs) <= 30 else None
    from matplotlib.ticker import MaxNLocator
    for ax, (key, panel_title, ylabel, scale, log) in zip(axes, panels):
        series = [h[key] if isinstance(h, dict) else getattr(h, key) for h in history]
        names = list(dict.fromkeys(name for per_epoch in series for name in per_epoch))
        # 'layers.0.weight' and 'layers.0.bias' share layers.0's colour; the bias is dashed
        layers = list(dict.fromkeys(_layer_of(name) for name in names))
        for name in names:
            values = [scale * v if v is not None and np.isfinite(v) else np.nan
                      for v in (per_epoch.get(name) for per_epoch in series)]
            colour = f"C{layers.index(_layer_of(name)) % 10}"
            style = "--" if name.endswith("bias") else "-"
            ax.plot(epochs, values, style, color=colour, marker=marker, ms=3, label=name)
        if not names:
            what = "ReLU" if key == "dead" else "sigmoid or tanh" if key == "saturated" else "trained"
            ax.text(0.5, 0.5, f"no {what} layers", ha="center", va="center",
                    transform=ax.transAxes, color="grey")
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            finite = [v for per_epoch in series for v in per_epoch.values()
                      if v is not None and np.isfinite(v)]
            if log and any(v > 0 for v in finite):
                ax.set_yscale("log")
            elif not log:   # a fraction: from 0, and a flat 0% line is not stretched to fill the panel
                ax.set_ylim(0, max([1.0] + [1.1 * scale * v for v in finite]))
        if key == "update_ratio" and names:
            # the usual advice: about 1e-3; far above, lower the learning rate; far below, raise it
            ax.axhline(1e-3, color="grey", ls=":", lw=1, label="1e-3, a rule of thumb")
        ax.set(xlabel="epoch", ylabel=ylabel, title=panel_title)
        if names:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.savefig(path)
