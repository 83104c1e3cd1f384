#!/usr/bin/python3
"""Writes Keras model files for keras/interop's tests, with h5py and numpy.

Python Keras is not installable here, so these files are written by hand in
the layouts Keras's own saving code produces, following it line by line:

Keras 3 `.keras` archives and `.weights.h5` files (keras-team/keras,
Keras 3.11: keras/src/saving/saving_lib.py _save_model_to_fileobj,
_save_state, _save_container_state, H5IOStore; serialization_lib.py
serialize_keras_object; models/functional.py get_config and serialize_node;
models/sequential.py get_config; trainers/trainer.py compile; each layer's
get_config):

  - metadata.json: {"keras_version", "date_saved" ("%Y-%m-%d@%H:%M:%S")};
  - config.json: the model serialized as {"module", "class_name", "config",
    "registered_name", "build_config", "compile_config"}; a Functional
    model's layers carry "name" and "inbound_nodes" in the
    {"args": [...], "kwargs": {}} form with "__keras_tensor__" entries;
  - model.weights.h5: "vars" (the model's own, empty), then
    "layers/<snake_case(class name)>[_<n>]/vars/<i>" for each layer in
    model.layers (a nested model: ".../layers/<its layers>/..."), then
    "optimizer/vars/<i>" (iterations, learning_rate, then the slots: for
    Adam momentum and velocity interleaved per trainable variable, for SGD
    the momentums). Every vars group has the attribute name = the object's
    name (saving_lib passes metadata={"name": ...} to H5IOStore.make).

Keras 2 (tf.keras 2.x) legacy HDF5 `.h5` files (keras/src/legacy/saving/
legacy_h5_format.py save_model_to_hdf5, save_weights_to_hdf5_group,
save_attributes_to_hdf5_group, and the Keras 2 configs): root attributes
keras_version, backend, model_config, training_config (JSON as bytes);
model_weights/<layer>/<weight name> with layer_names and weight_names;
attributes longer than HDF5_OBJECT_HEADER_LIMIT = 64512 bytes split into
layer_names0, layer_names1, ... exactly as save_attributes_to_hdf5_group
splits them; save_weights files keep the same layout at the root.

Both h5py libver settings are used: "earliest" (Keras's default) and
"latest". expected.json records, for every model, fixed inputs and the
outputs computed from the stored weights with numpy in float64.

Run: /usr/bin/python3 make_fixtures.py  (h5py 3.7, numpy 1.24)
"""

import io
import json
import os
import re
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_VERSION = "3.11.3"
DATE = "2025-06-01@12:00:00"
HDF5_OBJECT_HEADER_LIMIT = 64512


# ---------------------------------------------------------------- Keras 3

def policy(name="float32"):
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": name}, "registered_name": None}


def init(cls, **config):
    return {"module": "keras.initializers", "class_name": cls,
            "config": config, "registered_name": None}


def reg(cls, **config):
    return {"module": "keras.regularizers", "class_name": cls,
            "config": config, "registered_name": None}


def base(name, trainable=True):
    return {"name": name, "trainable": trainable, "dtype": policy()}


def serialized(cls, config, build_shape="absent", module="keras.layers"):
    d = {"module": module, "class_name": cls, "config": config,
         "registered_name": None}
    if build_shape != "absent":
        d["build_config"] = {"input_shape": build_shape}
    return d


def dense(name, units, activation="linear", use_bias=True,
          kernel_regularizer=None, build_shape=None):
    c = base(name)
    c.update({
        "units": units,
        "activation": activation,
        "use_bias": use_bias,
        "kernel_initializer": init("GlorotUniform", seed=None),
        "bias_initializer": init("Zeros"),
        "kernel_regularizer": kernel_regularizer,
        "bias_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
        "quantization_config": None,
    })
    return serialized("Dense", c, build_shape)


def dropout(name, rate, build_shape):
    c = base(name)
    c.update({"rate": rate, "seed": None, "noise_shape": None})
    return serialized("Dropout", c, build_shape)


def input_layer(name, shape, dtype="float32"):
    return serialized("InputLayer", {
        "batch_shape": [None] + list(shape), "dtype": dtype, "sparse": False,
        "ragged": False, "name": name, "optional": False})


def merge(cls, name, shapes, **extra):
    c = base(name)
    c.update(extra)
    return serialized(cls, c, [[None] + list(s) for s in shapes])


