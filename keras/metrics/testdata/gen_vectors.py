#!/usr/bin/python3
"""Reference results for keras/metrics, computed with numpy.

Run from this directory with /usr/bin/python3 (numpy):

    /usr/bin/python3 gen_vectors.py > vectors.json

Every case feeds a metric two batches (5 rows, then 3 rows with sample
weights) and records the result over both, which must be exact over all
8 samples, not a mean of the two batch results. The formulas are written
here from the Keras 3 sources' definitions, in numpy, independently of the
Go code; in particular confusion counts (precision, recall, AUC) compare
every prediction with every threshold directly (Keras's general path),
where the Go code buckets predictions (Keras's path for evenly spaced
thresholds).
"""
import json

import numpy as np

EPS = 1e-7
NEG_INF = -1e10
rng = np.random.RandomState(7)
W = 4


def batches(true, pred):
    """Splits 8 rows into a 5-row and a weighted 3-row batch."""
    sw = np.array([0.5, 2.0, 1.25])
    return [(true[:5], pred[:5], np.ones(5)), (true[5:], pred[5:], sw)]


def weighted_mean(per_row, bs):
    vals = np.concatenate([per_row(t, p) for t, p, _ in bs])
    ws = np.concatenate([w for _, _, w in bs])
    return float((vals * ws).sum() / ws.sum())


# Inputs shared by the cases.
PROBS = np.round(rng.uniform(0.02, 0.98, size=(8, W)), 3)
BIN = (rng.uniform(size=(8, W)) < 0.45).astype(float)
BIN[0] = [0, 0, 0, 0]  # a row with no positive target
LABELS = np.array([0, 3, 1, 1, 2, 0, 3, 2])
ONEHOT = np.eye(W)[LABELS]
TIED = PROBS.copy()
TIED[1] = [0.3, 0.3, 0.3, 0.3]  # ties straddling the top k
LOGITS = np.round(rng.uniform(-4, 4, size=(8, W)), 3)
REAL_T = np.round(rng.uniform(-2, 2, size=(8, W)), 3)
REAL_P = np.round(REAL_T + rng.normal(0, 0.8, size=(8, W)), 3)
POS_T = np.round(rng.uniform(0, 3, size=(8, W)), 3)
POS_P = np.round(rng.uniform(0.05, 3, size=(8, W)), 3)
PM1 = 2 * BIN - 1


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


# --- per-row functions -------------------------------------------------

def binary_accuracy(th):
    return lambda t, p: ((p > th).astype(float) == t).mean(axis=-1)


def categorical_accuracy(t, p):
    return (t.argmax(-1) == p.argmax(-1)).astype(float)


def in_top_k(p, target, k):
    v = p[np.arange(len(p)), target]
    return ((p > v[:, None]).sum(-1) < k).astype(float)


def bce(ls=0.0, logits=False):
    def f(t, p):
        t = t * (1 - ls) + 0.5 * ls
        if logits:
            v = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
        else:
            p = np.clip(p, EPS, 1 - EPS)
            v = -(t * np.log(p) + (1 - t) * np.log(1 - p))
        return v.mean(-1)
    return f


def cce(ls=0.0, logits=False):
    def f(t, p):
        t = t * (1 - ls) + ls / t.shape[-1]
        if logits:
            return (t * (logsumexp(p)[:, None] - p)).sum(-1)
        q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
        return -(t * np.log(q)).sum(-1)
    return f


def hinge_rows(bs, sq):
    # Keras converts 0/1 targets per batch.
    out = []
    for t, p, _ in bs:
        if np.all((t == 0) | (t == 1)):
            t = 2 * t - 1
        m = np.maximum(1 - t * p, 0)
        out.append((m ** 2 if sq else m).mean(-1))
    return out


def cosine(t, p):
    nt = np.maximum(np.linalg.norm(t, axis=-1), EPS)
    npred = np.maximum(np.linalg.norm(p, axis=-1), EPS)
    return (t * p).sum(-1) / (nt * npred)


