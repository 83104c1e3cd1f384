#!/usr/bin/python3
"""Reference outputs and gradients for keras/layers' recurrent layers
(SimpleRNN, LSTM, GRU, Bidirectional) and for Embedding(mask_zero) feeding
an LSTM, from PyTorch, with Keras 3's layer semantics.

Run from this directory with /usr/bin/python3 (torch 1.13, numpy):

    /usr/bin/python3 gen_rnn_layer_reference.py > rnn_layer_reference.json

Each case is a layer configuration (the Keras keywords), seeded inputs,
an optional mask (what an upstream Embedding(mask_zero) or Masking layer
gives), optional initial states, the layer's weights in Keras's layout and
in the layer's weight order (for Bidirectional: the forward layer's, then
the backward layer's), every output the layer returns (Keras's call
result: the output, then the states with return_state) flattened per
sample and joined, and the gradients of

    loss = sum(joined_outputs * r)

with respect to the input, the initial states and every weight, all in
float64 by torch autograd.

The steps run torch's own cell kernels (torch._VF.lstm_cell, gru_cell,
rnn_tanh_cell: what nn.LSTMCell, nn.GRUCell and nn.RNNCell call) with the
Keras weights mapped onto torch's layout:
- LSTM: torch's gate order i, f, g, o is Keras's i, f, c, o:
  weight_ih = kernel.T, weight_hh = recurrent_kernel.T, bias_ih = bias,
  bias_hh = 0.
- GRU (reset_after=True): torch's r, z, n is Keras's z, r, h with the
  blocks permuted; bias_ih = bias[0], bias_hh = bias[1] (permuted).
- SimpleRNN: weight_ih = kernel.T, weight_hh = recurrent_kernel.T.
- GRU reset_after=False has no torch kernel: its cell is Keras's gru.py
  formula written with torch ops.
The time loop transcribes Keras 3's (keras/src/backend/tensorflow/rnn.py,
keras/src/layers/rnn/rnn.py): go_backwards processes the reversed input
and returns outputs in processing order; at a masked step the states carry
over and the output repeats the previous step's (zeros before the first),
or is zeros with zero_output_for_mask; the last output is the last
processed step's. Bidirectional (keras/src/layers/rnn/bidirectional.py)
runs a forward copy and a go_backwards copy, forces zero_output_for_mask
to return_sequences, flips the backward sequence, merges (concat, sum,
ave, mul) and returns the forward states then the backward states; its
initial states are split in half.
"""
import json

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def leaf(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def make_cell(spec, W, U, b):
    kind, u = spec["class"], spec["units"]
    reset_after = spec.get("reset_after", True)
    if kind == "GRU" and not reset_after:
        def cell(x, h, c):
            blk = lambda m, g: m[:, g * u:(g + 1) * u]
            bx = (lambda g: b[g * u:(g + 1) * u]) if b is not None else (lambda g: 0)
            z = torch.sigmoid(x @ blk(W, 0) + bx(0) + h @ blk(U, 0))
            r = torch.sigmoid(x @ blk(W, 1) + bx(1) + h @ blk(U, 1))
            hh = torch.tanh(x @ blk(W, 2) + bx(2) + (r * h) @ blk(U, 2))
            return z * h + (1 - z) * hh, None
        return cell
    G = GATES[kind]
    if kind == "GRU":
        idx = list(range(u, 2 * u)) + list(range(u)) + list(range(2 * u, 3 * u))
        bb = b if b is not None else torch.zeros(2, 3 * u)
        w_ih, w_hh, b_ih, b_hh = W.T[idx], U.T[idx], bb[0][idx], bb[1][idx]
    else:
        w_ih, w_hh = W.T, U.T
        b_ih = b if b is not None else torch.zeros(G * u)
        b_hh = torch.zeros(G * u)

    def cell(x, h, c):
        if kind == "LSTM":
            return torch._VF.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
        if kind == "GRU":
            return torch._VF.gru_cell(x, h, w_ih, w_hh, b_ih, b_hh), None
        return torch._VF.rnn_tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh), None
    return cell


def keras_loop(cell, x, h0, c0, mask, back, zof):
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


