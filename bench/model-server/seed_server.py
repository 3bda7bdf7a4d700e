"""The seed system's prediction server, rebuilt for a side-by-side benchmark.

A FastAPI app served by one uvicorn worker that does what the seed's /predict did: clean the
text (HTML unescape, lowercase, strip tags, URLs, e-mails, reference codes, numbers of 6+
digits), TF-IDF (5000 features, 1-2 grams, min_df 2, max_df 0.95, accents stripped), a
multinomial LogisticRegression (C=1, lbfgs), top-5 probabilities, a prediction id. The model is
trained at start-up on TRAIN_CSV (columns designation, description, prdtypecode).

Usage: TRAIN_CSV=train.csv uvicorn seed_server:app --port PORT --workers 1
"""

import html
import os
import re
import time
import uuid

import numpy as np
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

TAG = re.compile(r"<[^>]+>")
URL = re.compile(r"https?://\S+|www\.\S+")
EMAIL = re.compile(r"\S+@\S+\.\S+")
REFERENCE = re.compile(r"\b[a-z]*\d[a-z\d]{5,}\b")
LONG_NUMBER = re.compile(r"\b\d{6,}\b")
SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    text = html.unescape(text or "").lower()
    for pattern in (TAG, URL, EMAIL, REFERENCE, LONG_NUMBER):
        text = pattern.sub(" ", text)
    return SPACES.sub(" ", text).strip()


def train(path: str):
    data = pd.read_csv(path, keep_default_na=False)
    text = (data["designation"] + " " + data["description"]).map(clean)
    vectorizer = TfidfVectorizer(
        max_features=5000, ngram_range=(1, 2), min_df=2, max_df=0.95, strip_accents="unicode"
    )
    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)
    model.fit(vectorizer.fit_transform(text), data["prdtypecode"])
    return vectorizer, model


started = time.time()
vectorizer, model = train(os.environ["TRAIN_CSV"])
print(f"seed server: trained in {time.time() - started:.1f} s", flush=True)
app = FastAPI(title="seed prediction server")


class Product(BaseModel):
    designation: str
    description: str | None = None


@app.get("/health")
async def health():
    return {"status": "healthy"}


@app.post("/predict")
async def predict(product: Product):
    text = clean(f"{product.designation} {product.description or ''}")
    probabilities = model.predict_proba(vectorizer.transform([text]))[0]
    top = np.argsort(probabilities)[::-1][:5]
    return {
        "prdtypecode": int(model.classes_[top[0]]),
        "confidence": float(probabilities[top[0]]),
        "top_k": [
            {"prdtypecode": int(model.classes_[index]), "probability": float(probabilities[index])}
            for index in top
        ],
        "prediction_id": str(uuid.uuid4()),
    }
