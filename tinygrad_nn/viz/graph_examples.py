"""Ready-made small graphs to look at with to_dot, draw, print_graph and explain_backward.

`graph_example(name)` builds one, runs backward with retain_graph=True (so the views show
gradients and can still walk the graph) and returns its output. The numbers come from a fixed
seed of their own: the same picture every time, and the global generator is left alone.

    >>> from tinygrad_nn.viz import graph_example, print_graph
    >>> out = graph_example("neuron")
    >>> out.name, out.shape
    ('out', ())
"""
from __future__ import annotations

import numpy as np

from ..function import no_grad
from ..nn import MLP, functional
from ..nn.module import Parameter
from .._tensor import Tensor
from .trace import record

EXAMPLES = ("neuron", "mlp", "attention-free-toy", "forward-3441", "recover-321", "classify2d")


def graph_example(example: str) -> Tensor:
    """The output of a small example graph, after backward(retain_graph=True).

    - "neuron": out = tanh(w · x + b), one neuron with 3 inputs (6 ops).
    - "mlp": the mean squared error of MLP([2, 3, 1]) (tanh) on the 4 XOR points.
    - "attention-free-toy": 3 tokens of 4 features mixed by learned, content-independent weights
      (softmax over positions, in place of attention), a linear readout to 2 classes and a
      cross-entropy loss.
    - "forward-3441": the 3-4-4-1 sigmoid network's output for one input (the forward-pass notes).
    - "recover-321": the mean squared error of a 3-2-1 tanh network on 4 points of
      y = 2·x1 − x2 + 5·x3 (examples/recover_function.py writes its backprop by hand).
    - "classify2d": the cross-entropy of a 2-8-3 ReLU classifier on 6 points of the spiral.

    Each is built under `viz.record()`, so the explorer shows the line that made each op.
    """
    builders = {"neuron": _neuron, "mlp": _mlp, "attention-free-toy": _attention_free_toy,
                "forward-3441": _forward_3441, "recover-321": _recover_321, "classify2d": _classify2d}
    if example not in builders:
        raise ValueError(f"graph_example: unknown example {example!r}; expected one of {list(EXAMPLES)}")
    with record():
        return builders[example](np.random.default_rng(0))


def _model(sizes: list[int], activation: str, rng: np.random.Generator) -> MLP:
    model = MLP(sizes, activation=activation)   # parameters named layers.0.weight, ...
    with no_grad():
        for p in model.parameters():
            p.copy_(rng.normal(size=p.shape) / np.sqrt(p.shape[-1]))
    return model


def _forward_3441(rng: np.random.Generator) -> Tensor:
    model = _model([3, 4, 4, 1], "sigmoid", rng)
    x = Tensor([[0.5, -1.0, 2.0]], name="x")                    # (1, 3)
    out = model(x).sum()
    out.name = "out"
    out.backward(retain_graph=True)
    return out


def _recover_321(rng: np.random.Generator) -> Tensor:
    model = _model([3, 2, 1], "tanh", rng)
    points = rng.normal(size=(4, 3)).astype(np.float32)         # (4, 3)
    x = Tensor(points, name="x")
    y = Tensor(points @ np.array([[2.0], [-1.0], [5.0]], np.float32), name="y")   # (4, 1)
    loss = functional.mse_loss(model(x), y)
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


def _classify2d(rng: np.random.Generator) -> Tensor:
    from ..datasets import spiral
    points, labels = spiral(n_per_class=2, n_classes=3, seed=0)
    model = _model([2, 8, 3], "relu", rng)
    logits = model(Tensor(points.astype(np.float32), name="points"))   # (6, 3)
    loss = functional.cross_entropy(logits, labels)
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


def _neuron(rng: np.random.Generator) -> Tensor:
    x = Tensor([0.5, -1.0, 2.0], name="x")
    w = Tensor(rng.normal(size=3).astype(np.float32), requires_grad=True, name="w")
    b = Tensor(0.1, requires_grad=True, name="b")
    z = (w * x).sum() + b
    z.name = "z"
    out = z.tanh()
    out.name = "out"
    out.backward(retain_graph=True)
    return out


def _mlp(rng: np.random.Generator) -> Tensor:
    model = MLP([2, 3, 1], activation="tanh")   # parameters named layers.0.weight, ...
    with no_grad():
        for p in model.parameters():
            p.copy_(rng.normal(size=p.shape))
    x = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], name="x")   # (4, 2)
    y = Tensor([[0.0], [1.0], [1.0], [0.0]], name="y")                       # (4, 1)
    loss = functional.mse_loss(model(x), y)
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


def _attention_free_toy(rng: np.random.Generator) -> Tensor:
    tokens = Tensor(rng.normal(size=(3, 4)).astype(np.float32), name="tokens")   # (positions, features)
    mix = Parameter(rng.normal(size=(3, 3)).astype(np.float32))               # (to, from) positions
    mix.name = "mix"
    readout = Parameter(rng.normal(size=(4, 2)).astype(np.float32) / 2)       # (features, classes)
    readout.name = "readout"
    weights = mix.softmax(axis=-1)      # each position averages all positions, whatever they hold
    weights.name = "mix_weights"
    mixed = weights @ tokens            # (3, 4)
    mixed.name = "mixed"
    logits = mixed.relu() @ readout     # (3, 2)
    logits.name = "logits"
    loss = functional.cross_entropy(logits, np.array([0, 1, 1]))
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


__all__ = ["graph_example", "EXAMPLES"]
