"""The catalogue: every public differentiable op as one row (name, function, numpy reference,
input strategies). The test suite checks each row's forward against numpy and its first- and
second-order gradients with check_gradients; `python -m tinygrad_nn gradcheck` runs it too.

A row's strategies draw the function's arguments: Tensors (checked), and plain values such as
an axis or a boolean mask (passed through unchanged). Domains keep finite differences away from
kinks (see strategies.py) rather than widening tolerances.

One module per family, each adding its rows to OPS (and its non-differentiable public names to
NOT_DIFFERENTIABLE) when imported: core (the primitives), nn, shape, math, torch_methods,
linalg_losses.
"""
from . import linalg_losses, math, nn, shape, torch_methods  # noqa: F401  (importing a family adds its rows)
from .core import NOT_DIFFERENTIABLE, OPS, OpCase

__all__ = ["NOT_DIFFERENTIABLE", "OPS", "OpCase"]
