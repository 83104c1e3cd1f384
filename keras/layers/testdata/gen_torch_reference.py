#!/usr/bin/python3
"""Layer-level reference values for keras/layers' convolution, pooling,
upsampling and normalization layers, computed by PyTorch 1.13 in float64.

Run from keras/layers:  /usr/bin/python3 testdata/gen_torch_reference.py
It writes testdata/torch_reference.json, which torch_reference_test.go
reads (the Go tests never run Python).

Each case names a Keras layer and its arguments as Keras takes them
("same"/"valid"/"causal" padding, strides, dilation_rate,
output_padding), seeded inputs and weights in Keras's layouts
(channels-last tensors; kernels (kh, kw, in, out), transposed kernels
(kh, kw, filters, in), depthwise kernels (kh, kw, in, multiplier)), a
seeded weighting r of the output, the output, and the gradients of
sum(output * r) with respect to the input and every weight. Everything is
flattened row-major.

The script derives what Keras does from PyTorch's primitives, without
gokeras's code:
- "same" padding: TensorFlow's rule, total = max((ceil(n/s)-1)*s +
  d*(k-1) + 1 - n, 0) with total//2 before, applied with F.pad (PyTorch's
  own padding is symmetric);
- "causal": d*(k-1) zeros before the sequence;
- a transposed convolution: by definition the gradient of the forward
  convolution (from the transposed output's shape, Keras 3's output
  length, with TensorFlow's padding for that shape) with respect to its
  input, computed by autograd;
- average pooling with "same": window sums over the cells inside the
  input divided by their count (TensorFlow's rule);
- BatchNormalization in training: F.batch_norm with batch statistics;
  the moving statistics' update moving*0.99 + batch*0.01 uses the biased
  batch variance, as Keras 3 does (PyTorch's own running_var would use
  the unbiased one);
- bilinear UpSampling2D: F.interpolate(align_corners=False), TensorFlow's
  half-pixel rule.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(20261202)
cases = []


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def tensor_json(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def record(name, layer, args, x, weights, fn, extra=None, nograd=()):
    """x: numpy input (Keras layout); weights: list of (name, array) in
    Keras's order; fn(x, **weights) returns the output in Keras layout."""
    xl = leaf(x)
    wl = {k: leaf(v) for k, v in weights}
    out = fn(xl, **wl)
    r = rand(*out.shape)
    (out * torch.tensor(r)).sum().backward()
    grads = {"x": xl.grad.numpy().ravel().tolist()}
    for k, _ in weights:
        if k not in nograd:
            grads[k] = wl[k].grad.numpy().ravel().tolist()
    case = {
        "name": name, "layer": layer, "args": args,
        "x": tensor_json(x),
        "weights": [{"name": k, **tensor_json(v)} for k, v in weights],
        "r": r.ravel().tolist(),
        "output": tensor_json(out.detach().numpy()),
        "grads": grads,
    }
    if extra:
        case.update(extra)
    cases.append(case)


