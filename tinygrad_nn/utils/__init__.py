"""PyTorch's `torch.utils` namespace: `tinygrad_nn.utils.data` (Dataset, DataLoader, random_split)."""
from . import data  # noqa: F401

__all__ = ["data"]
