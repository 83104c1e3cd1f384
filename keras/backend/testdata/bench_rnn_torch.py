#!/usr/bin/python3
"""PyTorch's side of BenchmarkEmbeddingRecurrent (op_rnn_bench_test.go):
forward and backward of Embedding(10000, 64) + LSTM(64) or GRU(64) on a
(32, 100) batch of random ids, loss sum(h_last * r), no optimizer; and
inference of the same in batches of 256. Run it beside the Go benchmark,
interleaved, with the thread count set both ways:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench_rnn_torch.py --threads 1
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench_rnn_torch.py --threads 2

It prints wall and process CPU milliseconds per step (medians of --rounds
rounds of --steps steps) for each cell.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--cells", default="lstm,gru")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)

V, E, U, T, B = 10000, 64, 64, 100, 32


def measure(fn, steps):
    walls, cpus = [], []
    for _ in range(args.rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            fn()
        walls.append((time.perf_counter() - w0) * 1e3 / steps)
        cpus.append((time.process_time() - c0) * 1e3 / steps)
    return statistics.median(walls), statistics.median(cpus)


for name in args.cells.split(","):
    cell = nn.LSTM if name == "lstm" else nn.GRU
    emb = nn.Embedding(V, E)
    rnn = cell(E, U, batch_first=True)
    ids = torch.randint(1, V, (B, T))
    r = torch.randn(B, U)

    def train_step():
        for p in list(emb.parameters()) + list(rnn.parameters()):
            p.grad = None
        out, _ = rnn(emb(ids))
        (out[:, -1] * r).sum().backward()

    ids256 = torch.randint(1, V, (256, T))

    def predict():
        with torch.inference_mode():
            rnn(emb(ids256))

    for _ in range(3):
        train_step()
        predict()
    w, c = measure(train_step, args.steps)
    pw, pc = measure(predict, max(1, args.steps // 4))
    print(f"RESULT torch-t{args.threads} {name} embedding+rnn fwd+bwd B={B} T={T} wall_ms {w:.2f} cpu_ms {c:.2f}"
          f" | predict 256 wall_ms {pw:.2f} cpu_ms {pc:.2f} samples_per_s {256e3 / pw:.0f}")
