"""Fit a cubic to sin(x) on linspace points: scalar parameters, manual SGD via .data."""
# tolerance: 1e-5
import math

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
a = torch.tensor(0.1, requires_grad=True)
b = torch.tensor(-0.2, requires_grad=True)
c = torch.tensor(0.3, requires_grad=True)
d = torch.tensor(-0.05, requires_grad=True)

learning_rate = 1e-6
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, f"{loss.item():.4f}")
    loss.backward()
    for p in (a, b, c, d):
        p.data -= learning_rate * p.grad
        p.grad = None
print(f"Result: y = {a.item():.6f} + {b.item():.6f} x + {c.item():.6f} x^2 + {d.item():.6f} x^3")
print("dtypes", x.dtype == torch.float32, a.dtype == torch.float32, tuple(x.size()), x.numel())
