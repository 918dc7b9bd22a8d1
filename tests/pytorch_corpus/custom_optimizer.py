"""An optimizer written by hand with in-place tensor methods (as in tutorials that explain Adam),
an exponential moving average of the weights, and a comparison with torch.optim.Adam."""
# tolerance: 1e-10
import torch

torch.set_default_dtype(torch.float64)


class MyAdam:
    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [p.new_zeros(p.shape) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v / (1 - b2 ** self.t)).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1 ** self.t))


def make():
    w = torch.linspace(-1, 1, 6).reshape(2, 3).clone().requires_grad_(True)
    b = torch.tensor([0.1, -0.2], requires_grad=True)
    return w, b


x = torch.stack([torch.linspace(-2, 2, 8), torch.linspace(1, 0, 8), torch.linspace(0, 3, 8) ** 0.5], 1)
target = torch.sin(x[:, :2] * 1.5)
mine, ref = make(), make()
opt_mine, opt_ref = MyAdam(mine), torch.optim.Adam(ref, lr=1e-2)
ema = [p.detach().clone() for p in mine]
for step in range(25):
    for (w, b), opt in ((mine, opt_mine), (ref, opt_ref)):
        for p in (w, b):
            p.grad = None
        loss = ((x @ w.t() + b).tanh() - target).pow(2).mean()
        loss.backward()
        opt.step()
    with torch.no_grad():
        for e, p in zip(ema, mine):
            e.lerp_(p, 0.1)
    if step % 6 == 0:
        print(step, f"{loss.item():.10f}")
gap = max(float((a - b).detach().abs().max()) for a, b in zip(mine, ref))
print("same as torch.optim.Adam", gap < 1e-12)
print("ema", [round(v, 8) for v in ema[0].flatten().tolist()])
print("clamped", mine[0].clamp_min(0.0).sum().item(), mine[1].detach().clone().clamp_max_(0.0).tolist())
