"""Least squares and matrix calculus with torch.linalg: solve, inv, det and their gradients."""
# tolerance: 1e-10
import torch

torch.set_default_dtype(torch.float64)
t = torch.linspace(0, 1, 12)
X = torch.stack([torch.ones(12), t, t ** 2], dim=1)
y = 1.0 - 2.0 * t + 3.0 * t ** 2 + 0.01 * torch.sin(40 * t)
coef = torch.linalg.solve(X.T @ X, X.T @ y)
print("coefficients", [round(c, 8) for c in coef.tolist()])
print("residual", f"{torch.linalg.norm(X @ coef - y).item():.10f}")

A = torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], requires_grad=True)
d = torch.linalg.det(A)
d.backward()
expected = d.detach() * torch.linalg.inv(A.detach()).T
print("det", f"{d.item():.10f}", "grad = det * inv(A).T", torch.allclose(A.grad, expected))
A.grad = None
loss = torch.linalg.inv(A).sum() + torch.linalg.matrix_norm(A) + torch.linalg.vector_norm(A, ord=1)
loss.backward()
print("loss", f"{loss.item():.10f}", "grad", [round(v, 8) for v in A.grad.flatten().tolist()])
sign, logdet = torch.linalg.slogdet(A.detach())
print("slogdet", sign.item(), f"{logdet.item():.10f}")
