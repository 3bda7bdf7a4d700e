"""Reference calibration numbers with scikit-learn and SciPy for test/parity/calibration-parity.test.ts.
Usage: sklearn_calibration.py INPUT.json, INPUT holding {"probabilities": [[...]], "labels": [...]}
(labels: column indices). Prints {"ece", "temperature", "log_loss_before", "log_loss_after"}."""
import json
import sys

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import softmax
from sklearn.calibration import calibration_curve
from sklearn.metrics import log_loss

data = json.load(open(sys.argv[1]))
probabilities = np.array(data["probabilities"])
labels = np.array(data["labels"])
classes = list(range(probabilities.shape[1]))

confidence = probabilities.max(axis=1)
correct = (probabilities.argmax(axis=1) == labels).astype(int)
bins = 15
prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=bins, strategy="uniform")
# calibration_curve returns the non-empty bins only; count the rows per bin as it bins them.
edges = np.linspace(0.0, 1.0, bins + 1)
counts = np.bincount(np.searchsorted(edges[1:-1], confidence), minlength=bins)
counts = counts[counts > 0]
ece = float(np.sum(counts / len(confidence) * np.abs(prob_true - prob_pred)))

log_probabilities = np.log(np.maximum(probabilities, 1e-300))


def loss(log_temperature):
    return log_loss(labels, softmax(log_probabilities / np.exp(log_temperature), axis=1), labels=classes)


fit = minimize_scalar(loss, bounds=(np.log(0.01), np.log(100.0)), method="bounded", options={"xatol": 1e-10})
print(json.dumps({
    "ece": ece,
    "temperature": float(np.exp(fit.x)),
    "log_loss_before": float(loss(0.0)),
    "log_loss_after": float(fit.fun),
}))
