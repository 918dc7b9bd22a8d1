"""Parameter, Module and the two containers (ModuleList, Sequential).

A Module registers every Parameter and sub-Module assigned to it as an attribute, so
`parameters()`, `state_dict()`, `train()` and `zero_grad()` reach the whole tree without any
list to maintain by hand. Names are PyTorch's: `layers.0.weight`, `0.bias`.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple

import numpy as np

from .._device import check_device, device
from ..function import mark_modified, no_grad
from .._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module learns: requires grad unless told otherwise.

    `Parameter(data, requires_grad=True)`; `data` may be a Tensor (its array is shared, not
    copied), a numpy array or a nested list. Ops on a Parameter return plain Tensors.

    Example::

        >>> w = Parameter([1.0, 2.0])
        >>> (w * w).sum().backward()
        >>> w.grad
        Tensor([2. 4.])
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped: keys the model has but the state lacks, and
    keys the state has but the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


ForwardHook = Callable[["Module", tuple, Any], Any]
_hook_ids = itertools.count()


class RemovableHandle:
    """What `register_forward_hook` returns: `handle.remove()` takes the hook off again."""

    def __init__(self, hooks: dict[int, ForwardHook], key: int) -> None:
        self._hooks = hooks
        self._key = key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)  # removing twice is harmless


class Module:
    """Base class of every layer and model: subclass it, assign parts in `__init__`, write `forward`.

    Parameters and Modules assigned as attributes are registered under their attribute names;
    `model(x)` calls `model.forward(x)`. `training` is True until `eval()`.

    Example::

        class TwoLayer(Module):
            def __init__(self):
                super().__init__()
                self.hidden = Linear(3, 4)     # registered as 'hidden'
                self.out = Linear(4, 1)

            def forward(self, x):
                return self.out(self.hidden(x).relu())

        model = TwoLayer()
        [name for name, _ in model.named_parameters()]
        # ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _modules: dict[str, Module]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _forward_hooks: dict[int, ForwardHook]

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            out = self.forward(*args, **kwargs)
        except AttributeError as e:   # e.g. nn.ReLU()([1., -1.]): 'list' object has no attribute 'relu'
            if args and isinstance(args[0], (list, tuple, np.ndarray)):
                raise TypeError(f"{type(self).__name__}: expected a Tensor as the input, got a "
                                f"{type(args[0]).__name__} ({e}); wrap it: Tensor(x)") from e
            raise
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):  # a hook may remove itself
                replaced = hook(self, args, out)
                if replaced is not None:
                    out = replaced
        return out

    def register_forward_hook(self, hook: ForwardHook) -> RemovableHandle:
        """Call `hook(module, args, output)` after every forward; a non-None result replaces the output.

        Hooks run in the order they were registered. Returns a handle whose `.remove()` takes
        the hook off.

        Example::

            seen = []
            handle = model.register_forward_hook(lambda m, args, out: seen.append(out.shape))
            model(x); handle.remove()
        """
        if not callable(hook):
            raise TypeError(f"register_forward_hook: expected a callable, got {type(hook).__name__}")
        key = next(_hook_ids)
        self._forward_hooks[key] = hook
        return RemovableHandle(self._forward_hooks, key)

    # --- attribute registration --------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        if isinstance(value, (Parameter, Module)) and (params is None or modules is None):
            raise RuntimeError(f"{type(self).__name__}: cannot assign {name!r} before "
                               "Module.__init__() ran; call super().__init__() first")
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value  # type: ignore[index]
            _name_parameters(name, value)
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value  # type: ignore[index]
            _name_parameters(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                                f"parameter {name!r} (expected a Parameter or None; wrap a Tensor "
                                "in Parameter(...))")
            params[name] = None
        elif modules is not None and name in modules:
            raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                            f"sub-module {name!r} (expected a Module)")
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                                f"buffer {name!r} (expected a Tensor or None)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails; read __dict__ directly so that a half-built
        # object (during copy.deepcopy) does not recurse into __getattr__ for '_parameters'
        params = self.__dict__.get("_parameters")
        if params is not None and name in params:
            return params[name]
        modules = self.__dict__.get("_modules")
        if modules is not None and name in modules:
            return modules[name]
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            return buffers[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._modules:
            del self._modules[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers.discard(name)
        else:
            object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a Tensor that is part of the module's state but not learned (BatchNorm's
        running_mean): reachable as an attribute, listed by `buffers()`, moved by `to()`, and
        saved in `state_dict()` unless `persistent=False`. None reserves the name."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_buffer: the name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: expected a Tensor or None for {name!r}, got "
                            f"{type(tensor).__name__}")
        if name in self._parameters or name in self._modules:
            raise KeyError(f"register_buffer: {name!r} is already a parameter or sub-module of "
                           f"{type(self).__name__}")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` under `name` (None reserves the name, as a missing bias does)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: expected a Parameter or None for {name!r}, "
                            f"got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param
        if param is not None:
            _name_parameters(name, param)

    def add_module(self, name: str, module: Module) -> None:
        """Register `module` under `name` (names may be digits, as in Sequential)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: expected a Module for {name!r}, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module
        _name_parameters(name, module)

    # --- walking the tree --------------------------------------------------------------------
    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, each parameter once even if shared by two layers."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and (by default) its sub-modules, each once."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in assignment order."""
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('' by default) and every descendant, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            # reversed, so that the stack pops children in assignment order
            for child_name, child in reversed(list(module._modules.items())):
                stack.append((f"{name}.{child_name}" if name else child_name, child))

    def modules(self) -> Iterator[Module]:
        """This module and every descendant (depth first, in assignment order)."""
        for _, m in self.named_modules():
            yield m

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs, each buffer once; non-persistent buffers too."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, b in module._buffers.items():
                if b is None or id(b) in seen:
                    continue
                seen.add(id(b))
                yield (f"{module_name}.{name}" if module_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of this module and (by default) its sub-modules."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn(module)` on every sub-module (children first, as PyTorch) and then on self;
        returns self. Typical use: `model.apply(init_weights)`."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def num_parameters(self, trainable_only: bool = False) -> int:
        """How many numbers the model learns: MLP([3, 4, 2]).num_parameters() == 26."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Cast every parameter to a float dtype, in place (the Parameter objects stay the same,
        so an optimizer built earlier still holds them); returns self. Not under autograd.
        As PyTorch's: .to(dtype), .to("cpu") / .to(device) (only the CPU exists), .to(tensor)."""
        dtype = _dtype_and_device(args, kwargs)
        if dtype is None:
            return self
        d = np.dtype(dtype)
        if d.kind != "f":
            raise TypeError(f"to: parameters must stay floating point, got {d}")
        for p in self.parameters():
            if p.dtype != d:
                p._data = p._data.astype(d)
                mark_modified(p)
                p.grad = None if p.grad is None else Tensor(p.grad._data.astype(d))
        for b in self.buffers():   # float buffers follow; a counter such as num_batches_tracked stays
            if b.dtype.kind == "f" and b.dtype != d:
                b._data = b._data.astype(d)
                mark_modified(b)
        return self

    def cpu(self) -> Module:
        """Already on the CPU: returns self."""
        return self

    def cuda(self, device: Any = None) -> Module:
        check_device("cuda", "Module.cuda")
        return self

    def half(self) -> Module:
        """float16 parameters (numpy's half: for storage; training in it is slow); returns self."""
        return self.to(np.float16)

    def double(self) -> Module:
        """float64 parameters, e.g. to check a model's gradients with gradcheck; returns self."""
        return self.to(np.float64)

    def float(self) -> Module:
        """float32 parameters; returns self."""
        return self.to(np.float32)

    # --- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active) on this module and all descendants; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: the same as train(False)."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's .grad (to None by default, else fill it with zeros)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor(np.zeros_like(p._data))

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # --- state dicts -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Tensor]:
        """{dotted name: Tensor} for every parameter and persistent buffer, in PyTorch's order
        (each module's parameters, then its buffers, then its children's).

        As in PyTorch, the values share memory with the parameters: training afterwards changes
        them. Save them (tinygrad_nn.save) or copy them to keep a snapshot.
        """
        return {name: t.detach() for name, t, _ in self._state_entries()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values from `state_dict` into the parameters and buffers (in place, so optimizers
        keep working).

        Everything is checked first: with `strict=True`, a missing or unexpected key is an error;
        a shape mismatch or a parameter value that is not a float array always is. On any error a
        RuntimeError lists all the problems and nothing has been changed.
        Returns (missing_keys, unexpected_keys), which are empty when strict.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict of name -> array, got "
                            f"{type(state_dict).__name__}")
        entries = list(self._state_entries())
        own = {name: t for name, t, _ in entries}
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems: list[str] = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        updates: list[tuple[Tensor, np.ndarray]] = []
        for name, target, is_buffer in entries:
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = value._data if isinstance(value, Tensor) else np.asarray(value)
            kind = "parameter" if not is_buffer else "buffer"
            if array.dtype.kind not in ("fiub" if is_buffer else "fiu"):
                problems.append(f"{name!r}: expected a float array, got dtype {array.dtype}")
            elif array.shape != target.shape:
                problems.append(f"{name!r}: shape {array.shape} in the state dict, but the "
                                f"{kind} has shape {target.shape}")
            else:
                updates.append((target, array))
        if problems:
            raise RuntimeError(f"load_state_dict: cannot load into {type(self).__name__}; nothing "
                               "was changed:\n  " + "\n  ".join(problems))
        with no_grad():
            for target, array in updates:
                target.copy_(array.astype(target.dtype, copy=False))  # copy_ bumps _version
        if strict:
            return IncompatibleKeys([], [])
        return IncompatibleKeys(missing, unexpected)

    def _state_entries(self, prefix: str = "") -> Iterator[tuple[str, Tensor, bool]]:
        """(name, tensor, is_buffer) for every parameter and persistent buffer under every name
        it has: a layer used twice appears twice (as in PyTorch's state_dict), unlike
        named_parameters, which lists each parameter once."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p, False
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                yield prefix + name, b, True
        for name, child in self._modules.items():
            yield from child._state_entries(prefix + name + ".")

    # --- printing ------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses, e.g. 'in_features=3, out_features=4, bias=True'."""
        return ""

    def __repr__(self) -> str:
        # PyTorch's layout: a one-line extra_repr stays inside the parentheses; anything longer,
        # and every child, goes on its own indented line
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = []
        for name, child in self._modules.items():
            child_text = repr(child).replace("\n", "\n  ")
            child_lines.append(f"({name}): {child_text}")
        lines = extra_lines + child_lines
        if not lines:
            return f"{type(self).__name__}()"
        if len(extra_lines) == 1 and not child_lines:
            return f"{type(self).__name__}({extra_lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _name_parameters(name: str, part: Parameter | Module) -> None:
    """Give parameters their dotted names (shown by tinygrad_nn.viz and in error messages).

    Models are built bottom-up, so a name grows as its module is attached: 'weight' when Linear
    registers it, '0.weight' in a ModuleList, 'layers.0.weight' in an MLP. A name that is not
    the parameter's path inside `part` (one the user gave, or from where it was attached first)
    is kept.
    """
    if isinstance(part, Parameter):
        if part.name is None:
            part.name = name
        return
    for path, p in part.named_parameters():
        if p.name == path:
            p.name = f"{name}.{path}"


