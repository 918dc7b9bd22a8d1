"""Every public differentiable op, from the one table in tinygrad_nn.testing.catalogue: forward
against numpy, first- and second-order gradients against finite differences (float64)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_nn
from tinygrad_nn import Tensor
from tinygrad_nn.testing import check_gradients
from tinygrad_nn.testing.catalogue import NOT_DIFFERENTIABLE, OPS


def _flatten(drawn):
    args = []
    for item in drawn:
        args.extend(item if isinstance(item, tuple) else (item,))
    return args


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_forward_matches_numpy(case):
    @given(st.tuples(*case.inputs))
    def forward_agrees(drawn):
        args = _flatten(drawn)
        out = case.fn(*args)
        expected = case.reference(*[a.numpy() if isinstance(a, Tensor) else a for a in args])
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.numpy().astype(np.float64), np.asarray(expected, np.float64),
                                   rtol=1e-12, atol=1e-12)
    forward_agrees()


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_gradients_first_and_second_order(case):
    # the table keeps inputs away from kinks, so a kink found here means a wrong domain: fail
    check_gradients(case.fn, *case.inputs, second_order=case.second_order, kinks="fail",
                    **case.gradcheck_kwargs)


def test_every_public_differentiable_op_is_in_the_table():
    covered = {case.name for case in OPS}
    public = {name for name in dir(Tensor) if not name.startswith("_")}
    operators = {"__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                 "__rtruediv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
                 "__abs__", "__getitem__"}
    functions = {"cat", "stack", "where"}
    missing = (public | operators) - covered - NOT_DIFFERENTIABLE
    assert not missing, f"public ops without a gradient-check row in the catalogue: {sorted(missing)}"
    assert functions <= covered
    assert tinygrad_nn.concatenate is tinygrad_nn.cat
