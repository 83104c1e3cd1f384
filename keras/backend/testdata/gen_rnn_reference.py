#!/usr/bin/python3
"""Reference outputs and gradients for keras/backend's Recurrent and
Embedding ops, from PyTorch.

Run from this directory with /usr/bin/python3 (torch 1.13, numpy):

    /usr/bin/python3 gen_rnn_reference.py > rnn_reference.json

Every case holds Keras-layout weights (kernel (D, G*U), recurrent_kernel
(U, G*U), bias), seeded inputs, the outputs (the output sequence in
processing order, the final states) and the gradients of

    loss = sum(seq * r_seq) + sum(h * r_h) [+ sum(c * r_c)]

with respect to x, the kernels, the bias and the initial states, all in
float64 by torch autograd.

How the Keras weights map onto torch:
- LSTM: torch's gate order i, f, g, o is Keras's i, f, c, o, so
  weight_ih = kernel.T, weight_hh = recurrent_kernel.T, bias_ih = bias,
  bias_hh = 0.
- GRU (Keras reset_after=True): torch's gate order is r, z, n and Keras's
  z, r, h, so the row blocks are permuted: weight_ih = kernel.T[[r, z, h]],
  weight_hh = recurrent_kernel.T[[r, z, h]], bias_ih = bias[0][[r, z, h]],
  bias_hh = bias[1][[r, z, h]]. torch's n = tanh(W_in x + b_in + r *
  (W_hn h + b_hn)) and h' = (1 - z) * n + z * h are Keras's formulas.
- SimpleRNN: weight_ih = kernel.T, weight_hh = recurrent_kernel.T,
  bias_ih = bias, bias_hh = 0; nonlinearity tanh or relu.
- GRU reset_after=False has no torch module: its cell is written out with
  torch ops from Keras's gru.py (hh = tanh(x W_h + b_h + (r * h) U_h)).
- Dropout masks (Keras multiplies the step input and the previous h by
  fixed masks, one per gate with recurrent dropout) are written out with
  torch ops around the same cell formulas.

Cases without a mask run torch's whole-sequence modules (nn.LSTM, nn.GRU,
nn.RNN) on the input, flipped in time for go_backwards (Keras processes
the reversed sequence and returns outputs in processing order). Masked
cases run the torch cell modules (nn.LSTMCell, nn.GRUCell, nn.RNNCell) in
a loop that transcribes Keras 3's masked recurrence
(keras/src/backend/tensorflow/rnn.py): at a masked step the states carry
over and the output is the previous step's output (zeros before the first
step), or zeros with zero_output_for_mask.

The embedding cases record torch.nn.functional.embedding of ids with
repeated entries and the gradient of sum(out * r) with respect to the
table (torch's dense embedding backward, a scatter-add).
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def perm_gru(a, u):
    """Keras's z, r, h blocks (last axis) in torch's r, z, n order."""
    return np.concatenate([a[..., u:2 * u], a[..., :u], a[..., 2 * u:]], axis=-1)


def keras_loop(cell, x, h0, c0, mask, back, zof):
    """Keras 3's masked recurrence over a cell(x_t, h, c) -> (h', c')."""
    B, T, _ = x.shape
    h, c = h0, c0
    prev = torch.zeros_like(h0)
    outs = []
    for s in range(T):
        tt = T - 1 - s if back else s
        nh, nc = cell(x[:, tt], h, c)
        if mask is None:
            out, h, c = nh, nh, nc
        else:
            m = mask[:, tt:tt + 1] != 0
            out = torch.where(m, nh, torch.zeros_like(nh) if zof else prev)
            h = torch.where(m, nh, h)
            if c is not None:
                c = torch.where(m, nc, c)
        prev = out
        outs.append(out)
    return torch.stack(outs, 1), h, c


