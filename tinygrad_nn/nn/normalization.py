"""Normalisation layers: LayerNorm and BatchNorm1d (with running statistics as buffers)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._tensor import Tensor, get_default_dtype
from . import functional as F
from .module import Module, Parameter


def _float_dtype(dtype: Any) -> np.dtype:
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


class LayerNorm(Module):
    """Normalise each sample over its last axes: y = (x - mean) / sqrt(var + eps) * weight + bias.

    Parameters (with elementwise_affine): weight of shape normalized_shape, initialised to ones,
    and bias (unless bias=False), zeros. var is the biased variance. Shapes: x (*, *normalized_shape)
    -> the same shape.

    Example::

        >>> ln = LayerNorm(4)
        >>> ln(tinygrad_nn.randn(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        shape = ((normalized_shape,) if isinstance(normalized_shape, (int, np.integer))
                 else tuple(normalized_shape))
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        d = _float_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, d))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, d))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class BatchNorm1d(Module):
    """Batch normalisation of (N, C) or (N, C, L) inputs over the batch (and length) axes.

    y = (x - mean) / sqrt(var + eps) * weight + bias per channel. In training the batch's
    mean and biased var are used, and the buffers running_mean (zeros) / running_var (ones)
    move towards the batch's mean and unbiased var: r = (1 - momentum) r + momentum * stat
    (momentum=None: the average over all batches so far); num_batches_tracked counts the
    batches. In eval mode the running statistics are used (unless track_running_stats=False,
    which always uses the batch's). Parameters (affine): weight (C,) ones, bias (C,) zeros
    (unless bias=False).
    Buffers are in state_dict, with PyTorch's names.

    Example::

        >>> bn = BatchNorm1d(3)
        >>> _ = bn(tinygrad_nn.randn(8, 3)); int(bn.num_batches_tracked.item())
        1
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
                or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive integer, got {num_features!r}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        d = _float_dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, d))
            if bias:
                self.bias = Parameter(np.zeros(num_features, d))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, d)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, d)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {x.shape}")
        use_batch = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=use_batch, momentum=self.momentum, eps=self.eps,
                            num_batches_tracked=self.num_batches_tracked if self.training else None)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")
