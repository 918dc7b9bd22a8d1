"""Neural-network building blocks with PyTorch's names and shapes.

>>> from tinygrad_nn import nn
>>> model = nn.MLP([3, 4, 2])          # Linear(3, 4) -> ReLU -> Linear(4, 2)
>>> model.num_parameters()
26
"""
from . import functional, init
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .layers import Dropout, Embedding, Flatten, Identity, Linear, Maxout, Unflatten
from .losses import (BCELoss, BCEWithLogitsLoss, BinaryHingeLoss, CrossEntropyLoss,
                     HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, MultiMarginLoss,
                     NLLLoss, SmoothL1Loss)
from .mlp import MLP
from .module import (IncompatibleKeys, Module, ModuleDict, ModuleList, Parameter, ParameterDict,
                     ParameterList, Sequential)
from .normalization import BatchNorm1d, LayerNorm

__all__ = [
    "functional", "init",
    "Parameter", "Module", "ModuleList", "Sequential", "IncompatibleKeys",
    "Linear", "Identity", "Dropout", "Maxout", "MLP",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss",
    "HingeEmbeddingLoss", "BinaryHingeLoss", "MultiMarginLoss",
    "clip_grad_norm_", "clip_grad_value_",
    # nnlib: PyTorch's layers, containers and losses
    "Flatten", "Unflatten", "Embedding", "LayerNorm", "BatchNorm1d", "ModuleDict", "ParameterList",
    "ParameterDict", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
]
