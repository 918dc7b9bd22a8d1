"""Decision regions on the spiral: how width and weight decay shape what an MLP learns.

Run:  python examples/classify2d.py [--quick] [--plot classify2d.png]

Six one-hidden-layer MLPs (2 -> H -> 3, ReLU) trained on the same 3-arm spiral:
  top row:    H = 3, 6 and 20 hidden units: too few units cannot bend around the arms;
  bottom row: H = 20 with weight decay 0.001, 0.01 and 0.1: the L2 penalty keeps weights
              small, which smooths the boundary (and, too strong, underfits).
All six panels go side by side into one PNG.
"""
import argparse

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.datasets import DataLoader, spiral
from tinygrad_nn.viz import plots


def train(x: np.ndarray, y: np.ndarray, hidden: int, weight_decay: float, epochs: int) -> nn.MLP:
    tg.manual_seed(0)
    model = nn.MLP([2, hidden, 3], activation="relu")
    opt = optim.Adam(model.parameters(), lr=0.02, weight_decay=weight_decay)
    for epoch in range(epochs):
        for xb, yb in DataLoader(x, y, batch_size=32, shuffle=True, seed=epoch):
            opt.zero_grad()
            nn.functional.cross_entropy(model(Tensor(xb)), yb).backward()
            opt.step()
    return model


def predictor(model: nn.MLP):
    """points (M, 2) -> predicted classes (M,), for drawing the regions."""
    def predict(points: np.ndarray) -> np.ndarray:
        with tg.no_grad():
            return model(Tensor(points)).numpy().argmax(axis=1)
    return predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only (for the tests)")
    parser.add_argument("--plot", default="classify2d.png", help="where to write the figure")
    args = parser.parse_args()
    epochs = 5 if args.quick else 300

    x, y = spiral(n_per_class=100, n_classes=3, seed=0)
    settings = [(3, 0.0), (6, 0.0), (20, 0.0), (20, 0.001), (20, 0.01), (20, 0.1)]
    panels = []
    for hidden, decay in settings:
        model = train(x, y, hidden, decay, epochs)
        accuracy = (predictor(model)(x) == y).mean()
        title = f"{hidden} hidden units" + (f", weight decay {decay:g}" if decay else "")
        print(f"{title:<36} train accuracy {accuracy:.1%}")
        panels.append((f"{title}\naccuracy {accuracy:.0%}", predictor(model)))

    if plots.available():
        plots.plot_panels(panels, x, y, args.plot, columns=3, title="MLPs on the spiral")
        print(f"wrote {args.plot}")
    else:
        print("matplotlib is not installed: skipped the plot")


if __name__ == "__main__":
    main()
