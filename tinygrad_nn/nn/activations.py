"""Activation functions as Modules, for use in Sequential and MLP (no parameters)."""
from __future__ import annotations

from .._tensor import Tensor
from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0) elementwise; its gradient at 0 is 0. Example: ReLU()(Tensor([-1., 2.])) -> [0., 2.]."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x. Example: LeakyReLU(0.1)(Tensor([-1.])) -> [-0.1]."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise; its gradient is σ(1 - σ), 0.25 at 0."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x) elementwise; its gradient is 1 - tanh(x)**2."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Softplus(Module):
    """log(1 + exp(x)) elementwise, a smooth ReLU; its gradient is sigmoid(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x)


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `dim` (the last axis by default; `axis=` is the same); each slice
    sums to 1."""

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        super().__init__()
        self.dim = dim if dim is not None else axis if axis is not None else -1

    @property
    def axis(self) -> int:
        return self.dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - logsumexp(x) along `dim` (the last axis by default; `axis=` is the same):
    log-probabilities, stable for any x."""

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        super().__init__()
        self.dim = dim if dim is not None else axis if axis is not None else -1

    @property
    def axis(self) -> int:
        return self.dim

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
