#!/usr/bin/env python3
"""Regenerates the NumPy reference vectors the Go tests compare against.

Run from this folder with Debian's python3-numpy (any NumPy with the legacy
RandomState); the tests themselves never need Python:

    KERAS_HOME=/path/to/keras-home /usr/bin/python3 gen_reference.py

Writes:
  randomstate.txt   permutations of np.arange(n) by RandomState(seed).shuffle,
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


with open("randomstate.txt", "w") as out:
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
