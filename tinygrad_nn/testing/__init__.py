"""Check derivatives and values: assert_close (as torch.testing's), gradcheck, gradgradcheck,
hypothesis strategies, check_gradients, and the catalogue of built-in ops that the project's own
tests run through the same tools.

>>> import numpy as np
>>> from tinygrad_nn.testing import check_gradients, tensors
>>> check_gradients(lambda x: x * x.sigmoid(), tensors(shape=(3,)), max_examples=5)
"""
from .assert_close import assert_close
from .gradcheck import GradcheckError, Mismatch, Report, check, gradcheck, gradgradcheck
from .hypothesis_check import check_gradients
from .locate import NodeCheck, locate_gradient_errors
from .strategies import (arrays, away_from, away_from_zero, bounded, broadcastable_shapes,
                         broadcastable_tensors, matmul_shapes, matmul_tensors, positive, shapes,
                         spaced, tensors)

__all__ = [
    "assert_close", "gradcheck", "gradgradcheck", "check", "GradcheckError", "Report", "Mismatch",
    "check_gradients", "locate_gradient_errors", "NodeCheck",
    "tensors", "arrays", "shapes", "broadcastable_shapes", "broadcastable_tensors",
    "matmul_shapes", "matmul_tensors", "bounded", "positive", "away_from_zero", "away_from",
    "spaced",
]
