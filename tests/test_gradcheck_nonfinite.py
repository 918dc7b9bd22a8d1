"""gradcheck must fail on a nan or inf Jacobian entry: |analytical - numerical| > tol is False for
nan, so before this check a backward returning nan passed the element test (issue 15)."""
import numpy as np
import pytest
from hypothesis import strategies as st

from tinygrad_nn import Function, Tensor
from tinygrad_nn.testing import GradcheckError, check, check_gradients, gradcheck, locate_gradient_errors


class SquareNanGradient(Function):
    """x², whose backward gives nan for the first element (finite differences are finite)."""
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        poison = np.ones(x.shape)
        poison.reshape(-1)[0] = np.nan
        return g * 2 * x * Tensor(poison)


class NanAboveHalf(Function):
    """x, but nan for x > 0.5 (np.where: no warning); backward is the finite 1 everywhere."""
    @staticmethod
    def forward(ctx, x):
        return np.where(x > 0.5, np.nan, x)

    @staticmethod
    def backward(ctx, g):
        return g


class NanAboveHalfNanGradient(NanAboveHalf):
    @staticmethod
    def backward(ctx, g):
        return g * Tensor(np.where(ctx.inputs[0].numpy() > 0.5 - 1e-3, np.nan, 1.0))


X = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("check_structure", [True, False])
def test_nan_analytical_gradient_fails_with_its_own_message(check_structure):
    x = Tensor(X.copy(), requires_grad=True)
    report = check(SquareNanGradient.apply, [x], check_structure=check_structure)
    assert not report.ok
    # element 0 of the input, in each of the three output rows (0 * nan is nan)
    assert {m.element for m in report.non_finite} == {(0,)} and len(report.non_finite) == 3
    first = report.non_finite[0]
    assert np.isnan(first.analytical) and first.numerical == pytest.approx(1.0)
    assert "analytical not finite" in report.explain()
    with pytest.raises(GradcheckError, match="not finite"):
        gradcheck(SquareNanGradient.apply, [x], check_structure=check_structure)


def test_without_structural_checks_only_the_non_finite_entry_fails():
    # the structural checks (linearity uses allclose, which fails on nan) used to be the only
    # thing catching it; with them off nothing else is left
    x = Tensor(X.copy(), requires_grad=True)
    report = check(SquareNanGradient.apply, [x], check_structure=False)
    assert not report.mismatches and not report.failed_checks and len(report.non_finite) == 3


def test_non_finite_numerical_derivative_fails_too():
    x = Tensor(np.array([0.5 - 1e-7, 0.0]), requires_grad=True)   # the step crosses into nan
    report = check(NanAboveHalf.apply, [x], check_structure=False)
    assert {m.element for m in report.non_finite} == {(0,)}
    first = report.non_finite[0]
    assert np.isnan(first.numerical) and first.analytical == 1.0
    assert "numerical not finite" in report.explain()


def test_both_non_finite_are_reported_not_skipped():
    x = Tensor(np.array([0.5 - 1e-7, 0.0]), requires_grad=True)
    report = check(NanAboveHalfNanGradient.apply, [x], check_structure=False)
    assert not report.ok
    assert "both not finite" in report.explain()
    # the nan output also spoils the other row's difference quotient (0 * nan): two entries
    assert "2 Jacobian entries are not finite (0 where the other value is finite, 2 where both" \
        in report.explain()


def test_check_gradients_inherits_the_non_finite_check():
    # one fixed input: every draw fails, so there is nothing for hypothesis to shrink
    fixed = st.just(Tensor(X.copy(), requires_grad=True))
    with pytest.raises(GradcheckError, match="not finite"):
        check_gradients(SquareNanGradient.apply, fixed, check_structure=False, max_examples=2)
    with pytest.raises(GradcheckError, match="not finite"):
        check_gradients(SquareNanGradient.apply, fixed, max_examples=2)


def test_locate_gradient_errors_names_the_node_with_a_nan_gradient():
    x = Tensor(X.copy(), requires_grad=True)
    out = (SquareNanGradient.apply(x.tanh()) * 3).sum()
    bad = locate_gradient_errors(out)
    assert [c.op for c in bad] == ["squarenangradient"]
    assert "analytical not finite" in str(bad[0])
