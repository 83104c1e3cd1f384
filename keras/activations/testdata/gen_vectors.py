#!/usr/bin/python3
"""Reference values and gradients for keras/activations, from PyTorch.

Run from this directory with /usr/bin/python3 (torch 1.13, numpy):

    /usr/bin/python3 gen_vectors.py > vectors.json

Every case applies one activation to the same 3x4 input x (no point on a
kink of any function) and records y = f(x) and g = d sum(r * y) / dx for a
fixed weight matrix r, computed by torch autograd in float64. Where torch
has the function (relu, leaky_relu, relu6, elu, selu, gelu, silu, softplus,
softsign, sigmoid, tanh, hardswish, exp, mish, softmax,
log_softmax) it is used directly; relu with Keras's extra options and
hard_sigmoid (relu6(x + 3) / 6) are written from their formulas.
"""
import json

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

X = [[-7.5, -3.2, -2.9, -1.3],
     [-0.6, -0.05, 0.07, 0.4],
     [1.1, 2.8, 3.3, 6.5]]
R = [[0.3, -1.1, 0.7, 0.2],
     [-0.4, 0.9, 1.3, -0.8],
     [0.5, 0.6, -0.2, 1.0]]


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # keras.activations.relu, step by step.
    if negative_slope != 0.0:
        negative_part = F.relu(-x + threshold)
    if threshold != 0:
        pos = x * (x > threshold).to(x.dtype)
    else:
        pos = F.relu(x)
    if max_value is not None:
        pos = torch.clamp(pos, 0.0, max_value)
    if negative_slope != 0.0:
        pos = pos - negative_slope * negative_part
    return pos


CASES = [
    ("linear", {}, lambda x: x),
    ("relu", {}, F.relu),
    ("relu", {"negative_slope": 0.3}, lambda x: keras_relu(x, negative_slope=0.3)),
    ("relu", {"max_value": 6}, lambda x: keras_relu(x, max_value=6.0)),
    ("relu", {"negative_slope": 0.1, "max_value": 4, "threshold": 1.5},
     lambda x: keras_relu(x, 0.1, 4.0, 1.5)),
    ("relu", {"threshold": -1}, lambda x: keras_relu(x, threshold=-1.0)),
    ("relu", {"threshold": -1, "max_value": 2}, lambda x: keras_relu(x, max_value=2.0, threshold=-1.0)),
    ("leaky_relu", {}, lambda x: F.leaky_relu(x, 0.2)),
    ("leaky_relu", {"negative_slope": 0.05}, lambda x: F.leaky_relu(x, 0.05)),
    ("relu6", {}, F.relu6),
    ("elu", {}, F.elu),
    ("elu", {"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
    ("selu", {}, F.selu),
    ("gelu", {}, lambda x: F.gelu(x, approximate="none")),
    ("gelu", {"approximate": True}, lambda x: F.gelu(x, approximate="tanh")),
    ("silu", {}, F.silu),
    ("swish", {}, F.silu),
    ("softplus", {}, F.softplus),
    ("softsign", {}, F.softsign),
    ("sigmoid", {}, torch.sigmoid),
    # torch.nn.functional.hardsigmoid has the same values, but its backward
    # uses a float32 1/6; the formula gives the exact float64 gradient.
    ("hard_sigmoid", {}, lambda x: F.relu6(x + 3) / 6),
    ("hard_silu", {}, F.hardswish),
    ("hard_swish", {}, F.hardswish),
    ("tanh", {}, torch.tanh),
    ("softmax", {}, lambda x: F.softmax(x, dim=-1)),
    ("log_softmax", {}, lambda x: F.log_softmax(x, dim=-1)),
    ("exponential", {}, torch.exp),
    ("mish", {}, F.mish),
]

out = {"x": X, "r": R, "torch": torch.__version__, "cases": []}
for name, params, fn in CASES:
    x = torch.tensor(X, requires_grad=True)
    y = fn(x)
    (y * torch.tensor(R)).sum().backward()
    out["cases"].append({
        "name": name,
        "params": params,
        "y": y.detach().tolist(),
        "grad": x.grad.tolist(),
    })
# One case per line keeps diffs readable.
print("{")
print(' "x": %s, "r": %s, "torch": %s,' % (json.dumps(X), json.dumps(R), json.dumps(torch.__version__)))
print(' "cases": [')
print(",\n".join("  " + json.dumps(c) for c in out["cases"]))
print(" ]")
print("}")
