"""torch.autograd.grad with create_graph: derivatives of derivatives, a Hessian-vector
product, and allow_unused."""
# tolerance: 1e-10
import torch

x = torch.tensor([0.5, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
y = (x ** 3 * torch.sin(x)).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print("grad", g.tolist())
(gg,) = torch.autograd.grad(g.sum(), x)
print("second", gg.tolist())

w = torch.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=torch.float64, requires_grad=True)
z = torch.tensor([0.3, 0.7], dtype=torch.float64)
loss = torch.tanh(w @ z).pow(2).sum()
grads = torch.autograd.grad(loss, [w], create_graph=True)
v = torch.ones_like(w)
hvp = torch.autograd.grad((grads[0] * v).sum(), w)[0]
print("hvp", hvp.tolist())

a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
out = a * a
da, db = torch.autograd.grad(out, [a, b], allow_unused=True)
print("unused", da.item(), db is None)

x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = x * x
y.backward(torch.tensor([1.0, 1.0], dtype=torch.float64), create_graph=True)
print("x.grad", x.grad.tolist(), x.grad.requires_grad)
