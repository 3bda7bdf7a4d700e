"""The drift statistics computed independently with numpy/scipy from the raw values of two windows.

Input (JSON file, argv[1]): {"reference": W, "current": W}, W = {"text_length": [...],
"confidence": [...], "prdtypecode": [...], "tokens": int, "unknown": int}.
Output (JSON): per feature and test, the statistic and p-value, and the bins they were computed on.
"""

import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance

EMPTY_BIN_SHARE = 1e-4
# Confidences are compared in steps of 1/10,000 (docs/drift.md).
CONFIDENCE_STEPS = 10_000


def psi(reference, current):
    r = np.maximum(reference / reference.sum(), EMPTY_BIN_SHARE)
    c = np.maximum(current / current.sum(), EMPTY_BIN_SHARE)
    return float(np.sum((c - r) * np.log(c / r)))


def confidence_steps(values):
    return np.round(np.array(values, dtype=np.float32).astype(np.float64) * CONFIDENCE_STEPS).astype(np.int64)


def numeric(reference, current, scale=1):
    edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf"))
    # width_bucket's numbering: a value's bin is how many edges are at or below it.
    bins = len(edges) + 1
    r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins).astype(float)
    c = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins).astype(float)
    ks = stats.ks_2samp(reference, current, method="asymp")
    n1, n2 = len(reference), len(current)
    return {
        "edges": (edges / scale).tolist(),
        "reference": r.tolist(),
        "current": c.tolist(),
        "psi": psi(r, c),
        "jensen_shannon": float(distance.jensenshannon(r, c, base=2)),
        "ks": float(ks.statistic),
        "ks_p_kolmogorov": float(stats.kstwobign.sf(ks.statistic * np.sqrt(n1 * n2 / (n1 + n2)))),
        "ks_p_scipy_asymp": float(ks.pvalue),
    }


def main():
    with open(sys.argv[1]) as file:
        windows = json.load(file)
    reference, current = windows["reference"], windows["current"]
    codes = sorted(set(reference["prdtypecode"]) | set(current["prdtypecode"]))
    r = np.array([reference["prdtypecode"].count(code) for code in codes], dtype=float)
    c = np.array([current["prdtypecode"].count(code) for code in codes], dtype=float)
    chi2, p, dof, _ = stats.chi2_contingency(np.array([r, c]), correction=False)
    result = {
        "text_length": numeric(np.array(reference["text_length"]), np.array(current["text_length"])),
        "confidence": numeric(
            confidence_steps(reference["confidence"]), confidence_steps(current["confidence"]), CONFIDENCE_STEPS
        ),
        "predicted_class": {
            "labels": [str(code) for code in codes],
            "psi": psi(r, c),
            "chi2": float(chi2),
            "chi2_p": float(p),
            "dof": int(dof),
            "cramers_v": float(np.sqrt(chi2 / (r.sum() + c.sum()))),
        },
        "tokens": {
            "oov_share": abs(current["unknown"] / current["tokens"] - reference["unknown"] / reference["tokens"])
        },
    }
    json.dump(result, sys.stdout)


main()