def huber(d):
    def f(t, p):
        e = np.abs(p - t)
        return np.where(e <= d, 0.5 * e * e, d * e - 0.5 * d * d).mean(-1)
    return f


def log_cosh(t, p):
    return np.log(np.cosh(p - t)).mean(-1)


# --- stateful metrics ---------------------------------------------------

def r2(bs, aggregation="uniform_average", p=0):
    t = np.concatenate([b[0] for b in bs])
    pr = np.concatenate([b[1] for b in bs])
    w = np.concatenate([b[2] for b in bs])[:, None]
    mean = (w * t).sum(0) / w.sum()
    ss_tot = (w * (t - mean) ** 2).sum(0)
    ss_res = (w * (t - pr) ** 2).sum(0)
    raw = 1 - ss_res / ss_tot
    r = raw.mean() if aggregation == "uniform_average" else (ss_tot * raw).sum() / ss_tot.sum()
    n = t.size
    if p and p < n - 1:
        r = 1 - (1 - r) * (n - 1) / (n - p - 1)
    return float(r)


def filter_top_k(p, k):
    out = np.full_like(p, NEG_INF)
    for i, row in enumerate(p):
        idx = np.argsort(-row, kind="stable")[:k]
        out[i, idx] = row[idx]
    return out


def confusion(bs, threshold=0.5, top_k=None, class_id=None):
    tp = fp = fn = 0.0
    for t, p, w in bs:
        if top_k is not None:
            p = filter_top_k(p, top_k)
        if class_id is not None:
            t, p = t[:, class_id:class_id + 1], p[:, class_id:class_id + 1]
        ww = np.broadcast_to(w[:, None], p.shape)
        pos, lab = p > threshold, t != 0
        tp += (ww * (pos & lab)).sum()
        fp += (ww * (pos & ~lab)).sum()
        fn += (ww * (~pos & lab)).sum()
    return tp, fp, fn


def div(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))


def auc(bs, n=200, curve="ROC", summation="interpolation", multi_label=False, from_logits=False):
    ths = np.array([0 - EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS])
    t = np.concatenate([b[0] for b in bs])
    p = np.concatenate([b[1] for b in bs])
    w = np.concatenate([b[2] for b in bs])
    if from_logits:
        p = sigmoid(p)
    p = np.clip(p, 0, 1)
    cols = [slice(j, j + 1) for j in range(t.shape[1])] if multi_label else [slice(None)]
    areas = []
    for c in cols:
        tt, pp = t[:, c].ravel() != 0, p[:, c].ravel()
        ww = np.broadcast_to(w[:, None], t[:, c].shape).ravel()
        above = pp[None, :] > ths[:, None]
        tp = (ww * (above & tt)).sum(1)
        fp = (ww * (above & ~tt)).sum(1)
        fn = (ww * (~above & tt)).sum(1)
        tn = (ww * (~above & ~tt)).sum(1)
        if curve == "PR" and summation == "interpolation":
            dtp = tp[:-1] - tp[1:]
            P = tp + fp
            dp = P[:-1] - P[1:]
            slope = div(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * P[1:]
            ratio = np.where((P[:-1] > 0) & (P[1:] > 0), div(P[:-1], np.maximum(P[1:], 0)), 1.0)
            areas.append(div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)).sum())
            continue
        recall = div(tp, tp + fn)
        if curve == "ROC":
            x, y = div(fp, fp + tn), recall
        else:
            x, y = recall, div(tp, tp + fp)
        h = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
             "majoring": np.maximum(y[:-1], y[1:])}[summation]
        areas.append(((x[:-1] - x[1:]) * h).sum())
    return float(np.mean(areas))


def fbeta(bs, beta=1.0, threshold=None, average="macro"):
    tp = fp = fn = sup = 0.0
    for t, p, w in bs:
        if threshold is None:
            pred = ((p >= p.max(-1, keepdims=True)) & (np.abs(p) > 1e-9)).astype(float)
        else:
            pred = (p > threshold).astype(float)
        ww = w[:, None]
        ax = None if average == "micro" else 0
        tp = tp + (ww * pred * t).sum(ax)
        fp = fp + (ww * pred * (1 - t)).sum(ax)
        fn = fn + (ww * (1 - pred) * t).sum(ax)
        sup = sup + (ww * t).sum(ax)
    prec = tp / (tp + fp + EPS)
    rec = tp / (tp + fn + EPS)
    f = (1 + beta ** 2) * prec * rec / (beta ** 2 * prec + rec + EPS)
    if average == "weighted":
        return float((f * sup / (sup.sum() + EPS)).sum())
    return float(np.mean(f))


