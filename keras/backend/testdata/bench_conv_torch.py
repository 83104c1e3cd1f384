#!/usr/bin/python3
"""PyTorch's time for the ops that BenchmarkW2Conv and BenchmarkW2Pool
(op_conv_bench_test.go) time in gokeras: the W2 workload's convolution
stack at batch 128, float32, NCHW (PyTorch's native layout).

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 testdata/bench_conv_torch.py [--reps 20] [--threads 2]

conv1: Conv2d(1, 32, 3) with bias on (128, 1, 28, 28); the input is data,
so its backward computes the weight and bias gradients only.
conv2: Conv2d(32, 64, 3) on (128, 32, 26, 26); backward also computes the
input gradient. maxpool: MaxPool2d(2) on (128, 64, 24, 24), backward the
input gradient. "fwd" runs under no_grad; "fwdbwd" is forward plus
backward of a fixed upstream gradient. Prints the median over --reps runs
after three warm-up runs, in ms, one line per op: wall time and the CPU
time of the process (all threads; on a shared machine it leaves out the
time spent waiting for a core, as the Go benchmarks' cpu-ms/op does).
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=20)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

conv1 = nn.Conv2d(1, 32, 3)
conv2 = nn.Conv2d(32, 64, 3)
pool = nn.MaxPool2d(2)
x1 = torch.rand(128, 1, 28, 28)
x2 = torch.rand(128, 32, 26, 26, requires_grad=True)
x3 = torch.rand(128, 64, 24, 24, requires_grad=True)


def median_ms(f):
    for _ in range(3):
        f()
    wall, cpu = [], []
    for _ in range(args.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def fwd(m, x):
    def f():
        with torch.no_grad():
            m(x)
    return f


def fwdbwd(m, x):
    g = torch.rand_like(m(x))

    def f():
        m.zero_grad(set_to_none=True)
        x.grad = None
        m(x).backward(g)
    return f


for name, m, x in [("conv1", conv1, x1), ("conv2", conv2, x2), ("maxpool", pool, x3)]:
    for kind, f in [("fwd", fwd(m, x)), ("fwdbwd", fwdbwd(m, x))]:
        w, c = median_ms(f)
        print(f"torch threads={args.threads} {name}_{kind} {w:.2f} ms {c:.2f} cpu-ms")
