"""Scores a TF-IDF + logistic regression model on a 40% sample of an official-format catalog.

Usage: f1_band.py DIR  (DIR holds X_train_update.csv and Y_train_CVw08PX.csv)
Prints one JSON line: {"rows": ..., "f1_weighted": ..., "accuracy": ...}.
"""

import json
import sys
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

directory = Path(sys.argv[1])
products = pd.read_csv(directory / "X_train_update.csv", index_col=0, keep_default_na=False)
labels = pd.read_csv(directory / "Y_train_CVw08PX.csv", index_col=0)
data = products.join(labels)
sample, _ = train_test_split(data, train_size=0.4, stratify=data["prdtypecode"], random_state=42)
text = sample["designation"] + " " + sample["description"]
train_text, test_text, train_labels, test_labels = train_test_split(
    text, sample["prdtypecode"], test_size=0.2, stratify=sample["prdtypecode"], random_state=42
)
vectorizer = TfidfVectorizer(max_features=5000, ngram_range=(1, 2))
model = LogisticRegression(max_iter=1000)
model.fit(vectorizer.fit_transform(train_text), train_labels)
predicted = model.predict(vectorizer.transform(test_text))
print(
    json.dumps(
        {
            "rows": len(sample),
            "f1_weighted": f1_score(test_labels, predicted, average="weighted"),
            "accuracy": accuracy_score(test_labels, predicted),
        }
    )
)