def hand_cell(kind, W, U, b, u, act, drop, rdrop):
    """A cell written with torch ops, for what torch has no module for:
    GRU reset_after=False, and per-gate dropout masks."""
    G = {"lstm": 4, "gru": 3, "gru_before": 3, "simple": 1}[kind]
    f_act = {"tanh": torch.tanh, "relu": torch.relu}[act]

    def xin(x, g):
        if drop is None:
            return x
        return x * (drop[g] if drop.dim() == 3 else drop)

    def hin(h, g):
        if rdrop is None:
            return h
        return h * (rdrop[g] if rdrop.dim() == 3 else rdrop)

    def blk(m, g):
        return m[:, g * u:(g + 1) * u]

    bin_ = None if b is None else (b[0] if kind == "gru" else b)
    brec = b[1] if (b is not None and kind == "gru") else None

    def proj_x(x, g):
        p = xin(x, g) @ blk(W, g)
        if bin_ is not None:
            p = p + bin_[g * u:(g + 1) * u]
        return p

    def cell(x, h, c):
        if kind == "simple":
            return f_act(proj_x(x, 0) + hin(h, 0) @ blk(U, 0)), None
        if kind == "lstm":
            zs = [proj_x(x, g) + hin(h, g) @ blk(U, g) for g in range(4)]
            i, f, o = torch.sigmoid(zs[0]), torch.sigmoid(zs[1]), torch.sigmoid(zs[3])
            nc = f * c + i * f_act(zs[2])
            return o * f_act(nc), nc
        rz = [hin(h, g) @ blk(U, g) for g in range(2)]
        if brec is not None:
            rz = [rz[g] + brec[g * u:(g + 1) * u] for g in range(2)]
        z = torch.sigmoid(proj_x(x, 0) + rz[0])
        r = torch.sigmoid(proj_x(x, 1) + rz[1])
        if kind == "gru":
            rh = hin(h, 2) @ blk(U, 2)
            if brec is not None:
                rh = rh + brec[2 * u:]
            hh = f_act(proj_x(x, 2) + r * rh)
        else:
            hh = f_act(proj_x(x, 2) + (r * hin(h, 2)) @ blk(U, 2))
        return z * h + (1 - z) * hh, None

    return cell