def ktensor(layer, shape, node=0, index=0):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None] + list(shape), "dtype": "float32",
                       "keras_history": [layer, node, index]}}


def node(*args):
    """One inbound node: a layer called with one tensor, or with a list."""
    return {"args": list(args), "kwargs": {}}


def adam_config(lr):
    return {"module": "keras.optimizers", "class_name": "Adam", "config": {
        "name": "adam", "learning_rate": float(np.float32(lr)),
        "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "loss_scale_factor": None,
        "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False}, "registered_name": None}


def sgd_config(lr, momentum):
    return {"module": "keras.optimizers", "class_name": "SGD", "config": {
        "name": "SGD", "learning_rate": float(np.float32(lr)),
        "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "loss_scale_factor": None,
        "gradient_accumulation_steps": None, "momentum": momentum,
        "nesterov": False}, "registered_name": None}


def compile_config(optimizer, loss, metrics, loss_weights=None):
    return {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": None, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": False}


def write_vars(f, path, name, values):
    """H5IOStore.make(path, metadata={"name": name}) then store[str(i)]."""
    g = f.create_group(path + "/vars" if path else "vars")
    g.attrs["name"] = name
    for i, v in enumerate(values):
        g[str(i)] = v
    return g


def keras_archive(path, config, write_weights, libver):
    buf = io.BytesIO()
    with h5py.File(buf, "w", libver=libver) as f:
        write_weights(f)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": DATE}
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("metadata.json", "w") as m:
            m.write(json.dumps(metadata).encode())
        with zf.open("config.json", "w") as c:
            c.write(json.dumps(config).encode())
        zf.writestr("model.weights.h5", buf.getvalue())


# ------------------------------------------------------------- numerics

def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def l2n(x):
    return x / np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), 1e-12))


def f32(a):
    return np.asarray(a, dtype="<f4")


def lst(a):
    return {"shape": list(a.shape), "data": [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]}


# ----------------------------------------------------------- the models

def sequential_mlp(rs):
    """Sequential: Input(13) -> Dense(16, relu, L2) -> Dropout -> Dense(8,
    tanh) -> Dense(1); Adam after 7 steps."""
    w = [f32(rs.normal(0, 0.4, (13, 16))), f32(rs.normal(0, 0.1, 16)),
         f32(rs.normal(0, 0.4, (16, 8))), f32(rs.normal(0, 0.1, 8)),
         f32(rs.normal(0, 0.4, (8, 1))), f32(rs.normal(0, 0.1, 1))]
    layers = [
        input_layer("input_layer", [13]),
        dense("dense", 16, "relu", kernel_regularizer=reg("L2", l2=0.01), build_shape=[None, 13]),
        dropout("dropout", 0.2, [None, 16]),
        dense("dense_1", 8, "tanh", build_shape=[None, 16]),
        dense("dense_2", 1, build_shape=[None, 8]),
    ]
    c = base("sequential")
    c.update({"layers": layers, "build_input_shape": [None, 13]})
    config = {"module": "keras", "class_name": "Sequential", "config": c,
              "registered_name": None, "build_config": {"input_shape": [None, 13]},
              "compile_config": compile_config(adam_config(0.001), "mean_squared_error", ["mae"])}
    slots = []
    for v in w:  # Adam: momentum, velocity per trainable variable
        slots.append(f32(rs.normal(0, 0.01, v.shape)))
        slots.append(f32(np.abs(rs.normal(0, 0.001, v.shape))))

    def weights(f):
        write_vars(f, "", "sequential", [])
        write_vars(f, "layers/dense", "dense", w[0:2])
        write_vars(f, "layers/dropout", "dropout", [])
        write_vars(f, "layers/dense_1", "dense_1", w[2:4])
        write_vars(f, "layers/dense_2", "dense_2", w[4:6])
        write_vars(f, "optimizer", "adam", [np.int64(7), np.float32(0.001)] + slots)

    x = f32(rs.uniform(-1, 1, (4, 13)))
    h = relu(x @ w[0] + w[1])
    h = np.tanh(h @ w[2] + w[3])
    y = h @ w[4] + w[5]
    return config, weights, w, slots, [x], [y]


