"""Learning-rate schedules a training script reaches for, printed epoch by epoch."""
# tolerance: 1e-10
import torch
from torch.optim import lr_scheduler


def lrs(make, epochs=12, optimizer="sgd", metric=None):
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9) if optimizer == "sgd" else torch.optim.Adam([p], lr=0.1)
    sched = make(opt)
    out = []
    for epoch in range(epochs):
        p.grad = torch.ones(2)
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric[epoch])
        out.append(round(opt.param_groups[0]["lr"], 10))
    return out


print("step", lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)))
print("multistep", lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3)))
print("linear", lrs(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4)))
print("constant", lrs(lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3)))
print("poly", lrs(lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0)))
print("cosine", lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01)))
restarts = lr_scheduler.CosineAnnealingWarmRestarts
print("restarts", lrs(lambda o: restarts(o, T_0=3, T_mult=2, eta_min=0.001)))
print("warmup then cosine", lrs(lambda o: lr_scheduler.SequentialLR(
    o, [lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3),
        lr_scheduler.CosineAnnealingLR(o, T_max=8)], milestones=[3])))
print("cyclic", lrs(lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                    mode="triangular2")))
print("onecycle", lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=12), optimizer="adam"))
print("plateau", lrs(lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=1, factor=0.5),
                     metric=[1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]))
