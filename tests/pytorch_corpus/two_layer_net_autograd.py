"""The same network with autograd: weights require grad, updates under torch.no_grad()."""
# tolerance: 1e-10
import torch

dtype = torch.double
N, D_in, H, D_out = 16, 10, 20, 3
x = torch.sin(torch.arange(N * D_in, dtype=dtype).reshape(N, D_in) * 0.37)
y = torch.cos(torch.arange(N * D_out, dtype=dtype).reshape(N, D_out) * 0.11)
w1 = (torch.cos(torch.arange(D_in * H, dtype=dtype).reshape(D_in, H) * 1.3) * 0.3).requires_grad_()
w2 = torch.tensor((torch.sin(torch.arange(H * D_out, dtype=dtype) * 0.7) * 0.3).reshape(H, D_out).tolist(),
                  dtype=dtype, requires_grad=True)

learning_rate = 1e-3
for t in range(200):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 40 == 39:
        print(t, f"{loss.item():.12f}")
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print("final", w1.sum().item(), w2.sum().item(), w1.grad.abs().sum().item())
