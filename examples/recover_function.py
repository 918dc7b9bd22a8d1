"""Recover y = 2·x1 − x2 + 5·x3 from examples with a 3-2-1 tanh network, backprop written by hand.

Run:  python examples/recover_function.py [--quick]

1. The chain rule, by hand: the gradient of the mean squared error with respect to every
   weight, layer by layer from the output back to the input. It equals autograd's to 1e-12.
2. Which way to step: moving the weights *against* the gradient lowers the loss, moving
   them along it raises the loss.
3. Train (gradient descent with autograd's gradients) until the error is small.
"""
import argparse

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.datasets import regression


def hand_backprop(model: nn.MLP, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """d(loss)/d(parameter) for loss = mean((model(x) - y)**2), by the chain rule in numpy."""
    W1, b1 = model.layers[0].weight.numpy(), model.layers[0].bias.numpy()   # (2, 3), (2,)
    W2, b2 = model.layers[1].weight.numpy(), model.layers[1].bias.numpy()   # (1, 2), (1,)
    n = len(x)
    # forward, keeping what the backward pass needs
    a1 = np.tanh(x @ W1.T + b1)           # (N, 2) hidden activations
    out = a1 @ W2.T + b2                  # (N, 1)
    # backward: each line is one link of the chain rule
    d_out = 2 * (out - y) / n             # (N, 1)  d loss / d out
    d_W2 = d_out.T @ a1                   # (1, 2)
    d_b2 = d_out.sum(axis=0)              # (1,)
    d_a1 = d_out @ W2                     # (N, 2)
    d_z1 = d_a1 * (1 - a1 ** 2)           # (N, 2)  tanh'(z) = 1 - tanh(z)**2
    d_W1 = d_z1.T @ x                     # (2, 3)
    d_b1 = d_z1.sum(axis=0)               # (2,)
    return {"layers.0.weight": d_W1, "layers.0.bias": d_b1,
            "layers.1.weight": d_W2, "layers.1.bias": d_b2}


def mse(model: nn.MLP, x: np.ndarray, y: np.ndarray) -> Tensor:
    return nn.functional.mse_loss(model(Tensor(x)), y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer training steps (for the tests)")
    steps = 300 if parser.parse_args().quick else 3000

    tg.set_default_dtype(np.float64)     # float64: hand and autograd gradients agree to 1e-12
    x, y = regression(n=100, weights=(2.0, -1.0, 5.0), seed=0, dtype=np.float64)
    y = y[:, None]                       # (N, 1): the network's output shape, so no broadcasting
    tg.manual_seed(0)
    model = nn.MLP([3, 2, 1], activation="tanh")

    # 1. hand-written backprop against autograd
    loss = mse(model, x, y)
    loss.backward()
    by_hand = hand_backprop(model, x, y)
    worst = max(np.abs(by_hand[name] - p.grad.numpy()).max() for name, p in model.named_parameters())
    print(f"largest difference between hand-written and autograd gradients: {worst:.1e}")
    assert worst < 1e-12

    # 2. the sign of the step
    lr = 0.05
    params = list(model.parameters())
    start = [p.numpy().copy() for p in params]
    for direction in (-1, +1):
        with tg.no_grad():
            for p, p0 in zip(params, start):
                p.copy_(p0 + direction * lr * p.grad.numpy())
            moved = mse(model, x, y).item()
        name = "against the gradient" if direction < 0 else "along the gradient"
        print(f"loss {loss.item():.4f} -> {moved:.4f} after a step {name}")
    with tg.no_grad():
        for p, p0 in zip(params, start):
            p.copy_(p0)

    # 3. train
    opt = optim.Adam(model.parameters(), lr=0.05)
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss = mse(model, x, y)
        loss.backward()
        opt.step()
        if step % (steps // 5) == 0:
            print(f"step {step:5d}: mean squared error {loss.item():.5f}")
    x_new = np.array([[0.3, -0.2, 0.5]])
    with tg.no_grad():
        guess = model(Tensor(x_new)).item()
    print(f"f(0.3, -0.2, 0.5) = {2 * 0.3 + 0.2 + 5 * 0.5:.3f}; the network says {guess:.3f}")


if __name__ == "__main__":
    main()
