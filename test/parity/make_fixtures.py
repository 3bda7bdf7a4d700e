"""Writes scikit-learn reference results for the TypeScript text model's parity tests.

Usage: make_fixtures.py OUT_DIR  (writes OUT_DIR/parity.json)

The corpus is synthetic: made-up words drawn per class from overlapping vocabularies, already in
the cleaned form the TypeScript cleaner produces (lowercase, no accents except a few on purpose to
exercise Unicode word characters). No real catalog text.
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

CLASSES = [10, 40, 1280, 2583, 2705]
SYLLABLES = ["ba", "ko", "ri", "tel", "mon", "sa", "vu", "dro", "pi", "lun", "zé", "ka", "fo", "ne", "tra"]


def make_corpus(
    rng: np.random.Generator, documents: int, words_per_document: tuple[int, int] = (3, 30)
) -> tuple[list[str], list[int]]:
    def word() -> str:
        return "".join(rng.choice(SYLLABLES, size=rng.integers(1, 4)))

    shared = sorted({word() for _ in range(120)})
    own = {code: sorted({word() for _ in range(40)}) for code in CLASSES}
    texts, labels = [], []
    for _ in range(documents):
        code = int(rng.choice(CLASSES, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
        words = []
        for _ in range(int(rng.integers(*words_per_document))):
            pool = own[code] if rng.random() < 0.35 else shared
            # A few digits and underscores, which are word characters for the token pattern.
            words.append(str(rng.choice(pool)) if rng.random() > 0.03 else str(rng.integers(0, 500)))
        texts.append(" ".join(words))
        labels.append(code)
    return texts, labels


def tie_free_max_features(texts: list[str], wanted: int, **settings) -> int:
    """The largest limit <= wanted whose cut does not fall between terms of equal corpus count.

    scikit-learn orders the most frequent terms with an unstable sort, so which of two tied terms
    it keeps at the cut is arbitrary; the fixture avoids such cuts.
    """
    counts = CountVectorizer(lowercase=False, **settings).fit_transform(texts)
    frequencies = np.sort(np.asarray(counts.sum(axis=0)).ravel())[::-1]
    limit = min(wanted, len(frequencies) - 1)
    while limit > 1 and frequencies[limit - 1] == frequencies[limit]:
        limit -= 1
    return int(limit)


def tfidf_case(name: str, train: list[str], test: list[str], settings: dict) -> tuple[dict, object, object]:
    vectorizer = TfidfVectorizer(lowercase=False, **settings)
    train_matrix = vectorizer.fit_transform(train)
    test_matrix = vectorizer.transform(test)
    vocabulary = [term for term, _ in sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])]
    case = {
        "name": name,
        "settings": settings,
        "vocabulary": vocabulary,
        "idf": vectorizer.idf_.tolist(),
        "test_matrix": {
            "indptr": test_matrix.indptr.tolist(),
            "indices": test_matrix.indices.tolist(),
            "values": test_matrix.data.tolist(),
        },
    }
    return case, train_matrix, test_matrix


def main() -> None:
    out_dir = Path(sys.argv[1])
    rng = np.random.default_rng(20240611)
    train_texts, train_labels = make_corpus(rng, 700)
    test_texts, _ = make_corpus(rng, 150)
    # Texts far longer than the 256 characters the vectorizer's scan buffer starts with, in
    # growing order, so each one makes it grow (a stale-buffer bug once showed only there).
    long_texts, _ = make_corpus(rng, 12, words_per_document=(60, 4000))
    test_texts += sorted(long_texts, key=len)

    word_settings = {"ngram_range": [1, 2], "min_df": 2, "max_df": 0.95}
    word_settings["max_features"] = tie_free_max_features(
        train_texts, 400, ngram_range=(1, 2), min_df=2, max_df=0.95
    )
    char_settings = {"analyzer": "char_wb", "ngram_range": [2, 4], "min_df": 1, "max_df": 1.0}
    char_settings["max_features"] = tie_free_max_features(
        train_texts, 300, analyzer="char_wb", ngram_range=(2, 4), min_df=1, max_df=1.0
    )
    sublinear_settings = {
        "ngram_range": [1, 1],
        "min_df": 3,
        "max_df": 0.5,
        "sublinear_tf": True,
        "smooth_idf": False,
    }

    def sklearn_settings(settings: dict) -> dict:
        return {**settings, "ngram_range": tuple(settings["ngram_range"])}

    cases = []
    word_case, word_train, word_test = tfidf_case("word 1-2 grams", train_texts, test_texts, sklearn_settings(word_settings))
    cases.append(word_case)
    cases.append(tfidf_case("char_wb 2-4 grams", train_texts, test_texts, sklearn_settings(char_settings))[0])
    cases.append(tfidf_case("sublinear tf, raw idf", train_texts, test_texts, sklearn_settings(sublinear_settings))[0])
    for case, settings in zip(cases, [word_settings, char_settings, sublinear_settings]):
        case["settings"] = settings

    models = []
    for model_settings in [
        {"C": 1.0, "class_weight": None, "tol": 1e-10},
        {"C": 0.3, "class_weight": "balanced", "tol": 1e-10},
        {"C": 1.0, "class_weight": None, "tol": 1e-4},
    ]:
        model = LogisticRegression(max_iter=5000, solver="lbfgs", **model_settings)
        model.fit(word_train, train_labels)
        models.append(
            {
                "settings": model_settings,
                "classes": model.classes_.tolist(),
                "iterations": int(model.n_iter_[0]),
                "test_probabilities": model.predict_proba(word_test).tolist(),
            }
        )

    fixture = {
        "sklearn_version": __import__("sklearn").__version__,
        "train_texts": train_texts,
        "train_labels": train_labels,
        "test_texts": test_texts,
        "tfidf_cases": cases,
        "models": models,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "parity.json").write_text(json.dumps(fixture))


if __name__ == "__main__":
    main()
