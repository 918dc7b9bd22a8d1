"""The straight-line program a trace becomes: one Python function of numpy calls, its listing,
and its replay.

The recorder's instructions are lines of Python over named values (see trace.py); `Program`
joins them into one function, compiled once with `exec`, so a replay pays one Python call per
numpy call and no loop, no Tensor objects and no graph. Each intermediate is deleted right
after its last use, so memory is freed as early as in eager mode.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from .. import function
from .._tensor import Tensor
from .trace import Instr, Recorder

_VALUE = re.compile(r"\bv\d+\b")
_CTX = re.compile(r"\bC\d+\b")


class Program:
    """A recorded call as a Python function `run(args) -> outputs`, with a readable listing."""

    def __init__(self, rec: Recorder, arg_names: list[str], arg_kinds: list[str],
                 outputs: Any, out_exprs: list[str]) -> None:
        self.instrs: list[Instr] = rec.instrs
        self.rec_display = rec.display
        self.show = rec.show
        self.arg_names = arg_names
        self.outputs = outputs          # the structure of the returned value (see _rebuild)
        self.out_exprs = out_exprs
        self.env = rec.env
        self.source = self._source(rec, arg_kinds)
        namespace = dict(self.env)
        exec(compile(self.source, "<tinygrad_nn.compile>", "exec"), namespace)  # noqa: S102
        self._run: Callable[[tuple], tuple] = namespace["replay"]

    def _source(self, rec: Recorder, arg_kinds: list[str]) -> str:
        lines = ["def replay(args):"]
        for i, kind in enumerate(arg_kinds):
            if kind in ("A", "a"):
                lines.append(f"    {kind}{i} = args[{i}]")
        last: dict[str, int] = {}
        for i, ins in enumerate(self.instrs):
            for name in _VALUE.findall(ins.code) + _CTX.findall(ins.code):
                last[name] = i
        keep = set(_VALUE.findall(" ".join(self.out_exprs)))
        dies_at: dict[int, list[str]] = {}
        for name, at in last.items():
            if name not in keep:
                dies_at.setdefault(at, []).append(name)
        for i, ins in enumerate(self.instrs):
            dead = dies_at.get(i, [])
            lines.append("    " + self._scaled_in_place(i, ins, dead))
            values = sorted(n for n in dead if n.startswith("v"))
            if values:
                lines.append("    del " + ", ".join(values))
            for c in sorted(n for n in dead if n.startswith("C") and n in rec.ctx_kept):
                lines.append(f"    {c}.__dict__.clear()")   # the masks a forward kept
        lines.append(f"    return ({', '.join(self.out_exprs)}{',' if len(self.out_exprs) == 1 else ''})")
        return "\n".join(lines) + "\n"

    def _scaled_in_place(self, i: int, ins: Instr, dead: list[str]) -> str:
        """`p += K * g` as `g *= K; p += g` when g dies here and is no tensor's .grad at the end
        (gradients cleared after the step): the same rounding, one temporary fewer -- the buffer
        reuse that lets a replayed SGD step beat the textbook numpy that allocates lr * g."""
        g = ins.scratch
        if g is None or g not in dead:
            return ins.code
        found = re.fullmatch(rf"(\S+) \+= (K\d+) \* {g}(; _mark\(\w+\))?", ins.code)
        if found is None or type(self.env[found.group(2)]) not in (float, int):
            return ins.code
        for j, other in enumerate(self.instrs):   # g bound to a .grad must be unbound after i
            held = re.fullmatch(rf"(\w+)\.grad = _wrap\({g}\)", other.code)
            if held and not any(later.code.startswith(f"{held.group(1)}.grad = ")
                                for later in self.instrs[max(i, j) + 1:]):
                return ins.code
        return f"np.multiply({g}, {found.group(2)}, out={g}); {found.group(1)} += {g}{found.group(3) or ''}"

    def run(self, args: tuple) -> Any:
        flat = self._run(args)
        return _rebuild(self.outputs, flat)

    # --- the listing ---------------------------------------------------------------------------
    def listing(self, name: str = "step") -> str:
        """One line per numpy call, jaxpr/torch.fx style: `v3 = relu(v2)   # shapes`."""
        head = ", ".join(self.arg_names)
        lines = [f"def {name}({head}):"]
        phase = None
        for ins in self.instrs:
            if ins.phase != phase and ins.op != "set_grad":   # p.grad = None stays with its section
                phase = ins.phase
                lines.append(f"    # --- {phase}")
            text = self._line(ins)
            lines.append(f"    {text:<58}  # {ins.shapes}" if ins.shapes else f"    {text}")
        outs = [self.show(e) for e in self.out_exprs]
        lines.append(f"    return {', '.join(outs)}" if outs else "    return None")
        return "\n".join(lines)

    def _line(self, ins: Instr) -> str:
        return ins.text

    def __len__(self) -> int:
        return len(self.instrs)


def _rebuild(spec: Any, flat: tuple) -> Any:
    kind = spec[0]
    if kind == "tensor":
        return function._wrap(flat[spec[1]])
    if kind == "object":
        return spec[1]
    if kind == "value":
        return spec[1]
    if kind in ("tuple", "list"):
        items = [_rebuild(s, flat) for s in spec[1]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {k: _rebuild(s, flat) for k, s in zip(spec[1], spec[2])}
    raise AssertionError(kind)


def describe_outputs(rec: Recorder, value: Any, out_exprs: list[str]) -> Any:
    """The structure of fn's result, with each Tensor's array named (appending to out_exprs)."""
    if isinstance(value, Tensor):
        if id(value) in rec.tensors and id(value._data) not in rec.names:
            return ("object", value)
        out_exprs.append(rec.array(value._data, value))
        return ("tensor", len(out_exprs) - 1)
    if isinstance(value, (tuple, list)):
        return ("tuple" if isinstance(value, tuple) else "list",
                [describe_outputs(rec, v, out_exprs) for v in value])
    if isinstance(value, dict):
        keys = list(value)
        return ("dict", keys, [describe_outputs(rec, value[k], out_exprs) for k in keys])
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return ("value", value)
    raise TypeError(f"compile: the compiled function returned a {type(value).__name__}; it may "
                    "return Tensors, or a tuple, list or dict of them, or None")
