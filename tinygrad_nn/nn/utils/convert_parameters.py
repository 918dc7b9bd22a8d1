"""Parameters as one flat vector and back (PyTorch's torch.nn.utils.convert_parameters)."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ...function import mark_modified
from ...ops import cat
from ..._tensor import Tensor


def _tensors(parameters: Iterable[Tensor], op: str) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a "
                            f"{type(p).__name__} at position {i}")
    return params


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined in order: shape (Σ numel,). Differentiable (a cat of
    reshapes), as PyTorch's.

    >>> parameters_to_vector([Tensor([[1., 2.]]), Tensor([3.])])
    Tensor([1. 2. 3.])
    """
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D `vec` into the parameters' data, in place (not
    recorded: as PyTorch's, which assigns `.data`). vec must hold exactly Σ numel values."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got {type(vec).__name__}")
    params = _tensors(parameters, "vector_to_parameters")
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: expected a vector of shape ({total},) for parameters "
                         f"of shapes {[p.shape for p in params]}, got {vec.shape}")
    start = 0
    for p in params:
        n = p.numel()
        p._data[...] = np.reshape(vec._data[start:start + n], p.shape)
        mark_modified(p)
        start += n
