"""The classic two-layer network on tensors, backward written by hand (no autograd)."""
# tolerance: 1e-10
import torch

dtype = torch.float64
device = torch.device("cpu")
N, D_in, H, D_out = 16, 10, 20, 3

x = torch.sin(torch.arange(N * D_in, dtype=dtype, device=device).reshape(N, D_in) * 0.37)
y = torch.cos(torch.arange(N * D_out, dtype=dtype, device=device).reshape(N, D_out) * 0.11)
w1 = torch.cos(torch.arange(D_in * H, dtype=dtype).reshape(D_in, H) * 1.3) * 0.3
w2 = torch.sin(torch.arange(H * D_out, dtype=dtype).reshape(H, D_out) * 0.7) * 0.3

learning_rate = 1e-3
for t in range(200):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()
    if t % 40 == 39:
        print(t, f"{loss:.12f}")
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
print("final", w1.sum().item(), w2.sum().item())
