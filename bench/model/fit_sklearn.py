"""The scikit-learn side of the text-model benchmark: the seed's model (TF-IDF 1-2 grams, 5,000
features, min_df 2, max_df 0.95, multinomial LogisticRegression C=1, lbfgs, max_iter 1000) fitted
on the same split, on texts already cleaned by prodclass's cleaner. Prints its measurements as JSON.

Usage: fit_sklearn.py SPLIT_CLEANED.json
"""

import json
import resource
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

LATENCY_SAMPLE_SIZE = 1000  # as bench/model/fit-ours.ts

split = json.load(open(sys.argv[1], encoding="utf-8"))

started = time.perf_counter()
vectorizer = TfidfVectorizer(lowercase=False, ngram_range=(1, 2), max_features=5000, min_df=2, max_df=0.95)
train_matrix = vectorizer.fit_transform(split["train_texts"])
vectorized = time.perf_counter()
model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)
model.fit(train_matrix, split["train_labels"])
finished = time.perf_counter()

predicted = model.predict(vectorizer.transform(split["test_texts"]))

sample = split["test_texts"][:LATENCY_SAMPLE_SIZE]
latency_started = time.perf_counter()
for text in sample:
    model.predict_proba(vectorizer.transform([text]))
predict_ms = (time.perf_counter() - latency_started) * 1000 / len(sample)

print(
    json.dumps(
        {
            "fit_seconds": finished - started,
            "clean_seconds": 0.0,
            "vectorize_seconds": vectorized - started,
            "optimize_seconds": finished - vectorized,
            "iterations": int(model.n_iter_[0]),
            "converged": bool(model.n_iter_[0] < 1000),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "f1_weighted": f1_score(split["test_labels"], predicted, average="weighted"),
            "accuracy": accuracy_score(split["test_labels"], predicted),
            "predict_ms_per_item": predict_ms,
        }
    )
)
