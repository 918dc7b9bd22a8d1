"""A custom torch.autograd.Function (a Legendre polynomial), trained with autograd."""
# tolerance: 1e-10
import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class ClampedExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, limit):
        ctx.limit = limit
        result = input.clamp(max=limit).exp()
        ctx.save_for_backward(input, result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        input, result = ctx.saved_tensors
        return grad_output * result * (input < ctx.limit), None


dtype = torch.float64
x = torch.linspace(-math.pi, math.pi, 200, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
learning_rate = 5e-6
for t in range(300):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 60 == 59:
        print(t, f"{loss.item():.10f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print("Result", a.item(), b.item(), c.item(), d.item())

z = torch.tensor([-1.0, 0.5, 2.0, 3.0], dtype=dtype, requires_grad=True)
out = ClampedExp.apply(z, 1.0)
out.sum().backward()
print("clamped exp", out.tolist(), z.grad.tolist())
point = torch.tensor([0.3, -0.7], dtype=dtype, requires_grad=True)
print("gradcheck", torch.autograd.gradcheck(LegendrePolynomial3.apply, (point,)))
