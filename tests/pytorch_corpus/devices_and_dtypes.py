"""Device and dtype habits of CPU scripts: choose a device, move models and data, cast."""
# tolerance: 1e-5
import torch
from torch import nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device", device.type, str(device), torch.cuda.device_count())
mps = torch.backends.mps.is_available()
print("mps", mps)
torch.manual_seed(0)
model = nn.Linear(3, 2).to(device)
x = torch.ones(4, 3, device=device)
print(model(x).shape[0], x.device == device, model.weight.device.type)
with torch.no_grad():
    model.weight.fill_(0.25)
    model.bias.zero_()
print(model(x.to(device)).sum().item(), x.cpu().sum().item())
model.double()
print(model.weight.dtype == torch.float64, model(x.double()).dtype == torch.float64)
model.float()
print(model.weight.dtype == torch.float32)
t = torch.tensor([1.7, -2.2, 3.9])
print(t.long().tolist(), t.int().tolist(), t.to(torch.int64).tolist(), t.type(torch.int32).tolist())
print(t.half().float().tolist()[0] == 1.7001953125, t.double().dtype == torch.float64)
print(t.to(torch.float64).dtype == torch.float64, t.to(dtype=torch.float32).dtype == torch.float32)
print(x.to(t).dtype == torch.float32, t.to("cpu").tolist())
print(t.to(device, torch.float64).dtype == torch.float64)
print(torch.tensor([True, False]).dtype == torch.bool, torch.zeros(2, dtype=torch.long).dtype == torch.int64)
print(torch.is_tensor(t), isinstance(t, torch.Tensor), t.is_floating_point())
