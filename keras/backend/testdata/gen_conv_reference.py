#!/usr/bin/python3
"""Reference values for keras/backend's convolution, pooling, padding,
upsampling and normalisation ops, computed by PyTorch 1.13 in float64.

Run from keras/backend:  /usr/bin/python3 testdata/gen_conv_reference.py
It writes testdata/conv_reference.json, which op_conv_reference_test.go
reads (the Go tests never run Python).

Every case holds seeded inputs in the Keras layouts the Go ops take
(channels-last NHWC tensors, Keras kernels), a seeded weighting r of the
output, the output, and the gradients of sum(output * r) with respect to
each differentiated input, all flattened row-major. The script permutes
to PyTorch's NCHW / OIHW layouts and back. Padding amounts are explicit
(top, bottom, left, right) and applied with F.pad, because PyTorch's own
padding argument is symmetric while TensorFlow's "same" puts the odd cell
at the bottom/right.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(20240611)
cases = []


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def record(name, op, params, inputs, grads_for, fn):
    """inputs: dict name -> numpy array (Keras layout); fn maps the torch
    leaves (same names) to the output in Keras layout."""
    leaves = {k: leaf(v) for k, v in inputs.items()}
    out = fn(**leaves)
    r = rand(*out.shape)
    (out * torch.tensor(r)).sum().backward()
    case = {
        "name": name, "op": op, "params": params,
        "inputs": {k: {"shape": list(v.shape), "data": v.ravel().tolist()} for k, v in inputs.items()},
        "r": r.ravel().tolist(),
        "output": {"shape": list(out.shape), "data": out.detach().numpy().ravel().tolist()},
        "grads": {k: leaves[k].grad.numpy().ravel().tolist() for k in grads_for},
    }
    cases.append(case)


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def pad4(x, p, value=0.0):  # x NCHW, p = (top, bottom, left, right)
    return F.pad(x, (p[2], p[3], p[0], p[1]), value=value)


# Conv2D: kernel (kh, kw, C/groups, F) -> OIHW (F, C/groups, kh, kw).
for name, xs, ks, s, d, p, g in [
    ("conv2d_3x3_valid", (2, 6, 5, 3), (3, 3, 3, 4), (1, 1), (1, 1), (0, 0, 0, 0), 1),
    ("conv2d_same_odd_stride2", (3, 7, 6, 2), (3, 2, 2, 3), (2, 2), (1, 1), (1, 1, 0, 1), 1),
    ("conv2d_stride3", (1, 9, 8, 2), (3, 3, 2, 2), (3, 3), (1, 1), (0, 0, 0, 0), 1),
    ("conv2d_dilation2_same", (2, 7, 7, 2), (3, 3, 2, 3), (1, 1), (2, 2), (2, 2, 2, 2), 1),
    ("conv2d_groups2", (2, 5, 6, 4), (2, 3, 2, 6), (1, 2), (1, 1), (0, 1, 1, 1), 2),
    ("conv2d_pointwise", (2, 4, 3, 5), (1, 1, 5, 3), (1, 1), (1, 1), (0, 0, 0, 0), 1),
]:
    def fn(x, kernel, s=s, d=d, p=p, g=g):
        w = kernel.permute(3, 2, 0, 1)
        return nhwc(F.conv2d(pad4(nchw(x), p), w, stride=s, dilation=d, groups=g))
    record(name, "conv2d", {"strides": s, "dilation": d, "padding": p, "groups": g},
           {"x": rand(*xs), "kernel": rand(*ks)}, ["x", "kernel"], fn)

# Conv1D: x (N, L, C), kernel (k, C/groups, F) -> (F, C/groups, k).
for name, xs, ks, s, d, p, g in [
    ("conv1d_causal_dilation2", (2, 9, 3), (3, 3, 4), 1, 2, (4, 0), 1),
    ("conv1d_same_stride2_groups", (3, 8, 4), (2, 2, 6), 2, 1, (0, 1), 2),
]:
    def fn(x, kernel, s=s, d=d, p=p, g=g):
        xt = F.pad(x.permute(0, 2, 1), p)
        return F.conv1d(xt, kernel.permute(2, 1, 0), stride=s, dilation=d, groups=g).permute(0, 2, 1)
    record(name, "conv1d", {"stride": s, "dilation": d, "padding": p, "groups": g},
           {"x": rand(*xs), "kernel": rand(*ks)}, ["x", "kernel"], fn)

# DepthwiseConv2D: kernel (kh, kw, C, M) -> (C*M, 1, kh, kw), output
# channel c*M + m, groups = C.
for name, xs, ks, s, d, p in [
    ("depthwise_m2_same", (2, 6, 5, 3), (3, 3, 3, 2), (1, 1), (1, 1), (1, 1, 1, 1)),
    ("depthwise_m1_stride2", (2, 7, 6, 4), (3, 2, 4, 1), (2, 2), (1, 1), (1, 1, 0, 1)),
]:
    def fn(x, kernel, s=s, d=d, p=p):
        kh, kw, c, m = kernel.shape
        w = kernel.reshape(kh, kw, c * m).permute(2, 0, 1).unsqueeze(1)
        return nhwc(F.conv2d(pad4(nchw(x), p), w, stride=s, dilation=d, groups=c))
    record(name, "depthwise2d", {"strides": s, "dilation": d, "padding": p},
           {"x": rand(*xs), "kernel": rand(*ks)}, ["x", "kernel"], fn)

# Conv2DTranspose: kernel (kh, kw, F, C) -> (C, F, kh, kw). The full output
# (H-1)*s + d*(k-1) + 1 is cropped by (top, bottom, left, right) and
# extended by output padding at the bottom/right.
for name, xs, ks, s, d, p, op in [
    ("conv2d_transpose_same_stride2", (2, 3, 4, 3), (3, 3, 2, 3), (2, 2), (1, 1), (0, 1, 0, 1), (0, 0)),
    ("conv2d_transpose_valid_outpad", (1, 3, 3, 2), (2, 3, 3, 2), (3, 2), (1, 1), (0, 0, 0, 0), (2, 1)),
    ("conv2d_transpose_crop_dilation", (2, 4, 3, 2), (3, 2, 2, 2), (1, 1), (2, 2), (1, 2, 1, 0), (0, 0)),
]:
    def fn(x, kernel, s=s, d=d, p=p, op=op):
        full = F.conv_transpose2d(nchw(x), kernel.permute(3, 2, 0, 1), stride=s, dilation=d)
        fh, fw = full.shape[2], full.shape[3]
        oh, ow = fh - p[0] - p[1] + op[0], fw - p[2] - p[3] + op[1]
        full = F.pad(full, (0, op[1], 0, op[0]))
        return nhwc(full[:, :, p[0]:p[0] + oh, p[2]:p[2] + ow])
    record(name, "conv2d_transpose", {"strides": s, "dilation": d, "padding": p, "output_padding": op},
           {"x": rand(*xs), "kernel": rand(*ks)}, ["x", "kernel"], fn)

# Pooling. Max: pad with -inf. Average over the cells inside the input:
# the sum pool of x divided by the sum pool of ones (PyTorch's
# count_include_pad=False, for asymmetric padding too).
for name, xs, k, s, p in [
    ("pool_2x2", (2, 6, 6, 3), (2, 2), (2, 2), (0, 0, 0, 0)),
    ("pool_3x3_stride2_same_odd", (2, 7, 6, 2), (3, 3), (2, 2), (1, 1, 0, 1)),
    ("pool_2x3_stride1", (1, 5, 6, 2), (2, 3), (1, 1), (0, 1, 1, 1)),
]:
    x = rand(*xs)
    record(name + "_max", "maxpool2d", {"size": k, "strides": s, "padding": p}, {"x": x}, ["x"],
           lambda x, k=k, s=s, p=p: nhwc(F.max_pool2d(pad4(nchw(x), p, float("-inf")), k, s)))

    def avg(x, k=k, s=s, p=p):
        num = F.avg_pool2d(pad4(nchw(x), p), k, s)
        den = F.avg_pool2d(pad4(torch.ones_like(nchw(x)), p), k, s)
        return nhwc(num / den)
    record(name + "_avg", "avgpool2d", {"size": k, "strides": s, "padding": p}, {"x": x}, ["x"], avg)

# Symmetric padding: PyTorch's own count_include_pad=False.
record("pool_3x3_sym_avg_torch", "avgpool2d", {"size": (3, 3), "strides": (2, 2), "padding": (1, 1, 1, 1)},
       {"x": rand(2, 5, 6, 3)}, ["x"],
       lambda x: nhwc(F.avg_pool2d(nchw(x), 3, 2, padding=1, count_include_pad=False)))
record("pool1d_max", "maxpool1d", {"size": 3, "stride": 2, "padding": (1, 1)}, {"x": rand(2, 8, 3)}, ["x"],
       lambda x: F.max_pool1d(F.pad(x.permute(0, 2, 1), (1, 1), value=float("-inf")), 3, 2).permute(0, 2, 1))

# Global pooling and the masked mean.
record("global_avg_2d", "global_avg", {}, {"x": rand(3, 4, 5, 2)}, ["x"], lambda x: x.mean(dim=(1, 2)))
record("global_max_2d", "global_max", {}, {"x": rand(3, 4, 5, 2)}, ["x"], lambda x: x.amax(dim=(1, 2)))
record("global_avg_1d", "global_avg", {}, {"x": rand(2, 6, 3)}, ["x"], lambda x: x.mean(dim=1))
mask = (rng.uniform(size=(3, 6)) > 0.4).astype(np.float64)
mask[:, 0] = 1.0
record("global_avg_1d_masked", "global_avg_masked", {}, {"x": rand(3, 6, 4), "mask": mask}, ["x"],
       lambda x, mask: (x * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True))

# Padding, cropping, upsampling.
record("zero_padding2d", "zero_padding2d", {"padding": (1, 2, 0, 1)}, {"x": rand(2, 3, 4, 2)}, ["x"],
       lambda x: nhwc(pad4(nchw(x), (1, 2, 0, 1))))
record("cropping2d", "cropping2d", {"cropping": (1, 0, 2, 1)}, {"x": rand(2, 5, 6, 2)}, ["x"],
       lambda x: x[:, 1:, 2:-1, :])
record("upsampling2d_nearest", "upsampling2d", {"size": (2, 3), "bilinear": False}, {"x": rand(2, 3, 2, 2)}, ["x"],
       lambda x: nhwc(F.interpolate(nchw(x), scale_factor=(2, 3), mode="nearest")))
record("upsampling2d_bilinear", "upsampling2d", {"size": (3, 2), "bilinear": True}, {"x": rand(2, 4, 3, 2)}, ["x"],
       lambda x: nhwc(F.interpolate(nchw(x), scale_factor=(3, 2), mode="bilinear", align_corners=False)))
record("upsampling1d", "upsampling1d", {"size": 2}, {"x": rand(2, 4, 3)}, ["x"],
       lambda x: torch.repeat_interleave(x, 2, dim=1))

# Normalisation (epsilon 1e-3, Keras's default). Training uses the biased
# batch variance; so does F.batch_norm's normalisation.
eps = 1e-3
record("batch_norm_train", "batch_norm_train", {"epsilon": eps},
       {"x": rand(4, 3, 3, 5, lo=-2, hi=3), "gamma": rand(5, lo=0.5, hi=1.5), "beta": rand(5)}, ["x", "gamma", "beta"],
       lambda x, gamma, beta: nhwc(F.batch_norm(nchw(x), None, None, gamma, beta, training=True, eps=eps)))
xm = rand(6, 2, 4, lo=-2, hi=3)
record("batch_moments", "batch_moments", {}, {"x": xm}, ["x"],
       lambda x: torch.stack([x.reshape(-1, 4).mean(0), x.reshape(-1, 4).var(0, unbiased=False)]))
record("batch_norm_inference", "batch_norm_inference", {"epsilon": eps},
       {"x": rand(3, 2, 2, 4), "mean": rand(4), "variance": rand(4, lo=0.2, hi=2), "gamma": rand(4, lo=0.5, hi=1.5),
        "beta": rand(4)}, ["x", "gamma", "beta"],
       lambda x, mean, variance, gamma, beta: nhwc(F.batch_norm(nchw(x), mean.detach(), variance.detach(), gamma, beta,
                                                                 training=False, eps=eps)))
record("layer_norm", "layer_norm", {"epsilon": eps},
       {"x": rand(3, 4, 6, lo=-2, hi=3), "gamma": rand(6, lo=0.5, hi=1.5), "beta": rand(6)}, ["x", "gamma", "beta"],
       lambda x, gamma, beta: F.layer_norm(x, (6,), gamma, beta, eps=eps))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_reference.json")
with open(out, "w") as f:
    json.dump({"generator": "gen_conv_reference.py", "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
