"""A custom op, checked like a built-in one: swish(x) = x·σ(x), written as a Function.

Run:  python examples/custom_op.py

1. Define forward and backward as in PyTorch's torch.autograd.Function: forward receives Tensors
   (run under no_grad), backward is written with Tensor ops, so second order comes for free.
2. gradcheck it at a few points, then let hypothesis hunt for a counterexample.
3. See what a wrong derivative looks like: the report names the element and the values.
4. Use the op in a model.
"""
import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Function, Tensor
from tinygrad_nn.testing import GradcheckError, check_gradients, gradcheck, gradgradcheck, tensors


class Swish(Function):
    """swish(x) = x·σ(x);  swish'(x) = σ(x) + x·σ(x)(1 − σ(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors   # the input Tensor: differentiating through it gives 2nd order
        s = x.sigmoid()
        return grad * (s + x * s * (1 - s))


class SwishWrong(Swish):
    """The classic slip: the product rule forgotten, swish' written as σ(x)."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()


def main() -> None:
    x = Tensor(np.array([-2.0, -0.5, 0.0, 0.7, 3.0]), requires_grad=True)   # float64 for checking
    print("gradcheck:", gradcheck(Swish.apply, [x]))
    print("gradgradcheck:", gradgradcheck(Swish.apply, [x]))
    check_gradients(Swish.apply, tensors(min_value=-5, max_value=5), max_examples=30, second_order=True)
    print("check_gradients: 30 random tensors, first and second order: ok")

    try:
        gradcheck(SwishWrong.apply, [x])
    except GradcheckError as failure:
        print("\nwhat a wrong derivative looks like:\n" + str(failure))

    # used in a model like any other op: fit y = swish(2x) with one weight
    tg.manual_seed(0)
    w = Tensor(np.array([0.5]), requires_grad=True)
    data = np.linspace(-3, 3, 50)
    target = data * 2 / (1 + np.exp(-data * 2))
    for _ in range(200):
        loss = ((Swish.apply(Tensor(data) * w) - Tensor(target)) ** 2).mean()
        w.grad = None
        loss.backward()
        with tg.no_grad():
            w -= 0.1 * w.grad
    print(f"\nlearned w = {w.item():.4f} (true 2), loss {loss.item():.2e}")


if __name__ == "__main__":
    main()
