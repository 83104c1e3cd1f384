#!/usr/bin/env python3
"""Regenerates the NumPy reference vectors the Go tests compare against.

Run from this folder with Debian's python3-numpy (any NumPy with the legacy
RandomState); the tests themselves never need Python:

    KERAS_HOME=/path/to/keras-home /usr/bin/python3 gen_reference.py

Writes:
  ../../internal/randomstate/testdata/randomstate.txt
                    permutations of np.arange(n) by RandomState(seed).shuffle,
                    including two shuffles in a row from one generator
                    (as imdb.load_data does for train then test).
  boston_rows.txt   rows of Keras's boston_housing split (only when the data
                    set is in $KERAS_HOME/datasets).
"""
import hashlib
import os

import numpy as np


def digest(a):
    return hashlib.sha256(",".join(str(int(v)) for v in a).encode()).hexdigest()


with open("../../internal/randomstate/testdata/randomstate.txt", "w") as out:
    out.write("# seed n1[,n2] | full permutation of n1 (n1 <= 1000) or first 20 + sha256 of the csv\n")
    cases = [(113, [506]), (0, [506]), (1, [10]), (42, [1000]), (4294967295, [7]),
             (113, [2]), (113, [1]), (7, [70000]), (113, [25000, 25000]), (113, [11228])]
    for seed, ns in cases:
        rng = np.random.RandomState(seed)
        for k, n in enumerate(ns):
            idx = np.arange(n)
            rng.shuffle(idx)
            tag = "%d %s %d" % (seed, ",".join(map(str, ns)), k)
            if n <= 1000:
                out.write("%s full %s\n" % (tag, " ".join(map(str, idx))))
            else:
                out.write("%s head %s sha256 %s\n" % (tag, " ".join(map(str, idx[:20])), digest(idx)))

kh = os.environ.get("KERAS_HOME")
path = kh and os.path.join(kh, "datasets", "boston_housing.npz")
if path and os.path.exists(path):
    with np.load(path) as f:
        x, y = f["x"], f["y"]
    with open("boston_rows.txt", "w") as out:
        out.write("# seed test_split part row | 13 features then target, repr of float64\n")
        for seed, split in [(113, 0.2), (0, 0.3), (2024, 0.1)]:
            rng = np.random.RandomState(seed)
            idx = np.arange(len(x))
            rng.shuffle(idx)
            xs, ys = x[idx], y[idx]
            cut = int(len(x) * (1 - split))
            parts = {"train": (xs[:cut], ys[:cut]), "test": (xs[cut:], ys[cut:])}
            for part, (px, py) in parts.items():
                n = len(px)
                for r in sorted({0, 1, 2, n // 3, n // 2, n - 2, n - 1}):
                    vals = [repr(float(v)) for v in px[r]] + [repr(float(py[r]))]
                    out.write("%d %s %s %d %s\n" % (seed, split, part, r, " ".join(vals)))
            out.write("%d %s sums %d %s %s\n" % (seed, split, cut, repr(float(xs[:cut].sum())), repr(float(ys[cut:].sum()))))


# Word-index sequences: the synthetic inputs below are rebuilt, value for
# value, by the Go tests (fixtures_test.go), which write them as imdb.npz and
# reuters.npz. The expected outputs follow the rules of Keras's
# imdb/reuters.load_data, written out independently here.
def synthetic_imdb(split, n):
    xs = [[(i * 31 + j * 17 + split * 7) % 60 for j in range(1 + (i * 5 + split) % 13)] for i in range(n)]
    return xs, [(i * 3 + split) % 2 for i in range(n)]


def synthetic_reuters(n):
    xs = [[(i * 13 + j * 29) % 80 for j in range(1 + (i * 7) % 11)] for i in range(n)]
    return xs, [(i * 5) % 46 for i in range(n)]


def process(parts, rng_seed, o):
    """parts: list of (xs, ys); each part is shuffled in turn by one generator."""
    rng = np.random.RandomState(rng_seed)
    out = []
    for xs, ys in parts:
        order = np.arange(len(xs))
        rng.shuffle(order)
        xs = [xs[k] for k in order]
        ys = [ys[k] for k in order]
        if o["start_char"] is not None:
            xs = [[o["start_char"]] + [w + o["index_from"] for w in x] for x in xs]
        else:
            xs = [[w + o["index_from"] for w in x] for x in xs]
        if o["maxlen"]:
            keep = [k for k, x in enumerate(xs) if len(x) < o["maxlen"]]
            xs = [xs[k] for k in keep]
            ys = [ys[k] for k in keep]
        out.append((xs, ys))
    allx = [x for xs, _ in out for x in xs]
    limit = o["num_words"] or max((w for x in allx for w in x), default=0)
    def cut(x):
        if o["oov_char"] is None:
            return [w for w in x if o["skip_top"] <= w < limit]
        return [w if o["skip_top"] <= w < limit else o["oov_char"] for w in x]
    return [([cut(x) for x in xs], ys) for xs, ys in out]


def opts(**kw):
    o = dict(seed=113, num_words=0, skip_top=0, maxlen=0, start_char=1, oov_char=2, index_from=3, test_split=0.2)
    o.update(kw)
    return o


import json

cases = {"imdb": [], "reuters": []}
for o in [opts(), opts(num_words=20), opts(num_words=30, skip_top=10), opts(maxlen=8),
          opts(start_char=None, oov_char=None), opts(index_from=0, start_char=None), opts(seed=7),
          opts(maxlen=2)]:
    parts = process([synthetic_imdb(0, 40), synthetic_imdb(1, 30)], o["seed"], o)
    (trx, tr_y), (tex, te_y) = parts
    case = {"opts": o}
    if not trx or not tex:
        case["error"] = True
    else:
        case.update(train_x=trx, train_y=tr_y, test_x=tex, test_y=te_y)
    cases["imdb"].append(case)
for o in [opts(), opts(test_split=0.3), opts(num_words=25, skip_top=5), opts(maxlen=6), opts(seed=0, test_split=0.0)]:
    ((xs, ys),) = process([synthetic_reuters(50)], o["seed"], o)
    cut = int(len(xs) * (1 - o["test_split"]))
    cases["reuters"].append({"opts": o, "train_x": xs[:cut], "train_y": ys[:cut], "test_x": xs[cut:], "test_y": ys[cut:]})
with open("sequences_expected.json", "w") as out:
    json.dump(cases, out, separators=(",", ":"))
    out.write("\n")

# One object array exactly as NumPy writes it (pickle protocol 3 inside
# .npy), to check the decoder against NumPy's own bytes.
import io
buf = io.BytesIO()
arr = np.empty(3, dtype=object)
arr[:] = [[1, 14, 22], [], [300, 70000, 5]]
np.save(buf, arr, allow_pickle=True)
with open("object_array.npy.hex", "w") as out:
    out.write(buf.getvalue().hex() + "\n")