def functional_two_towers(rs):
    """Functional: inputs a (4) and b (3); Dense towers; every merge layer;
    a nested Sequential; Activation, Reshape, Flatten; two outputs; SGD with
    momentum."""
    w = {
        "da": [f32(rs.normal(0, 0.5, (4, 5))), f32(rs.normal(0, 0.1, 5))],
        "db": [f32(rs.normal(0, 0.5, (3, 5))), f32(rs.normal(0, 0.1, 5))],
        "inner_d": [f32(rs.normal(0, 0.5, (5, 5))), f32(rs.normal(0, 0.1, 5))],
        "cls": [f32(rs.normal(0, 0.5, (35, 2))), f32(rs.normal(0, 0.1, 2))],
        "score": [f32(rs.normal(0, 0.5, (2, 1))), f32(rs.normal(0, 0.1, 1))],
    }
    nested_layers = [input_layer("inner_in", [5]),
                     dense("inner_d", 5, "relu", build_shape=[None, 5])]
    nc = base("inner")
    nc.update({"layers": nested_layers, "build_input_shape": [None, 5]})
    nested = {"module": "keras", "class_name": "Sequential", "config": nc,
              "registered_name": None, "build_config": {"input_shape": [None, 5]}}

    s5 = [5]
    pair = [ktensor("da", s5), ktensor("db", s5)]
    # name -> (serialized layer, inbound nodes, names of the layers it reads)
    spec = {
        "a": (input_layer("a", [4]), [], []),
        "b": (input_layer("b", [3]), [], []),
        "da": (dense("da", 5, "relu", build_shape=[None, 4]), [node(ktensor("a", [4]))], ["a"]),
        "db": (dense("db", 5, "tanh", build_shape=[None, 3]), [node(ktensor("b", [3]))], ["b"]),
        "sum": (merge("Add", "sum", [s5, s5]), [node(pair)], ["da", "db"]),
        "diff": (merge("Subtract", "diff", [s5, s5]), [node(pair)], ["da", "db"]),
        "prod": (merge("Multiply", "prod", [s5, s5]), [node(pair)], ["da", "db"]),
        "avg": (merge("Average", "avg", [s5, s5]), [node(pair)], ["da", "db"]),
        "hi": (merge("Maximum", "hi", [s5, s5]), [node(pair)], ["da", "db"]),
        "lo": (merge("Minimum", "lo", [s5, s5]), [node(pair)], ["da", "db"]),
        "cos": (merge("Dot", "cos", [s5, s5], axes=1, normalize=True), [node(pair)], ["da", "db"]),
        # A nested Sequential is not a Functional subclass: its first node
        # in the outer model has index 0 (functional.py get_config).
        "inner": (nested, [node(ktensor("sum", s5))], ["sum"]),
        "cat": (merge("Concatenate", "cat", [s5] * 7, axis=-1),
                [node([ktensor(n, s5) for n in ["sum", "diff", "prod", "avg", "hi", "lo", "inner"]])],
                ["sum", "diff", "prod", "avg", "hi", "lo", "inner"]),
    }
    act = base("act")
    act["activation"] = "sigmoid"
    spec["act"] = (serialized("Activation", act, [None, 35]), [node(ktensor("cat", [35]))], ["cat"])
    rsh = base("resh")
    rsh["target_shape"] = [5, 7]
    spec["resh"] = (serialized("Reshape", rsh, [None, 35]), [node(ktensor("act", [35]))], ["act"])
    fl = base("flat")
    fl["data_format"] = "channels_last"
    spec["flat"] = (serialized("Flatten", fl, [None, 5, 7]), [node(ktensor("resh", [5, 7]))], ["resh"])
    spec["cls"] = (dense("cls", 2, "softmax", build_shape=[None, 35]), [node(ktensor("flat", [35]))], ["flat"])
    spec["cat2"] = (merge("Concatenate", "cat2", [[1], [1]], axis=-1),
                    [node([ktensor("cos", [1]), ktensor("cos", [1])])], ["cos", "cos"])
    spec["score"] = (dense("score", 1, build_shape=[None, 2]), [node(ktensor("cat2", [2]))], ["cat2"])
    order = keras_order(spec, ["cls", "score"])
    layers = []
    for n in order:
        d = dict(spec[n][0])
        d["name"] = n
        d["inbound_nodes"] = spec[n][1]
        layers.append(d)
    paths = container_paths([spec[n][0]["class_name"] for n in order])
    config = {
        "module": "keras.src.models.functional", "class_name": "Functional",
        "config": {"name": "two_towers", "trainable": True, "layers": layers,
                   "input_layers": [["a", 0, 0], ["b", 0, 0]],
                   "output_layers": [["cls", 0, 0], ["score", 0, 0]]},
        "registered_name": "Functional", "build_config": {"input_shape": None},
        "compile_config": compile_config(
            sgd_config(0.05, 0.9),
            {"cls": "categorical_crossentropy", "score": "mse"},
            {"cls": ["accuracy"], "score": ["mae"]},
            loss_weights={"cls": 1.0, "score": 0.5}),
    }
    # model.trainable_variables: layer by layer in model.layers order.
    var_order = [n for n in order if n in w or n == "inner"]
    var_order = [("inner_d" if n == "inner" else n) for n in var_order]
    momentums = [f32(rs.normal(0, 0.01, v.shape)) for k in var_order for v in w[k]]

    def weights(f):
        write_vars(f, "", "two_towers", [])
        for n, p in zip(order, paths):
            if n == "inner":
                write_vars(f, "layers/" + p, "inner", [])
                write_vars(f, "layers/" + p + "/layers/dense", "inner_d", w["inner_d"])
            else:
                write_vars(f, "layers/" + p, n, w.get(n, []))
        write_vars(f, "optimizer", "SGD", [np.int64(11), np.float32(0.05)] + momentums)

    a = f32(rs.uniform(-1, 1, (3, 4)))
    b = f32(rs.uniform(-1, 1, (3, 3)))
    da = relu(a @ w["da"][0] + w["da"][1])
    db = np.tanh(b @ w["db"][0] + w["db"][1])
    s = da + db
    inner = relu(s @ w["inner_d"][0] + w["inner_d"][1])
    cat = np.concatenate([s, da - db, da * db, (da + db) / 2, np.maximum(da, db), np.minimum(da, db), inner], axis=-1)
    act_ = sigmoid(cat)
    cls = softmax(act_ @ w["cls"][0] + w["cls"][1])
    cos = (l2n(da) * l2n(db)).sum(axis=-1, keepdims=True)
    score = np.concatenate([cos, cos], axis=-1) @ w["score"][0] + w["score"][1]
    flat_w = [v for k in var_order for v in w[k]]
    return config, weights, flat_w, momentums, [a, b], [cls, score]


