#!/usr/bin/env python3
"""Regenerates reference.txt, the NumPy values the Go tests compare against.

Run from this folder with Debian's python3-numpy; the tests never need Python.

Lines:
  perm SEED N | np.random.RandomState(SEED).permutation(N)
  split SEED N TEST | test rows, then train rows, by scikit-learn's
      train_test_split rule (n_test = ceil(TEST*N), test = perm[:n_test],
      train = perm[n_test:])
  kfold SEED N K | the sorted validation rows of each fold of
      KFold(K, shuffle=True, random_state=SEED), folds separated by '/'
  scale DDOF | column means then standard deviations of the matrix below
"""
import math

import numpy as np

X = np.array([[1.0, 10.0, 5.0], [2.0, 20.0, 5.0], [3.0, 30.0, 5.0], [4.0, 45.0, 5.0], [10.0, -5.0, 5.0]])

with open("reference.txt", "w") as out:
    for seed, n in [(0, 10), (42, 10), (7, 404), (113, 7)]:
        out.write("perm %d %d | %s\n" % (seed, n, " ".join(map(str, np.random.RandomState(seed).permutation(n)))))
    for seed, n, test in [(0, 10, 0.2), (42, 10, 0.25), (7, 404, 0.2)]:
        perm = np.random.RandomState(seed).permutation(n)
        k = math.ceil(test * n)
        out.write("split %d %d %s | %s | %s\n" % (seed, n, test, " ".join(map(str, perm[:k])), " ".join(map(str, perm[k:]))))
    for seed, n, k in [(0, 10, 3), (5, 404, 4)]:
        idx = np.arange(n)
        np.random.RandomState(seed).shuffle(idx)
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        folds, start = [], 0
        for s in sizes:
            folds.append(" ".join(map(str, sorted(idx[start:start + s]))))
            start += s
        out.write("kfold %d %d %d | %s\n" % (seed, n, k, " / ".join(folds)))
    for ddof in (1, 0):
        out.write("scale %d | %s | %s\n" % (ddof, " ".join(repr(float(v)) for v in X.mean(0)),
                                            " ".join(repr(float(v)) for v in X.std(0, ddof=ddof))))
