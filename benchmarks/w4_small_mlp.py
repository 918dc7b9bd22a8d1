"""W4: the scale where framework overhead dominates. A 2-16-16-1 ReLU MLP on 100 two-dimensional
points, hinge loss + L2 penalty on every parameter, one SGD training step in float64.

loss = mean(relu(1 - y * score)) + ALPHA * sum(p**2 over all parameters), y in {-1, +1}.
"""
from __future__ import annotations

import numpy as np

from .harness import (COMPILED, NUMPY, TINYGRAD, TORCH, TORCH_MISSING, Row, SGDStep, Settings,
                      check_grads, compiled, compiled_grads, paired_rows, time_interleaved,
                      torch, trace_note)

SIZES = (2, 16, 16, 1)
N_POINTS = 100
ALPHA = 1e-4
LR = 0.05


def make_problem(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in))
        params.append(rng.standard_normal(n_out) * 0.1)
    x = rng.standard_normal((N_POINTS, 2))
    y = np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0)[:, None]  # (100, 1): xor-like quadrants
    return params, x, y


class NumpyNet:
    def __init__(self, params, x, y):
        self.params = [p.copy() for p in params]
        self.x, self.y = x, y

    def grads(self) -> list[np.ndarray]:
        W1, b1, W2, b2, W3, b3 = self.params
        x, y = self.x, self.y
        h1 = x @ W1.T + b1                      # (100, 16)
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2                     # (100, 16)
        a2 = np.maximum(h2, 0)
        score = a2 @ W3.T + b3                  # (100, 1)
        margin = 1 - y * score
        self.loss = np.maximum(margin, 0).mean() + ALPHA * sum((p * p).sum() for p in self.params)
        dscore = (margin > 0) * -y / len(x)     # (100, 1)
        dW3, db3 = dscore.T @ a2, dscore.sum(axis=0)
        dh2 = (dscore @ W3) * (h2 > 0)
        dW2, db2 = dh2.T @ a1, dh2.sum(axis=0)
        dh1 = (dh2 @ W2) * (h1 > 0)
        dW1, db1 = dh1.T @ x, dh1.sum(axis=0)
        grads = [dW1, db1, dW2, db2, dW3, db3]
        return [g + 2 * ALPHA * p for g, p in zip(grads, self.params)]

    def step(self) -> None:
        for p, g in zip(self.params, self.grads()):
            p -= LR * g


class FrameworkNet(SGDStep):
    """tinygrad_nn and PyTorch: the same user code on each library's tensors."""
    lr = LR

    def __init__(self, params, x, y, make_param, make_const, no_grad, linear):
        self.params = [make_param(p.copy()) for p in params]
        self.linear = linear  # each library's F.linear: x @ W.T + b
        self.x, self.y = make_const(x), make_const(y)
        self.no_grad = no_grad

    def loss(self):
        W1, b1, W2, b2, W3, b3 = self.params
        h = self.linear(self.x, W1, b1).relu()
        h = self.linear(h, W2, b2).relu()
        score = self.linear(h, W3, b3)
        penalty = sum((p * p).sum() for p in self.params)
        return (1 - self.y * score).relu().mean() + ALPHA * penalty


def contenders() -> dict:
    import tinygrad_nn
    params, x, y = make_problem()
    found = {NUMPY: NumpyNet(params, x, y),
             TINYGRAD: FrameworkNet(params, x, y, lambda a: tinygrad_nn.Tensor(a, requires_grad=True),
                                    tinygrad_nn.Tensor, tinygrad_nn.no_grad,
                                    tinygrad_nn.nn.functional.linear)}
    if torch is not None:
        found[TORCH] = FrameworkNet(params, x, y, lambda a: torch.tensor(a, requires_grad=True),
                                    torch.from_numpy, torch.no_grad, torch.nn.functional.linear)
    return found


def run(settings: Settings) -> list[Row]:
    nets = contenders()
    want = nets[NUMPY].grads()
    for name, net in nets.items():
        check_grads("W4", name, net.grads(), want, rtol=1e-9, atol=1e-12)
    steps = {name: net.step for name, net in nets.items()}
    check_grads("W4", COMPILED, compiled_grads(contenders()[TINYGRAD])(), want, rtol=1e-9, atol=1e-12)
    steps[COMPILED], first = compiled(contenders()[TINYGRAD].step)
    times = time_interleaved(steps, settings)
    rows = paired_rows("W4 small MLP step", "2-16-16-1, 100 points, float64", times, "ms", 1e3,
                       notes={COMPILED: trace_note(first, times[TINYGRAD])})
    if torch is None:
        rows.append(Row("W4 small MLP step", "", TORCH, None, "", note=TORCH_MISSING))
    return rows
