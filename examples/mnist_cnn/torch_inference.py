#!/usr/bin/python3
"""PyTorch's side of the mnist_cnn inference figures: the same model
(conv 32 3x3 relu -> conv 64 3x3 relu -> max pool 2x2 -> dropout .25 ->
flatten -> dense 128 relu -> dropout .5 -> dense 10 softmax) in eval mode,
timing one image per call (median of 200 calls) and the 10,000 MNIST test
images in batches of 1,000 (median of 3), as examples/mnist_cnn and
keras's BenchmarkMNISTCNNPredict do. The work does not depend on the
weights' values, so the model keeps its initial weights.

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 examples/mnist_cnn/torch_inference.py --threads 2
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)

home = os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras"))
with np.load(os.path.join(home, "datasets", "mnist.npz")) as d:
    x = torch.from_numpy(d["x_test"].astype(np.float32) / 255.0)[:, None]  # NCHW

model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
    nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10), nn.Softmax(dim=1)).eval()

with torch.no_grad():
    one = x[:1]
    model(one)
    calls = []
    for _ in range(200):
        t = time.perf_counter()
        model(one)
        calls.append(time.perf_counter() - t)
    rates = []
    for _ in range(3):
        t = time.perf_counter()
        for i in range(0, len(x), 1000):
            model(x[i:i + 1000])
        rates.append(len(x) / (time.perf_counter() - t))
print(f"RESULT torch-t{args.threads} cnn_predict one_image_ms {statistics.median(calls) * 1000:.3f} "
      f"images_per_s {statistics.median(rates):.0f}")