def to_snake_case(name):
    """keras.src.utils.naming.to_snake_case."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def container_paths(class_names):
    """saving_lib._save_container_state: each saveable of a list is stored
    under snake_case(class name), with _1, _2, ... for repeats."""
    used = {}
    out = []
    for c in class_names:
        n = to_snake_case(c)
        if n in used:
            used[n] += 1
            n = "%s_%d" % (n, used[n])
        else:
            used[n] = 0
        out.append(n)
    return out


def keras_order(spec, outputs):
    """The order of a Functional model's operations (ops/function.py
    map_graph): by node depth, deepest first, ties by the order in which a
    depth-first walk from the outputs first meets each operation."""
    index = {}
    def visit(n):
        if n not in index:
            index[n] = len(index)
        for p in spec[n][2]:
            visit(p)
    for o in outputs:
        visit(o)
    depth = {}
    def deepen(n, d):
        if depth.get(n, -1) < d:
            depth[n] = d
        for p in spec[n][2]:
            deepen(p, d + 1)
    for o in outputs:
        deepen(o, 0)
    return sorted(spec, key=lambda n: (-depth[n], index[n]))


# ---------------------------------------------------------------- Keras 2

def k2_init(cls, **config):
    return {"class_name": cls, "config": config}


def k2_dense(name, units, activation="linear", batch_input_shape=None):
    c = {"name": name, "trainable": True}
    if batch_input_shape is not None:
        c["batch_input_shape"] = batch_input_shape
    c.update({"dtype": "float32", "units": units, "activation": activation, "use_bias": True,
              "kernel_initializer": k2_init("GlorotUniform", seed=None),
              "bias_initializer": k2_init("Zeros"), "kernel_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None})
    return {"class_name": "Dense", "config": c}


def save_attributes_to_hdf5_group(group, name, data):
    """legacy_h5_format.save_attributes_to_hdf5_group, as Keras writes it."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    assert not bad
    data_npy = np.asarray(data)
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > HDF5_OBJECT_HEADER_LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for i, chunk in enumerate(chunked):
            group.attrs["%s%d" % (name, i)] = chunk
    else:
        group.attrs[name] = data


