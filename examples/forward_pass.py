"""The forward pass of a small network, twice: by hand with numpy, and with tinygrad_nn.MLP.

Run:  python examples/forward_pass.py

The network: 3 inputs -> 4 sigmoid units -> 4 sigmoid units -> 1 output (no activation on
the output). Each layer computes h = activation(W @ x + b), where W has one row of input
weights per unit, so layer sizes 3 -> 4 give a 4x3 matrix.
"""
import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def main() -> None:
    tg.set_default_dtype(np.float64)   # float64 so the two results agree to the last few digits
    tg.manual_seed(0)
    model = nn.MLP([3, 4, 4, 1], activation="sigmoid")
    print(model)

    x = np.array([[0.5, -1.0, 2.0],
                  [1.0, 0.0, -0.5]])            # (2, 3): two examples, 3 inputs each

    # by hand, with the model's own weights: (batch, features) @ W.T is W @ x for every row
    W1, b1 = model.layers[0].weight.numpy(), model.layers[0].bias.numpy()   # (4, 3), (4,)
    W2, b2 = model.layers[1].weight.numpy(), model.layers[1].bias.numpy()   # (4, 4), (4,)
    W3, b3 = model.layers[2].weight.numpy(), model.layers[2].bias.numpy()   # (1, 4), (1,)
    h1 = sigmoid(x @ W1.T + b1)                 # (2, 4)
    h2 = sigmoid(h1 @ W2.T + b2)                # (2, 4)
    by_hand = h2 @ W3.T + b3                    # (2, 1)

    with tg.no_grad():
        by_model = model(Tensor(x)).numpy()     # (2, 1)

    print("by hand :", by_hand.ravel())
    print("MLP     :", by_model.ravel())
    assert np.allclose(by_hand, by_model, rtol=0, atol=1e-12), "the two forward passes differ"

    # parameters: every unit has one weight per input plus a bias
    for sizes in ([3, 4, 2], [3, 4, 4, 1]):
        by_formula = sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))
        print(f"MLP({sizes}) has {nn.MLP(sizes).num_parameters()} parameters "
              f"(sum of n_out * n_in + n_out = {by_formula})")


if __name__ == "__main__":
    main()
