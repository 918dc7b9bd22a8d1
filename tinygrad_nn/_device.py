"""Devices on a CPU-only library: `device("cpu")`, the one check every `device=` goes through,
and the `cuda` / `backends` answers that PyTorch scripts ask before choosing a device."""
from __future__ import annotations

import types
from typing import Any

# device types PyTorch knows: naming one makes a device object (as `torch.device("cuda")`
# does on a machine without a GPU); only using it for a tensor is refused
_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "mkldnn", "vulkan", "ipu")


class device:
    """PyTorch's device, on a library that only has one: `device("cpu")`, `device("cuda:0")`.

    `.type` and `.index` as in PyTorch; equal to a device of the same type and index; str() is
    "cpu". Tensors can only live on the CPU: see check_device."""

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in _KNOWN_TYPES or (number and not number.isdigit()):
            raise RuntimeError(f"device: unknown device {type!r} (tinygrad_nn runs on 'cpu' only)")
        self.type = name
        self.index = int(number) if number else index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"


CPU = device("cpu")


def check_device(where: Any, op: str) -> None:
    """Refuse any device but the CPU, naming it (the one error every device= gives)."""
    if where is None:
        return
    d = where if isinstance(where, device) else device(where) if isinstance(where, str) else None
    if d is None:
        raise TypeError(f"{op}: device must be a string or tinygrad_nn.device, got {where!r}")
    if d.type != "cpu":
        raise RuntimeError(f"{op}: device {str(d)!r} is not available: tinygrad_nn runs on the CPU "
                           "only (numpy); use 'cpu' (torch.cuda.is_available() is False here)")


def set_default_device(where: Any) -> None:
    """Accept 'cpu' (the only device) and refuse any other, as every device= does."""
    check_device(where, "set_default_device")


def _no_op(*args: Any, **kwargs: Any) -> None:
    """Seeding or synchronizing a GPU that is not there does nothing, as in PyTorch without one."""


cuda = types.SimpleNamespace(
    is_available=lambda: False, device_count=lambda: 0, manual_seed=_no_op, manual_seed_all=_no_op,
    synchronize=_no_op, empty_cache=_no_op)
cuda.__doc__ = "PyTorch's torch.cuda as seen without a GPU: is_available() is False."

backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False),
    cuda=types.SimpleNamespace(is_built=lambda: False),
    cudnn=types.SimpleNamespace(is_available=lambda: False, deterministic=False, benchmark=False,
                                enabled=True))
backends.__doc__ = "PyTorch's torch.backends as seen on a CPU: no MPS, no cuDNN (flags are accepted)."
