"""W1: one training step of a 784-256-128-10 ReLU MLP (softmax cross-entropy, SGD), float32.

Every contender starts from the same weights (layout (out, in), used as F.linear(x, W, b) =
x @ W.T + b, as PyTorch's Linear) and the same batch, and does forward, backward and the SGD update.
"""
from __future__ import annotations

import numpy as np

from .harness import (COMPILED, NUMPY, TINYGRAD, TORCH, TORCH_MISSING, Row, SGDStep, Settings,
                      check_grads, compiled, compiled_grads, paired_rows, time_interleaved,
                      torch, trace_note)

SIZES = (784, 256, 128, 10)
LR = 0.01


def make_problem(batch: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)).astype(np.float32))
        params.append(np.zeros(n_out, np.float32))
    x = rng.random((batch, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return params, x, y


# --- hand-written numpy: the textbook forward and backward, the 1.00 reference ---------------------

class NumpyMLP:
    def __init__(self, params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
        self.params = [p.copy() for p in params]
        self.x, self.y = x, y

    def grads(self) -> list[np.ndarray]:
        W1, b1, W2, b2, W3, b3 = self.params
        x, y = self.x, self.y
        n = len(x)
        h1 = x @ W1.T + b1                      # (n, 256)
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2                     # (n, 128)
        a2 = np.maximum(h2, 0)
        z = a2 @ W3.T + b3                      # (n, 10)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        self.loss = -(z[np.arange(n), y] - np.log(s[:, 0])).mean()
        dz = e / s                              # softmax - onehot, over n
        dz[np.arange(n), y] -= 1
        dz /= n
        dW3, db3 = dz.T @ a2, dz.sum(axis=0)
        dh2 = (dz @ W3) * (h2 > 0)              # (n, 128)
        dW2, db2 = dh2.T @ a1, dh2.sum(axis=0)
        dh1 = (dh2 @ W2) * (h1 > 0)             # (n, 256)
        dW1, db1 = dh1.T @ x, dh1.sum(axis=0)
        return [dW1, db1, dW2, db2, dW3, db3]

    def step(self) -> None:
        for p, g in zip(self.params, self.grads()):
            p -= LR * g


# --- tinygrad_nn: the functional forms a PyTorch user writes (F.linear, F.cross_entropy) -----------

class TinygradMLP(SGDStep):
    lr = LR

    def __init__(self, params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
        from tinygrad_nn import Tensor, no_grad
        self.no_grad = no_grad
        self.params = [Tensor(p.copy(), requires_grad=True) for p in params]
        self.x = Tensor(x)
        self.y = y                                                     # (n,) class indices

    def loss(self):
        from tinygrad_nn.nn import functional as F
        W1, b1, W2, b2, W3, b3 = self.params
        h = F.linear(self.x, W1, b1).relu()
        h = F.linear(h, W2, b2).relu()
        return F.cross_entropy(F.linear(h, W3, b3), self.y)


# --- PyTorch: the same model in idiomatic eager PyTorch ------------------------------------------

class TorchMLP(SGDStep):
    lr = LR

    def __init__(self, params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
        self.no_grad = torch.no_grad
        self.params = [torch.tensor(p, requires_grad=True) for p in params]
        self.x = torch.from_numpy(x)
        self.y = torch.from_numpy(y)

    def loss(self):
        W1, b1, W2, b2, W3, b3 = self.params
        F = torch.nn.functional
        h = torch.relu(F.linear(self.x, W1, b1))
        h = torch.relu(F.linear(h, W2, b2))
        return F.cross_entropy(F.linear(h, W3, b3), self.y)


def contenders(batch: int) -> dict:
    params, x, y = make_problem(batch)
    found = {NUMPY: NumpyMLP(params, x, y), TINYGRAD: TinygradMLP(params, x, y)}
    if torch is not None:
        found[TORCH] = TorchMLP(params, x, y)
    return found


def run(settings: Settings) -> list[Row]:
    rows = []
    for batch in (32, 128, 1024):
        models = contenders(batch)
        want = models[NUMPY].grads()
        for name, model in models.items():
            check_grads(f"W1 batch {batch}", name, model.grads(), want, rtol=1e-4, atol=1e-6)
        steps = {name: m.step for name, m in models.items()}
        # the compiled contender trains its own copy of the same model (from the same weights)
        params, x, y = make_problem(batch)
        check_grads(f"W1 batch {batch}", COMPILED, compiled_grads(TinygradMLP(params, x, y))(), want,
                    rtol=1e-4, atol=1e-6)
        steps[COMPILED], first = compiled(TinygradMLP(params, x, y).step)
        times = time_interleaved(steps, settings)
        rows += paired_rows("W1 MLP step", f"784-256-128-10, batch {batch}", times, "ms", 1e3,
                            notes={COMPILED: trace_note(first, times[TINYGRAD])})
        if torch is None:
            rows.append(Row("W1 MLP step", f"batch {batch}", TORCH, None, "", note=TORCH_MISSING))
    return rows