class ModuleList(Module):
    """A list of modules, registered under '0', '1', ...; it has no forward of its own.

    Example: `self.layers = ModuleList([Linear(3, 4), Linear(4, 1)])` gives parameters
    'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias'.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(index, slice):
            return type(self)(items[index])
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{len(items)} modules") from None


class Sequential(ModuleList):
    """Modules applied one after another: Sequential(a, b, c)(x) == c(b(a(x))).

    Example::

        model = Sequential(Linear(3, 4), ReLU(), Linear(4, 1))
        model(tinygrad_nn.randn(5, 3)).shape     # (5, 1); parameters '0.weight', ..., '2.bias'
    """

    def __init__(self, *modules: Module) -> None:
        # Sequential([a, b]) is a common slip from ModuleList; accept it rather than fail later
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


def _dtype_and_device(args: tuple, kwargs: dict) -> Any:
    """The dtype in Module.to's PyTorch-style arguments (None if only a device is given),
    refusing any device but the CPU."""
    dtype = kwargs.pop("dtype", None)
    check_device(kwargs.pop("device", None), "Module.to")
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"Module.to: unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, (str, device)):
            check_device(a, "Module.to")
        elif isinstance(a, Tensor):
            dtype = a.dtype
        else:
            dtype = a
    return dtype