def nchw(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x.permute(0, 2, 1)


def nhwc(x):
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x.permute(0, 2, 1)


def same_pad(n, k, s, d):
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def pads(mode, spatial, ks, ss, ds):
    """F.pad amounts (last axis first) for Keras's padding mode."""
    amounts = []
    for n, k, s, d in zip(spatial, ks, ss, ds):
        if mode == "same":
            amounts.append(same_pad(n, k, s, d))
        elif mode == "causal":
            amounts.append((d * (k - 1), 0))
        else:
            amounts.append((0, 0))
    flat = []
    for b, a in reversed(amounts):
        flat += [b, a]
    return flat


ACT = {"linear": lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def conv_fn(rank, mode, strides, dilation, groups, act, use_bias):
    def fn(x, kernel, bias=None):
        xt = nchw(x)
        ks = kernel.shape[:rank]
        xt = F.pad(xt, pads(mode, xt.shape[2:], ks, strides, dilation))
        w = kernel.permute(3, 2, 0, 1) if rank == 2 else kernel.permute(2, 1, 0)
        conv = F.conv2d if rank == 2 else F.conv1d
        y = conv(xt, w, bias if use_bias else None, stride=strides, dilation=dilation, groups=groups)
        return ACT[act](nhwc(y))
    return fn


def conv_case(name, rank, x_shape, filters, ksize, strides, dilation, padding, act="linear", groups=1, use_bias=True):
    x = rand(*x_shape)
    c = x_shape[-1]
    kernel = rand(*ksize, c // groups, filters, lo=-0.5, hi=0.5)
    weights = [("kernel", kernel)]
    if use_bias:
        weights.append(("bias", rand(filters)))
    args = {"filters": filters, "kernel_size": list(ksize), "strides": list(strides), "dilation_rate": list(dilation),
            "padding": padding, "activation": act, "groups": groups, "use_bias": use_bias}
    record(name, "Conv%dD" % rank, args, x, weights, conv_fn(rank, padding, strides, dilation, groups, act, use_bias))


def transpose_len(n, k, s, d, mode, op):
    ke = d * (k - 1) + 1
    if op is None:
        return n * s + max(ke - s, 0) if mode == "valid" else n * s
    pad = ke // 2 if mode == "same" else 0
    return (n - 1) * s + ke - 2 * pad + op


def transpose_case(name, rank, x_shape, filters, ksize, strides, padding, output_padding=None, act="linear"):
    x = rand(*x_shape)
    c = x_shape[-1]
    kernel = rand(*ksize, filters, c, lo=-0.5, hi=0.5)
    bias = rand(filters)
    dilation = [1] * rank

    def fn(x, kernel, bias):
        n = x.shape[0]
        ops = output_padding if output_padding is not None else [None] * rank
        out_sp = [transpose_len(x.shape[1 + i], ksize[i], strides[i], 1, padding, ops[i]) for i in range(rank)]
        z = torch.zeros((n, filters, *out_sp), requires_grad=True)
        w = kernel.permute(3, 2, 0, 1) if rank == 2 else kernel.permute(2, 1, 0)
        conv = F.conv2d if rank == 2 else F.conv1d
        y = conv(F.pad(z, pads(padding, out_sp, ksize, strides, dilation)), w, stride=strides)
        assert list(y.shape[2:]) == list(x.shape[1:1 + rank]), (y.shape, x.shape)
        (g,) = torch.autograd.grad(y, z, grad_outputs=nchw(x), create_graph=True)
        out = nhwc(g) + bias
        return ACT[act](out)

    args = {"filters": filters, "kernel_size": list(ksize), "strides": list(strides), "padding": padding,
            "output_padding": output_padding, "activation": act}
    record(name, "Conv%dDTranspose" % rank, args, x, [("kernel", kernel), ("bias", bias)], fn)


def depthwise_torch(x, kernel, mode, strides, dilation):
    """x NCHW; kernel (kh, kw, C, M) Keras layout."""
    kh, kw, c, m = kernel.shape
    w = kernel.permute(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
    x = F.pad(x, pads(mode, x.shape[2:], (kh, kw), strides, dilation))
    return F.conv2d(x, w, stride=strides, dilation=dilation, groups=c)


def depthwise_case(name, x_shape, ksize, mult, strides, dilation, padding, act="linear"):
    x = rand(*x_shape)
    c = x_shape[-1]
    kernel = rand(*ksize, c, mult, lo=-0.5, hi=0.5)
    bias = rand(c * mult)

    def fn(x, kernel, bias):
        y = depthwise_torch(nchw(x), kernel, padding, strides, dilation)
        return ACT[act](nhwc(y) + bias)

    args = {"kernel_size": list(ksize), "depth_multiplier": mult, "strides": list(strides), "dilation_rate": list(dilation),
            "padding": padding, "activation": act}
    record(name, "DepthwiseConv2D", args, x, [("kernel", kernel), ("bias", bias)], fn)


def separable_case(name, x_shape, filters, ksize, mult, strides, dilation, padding, act="linear"):
    x = rand(*x_shape)
    c = x_shape[-1]
    dk = rand(*ksize, c, mult, lo=-0.5, hi=0.5)
    pk = rand(1, 1, c * mult, filters, lo=-0.5, hi=0.5)
    bias = rand(filters)

    def fn(x, depthwise_kernel, pointwise_kernel, bias):
        h = depthwise_torch(nchw(x), depthwise_kernel, padding, strides, dilation)
        y = F.conv2d(h, pointwise_kernel.permute(3, 2, 0, 1), bias)
        return ACT[act](nhwc(y))

    args = {"filters": filters, "kernel_size": list(ksize), "depth_multiplier": mult, "strides": list(strides),
            "dilation_rate": list(dilation), "padding": padding, "activation": act}
    record(name, "SeparableConv2D", args, x, [("depthwise_kernel", dk), ("pointwise_kernel", pk), ("bias", bias)], fn)


def pool_case(name, rank, kind, x_shape, pool, strides, padding):
    x = rand(*x_shape)

    def fn(x):
        xt = nchw(x)
        p = pads(padding, xt.shape[2:], pool, strides, [1] * rank)
        if kind == "max":
            y = (F.max_pool2d if rank == 2 else F.max_pool1d)(F.pad(xt, p, value=-math.inf), pool, strides)
        else:
            avg = F.avg_pool2d if rank == 2 else F.avg_pool1d
            kw = {"divisor_override": 1} if rank == 2 else {}
            scale = 1.0 if rank == 2 else float(np.prod(pool))
            sums = avg(F.pad(xt, p), pool, strides, **kw) * scale
            counts = avg(F.pad(torch.ones_like(xt), p), pool, strides, **kw) * scale
            y = sums / counts
        return nhwc(y)

    layer = ("MaxPooling%dD" if kind == "max" else "AveragePooling%dD") % rank
    record(name, layer, {"pool_size": list(pool), "strides": list(strides), "padding": padding}, x, [], fn)


def global_case(name, kind, x_shape):
    x = rand(*x_shape)
    axes = tuple(range(1, len(x_shape) - 1))

    def fn(x):
        if kind == "max":
            return x.amax(dim=axes)
        return x.mean(dim=axes)

    layer = ("GlobalMaxPooling%dD" if kind == "max" else "GlobalAveragePooling%dD") % (len(x_shape) - 2)
    record(name, layer, {}, x, [], fn)


def bn_cases():
    x = rand(6, 3, 4, 5, lo=-2, hi=3)
    c = x.shape[-1]
    gamma, beta = rand(c, lo=0.5, hi=1.5), rand(c)
    mm, mv = rand(c), rand(c, lo=0.5, hi=2)
    eps, momentum = 1e-3, 0.99
    flat = x.reshape(-1, c)
    batch_mean, batch_var = flat.mean(0), flat.var(0)  # numpy's var is the biased one
    extra = {"moving_mean_after": (mm * momentum + batch_mean * (1 - momentum)).tolist(),
             "moving_variance_after": (mv * momentum + batch_var * (1 - momentum)).tolist()}
    weights = [("gamma", gamma), ("beta", beta), ("moving_mean", mm), ("moving_variance", mv)]

    def train(x, gamma, beta, moving_mean, moving_variance):
        y = F.batch_norm(nchw(x), None, None, gamma, beta, training=True, eps=eps)
        return nhwc(y)

    record("batchnorm_train", "BatchNormalization", {"mode": "train"}, x, weights, train, extra,
           nograd=("moving_mean", "moving_variance"))

    def infer(x, gamma, beta, moving_mean, moving_variance):
        y = F.batch_norm(nchw(x), moving_mean.detach(), moving_variance.detach(), gamma, beta, training=False, eps=eps)
        return nhwc(y)

    record("batchnorm_inference", "BatchNormalization", {"mode": "inference"}, x, weights, infer,
           nograd=("moving_mean", "moving_variance"))


def ln_case():
    x = rand(3, 4, 6, lo=-2, hi=2)
    gamma, beta = rand(6, lo=0.5, hi=1.5), rand(6)

    def fn(x, gamma, beta):
        return F.layer_norm(x, (6,), gamma, beta, eps=1e-3)

    record("layernorm", "LayerNormalization", {}, x, [("gamma", gamma), ("beta", beta)], fn)


def upsampling_case():
    x = rand(2, 3, 4, 2)

    def fn(x):
        return nhwc(F.interpolate(nchw(x), scale_factor=(2, 3), mode="bilinear", align_corners=False))

    record("upsampling2d_bilinear", "UpSampling2D", {"size": [2, 3], "interpolation": "bilinear"}, x, [], fn)


conv_case("conv2d_valid_strides_relu", 2, (2, 7, 6, 3), 4, (3, 2), (2, 1), (1, 1), "valid", act="relu")
conv_case("conv2d_same_strides_relu", 2, (2, 8, 7, 2), 3, (3, 3), (2, 2), (1, 1), "same", act="relu")
conv_case("conv2d_same_dilation_sigmoid", 2, (2, 7, 6, 3), 5, (3, 3), (1, 1), (2, 3), "same", act="sigmoid")
conv_case("conv2d_valid_dilation_tanh", 2, (1, 9, 8, 2), 3, (2, 3), (1, 1), (3, 2), "valid", act="tanh")
conv_case("conv2d_groups_no_bias", 2, (2, 5, 5, 4), 6, (3, 3), (1, 1), (1, 1), "valid", groups=2, use_bias=False)
conv_case("conv1d_causal_dilation", 1, (2, 10, 3), 4, (3,), (1,), (2,), "causal", act="relu")
conv_case("conv1d_same_strides", 1, (2, 9, 3), 2, (4,), (3,), (1,), "same")
transpose_case("conv2d_transpose_valid_strides", 2, (2, 4, 3, 3), 2, (3, 3), (2, 2), "valid")
transpose_case("conv2d_transpose_same_strides_relu", 2, (2, 3, 4, 2), 3, (3, 2), (2, 3), "same", act="relu")
transpose_case("conv2d_transpose_same_even_kernel", 2, (1, 3, 3, 2), 2, (4, 4), (2, 2), "same")
transpose_case("conv2d_transpose_valid_output_padding", 2, (1, 3, 2, 2), 2, (2, 2), (3, 2), "valid", output_padding=[2, 1])
transpose_case("conv1d_transpose_same", 1, (2, 5, 3), 2, (3,), (2,), "same")
depthwise_case("depthwise_same_strides", (2, 7, 6, 3), (3, 3), 2, (2, 2), (1, 1), "same")
depthwise_case("depthwise_valid_dilation_relu", (2, 7, 7, 2), (2, 3), 3, (1, 1), (2, 1), "valid", act="relu")
separable_case("separable_valid_relu", (2, 7, 6, 3), 4, (3, 3), 2, (1, 1), (1, 1), "valid", act="relu")
separable_case("separable_same_strides", (2, 7, 6, 3), 5, (3, 2), 1, (2, 2), (1, 1), "same")
pool_case("maxpool2d_valid", 2, "max", (2, 7, 6, 3), (2, 2), (2, 2), "valid")
pool_case("maxpool2d_same_strides", 2, "max", (2, 7, 6, 3), (3, 3), (2, 2), "same")
pool_case("avgpool2d_same", 2, "average", (2, 7, 6, 3), (3, 2), (2, 1), "same")
pool_case("avgpool2d_valid", 2, "average", (2, 6, 6, 2), (2, 3), (1, 2), "valid")
pool_case("maxpool1d_same", 1, "max", (2, 9, 3), (3,), (2,), "same")
pool_case("avgpool1d_valid", 1, "average", (2, 9, 3), (3,), (2,), "valid")
global_case("global_avg_2d", "average", (2, 4, 5, 3))
global_case("global_max_2d", "max", (2, 4, 5, 3))
global_case("global_avg_1d", "average", (3, 6, 4))
global_case("global_max_1d", "max", (3, 6, 4))
bn_cases()
ln_case()
upsampling_case()

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.json")
with open(out, "w") as f:
    json.dump({"generator": "testdata/gen_torch_reference.py", "torch": torch.__version__, "cases": cases}, f)
print("wrote", out, len(cases), "cases")
