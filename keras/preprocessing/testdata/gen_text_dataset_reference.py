#!/usr/bin/python3
"""Reference file orders for text_dataset_test.go.

Keras and TensorFlow are not installable here, so this script repeats the
listing rules of Keras 3's keras/src/utils/dataset_utils.py with Python's
own os.walk and NumPy's legacy RandomState (the two things Keras relies on):

  * classes: sorted os.listdir entries that are directories and do not
    start with "."; with no labels the directory itself is walked;
  * per class folder: os.walk (followlinks=False), roots sorted as
    strings, file names sorted, kept when name.lower() ends with ".txt";
  * shuffle: np.random.RandomState(seed).shuffle of the path list;
  * validation_split v: the last int(v * n) paths are validation.

Run from this folder: /usr/bin/python3 gen_text_dataset_reference.py >
text_dataset_reference.txt (Python 3.11, NumPy 1.24).
"""
import os

import numpy as np

ROOT = "text_dataset"


def walk(folder):
    out = []
    for root, _, files in sorted(os.walk(os.path.join(ROOT, folder)), key=lambda x: x[0]):
        for name in sorted(files):
            if name.lower().endswith(".txt"):
                out.append(os.path.relpath(os.path.join(root, name), ROOT))
    return out


def listing(labelled):
    if not labelled:
        return walk(""), None
    classes = [d for d in sorted(os.listdir(ROOT))
               if os.path.isdir(os.path.join(ROOT, d)) and not d.startswith(".")]
    paths, labels = [], []
    for i, c in enumerate(classes):
        files = walk(c)
        paths += files
        labels += [i] * len(files)
    return paths, labels


def shuffled(paths, labels, seed):
    paths = list(paths)
    np.random.RandomState(seed).shuffle(paths)
    if labels is not None:
        labels = np.array(labels, dtype="int32")
        np.random.RandomState(seed).shuffle(labels)
        labels = list(labels)
    return paths, labels


def emit(name, paths, labels):
    print(name)
    for i, p in enumerate(paths):
        print(p if labels is None else "%s %d" % (p, labels[i]))
    print()


paths, labels = listing(True)
emit("inferred", paths, labels)
emit("inferred seed=1337", *shuffled(paths, labels, 1337))
p7, l7 = shuffled(paths, labels, 7)
n_val = int(0.25 * len(p7))
emit("split 0.25 seed=7 training", p7[:-n_val], l7[:-n_val])
emit("split 0.25 seed=7 validation", p7[-n_val:], l7[-n_val:])
paths, _ = listing(False)
emit("no labels", paths, None)
