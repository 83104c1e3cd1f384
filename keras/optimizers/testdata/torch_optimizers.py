"""Generates torch_optimizers.json: weights after each of three steps of
torch.optim optimizers on a fixed gradient sequence, in float64.

Each case names the gokeras optimizer and the Keras-named hyperparameters
that make it compute the same update as the torch optimizer (epsilon is 0
where torch adds it in another place than Keras; Nadam uses torch's
momentum_decay=1, which is Keras 3's 0.96^t schedule, and its foreach path:
torch 1.13's single-tensor NAdam multiplies mu into mu_product_next twice).

Run: /usr/bin/python3 torch_optimizers.py > torch_optimizers.json
"""
import json

import torch

torch.set_default_dtype(torch.float64)  # NAdam's mu_product state

W0 = [1.0, -2.0, 0.5]
GRADS = [[0.5, -1.0, 0.25], [0.1, 0.2, -0.3], [-0.4, 0.3, 0.05]]

CASES = [
    ("sgd", {"learning_rate": 0.01}, lambda p: torch.optim.SGD(p, lr=0.01)),
    ("sgd", {"learning_rate": 0.01, "momentum": 0.9}, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.5, "nesterov": 1},
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True)),
    ("rmsprop", {"epsilon": 0}, lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=0)),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": 1, "epsilon": 0},
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=0, momentum=0.5, centered=True)),
    ("adam", {"epsilon": 0}, lambda p: torch.optim.Adam(p, lr=0.001, eps=0)),
    ("adam", {"learning_rate": 0.01, "amsgrad": 1, "epsilon": 0},
     lambda p: torch.optim.Adam(p, lr=0.01, eps=0, amsgrad=True)),
    ("adamw", {"learning_rate": 0.01, "epsilon": 0},
     lambda p: torch.optim.AdamW(p, lr=0.01, eps=0, weight_decay=0.004)),
    ("adagrad", {"learning_rate": 0.01, "epsilon": 0},
     lambda p: torch.optim.Adagrad(p, lr=0.01, initial_accumulator_value=0.1, eps=0)),
    ("adadelta", {"learning_rate": 1.0, "epsilon": 1e-6},
     lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.95, eps=1e-6)),
    ("adamax", {"learning_rate": 0.002, "epsilon": 0}, lambda p: torch.optim.Adamax(p, lr=0.002, eps=0)),
    ("nadam", {"learning_rate": 0.002}, lambda p: torch.optim.NAdam(p, lr=0.002, eps=1e-7, momentum_decay=1.0, foreach=True)),
]

out = []
for name, params, make in CASES:
    w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    opt = make([w])
    steps = []
    for g in GRADS:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        steps.append(w.detach().tolist())
    out.append({"optimizer": name, "params": params, "steps": steps})
print(json.dumps({"torch": torch.__version__, "w0": W0, "grads": GRADS, "cases": out}, indent=1))
