#!/usr/bin/python3
"""Writes the sequence-model Keras files for keras/interop's tests, with
h5py and numpy, in the layouts Keras's own saving code produces (see
make_fixtures.py, whose helpers this script uses).

seq_keras3.keras, a Keras 3 archive (Keras 3.11: keras/src/layers/rnn/
rnn.py, lstm.py, gru.py, bidirectional.py, time_distributed.py,
core/embedding.py get_config; saving_lib.py _save_state, which visits the
objects a layer holds by attribute name, so a recurrent layer's weights
are under "cell" (the cell creates them), a Bidirectional's under
"forward_layer/cell" and "backward_layer/cell", a TimeDistributed's under
"layer"):

    Input(6, int32) -> Embedding(12, 4, mask_zero) ->
    Bidirectional(LSTM(3, return_sequences)) (concat) ->
    GRU(2, reset_after, return_sequences) -> TimeDistributed(Dense(2))

keras2_seq.h5, a legacy tf.keras 2 HDF5 model (the Keras 2 configs, where
hard_sigmoid is clip(0.2x + 0.5, 0, 1) and Bidirectional writes its layer
as given):

    Input(5, 3) -> LSTM(3, recurrent_activation hard_sigmoid,
    return_sequences) -> Bidirectional(SimpleRNN(2, return_sequences))
    (ave) -> GRU(2, reset_after=False) -> Dense(1)

expected_seq.json records fixed inputs and the outputs computed with numpy
in float64 from the stored weights, with Keras's masking rules (a masked
step keeps the states and repeats the previous output, or gives zeros with
zero_output_for_mask, which Bidirectional forces when it returns
sequences).

Run: /usr/bin/python3 make_seq_fixtures.py  (h5py 3.7, numpy 1.24)
"""

import json
import os

import h5py
import numpy as np

import make_fixtures as mf

HERE = os.path.dirname(os.path.abspath(__file__))


