#!/usr/bin/python3
"""Reference per-sample losses and gradients for keras/losses, from PyTorch.

Run from this directory with /usr/bin/python3 (torch 1.13, numpy):

    /usr/bin/python3 gen_vectors.py > vectors.json

Each case gives predictions `pred` (or logits, when `act` names the
activation the model applies before the loss), targets `true` (one-hot rows
for sparse_categorical_crossentropy, as the model feeds them), the
per-sample loss `want`, and `grad` = d sum(r * loss) / d pred for the fixed
sample weights r, all in float64 by torch autograd. Torch's own losses are
used where they compute Keras's formula (huber_loss, cross_entropy with
probability targets and label smoothing, binary_cross_entropy_with_logits);
the others are written from the formulas in keras/src/losses/losses.py
(epsilon 1e-7 where Keras uses it).
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
EPS = 1e-7
R = [0.7, -1.3, 0.4]
rng = np.random.RandomState(20240605)


def u(lo, hi, shape=(3, 4), dec=3):
    return np.round(rng.uniform(lo, hi, size=shape), dec).tolist()


def mean(x):
    return x.mean(dim=-1)


def mse(t, p):
    return mean((p - t) ** 2)


def mae(t, p):
    return mean((p - t).abs())


def mape(t, p):
    return 100 * mean(((t - p) / torch.clamp(t.abs(), min=EPS)).abs())


def msle(t, p):
    return mean((torch.log(torch.clamp(p, min=EPS) + 1) - torch.log(torch.clamp(t, min=EPS) + 1)) ** 2)


def bce_probs(ls=0.0):
    def f(t, p):
        t = t * (1 - ls) + 0.5 * ls
        p = torch.clamp(p, EPS, 1 - EPS)
        return mean(-(t * torch.log(p) + (1 - t) * torch.log(1 - p)))
    return f


def bce_logits(ls=0.0):
    def f(t, z):
        t = t * (1 - ls) + 0.5 * ls
        return mean(F.binary_cross_entropy_with_logits(z, t, reduction="none"))
    return f


def cce_probs(ls=0.0):
    def f(t, p):
        t = t * (1 - ls) + ls / t.shape[-1]
        q = torch.clamp(p / p.sum(dim=-1, keepdim=True), EPS, 1 - EPS)
        return -(t * torch.log(q)).sum(dim=-1)
    return f


def cce_logits(ls=0.0):
    def f(t, z):
        return F.cross_entropy(z, t, reduction="none", label_smoothing=ls)
    return f


def hinge_labels(t):
    if bool(((t == 0) | (t == 1)).all()):
        return 2 * t - 1
    return t


def hinge(t, p):
    return mean(torch.clamp(1 - hinge_labels(t) * p, min=0))


def squared_hinge(t, p):
    return mean(torch.clamp(1 - hinge_labels(t) * p, min=0) ** 2)


def categorical_hinge(t, p):
    pos = (t * p).sum(dim=-1)
    neg = ((1 - t) * p).max(dim=-1).values
    return torch.clamp(neg - pos + 1, min=0)


def huber(delta):
    def f(t, p):
        return mean(F.huber_loss(p, t, reduction="none", delta=delta))
    return f


def log_cosh(t, p):
    e = p - t
    return mean(e + F.softplus(-2 * e) - np.log(2.0))


def kl(t, p):
    t = torch.clamp(t, EPS, 1)
    p = torch.clamp(p, EPS, 1)
    return (t * torch.log(t / p)).sum(dim=-1)


def poisson(t, p):
    return mean(p - t * torch.log(p + EPS))


def cosine(t, p):
    def normalize(x):
        return x / torch.clamp(x.norm(dim=-1, keepdim=True), min=EPS)
    return -(normalize(t) * normalize(p)).sum(dim=-1)


BIN = [[1, 0, 0, 1], [0, 0, 1, 1], [1, 1, 0, 0]]
SOFT_BIN = [[1, 0, 0.3, 1], [0, 0, 1, 1], [1, 0.8, 0, 0]]
ONEHOT = [[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]
SOFT = [[0.1, 0.6, 0.3, 0], [0, 0, 0.5, 0.5], [1, 0, 0, 0]]
PM1 = [[1, -1, -1, 1], [-1, -1, 1, 1], [1, 1, -1, -1]]
PROBS = u(0.05, 0.95)
LOGITS = u(-4, 4)
REAL_P = u(-2, 2)
REAL_T = u(-2, 2)

CASES = [
    ("mean_squared_error", {}, "", REAL_P, REAL_T, mse),
    ("mean_absolute_error", {}, "", REAL_P, REAL_T, mae),
    ("mean_absolute_percentage_error", {}, "", REAL_P,
     [[0.5, -1.2, 0.0, 2.0], [1.5, 0.25, -0.75, 1.0], [-2.0, 0.1, 0.4, -0.6]], mape),
    ("mean_squared_logarithmic_error", {}, "",
     [[0.5, 1.2, -0.3, 2.0], [1.5, 0.25, 0.75, 3.0], [2.0, 0.1, 0.4, 0.6]], u(0, 3), msle),
    ("binary_crossentropy", {}, "", PROBS, SOFT_BIN, bce_probs()),
    ("binary_crossentropy", {"label_smoothing": 0.2}, "", PROBS, BIN, bce_probs(0.2)),
    ("binary_crossentropy", {"from_logits": True}, "", LOGITS, SOFT_BIN, bce_logits()),
    ("binary_crossentropy", {}, "sigmoid", LOGITS, SOFT_BIN, bce_logits()),
    ("binary_crossentropy", {"label_smoothing": 0.1}, "sigmoid", LOGITS, BIN, bce_logits(0.1)),
    ("categorical_crossentropy", {}, "", PROBS, SOFT, cce_probs()),
    ("categorical_crossentropy", {"label_smoothing": 0.1}, "", PROBS, ONEHOT, cce_probs(0.1)),
    ("categorical_crossentropy", {"from_logits": True}, "", LOGITS, SOFT, cce_logits()),
    ("categorical_crossentropy", {}, "softmax", LOGITS, ONEHOT, cce_logits()),
    ("categorical_crossentropy", {"label_smoothing": 0.2}, "softmax", LOGITS, ONEHOT, cce_logits(0.2)),
    ("sparse_categorical_crossentropy", {}, "", PROBS, ONEHOT, cce_probs()),
    ("sparse_categorical_crossentropy", {}, "softmax", LOGITS, ONEHOT, cce_logits()),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "", LOGITS, ONEHOT, cce_logits()),
    ("hinge", {}, "", REAL_P, BIN, hinge),
    ("hinge", {}, "", REAL_P, PM1, hinge),
    ("squared_hinge", {}, "", REAL_P, BIN, squared_hinge),
    ("squared_hinge", {}, "", REAL_P, PM1, squared_hinge),
    ("categorical_hinge", {}, "", REAL_P, ONEHOT, categorical_hinge),
    ("huber", {}, "", REAL_P, REAL_T, huber(1.0)),
    ("huber", {"delta": 0.5}, "", REAL_P, REAL_T, huber(0.5)),
    ("log_cosh", {}, "", REAL_P, REAL_T, log_cosh),
    ("kl_divergence", {}, "", PROBS, SOFT, kl),
    ("poisson", {}, "", u(0.1, 3), u(0, 4, dec=0), poisson),
    ("cosine_similarity", {}, "", REAL_P,
     [[0.5, -1.2, 0.3, 2.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 0.1, 0.4, -0.6]], cosine),
]

print("{")
print(' "r": %s, "torch": %s,' % (json.dumps(R), json.dumps(torch.__version__)))
print(' "cases": [')
lines = []
for name, params, act, pred, true, fn in CASES:
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(true, dtype=torch.float64)
    loss = fn(t, p)
    (loss * torch.tensor(R)).sum().backward()
    lines.append("  " + json.dumps({
        "loss": name, "params": params, "act": act, "pred": pred, "true": true,
        "want": loss.detach().tolist(), "grad": p.grad.tolist()}))
print(",\n".join(lines))
print(" ]")
print("}")
