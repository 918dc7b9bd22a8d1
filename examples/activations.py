"""Activation functions and their derivatives, computed by autograd; vanishing gradients; dead ReLUs.

Run:  python examples/activations.py [--quick] [--plot activations.png]

1. sigmoid, tanh, ReLU, leaky ReLU and softplus on [-6, 6], and their derivatives, which
   autograd gives us: sum the outputs and call backward(), then x.grad[i] = f'(x[i]).
2. The sigmoid's gradient vanishes at saturation: sigmoid'(x) <= 0.25 everywhere and is
   tiny for large |x|, so a gradient passing through many sigmoid layers shrinks fast.
3. ReLU units can die: a too-large learning rate pushes a unit's bias so far down that it
   outputs 0 for every input; its gradient is then 0 too, so it never recovers.
"""
import argparse

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.datasets import DataLoader, spiral
from tinygrad_nn.viz import plots

ACTIVATIONS = {
    "sigmoid": nn.functional.sigmoid,
    "tanh": nn.functional.tanh,
    "relu": nn.functional.relu,
    "leaky_relu": lambda t: nn.functional.leaky_relu(t, 0.1),  # slope 0.1 so it is visible
    "softplus": nn.functional.softplus,
}


def value_and_derivative(f, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(xs) and f'(xs) for an elementwise f: the gradient of sum(f(x)) is f'(x) elementwise."""
    x = Tensor(xs, requires_grad=True)
    y = f(x)
    y.sum().backward()
    return y.numpy(), x.grad.numpy()


def count_dead_units(lr: float, epochs: int) -> int:
    """Train a 2-64-3 ReLU MLP on the spiral with SGD at `lr`; count hidden units that output
    0 for every training point."""
    x, y = spiral(n_per_class=100, seed=0)
    tg.manual_seed(0)
    model = nn.MLP([2, 64, 3], activation="relu")
    opt = optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        for xb, yb in DataLoader(x, y, batch_size=32, shuffle=True, seed=epoch):
            opt.zero_grad()
            nn.functional.cross_entropy(model(Tensor(xb)), yb).backward()
            opt.step()
    with tg.no_grad():
        hidden = model.layers[0](Tensor(x)).relu().numpy()    # (300, 64)
    return int((hidden.max(axis=0) == 0).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter training (for the tests)")
    parser.add_argument("--plot", default="activations.png", help="where to write the figure")
    args = parser.parse_args()

    xs = np.linspace(-6, 6, 241)
    curves = []
    for name, f in ACTIVATIONS.items():
        values, slopes = value_and_derivative(f, xs)
        curves.append((name, values, slopes))
        print(f"{name:>10}: f'(-3) = {slopes[60]:.4f}, f'(0) = {slopes[120]:.4f}, f'(3) = {slopes[180]:.4f}")
    if plots.available():
        plots.plot_functions(xs, curves, args.plot)
        print(f"wrote {args.plot}")
    else:
        print("matplotlib is not installed: skipped the plot")

    # vanishing gradient: the chain rule multiplies one sigmoid' factor per layer
    _, slope = value_and_derivative(nn.functional.sigmoid, np.array([0.0, 2.0, 5.0, 10.0]))
    print("sigmoid' at 0, 2, 5, 10:", np.array2string(slope, precision=6))
    x = Tensor(np.array([0.5]), requires_grad=True)
    h = x
    for _ in range(10):
        h = h.sigmoid()
    h.backward()
    print(f"through 10 stacked sigmoids the gradient is {x.grad.item():.1e} (at most 0.25**10 = "
          f"{0.25 ** 10:.1e})")

    epochs = 4 if args.quick else 20
    for lr in (0.05, 5.0):
        print(f"dead ReLU units after SGD with lr {lr}: {count_dead_units(lr, epochs)} of 64")


if __name__ == "__main__":
    main()