def run_case(case, seed):
    rng = np.random.RandomState(seed)
    kind, B, T, D, u = case["cell"], case["b"], case["t"], case["d"], case["u"]
    G = {"lstm": 4, "gru": 3, "gru_before": 3, "simple": 1}[kind]
    act = case.get("act", "tanh")
    x = t(rng.uniform(-1, 1, (B, T, D)))
    W = t(rng.uniform(-0.8, 0.8, (D, G * u)))
    U = t(rng.uniform(-0.8, 0.8, (u, G * u)))
    b = None
    if case.get("bias", True):
        b = t(rng.uniform(-0.5, 0.5, (2, 3 * u) if kind == "gru" else (G * u,)))
    h0 = t(rng.uniform(-0.7, 0.7, (B, u))) if case.get("h0") else torch.zeros(B, u)
    c0 = None
    if kind == "lstm":
        c0 = t(rng.uniform(-0.7, 0.7, (B, u))) if case.get("c0") else torch.zeros(B, u)
    elif case.get("c0"):
        rng.uniform(-0.7, 0.7, (B, u))  # keep the stream aligned across cells
    mask = torch.tensor(np.asarray(case["mask"], dtype=np.float64).reshape(B, T)) if case.get("mask") else None

    def dmask(shape):
        return torch.tensor((rng.uniform(0, 1, shape) >= 0.3) / 0.7)

    drop = rdrop = None
    if case.get("drop"):
        drop = dmask((B, D) if case["drop"] == 1 else (G, B, D))
    if case.get("rdrop"):
        rdrop = dmask((B, u) if case["rdrop"] == 1 else (G, B, u))
    back, zof = case.get("back", False), case.get("zof", False)

    how = case["how"]
    # torch's parameters, built from the Keras-layout leaves so that the
    # gradients reach them (the mapping in the module docstring).
    if kind == "gru":
        idx = list(range(u, 2 * u)) + list(range(u)) + list(range(2 * u, 3 * u))
        bb = b if b is not None else torch.zeros(2, 3 * u)
        w_ih, w_hh, b_ih, b_hh = W.T[idx], U.T[idx], bb[0][idx], bb[1][idx]
    else:
        w_ih, w_hh = W.T, U.T
        b_ih = b if b is not None else torch.zeros(G * u)
        b_hh = torch.zeros(G * u)
    flat = [w_ih, w_hh, b_ih, b_hh]
    if how == "module":
        # torch's whole-sequence kernels (what nn.LSTM / nn.GRU / nn.RNN
        # call), on the input flipped in time for go_backwards.
        xs = torch.flip(x, [1]) if back else x
        if drop is not None:
            xs = xs * drop[:, None, :]
        if kind == "lstm":
            seq, hn, cn = torch._VF.lstm(xs, (h0[None], c0[None]), flat, True, 1, 0.0, False, False, True)
            h, c = hn[0], cn[0]
        elif kind == "gru":
            seq, hn = torch._VF.gru(xs, h0[None], flat, True, 1, 0.0, False, False, True)
            h, c = hn[0], None
        else:
            f = torch._VF.rnn_tanh if act == "tanh" else torch._VF.rnn_relu
            seq, hn = f(xs, h0[None], flat, True, 1, 0.0, False, False, True)
            h, c = hn[0], None
    else:
        if how == "cellmodule":
            # torch's cell kernels (what nn.LSTMCell / nn.GRUCell /
            # nn.RNNCell call) in Keras's masked loop.
            def cell(xt, h, c):
                if drop is not None:
                    xt = xt * drop
                if kind == "lstm":
                    return torch._VF.lstm_cell(xt, (h, c), *flat)
                if kind == "gru":
                    return torch._VF.gru_cell(xt, h, *flat), None
                f = torch._VF.rnn_tanh_cell if act == "tanh" else torch._VF.rnn_relu_cell
                return f(xt, h, *flat), None
        else:
            cell = hand_cell(kind, W, U, b, u, act, drop, rdrop)
        seq, h, c = keras_loop(cell, x, h0, c0, mask, back, zof)

    # Cross-check: the cell written out from Keras's formulas, in Keras's
    # loop, must give the same numbers as torch's modules.
    check_seq, check_h, check_c = keras_loop(hand_cell(kind, W, U, b, u, act, drop, rdrop), x, h0, c0, mask, back, zof)
    assert torch.allclose(check_seq, seq, atol=1e-12) and torch.allclose(check_h, h, atol=1e-12), case["name"]
    if c is not None:
        assert torch.allclose(check_c, c, atol=1e-12), case["name"]

    r_seq = torch.tensor(rng.uniform(-1, 1, (B, T, u)))
    r_h = torch.tensor(rng.uniform(-1, 1, (B, u)))
    loss = (seq * r_seq).sum() + (h * r_h).sum()
    r_c = None
    if kind == "lstm":
        r_c = torch.tensor(rng.uniform(-1, 1, (B, u)))
        loss = loss + (c * r_c).sum()
    leaves = {"x": x, "kernel": W, "recurrent_kernel": U}
    if b is not None:
        leaves["bias"] = b
    if case.get("h0"):
        leaves["h0"] = h0
    if case.get("c0") and kind == "lstm":
        leaves["c0"] = c0
    grads = torch.autograd.grad(loss, list(leaves.values()))

    def L(a):
        return np.asarray(a.detach().numpy() if torch.is_tensor(a) else a).ravel().tolist()

    out = {
        "name": case["name"], "cell": kind, "b": B, "t": T, "d": D, "u": u, "act": act,
        "back": back, "zof": zof, "how": how,
        "inputs": {k: L(v) for k, v in leaves.items()},
        "r_seq": L(r_seq), "r_h": L(r_h),
        "seq": L(seq), "h": L(h),
        "grads": {k: L(g) for k, g in zip(leaves.keys(), grads)},
    }
    if mask is not None:
        out["mask"] = L(mask)
    if drop is not None:
        out["drop"] = L(drop)
        out["drop_shape"] = list(drop.shape)
    if rdrop is not None:
        out["rdrop"] = L(rdrop)
        out["rdrop_shape"] = list(rdrop.shape)
    if r_c is not None:
        out["r_c"] = L(r_c)
        out["c"] = L(c)
    return out