CASES = []


def case(name, params, true, pred, want, sparse=False):
    bs = batches(true, pred)
    if callable(want):
        want = want(bs)
    CASES.append({"name": name, "params": params, "sparse": sparse,
                  "batches": [{"true": np.asarray(t).ravel().tolist(), "pred": p.ravel().tolist(),
                               "sw": w.tolist()} for t, p, w in bs],
                  "want": want})


def mean_case(name, params, true, pred, per_row, sparse=False):
    case(name, params, true, pred, lambda bs: weighted_mean(per_row, bs), sparse)


SPARSE = LABELS[:, None].astype(float)
mean_case("binary_accuracy", {}, BIN, PROBS, binary_accuracy(0.5))
mean_case("binary_accuracy", {"threshold": 0.7}, BIN, PROBS, binary_accuracy(0.7))
mean_case("categorical_accuracy", {}, ONEHOT, PROBS, categorical_accuracy)
mean_case("sparse_categorical_accuracy", {}, SPARSE, PROBS, lambda t, p: (p.argmax(-1) == t[:, 0]).astype(float), True)
mean_case("top_k_categorical_accuracy", {"k": 2}, ONEHOT, TIED, lambda t, p: in_top_k(p, t.argmax(-1), 2))
mean_case("top_k_categorical_accuracy", {}, ONEHOT, TIED, lambda t, p: in_top_k(p, t.argmax(-1), 5))
mean_case("sparse_top_k_categorical_accuracy", {"k": 1}, SPARSE, TIED, lambda t, p: in_top_k(p, t[:, 0].astype(int), 1), True)
mean_case("mean_squared_error", {}, REAL_T, REAL_P, lambda t, p: ((p - t) ** 2).mean(-1))
case("root_mean_squared_error", {}, REAL_T, REAL_P, lambda bs: weighted_mean(lambda t, p: ((p - t) ** 2).mean(-1), bs) ** 0.5)
mean_case("mean_absolute_error", {}, REAL_T, REAL_P, lambda t, p: np.abs(p - t).mean(-1))
mean_case("mean_absolute_percentage_error", {}, REAL_T, REAL_P,
          lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1))
mean_case("mean_squared_logarithmic_error", {}, POS_T, POS_P,
          lambda t, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1))
mean_case("cosine_similarity", {}, REAL_T, REAL_P, cosine)
mean_case("log_cosh_error", {}, REAL_T, REAL_P, log_cosh)
case("r2_score", {}, REAL_T, REAL_P, lambda bs: r2(bs))
case("r2_score", {"class_aggregation": "variance_weighted_average"}, REAL_T, REAL_P,
     lambda bs: r2(bs, "variance_weighted_average"))
case("r2_score", {"num_regressors": 3}, REAL_T, REAL_P, lambda bs: r2(bs, p=3))
for name, recall in (("precision", False), ("recall", True)):
    for params, kw in (({}, {}), ({"thresholds": 0.3}, {"threshold": 0.3}),
                       ({"top_k": 2}, {"threshold": NEG_INF, "top_k": 2}),
                       ({"class_id": 1}, {"class_id": 1}),
                       ({"top_k": 1, "class_id": 2, "thresholds": 0.2}, {"top_k": 1, "class_id": 2, "threshold": 0.2})):
        def f(bs, kw=kw, recall=recall):
            tp, fp, fn = confusion(bs, **kw)
            den = tp + fn if recall else tp + fp
            return float(tp / den) if den else 0.0
        case(name, params, BIN, TIED, f)
