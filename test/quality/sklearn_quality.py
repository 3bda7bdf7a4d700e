"""Live quality computed independently with scikit-learn and numpy from the raw labeled predictions.

Input (JSON file, argv[1]): {VERSION: {"served": int, "y_true": [...], "y_pred": [...], "lag_seconds": [...]}}.
Output (JSON): {VERSION: {"coverage", "accuracy", "weighted_f1", "recall": {code: recall}, "lag_p50"}},
lag_p50 being the lower median (the smallest lag with at least half the lags at or below it).
"""

import json
import sys

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

with open(sys.argv[1]) as handle:
    versions = json.load(handle)

result = {}
for version, data in versions.items():
    y_true, y_pred = data["y_true"], data["y_pred"]
    labeled_classes = sorted(set(y_true))
    recalls = recall_score(y_true, y_pred, labels=labeled_classes, average=None, zero_division=0)
    result[version] = {
        "coverage": len(y_true) / data["served"],
        "accuracy": accuracy_score(y_true, y_pred),
        "weighted_f1": f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "recall": {str(code): float(recall) for code, recall in zip(labeled_classes, recalls)},
        "lag_p50": float(np.sort(data["lag_seconds"])[(len(data["lag_seconds"]) - 1) // 2]),
    }
json.dump(result, sys.stdout)
