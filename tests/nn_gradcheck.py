"""Gradient checks for closures over module parameters, through the public tool.

Layers hold their weights inside, so the function under test is a closure and the tensors to
check are passed as gradcheck's `params` (perturbed in place and restored exactly).
"""
from tinygrad_nn.testing import gradcheck, gradgradcheck


def check_grads(fn, leaves, second_order=True, atol=1e-6, rtol=1e-5):
    """Assert that fn()'s first (and second) derivatives w.r.t. every leaf match finite differences."""
    assert gradcheck(fn, [], params=leaves, atol=atol, rtol=rtol)
    if second_order:
        assert gradgradcheck(fn, [], params=leaves, atol=atol, rtol=rtol)
