"""Containers beyond ModuleList and Sequential: ModuleDict, ParameterList and ParameterDict.

Each registers what it holds under its keys ('0', '1', ... for the list), so parameters and
state dicts get PyTorch's names: `heads.cls.weight`, `scales.0`.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from .._tensor import Tensor
from .module import Module, Parameter


class ModuleDict(Module):
    """A dict of modules, registered under their keys; it has no forward of its own.

    Example: `self.heads = ModuleDict({"cls": Linear(4, 3), "reg": Linear(4, 1)})` gives
    parameters 'heads.cls.weight', ..., and `self.heads["cls"](h)` calls one of them.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module {key!r}; it has {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self._modules[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self.add_module(key, module)


def _as_parameter(value: Any, where: str) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):   # PyTorch wraps a plain tensor, sharing its memory
        return Parameter(value, requires_grad=value.requires_grad or value.dtype.kind == "f")
    raise TypeError(f"{where}: expected a Parameter or a Tensor, got {type(value).__name__}")


def _describe_parameter(p: Parameter) -> str:
    size = "x".join(str(n) for n in p.shape)
    return f"Parameter containing: [{p.dtype} of size {size}]"


class ParameterList(Module):
    """A list of Parameters, registered under '0', '1', ... (a plain Tensor is wrapped).

    Example: `self.ws = ParameterList([Parameter(randn(3, 3)) for _ in range(2)])` gives
    parameters 'ws.0' and 'ws.1'.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def append(self, value: Any) -> ParameterList:
        self.register_parameter(str(len(self._parameters)), _as_parameter(value, "ParameterList"))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(p for p in self._parameters.values() if p is not None)

    def __getitem__(self, index: int) -> Parameter:
        items = list(self._parameters.values())
        try:
            return items[index]  # type: ignore[return-value]
        except IndexError:
            raise IndexError(f"ParameterList: index {index} is out of range for {len(items)} "
                             "parameters") from None

    def __setitem__(self, index: int, value: Any) -> None:
        key = str(range(len(self))[index])
        self.register_parameter(key, _as_parameter(value, "ParameterList"))

    def extra_repr(self) -> str:
        # PyTorch's lines carry two spaces of their own (which Module.__repr__ indents again)
        return "\n".join(f"  ({k}): {_describe_parameter(p)}" for k, p in self._parameters.items()
                         if p is not None)


class ParameterDict(Module):
    """A dict of Parameters, registered under their keys (a plain Tensor is wrapped)."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.update(values)

    def __getitem__(self, key: str) -> Parameter:
        p = self._parameters.get(key)
        if p is None:
            raise KeyError(f"ParameterDict: no parameter {key!r}; it has {list(self._parameters)}")
        return p

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        return self._parameters.keys()

    def values(self) -> Iterable[Parameter]:
        return [p for p in self._parameters.values() if p is not None]

    def items(self) -> Iterable[tuple[str, Parameter]]:
        return [(k, p) for k, p in self._parameters.items() if p is not None]

    def update(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe_parameter(p)}" for k, p in self.items())