def hard_sigmoid_keras2(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


def run_rnn(step, x, mask, states, go_backwards=False, zero_output=False):
    """Keras's backend rnn: the outputs in processing order (reversed with
    go_backwards) and the last output."""
    n, t = x.shape[0], x.shape[1]
    if mask is None:
        mask = np.ones((n, t), dtype=bool)
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    prev = None
    outs = []
    for s in steps:
        out, new = step(x[:, s], states)
        m = mask[:, s][:, None]
        states = [np.where(m, a, b) for a, b in zip(new, states)]
        if prev is None:
            prev = np.zeros_like(out)
        out = np.where(m, out, np.zeros_like(out) if zero_output else prev)
        prev = out
        outs.append(out)
    return np.stack(outs, axis=1), outs[-1]


def lstm_step(w, act=np.tanh, ract=mf.sigmoid):
    kernel, rec, bias = w
    u = rec.shape[0]

    def step(x, states):
        h, c = states
        z = x @ kernel + h @ rec + bias
        i, f, g, o = ract(z[:, :u]), ract(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), ract(z[:, 3 * u:])
        c = f * c + i * g
        h = o * act(c)
        return h, [h, c]
    return step


def gru_step(w, reset_after, act=np.tanh, ract=mf.sigmoid):
    kernel, rec, bias = w
    u = rec.shape[0]

    def step(x, states):
        (h,) = states
        if reset_after:
            mx = x @ kernel + bias[0]
            mi = h @ rec + bias[1]
            z = ract(mx[:, :u] + mi[:, :u])
            r = ract(mx[:, u:2 * u] + mi[:, u:2 * u])
            hh = act(mx[:, 2 * u:] + r * mi[:, 2 * u:])
        else:
            mx = x @ kernel + bias
            z = ract(mx[:, :u] + h @ rec[:, :u])
            r = ract(mx[:, u:2 * u] + h @ rec[:, u:2 * u])
            hh = act(mx[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
        h = z * h + (1 - z) * hh
        return h, [h]
    return step


def simple_step(w, act=np.tanh):
    kernel, rec, bias = w

    def step(x, states):
        (h,) = states
        h = act(x @ kernel + h @ rec + bias)
        return h, [h]
    return step


# ---------------------------------------------------------------- Keras 3

def k3_rnn_base(name, return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    c = mf.base(name)
    c.update({"return_sequences": return_sequences, "return_state": False, "go_backwards": go_backwards,
              "stateful": False, "unroll": False, "zero_output_for_mask": zero_output_for_mask})
    return c


def k3_weights_config(c):
    c.update({"use_bias": True,
              "kernel_initializer": mf.init("GlorotUniform", seed=None),
              "recurrent_initializer": mf.init("Orthogonal", gain=1.0, seed=None),
              "bias_initializer": mf.init("Zeros")})


def k3_lstm(name, units, build_shape, **kw):
    c = k3_rnn_base(name, **kw)
    c.update({"units": units, "activation": "tanh", "recurrent_activation": "sigmoid"})
    k3_weights_config(c)
    c.update({"unit_forget_bias": True, "kernel_regularizer": None, "recurrent_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
              "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0,
              "recurrent_dropout": 0.0, "seed": None})
    return mf.serialized("LSTM", c, build_shape)


def k3_gru(name, units, build_shape, reset_after=True, **kw):
    c = k3_rnn_base(name, **kw)
    c.update({"units": units, "activation": "tanh", "recurrent_activation": "sigmoid"})
    k3_weights_config(c)
    c.update({"kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
              "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0,
              "reset_after": reset_after, "seed": None})
    return mf.serialized("GRU", c, build_shape)


def keras3_sequence(rs):
    vocab, steps, dim, u1, u2 = 12, 6, 4, 3, 2
    emb = mf.f32(rs.normal(0, 0.5, (vocab, dim)))
    fw = [mf.f32(rs.normal(0, 0.5, (dim, 4 * u1))), mf.f32(rs.normal(0, 0.5, (u1, 4 * u1))), mf.f32(rs.normal(0, 0.2, 4 * u1))]
    bw = [mf.f32(rs.normal(0, 0.5, (dim, 4 * u1))), mf.f32(rs.normal(0, 0.5, (u1, 4 * u1))), mf.f32(rs.normal(0, 0.2, 4 * u1))]
    gw = [mf.f32(rs.normal(0, 0.5, (2 * u1, 3 * u2))), mf.f32(rs.normal(0, 0.5, (u2, 3 * u2))), mf.f32(rs.normal(0, 0.2, (2, 3 * u2)))]
    dw = [mf.f32(rs.normal(0, 0.5, (u2, 2))), mf.f32(rs.normal(0, 0.1, 2))]

    ec = mf.base("embedding")
    ec.update({"input_dim": vocab, "output_dim": dim,
               "embeddings_initializer": mf.init("RandomUniform", minval=-0.05, maxval=0.05, seed=None),
               "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
               "mask_zero": True})
    bc = mf.base("bidirectional")
    bc.update({"merge_mode": "concat",
               "layer": k3_lstm("forward_lstm", u1, [None, steps, dim], return_sequences=True, zero_output_for_mask=True),
               "backward_layer": k3_lstm("backward_lstm", u1, [None, steps, dim], return_sequences=True,
                                         go_backwards=True, zero_output_for_mask=True)})
    tc = mf.base("time_distributed")
    tc.update({"layer": mf.dense("dense", 2, build_shape=[None, u2])})
    layers = [
        mf.input_layer("input_layer", [steps], dtype="int32"),
        mf.serialized("Embedding", ec, [None, steps]),
        mf.serialized("Bidirectional", bc, [None, steps, dim]),
        k3_gru("gru", u2, [None, steps, 2 * u1], return_sequences=True),
        mf.serialized("TimeDistributed", tc, [None, steps, u2]),
    ]
    c = mf.base("text")
    c.update({"layers": layers, "build_input_shape": [None, steps]})
    config = {"module": "keras", "class_name": "Sequential", "config": c,
              "registered_name": None, "build_config": {"input_shape": [None, steps]}}

    def weights(f):
        mf.write_vars(f, "", "text", [])
        mf.write_vars(f, "layers/embedding", "embedding", [emb])
        mf.write_vars(f, "layers/bidirectional", "bidirectional", [])
        mf.write_vars(f, "layers/bidirectional/backward_layer", "backward_lstm", [])
        mf.write_vars(f, "layers/bidirectional/backward_layer/cell", "lstm_cell", bw)
        mf.write_vars(f, "layers/bidirectional/forward_layer", "forward_lstm", [])
        mf.write_vars(f, "layers/bidirectional/forward_layer/cell", "lstm_cell", fw)
        mf.write_vars(f, "layers/gru", "gru", [])
        mf.write_vars(f, "layers/gru/cell", "gru_cell", gw)
        mf.write_vars(f, "layers/time_distributed", "time_distributed", [])
        mf.write_vars(f, "layers/time_distributed/layer", "dense", dw)

    ids = np.array([[3, 7, 1, 0, 0, 0], [5, 0, 2, 11, 4, 9], [0, 0, 6, 6, 8, 1], [10, 2, 3, 4, 5, 6]], dtype=np.int64)
    mask = ids != 0
    n = ids.shape[0]
    x = emb.astype(np.float64)[ids]
    zeros = lambda u: np.zeros((n, u))
    yf, _ = run_rnn(lstm_step(fw), x, mask, [zeros(u1), zeros(u1)], zero_output=True)
    yb, _ = run_rnn(lstm_step(bw), x, mask, [zeros(u1), zeros(u1)], go_backwards=True, zero_output=True)
    y = np.concatenate([yf, yb[:, ::-1]], axis=-1)
    g, _ = run_rnn(gru_step(gw, True), y, mask, [zeros(u2)])
    out = g @ dw[0] + dw[1]
    return config, weights, [ids.astype(np.float32)], [out]


# ---------------------------------------------------------------- Keras 2

def k2_rnn(cls, name, units, extra, batch_input_shape=None, return_sequences=False, go_backwards=False):
    c = {"name": name, "trainable": True}
    if batch_input_shape is not None:
        c["batch_input_shape"] = batch_input_shape
    c.update({"dtype": "float32", "return_sequences": return_sequences, "return_state": False,
              "go_backwards": go_backwards, "stateful": False, "unroll": False, "time_major": False,
              "units": units, "activation": "tanh"})
    c.update(extra)
    c.update({"use_bias": True, "kernel_initializer": mf.k2_init("GlorotUniform", seed=None),
              "recurrent_initializer": mf.k2_init("Orthogonal", gain=1.0, seed=None),
              "bias_initializer": mf.k2_init("Zeros"), "kernel_regularizer": None,
              "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
              "dropout": 0.0, "recurrent_dropout": 0.0})
    if cls != "SimpleRNN":
        c["implementation"] = 2
    return {"class_name": cls, "config": c}


def keras2_sequence(rs, path, libver):
    steps, feat, u1, u2, u3 = 5, 3, 3, 2, 2
    lw = [mf.f32(rs.normal(0, 0.6, (feat, 4 * u1))), mf.f32(rs.normal(0, 0.6, (u1, 4 * u1))), mf.f32(rs.normal(0, 0.3, 4 * u1))]
    sf = [mf.f32(rs.normal(0, 0.6, (u1, u2))), mf.f32(rs.normal(0, 0.6, (u2, u2))), mf.f32(rs.normal(0, 0.2, u2))]
    sb = [mf.f32(rs.normal(0, 0.6, (u1, u2))), mf.f32(rs.normal(0, 0.6, (u2, u2))), mf.f32(rs.normal(0, 0.2, u2))]
    gw = [mf.f32(rs.normal(0, 0.6, (u2, 3 * u3))), mf.f32(rs.normal(0, 0.6, (u3, 3 * u3))), mf.f32(rs.normal(0, 0.2, 3 * u3))]
    dw = [mf.f32(rs.normal(0, 0.6, (u3, 1))), mf.f32(rs.normal(0, 0.1, 1))]
    bidi = {"class_name": "Bidirectional", "config": {
        "name": "bidirectional", "trainable": True, "dtype": "float32",
        "layer": k2_rnn("SimpleRNN", "simple_rnn", u2, {}, return_sequences=True),
        "merge_mode": "ave"}}
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, steps, feat], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "lstm_input"}},
        k2_rnn("LSTM", "lstm", u1, {"recurrent_activation": "hard_sigmoid", "unit_forget_bias": True},
               batch_input_shape=[None, steps, feat], return_sequences=True),
        bidi,
        k2_rnn("GRU", "gru", u3, {"recurrent_activation": "sigmoid", "reset_after": False}),
        mf.k2_dense("dense", 1),
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    layer_weights = [
        ("lstm", [("lstm_cell/kernel", lw[0]), ("lstm_cell/recurrent_kernel", lw[1]), ("lstm_cell/bias", lw[2])]),
        ("bidirectional", [("forward_simple_rnn/simple_rnn_cell/kernel", sf[0]),
                           ("forward_simple_rnn/simple_rnn_cell/recurrent_kernel", sf[1]),
                           ("forward_simple_rnn/simple_rnn_cell/bias", sf[2]),
                           ("backward_simple_rnn/simple_rnn_cell/kernel", sb[0]),
                           ("backward_simple_rnn/simple_rnn_cell/recurrent_kernel", sb[1]),
                           ("backward_simple_rnn/simple_rnn_cell/bias", sb[2])]),
        ("gru", [("gru_cell/kernel", gw[0]), ("gru_cell/recurrent_kernel", gw[1]), ("gru_cell/bias", gw[2])]),
        ("dense", [("kernel", dw[0]), ("bias", dw[1])]),
    ]
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.9.0"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        mf.save_weights_to_hdf5_group(f.create_group("model_weights"), layer_weights)

    x = mf.f32(rs.uniform(-1, 1, (3, steps, feat)))
    xd = x.astype(np.float64)
    n = x.shape[0]
    zeros = lambda u: np.zeros((n, u))
    h, _ = run_rnn(lstm_step(lw, ract=hard_sigmoid_keras2), xd, None, [zeros(u1), zeros(u1)])
    yf, _ = run_rnn(simple_step(sf), h, None, [zeros(u2)], zero_output=True)
    yb, _ = run_rnn(simple_step(sb), h, None, [zeros(u2)], go_backwards=True, zero_output=True)
    y = (yf + yb[:, ::-1]) / 2
    _, g = run_rnn(gru_step(gw, False), y, None, [zeros(u3)])
    return [x], [g @ dw[0] + dw[1]]


def main():
    expected = {"models": {}}
    rs = np.random.RandomState(20251202)
    config, weights, xs, ys = keras3_sequence(rs)
    mf.keras_archive(os.path.join(HERE, "seq_keras3.keras"), config, weights, "earliest")
    expected["models"]["seq_keras3"] = {"inputs": [mf.lst(x) for x in xs], "outputs": [mf.lst(y) for y in ys]}
    xs, ys = keras2_sequence(rs, os.path.join(HERE, "keras2_seq.h5"), "latest")
    expected["models"]["keras2_seq"] = {"inputs": [mf.lst(x) for x in xs], "outputs": [mf.lst(y) for y in ys]}
    with open(os.path.join(HERE, "expected_seq.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