def save_weights_to_hdf5_group(f, layer_weights):
    """save_weights_to_hdf5_group for Keras 2: layer_names, backend,
    keras_version; one group per layer (sorted by name), weight_names and
    one dataset per weight, named as the TF variable ("dense/kernel:0")."""
    save_attributes_to_hdf5_group(f, "layer_names", [n.encode("utf8") for n, _ in layer_weights])
    f.attrs["backend"] = "tensorflow".encode("utf8")
    f.attrs["keras_version"] = "2.9.0".encode("utf8")
    for lname, weights in sorted(layer_weights, key=lambda x: x[0]):
        g = f.create_group(lname)
        names = [("%s/%s:0" % (lname, wn)).encode("utf8") for wn, _ in weights]
        save_attributes_to_hdf5_group(g, "weight_names", names)
        for n, (_, val) in zip(names, weights):
            d = g.create_dataset(n, val.shape, dtype=val.dtype)
            if not val.shape:
                d[()] = val
            else:
                d[:] = val


def k2_sequential(rs, path, libver, weights_only=False):
    w = [f32(rs.normal(0, 0.4, (6, 10))), f32(rs.normal(0, 0.1, 10)),
         f32(rs.normal(0, 0.4, (10, 3))), f32(rs.normal(0, 0.1, 3))]
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "dense_input"}},
        k2_dense("dense", 10, "relu", batch_input_shape=[None, 6]),
        {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True, "dtype": "float32",
                                             "rate": 0.3, "noise_shape": None, "seed": None}},
        k2_dense("dense_1", 3, "softmax"),
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    training_config = {"loss": "categorical_crossentropy", "metrics": [[
        {"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]],
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"class_name": "RMSprop", "config": {
            "name": "RMSprop", "learning_rate": 0.0010000000474974513, "decay": 0.0, "rho": 0.9,
            "momentum": 0.0, "epsilon": 1e-07, "centered": False}}}
    layer_weights = [("dense", [("kernel", w[0]), ("bias", w[1])]), ("dropout", []),
                     ("dense_1", [("kernel", w[2]), ("bias", w[3])])]
    with h5py.File(path, "w", libver=libver) as f:
        if weights_only:
            save_weights_to_hdf5_group(f, layer_weights)
        else:
            f.attrs["backend"] = "tensorflow"
            f.attrs["keras_version"] = "2.9.0"
            f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
            save_weights_to_hdf5_group(f.create_group("model_weights"), layer_weights)
            og = f.create_group("optimizer_weights")
            names = [b"RMSprop/iter:0"] + [("RMSprop/%s/%s/rms:0" % (l, n)).encode() for l, ws in layer_weights for n, _ in ws]
            save_attributes_to_hdf5_group(og, "weight_names", names)
            og.create_dataset(names[0], (), dtype="int64")[()] = 9
            k = 1
            for _, ws in layer_weights:
                for _, v in ws:
                    og.create_dataset(names[k], v.shape, dtype="<f4")[:] = np.abs(rs.normal(0, 0.01, v.shape))
                    k += 1
    x = f32(rs.uniform(-1, 1, (4, 6)))
    y = softmax(relu(x @ w[0] + w[1]) @ w[2] + w[3])
    return [x], [y]


def k2_functional(rs, path, libver):
    """A Keras 2 functional model ("Functional", inbound nodes as
    [[layer, node, tensor, kwargs]])."""
    w = [f32(rs.normal(0, 0.5, (3, 4))), f32(rs.normal(0, 0.1, 4)),
         f32(rs.normal(0, 0.5, (3, 4))), f32(rs.normal(0, 0.1, 4))]
    inp = {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
           "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                      "ragged": False, "name": "x"}}
    d1 = k2_dense("left", 4, "relu")
    d1.update(name="left", inbound_nodes=[[["x", 0, 0, {}]]])
    d2 = k2_dense("right", 4, "sigmoid")
    d2.update(name="right", inbound_nodes=[[["x", 0, 0, {}]]])
    cat = {"class_name": "Concatenate", "name": "concatenate", "inbound_nodes": [[["left", 0, 0, {}], ["right", 0, 0, {}]]],
           "config": {"name": "concatenate", "trainable": True, "dtype": "float32", "axis": -1}}
    model_config = {"class_name": "Functional", "config": {
        "name": "model", "layers": [inp, d1, d2, cat], "input_layers": [["x", 0, 0]],
        "output_layers": [["concatenate", 0, 0]]}}
    layer_weights = [("x", []), ("left", [("kernel", w[0]), ("bias", w[1])]),
                     ("right", [("kernel", w[2]), ("bias", w[3])]), ("concatenate", [])]
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.9.0"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        save_weights_to_hdf5_group(f.create_group("model_weights"), layer_weights)
    x = f32(rs.uniform(-1, 1, (2, 3)))
    return [x], [np.concatenate([relu(x @ w[0] + w[1]), sigmoid(x @ w[2] + w[3])], axis=-1)]


def k2_split_weights(rs, path, libver):
    """save_weights of a model whose layer_names attribute is longer than
    64512 bytes: Dense, two Activation layers named with 16130 characters,
    Dense (numpy pads the four names to one length: 4 x 16130 bytes), so
    Keras splits it into layer_names0 and layer_names1."""
    name = lambda tag: tag + "_" + "x" * (16129 - len(tag))
    w = [f32(rs.normal(0, 0.5, (3, 4))), f32(rs.normal(0, 0.1, 4)),
         f32(rs.normal(0, 0.5, (4, 2))), f32(rs.normal(0, 0.1, 2))]
    layer_weights = [("first", [("kernel", w[0]), ("bias", w[1])]), (name("act_0"), []),
                     (name("act_1"), []), ("last", [("kernel", w[2]), ("bias", w[3])])]
    with h5py.File(path, "w", libver=libver) as f:
        save_weights_to_hdf5_group(f, layer_weights)
        assert "layer_names0" in f.attrs and "layer_names1" in f.attrs and "layer_names" not in f.attrs
    x = f32(rs.uniform(-1, 1, (2, 3)))
    return [x], [(x @ w[0] + w[1]) @ w[2] + w[3]]


def main():
    expected = {"keras_version": KERAS_VERSION, "models": {}}
    rs = np.random.RandomState(20250601)

    config, weights, w, slots, xs, ys = sequential_mlp(rs)
    keras_archive(os.path.join(HERE, "sequential.keras"), config, weights, "earliest")
    with h5py.File(os.path.join(HERE, "sequential.weights.h5"), "w") as f:
        # save_weights_only: the same H5IOStore layout, without compiling
        # state unless the model was compiled (here: it was).
        weights(f)
    expected["models"]["sequential"] = {
        "inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys],
        "optimizer": {"iterations": 7, "learning_rate": 0.001,
                      "slots": [lst(s) for s in slots]}}

    config, weights, w, slots, xs, ys = functional_two_towers(rs)
    keras_archive(os.path.join(HERE, "functional.keras"), config, weights, "latest")
    expected["models"]["functional"] = {
        "inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys],
        "optimizer": {"iterations": 11, "learning_rate": 0.05, "slots": [lst(s) for s in slots]}}

    xs, ys = k2_sequential(rs, os.path.join(HERE, "keras2_sequential.h5"), "earliest")
    expected["models"]["keras2_sequential"] = {"inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys]}
    rs2 = np.random.RandomState(20250601 + 1)
    xs, ys = k2_sequential(rs2, os.path.join(HERE, "keras2_sequential.weights.h5"), "latest", weights_only=True)
    expected["models"]["keras2_weights"] = {"inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys]}
    xs, ys = k2_functional(rs, os.path.join(HERE, "keras2_functional.h5"), "latest")
    expected["models"]["keras2_functional"] = {"inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys]}
    xs, ys = k2_split_weights(rs, os.path.join(HERE, "keras2_split.weights.h5"), "earliest")
    expected["models"]["keras2_split"] = {"inputs": [lst(x) for x in xs], "outputs": [lst(y) for y in ys]}

    # A Keras 3 weights file whose kernel h5py compressed with LZF, a filter
    # outside the HDF5 subset gokeras reads (docs/hdf5.md).
    with h5py.File(os.path.join(HERE, "lzf.weights.h5"), "w") as f:
        write_vars(f, "", "sequential", [])
        g = f.create_group("layers/dense").create_group("vars")
        g.attrs["name"] = "dense"
        g.create_dataset("0", data=f32(np.ones((3, 2))), compression="lzf")
        g["1"] = f32(np.zeros(2))

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
