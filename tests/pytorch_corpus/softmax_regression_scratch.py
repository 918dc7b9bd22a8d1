"""Softmax regression from scratch, in the style of the textbook chapters: parameters as plain
tensors with requires_grad, a hand-written softmax and cross-entropy, minibatches by index
slices, the update under no_grad with grad.zero_(), accuracy by argmax."""
# tolerance: 1e-5
import torch

num_inputs, num_outputs, n = 4, 3, 60
t = torch.arange(n, dtype=torch.float32)
X = torch.stack([torch.sin(t * 0.3), torch.cos(t * 0.7), torch.sin(t * 0.05) * 2, (t % 7) / 7], dim=1)
y = (X[:, 0] * 2 + X[:, 2] > X[:, 1]).long() + (X[:, 3] > 0.6).long()

W = torch.cos(torch.arange(num_inputs * num_outputs, dtype=torch.float32)) * 0.01
W = W.reshape(num_inputs, num_outputs)
W.requires_grad_(True)
b = torch.zeros(num_outputs, requires_grad=True)


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


batch_size, lr = 12, 0.5
for epoch in range(8):
    for i in range(0, n, batch_size):
        Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
        loss = cross_entropy(net(Xb), yb)
        loss.sum().backward()
        sgd([W, b], lr, batch_size)
    with torch.no_grad():
        train_l = cross_entropy(net(X), y)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}, acc {accuracy(net(X), y) / n:.4f}")
print("W", [round(v, 4) for v in W.detach().flatten().tolist()])
print("probabilities sum to one", torch.allclose(net(X).sum(1), torch.ones(n)))
