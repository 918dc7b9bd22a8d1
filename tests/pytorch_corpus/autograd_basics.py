"""Autograd basics, as in a first PyTorch tutorial: requires_grad, backward, vector-Jacobian
products, no_grad and detach."""
# tolerance: 1e-5
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print("out", out.item(), "requires_grad", y.requires_grad)
out.backward()
print("x.grad", x.grad.tolist())

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
q = 3 * a ** 3 - b ** 2
q.backward(gradient=torch.tensor([1.0, 1.0]))
print("a.grad", a.grad.tolist(), "b.grad", b.grad.tolist())
print("check", (9 * a ** 2 == a.grad).tolist(), (-2 * b == b.grad).tolist())

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
y = x * 2
for _ in range(5):
    y = y * 2
y.backward(v)
print("vjp", x.grad.tolist())

print(x.requires_grad, (x ** 2).requires_grad)
with torch.no_grad():
    print("under no_grad", (x ** 2).requires_grad)
d = x.detach()
print("detached", d.requires_grad, torch.equal(d, x) if hasattr(torch, "equal") else True)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print("first", inp.grad.tolist())
out.backward(torch.ones_like(out))
print("accumulated", inp.grad.tolist())
inp.grad.zero_()
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out))
print("after zero_", inp.grad.tolist())

a = torch.linspace(0.0, 2.0, steps=5, requires_grad=True)
b = torch.sin(a)
c = 2 * b
out = c.sum()
out.backward()
print("d sin", [round(g, 6) for g in a.grad.tolist()], f"{out:.5f}")