for params, kw in (({}, {}), ({"num_thresholds": 10}, {"n": 10}),
                   ({"num_thresholds": 10, "summation_method": "minoring"}, {"n": 10, "summation": "minoring"}),
                   ({"num_thresholds": 10, "summation_method": "majoring"}, {"n": 10, "summation": "majoring"}),
                   ({"curve": "PR"}, {"curve": "PR"}),
                   ({"curve": "PR", "num_thresholds": 7}, {"curve": "PR", "n": 7}),
                   ({"curve": "PR", "summation_method": "majoring"}, {"curve": "PR", "summation": "majoring"}),
                   ({"curve": "PR", "summation_method": "minoring", "num_thresholds": 13},
                    {"curve": "PR", "summation": "minoring", "n": 13}),
                   ({"multi_label": True}, {"multi_label": True}),
                   ({"multi_label": True, "curve": "PR"}, {"multi_label": True, "curve": "PR"})):
    case("auc", params, BIN, PROBS, lambda bs, kw=kw: auc(bs, **kw))
case("auc", {"from_logits": True}, BIN, LOGITS, lambda bs: auc(bs, from_logits=True))
for params, kw in (({}, {}), ({"threshold": 0.5}, {"threshold": 0.5}),
                   ({"average": "micro"}, {"average": "micro"}),
                   ({"average": "weighted", "threshold": 0.4}, {"average": "weighted", "threshold": 0.4})):
    case("f1_score", params, BIN, PROBS, lambda bs, kw=kw: fbeta(bs, **kw))
case("fbeta_score", {"beta": 2.0, "threshold": 0.5}, BIN, PROBS, lambda bs: fbeta(bs, beta=2.0, threshold=0.5))
case("fbeta_score", {"beta": 0.5, "average": "micro"}, ONEHOT, PROBS, lambda bs: fbeta(bs, beta=0.5, average="micro"))
# Every loss as a metric.
mean_case("binary_crossentropy", {}, BIN, PROBS, bce())
mean_case("binary_crossentropy", {"label_smoothing": 0.2}, BIN, PROBS, bce(0.2))
mean_case("binary_crossentropy", {"from_logits": True}, BIN, LOGITS, bce(logits=True))
mean_case("categorical_crossentropy", {}, ONEHOT, PROBS, cce())
mean_case("categorical_crossentropy", {"label_smoothing": 0.1}, ONEHOT, PROBS, cce(0.1))
mean_case("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.3}, ONEHOT, LOGITS, cce(0.3, True))
mean_case("sparse_categorical_crossentropy", {}, SPARSE, PROBS, lambda t, p: cce()(np.eye(W)[t[:, 0].astype(int)], p), True)
mean_case("sparse_categorical_crossentropy", {"from_logits": True}, SPARSE, LOGITS,
          lambda t, p: cce(logits=True)(np.eye(W)[t[:, 0].astype(int)], p), True)
mean_case("kl_divergence", {}, ONEHOT * 0.7 + 0.075, PROBS,
          lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1))
mean_case("poisson", {}, POS_T, POS_P, lambda t, p: (p - t * np.log(p + EPS)).mean(-1))
case("hinge", {}, BIN, REAL_P, lambda bs: float((np.concatenate(hinge_rows(bs, False)) * np.concatenate([b[2] for b in bs])).sum()
                                                  / np.concatenate([b[2] for b in bs]).sum()))
case("squared_hinge", {}, PM1, REAL_P, lambda bs: float((np.concatenate(hinge_rows(bs, True)) * np.concatenate([b[2] for b in bs])).sum()
                                                          / np.concatenate([b[2] for b in bs]).sum()))
mean_case("categorical_hinge", {}, ONEHOT, REAL_P,
          lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0))
mean_case("huber", {}, REAL_T, REAL_P, huber(1.0))
mean_case("huber", {"delta": 0.5}, REAL_T, REAL_P, huber(0.5))
mean_case("log_cosh", {}, REAL_T, REAL_P, log_cosh)

print("{")
print(' "numpy": %s,' % json.dumps(np.__version__))
print(' "cases": [')
print(",\n".join("  " + json.dumps(c) for c in CASES))
print(" ]")
print("}")