HOLES = [1, 0, 1, 1, 0,
         0, 0, 0, 0, 0,
         0, 1, 1, 0, 0]
RIGHT = [1, 1, 1, 1, 1,
         1, 1, 1, 0, 0,
         1, 0, 0, 0, 0]

CASES = []
for kind in ["lstm", "gru", "simple"]:
    CASES += [
        dict(name=f"{kind}/module", cell=kind, b=3, t=5, d=4, u=3, how="module"),
        dict(name=f"{kind}/module_backwards_h0", cell=kind, b=3, t=5, d=4, u=3, how="module", back=True, h0=True, c0=True),
        dict(name=f"{kind}/module_input_dropout", cell=kind, b=3, t=5, d=4, u=3, how="module", drop=1),
        dict(name=f"{kind}/module_b1_t1", cell=kind, b=1, t=1, d=4, u=5, how="module"),
        dict(name=f"{kind}/mask_holes", cell=kind, b=3, t=5, d=4, u=3, how="cellmodule", mask=HOLES),
        dict(name=f"{kind}/mask_right_padded_h0", cell=kind, b=3, t=5, d=4, u=3, how="cellmodule", mask=RIGHT, h0=True, c0=True),
        dict(name=f"{kind}/mask_backwards_zero_output", cell=kind, b=3, t=5, d=4, u=3, how="cellmodule", mask=HOLES, back=True, zof=True),
        dict(name=f"{kind}/dropout_per_gate_mask", cell=kind, b=3, t=5, d=4, u=3, how="hand",
             drop=1 if kind == "simple" else 2, rdrop=1 if kind == "simple" else 2, mask=HOLES),
        dict(name=f"{kind}/dropout_shared_no_bias", cell=kind, b=3, t=5, d=4, u=3, how="hand", drop=1, rdrop=1, bias=False),
    ]
CASES += [
    dict(name="simple/module_relu", cell="simple", b=3, t=5, d=4, u=3, how="module", act="relu"),
    dict(name="gru_before/plain", cell="gru_before", b=3, t=5, d=4, u=3, how="hand"),
    dict(name="gru_before/mask_backwards_h0", cell="gru_before", b=3, t=5, d=4, u=3, how="hand", mask=HOLES, back=True, h0=True),
    dict(name="gru_before/dropout_per_gate", cell="gru_before", b=3, t=5, d=4, u=3, how="hand", drop=2, rdrop=2, mask=RIGHT),
    dict(name="lstm/hand_plain", cell="lstm", b=3, t=5, d=4, u=3, how="hand", mask=RIGHT, h0=True, c0=True),
]


def embedding_case(seed):
    rng = np.random.RandomState(seed)
    V, E = 7, 3
    ids = np.array([[3, 1, 3, 0], [6, 3, 2, 2]])
    table = t(rng.uniform(-0.05, 0.05, (V, E)))
    out = F.embedding(torch.tensor(ids), table)
    r = torch.tensor(rng.uniform(-1, 1, out.shape))
    (g,) = torch.autograd.grad((out * r).sum(), [table])
    return {"ids": ids.ravel().tolist(), "ids_shape": list(ids.shape), "v": V, "e": E,
            "table": table.detach().numpy().ravel().tolist(), "r": r.numpy().ravel().tolist(),
            "out": out.detach().numpy().ravel().tolist(), "grad": g.numpy().ravel().tolist()}


if __name__ == "__main__":
    doc = {"torch": torch.__version__, "cases": [run_case(c, 100 + i) for i, c in enumerate(CASES)],
           "embedding": embedding_case(7)}
    print(json.dumps(doc))
