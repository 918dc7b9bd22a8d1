"""Logistic regression in float64 with a hand-written loss, torch.where labels, and in-place
updates through add_ / zero_."""
# tolerance: 1e-10
import torch

torch.set_default_dtype(torch.float64)
t = torch.linspace(0, 1, 30)
X = torch.stack([torch.cos(7 * t), torch.sin(3 * t), t], dim=1)
labels = torch.where(X[:, 0] + 0.5 * X[:, 1] > 0.2, torch.ones(30), torch.zeros(30))
w = torch.zeros(3, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(60):
    p = torch.sigmoid(X @ w + b)
    loss = -(labels * torch.log(p) + (1 - labels) * torch.log(1 - p)).mean()
    loss.backward()
    with torch.no_grad():
        w.add_(w.grad, alpha=-0.5)
        b.sub_(0.5 * b.grad)
    w.grad.zero_()
    b.grad.zero_()
    if step % 15 == 14:
        print(step, f"{loss.item():.12f}")
accuracy = ((torch.sigmoid(X @ w + b) > 0.5).float() == labels).float().mean()
print("accuracy", accuracy.item(), "w", w.tolist(), "dtype", w.dtype == torch.float64)
torch.set_default_dtype(torch.float32)