def rng_weights(rng, spec, F):
    kind, u = spec["class"], spec["units"]
    G = GATES[kind]
    ws = [leaf(rng.uniform(-0.6, 0.6, (F, G * u))), leaf(rng.uniform(-0.6, 0.6, (u, G * u)))]
    if spec.get("use_bias", True):
        shape = (2, 3 * u) if kind == "GRU" and spec.get("reset_after", True) else (G * u,)
        ws.append(leaf(rng.uniform(-0.4, 0.4, shape)))
    return ws


def run_rnn(spec, ws, x, mask, states, zof=None):
    kind, u = spec["class"], spec["units"]
    B = x.shape[0]
    W, U = ws[0], ws[1]
    b = ws[2] if len(ws) > 2 else None
    h0 = states[0] if states else torch.zeros(B, u)
    c0 = None
    if kind == "LSTM":
        c0 = states[1] if states else torch.zeros(B, u)
    if zof is None:
        zof = spec.get("zero_output_for_mask", False)
    seq, h, c = keras_loop(make_cell(spec, W, U, b), x, h0, c0, mask, spec.get("go_backwards", False), zof)
    st = [h] if kind != "LSTM" else [h, c]
    return seq, st


def call_layer(spec, ws, x, mask, states):
    """Keras's call result as a list of outputs."""
    if spec["class"] == "Bidirectional":
        inner = spec["layer"]
        nst = 2 if inner["class"] == "LSTM" else 1
        nw = len(ws) // 2
        fwd = dict(inner)
        bwd = dict(inner, go_backwards=not inner.get("go_backwards", False))
        rs = inner.get("return_sequences", False)
        fs, fst = run_rnn(fwd, ws[:nw], x, mask, states[:nst], zof=rs)
        bs, bst = run_rnn(bwd, ws[nw:], x, mask, states[nst:], zof=rs)
        if rs:
            y, yr = fs, torch.flip(bs, [1])
        else:
            y, yr = fs[:, -1], bs[:, -1]
        mode = spec.get("merge_mode", "concat")
        outs = {"concat": lambda: [torch.cat([y, yr], -1)], "sum": lambda: [y + yr], "ave": lambda: [(y + yr) / 2],
                "mul": lambda: [y * yr], "none": lambda: [y, yr]}[mode]()
        if inner.get("return_state", False):
            outs += fst + bst
        return outs
    seq, st = run_rnn(spec, ws, x, mask, states)
    outs = [seq if spec.get("return_sequences", False) else seq[:, -1]]
    if spec.get("return_state", False):
        outs += st
    return outs


def join(outs):
    B = outs[0].shape[0]
    return torch.cat([o.reshape(B, -1) for o in outs], 1)


def L(a):
    return np.asarray(a.detach().numpy() if torch.is_tensor(a) else a).ravel().tolist()


def run_case(name, spec, seed, B=3, T=5, F=4, mask=None, states=False):
    rng = np.random.RandomState(seed)
    x = leaf(rng.uniform(-1, 1, (B, T, F)))
    inner = spec["layer"] if spec["class"] == "Bidirectional" else spec
    u = inner["units"]
    nst = 2 if inner["class"] == "LSTM" else 1
    if spec["class"] == "Bidirectional":
        nst *= 2
        ws = rng_weights(rng, inner, F) + rng_weights(rng, inner, F)
    else:
        ws = rng_weights(rng, inner, F)
    st = [leaf(rng.uniform(-0.7, 0.7, (B, u))) for _ in range(nst)] if states else []
    m = torch.tensor(np.asarray(mask, dtype=np.float64).reshape(B, T)) if mask is not None else None
    out = join(call_layer(spec, ws, x, m, st))
    r = torch.tensor(rng.uniform(-1, 1, out.shape))
    leaves = [x] + st + ws
    grads = torch.autograd.grad((out * r).sum(), leaves)
    return {
        "name": name, "spec": spec, "b": B, "t": T, "f": F,
        "x": L(x), "mask": L(m) if m is not None else None,
        "states": [L(s) for s in st],
        "weights": [L(w) for w in ws], "weight_shapes": [list(w.shape) for w in ws],
        "r": L(r), "out": L(out), "out_shape": list(out.shape),
        "grad_x": L(grads[0]), "grad_states": [L(g) for g in grads[1:1 + len(st)]],
        "grad_weights": [L(g) for g in grads[1 + len(st):]],
    }


def embedding_lstm_case(seed):
    """Embedding(V, E, mask_zero=True) -> LSTM(u, return_sequences=True):
    the mask comes from the ids (0 is padding, right and left padded
    rows)."""
    rng = np.random.RandomState(seed)
    V, E, u = 9, 3, 4
    ids = np.array([[4, 2, 7, 0, 0], [0, 0, 3, 8, 1], [5, 0, 6, 6, 2]])
    table = leaf(rng.uniform(-0.5, 0.5, (V, E)))
    spec = {"class": "LSTM", "units": u, "return_sequences": True}
    ws = rng_weights(rng, spec, E)
    emb = torch.nn.functional.embedding(torch.tensor(ids), table)
    mask = torch.tensor((ids != 0).astype(np.float64))
    out = join(call_layer(spec, ws, emb, mask, []))
    r = torch.tensor(rng.uniform(-1, 1, out.shape))
    grads = torch.autograd.grad((out * r).sum(), [table] + ws)
    return {"ids": ids.ravel().tolist(), "ids_shape": list(ids.shape), "v": V, "e": E, "spec": spec,
            "table": L(table), "weights": [L(w) for w in ws], "weight_shapes": [list(w.shape) for w in ws],
            "r": L(r), "out": L(out), "out_shape": list(out.shape),
            "grad_table": L(grads[0]), "grad_weights": [L(g) for g in grads[1:]]}


HOLES = [1, 0, 1, 1, 0,
         0, 0, 0, 0, 0,
         0, 1, 1, 0, 1]
RIGHT = [1, 1, 1, 1, 1,
         1, 1, 1, 0, 0,
         1, 0, 0, 0, 0]

CASES = [
    ("lstm", {"class": "LSTM", "units": 3}, {}),
    ("lstm_seq_state_mask", {"class": "LSTM", "units": 3, "return_sequences": True, "return_state": True}, {"mask": RIGHT}),
    ("lstm_back_state_initial_mask", {"class": "LSTM", "units": 3, "go_backwards": True, "return_state": True}, {"mask": HOLES, "states": True}),
    ("lstm_seq_back_zero_output", {"class": "LSTM", "units": 2, "return_sequences": True, "go_backwards": True, "zero_output_for_mask": True}, {"mask": HOLES}),
    ("lstm_no_bias", {"class": "LSTM", "units": 3, "use_bias": False}, {"mask": RIGHT}),
    ("gru", {"class": "GRU", "units": 3}, {}),
    ("gru_seq_back_mask", {"class": "GRU", "units": 3, "return_sequences": True, "go_backwards": True}, {"mask": HOLES}),
    ("gru_state_initial", {"class": "GRU", "units": 3, "return_state": True}, {"states": True, "mask": RIGHT}),
    ("gru_reset_before_seq_mask", {"class": "GRU", "units": 3, "reset_after": False, "return_sequences": True}, {"mask": RIGHT}),
    ("simple_rnn_seq_back_mask", {"class": "SimpleRNN", "units": 3, "return_sequences": True, "go_backwards": True}, {"mask": HOLES}),
    ("bidirectional_lstm_concat_seq_mask", {"class": "Bidirectional", "merge_mode": "concat",
                                            "layer": {"class": "LSTM", "units": 3, "return_sequences": True}}, {"mask": RIGHT}),
    ("bidirectional_gru_sum_mask", {"class": "Bidirectional", "merge_mode": "sum", "layer": {"class": "GRU", "units": 3}}, {"mask": HOLES}),
    ("bidirectional_gru_ave_seq", {"class": "Bidirectional", "merge_mode": "ave",
                                   "layer": {"class": "GRU", "units": 2, "return_sequences": True}}, {}),
    ("bidirectional_lstm_mul_state_initial", {"class": "Bidirectional", "merge_mode": "mul",
                                              "layer": {"class": "LSTM", "units": 2, "return_state": True}}, {"states": True, "mask": HOLES}),
    ("bidirectional_simple_rnn_none_seq", {"class": "Bidirectional", "merge_mode": "none",
                                           "layer": {"class": "SimpleRNN", "units": 2, "return_sequences": True}}, {"mask": RIGHT}),
]

if __name__ == "__main__":
    doc = {"torch": torch.__version__,
           "cases": [run_case(n, s, 200 + i, **kw) for i, (n, s, kw) in enumerate(CASES)],
           "embedding_lstm": embedding_lstm_case(7)}
    print(json.dumps(doc))
