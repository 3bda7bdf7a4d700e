"""The drift check of bench/drift done the usual Python way: pandas reads the two windows' rows
from PostgreSQL, numpy/scipy compute the same statistics. Prints the statistics and, for each
repetition, the wall times (read, compute) and the CPU seconds of this process and of its
PostgreSQL backend (from /proc: the stack runs locally) as JSON.

Usage: pandas_drift.py DATABASE_URL MODEL CURRENT_FROM CURRENT_TO REFERENCE_FROM REFERENCE_TO REPETITIONS
"""

import json
import os
import sys
import time

import numpy as np
import pandas as pd
import sqlalchemy
from scipy import stats
from scipy.spatial import distance

EMPTY_BIN_SHARE = 1e-4
# Confidences are compared in steps of 1/10,000 (docs/drift.md).
CONFIDENCE_STEPS = 10_000


def psi(r, c):
    r = np.maximum(r / r.sum(), EMPTY_BIN_SHARE)
    c = np.maximum(c / c.sum(), EMPTY_BIN_SHARE)
    return float(np.sum((c - r) * np.log(c / r)))


def numeric(reference, current):
    edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf"))
    bins = len(edges) + 1
    r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins).astype(float)
    c = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins).astype(float)
    ks = stats.ks_2samp(reference, current, method="asymp")
    return {
        "psi": psi(r, c),
        "ks": float(ks.statistic),
        "ks_p": float(ks.pvalue),
        "jensen_shannon": float(distance.jensenshannon(r, c, base=2)),
    }


def drift(frame):
    current = frame[frame.is_current]
    reference = frame[~frame.is_current]
    classes = pd.crosstab(frame.prdtypecode, frame.is_current)
    r, c = classes[False].to_numpy(float), classes[True].to_numpy(float)
    chi2, p, _, _ = stats.chi2_contingency(np.array([r, c]), correction=False)
    share = lambda window: window.unknown_token_count.sum() / window.token_count.sum()
    return {
        "text_length": numeric(reference.text_length.to_numpy(), current.text_length.to_numpy()),
        "confidence": numeric(
            np.round(reference.confidence.to_numpy(np.float64) * CONFIDENCE_STEPS),
            np.round(current.confidence.to_numpy(np.float64) * CONFIDENCE_STEPS),
        ),
        "predicted_class": {
            "psi": psi(r, c),
            "chi2_cramers_v": float(np.sqrt(chi2 / (r.sum() + c.sum()))),
            "chi2_p": float(p),
        },
        "tokens": {"oov_share": float(abs(share(current) - share(reference)))},
    }


def backend_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().split(") ")[1].split(" ")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    url, model, current_from, current_to, reference_from, reference_to, repetitions = sys.argv[1:]
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    query = sqlalchemy.text(
        """select predicted_at >= :current_from as is_current, text_length, prdtypecode, confidence,
             token_count, unknown_token_count
           from inference_log
           where model_name = :model
             and ((predicted_at >= :current_from and predicted_at < :current_to)
               or (predicted_at >= :reference_from and predicted_at < :reference_to))"""
    )
    parameters = dict(
        model=model,
        current_from=current_from,
        current_to=current_to,
        reference_from=reference_from,
        reference_to=reference_to,
    )
    runs = []
    for _ in range(int(repetitions)):
        start = time.perf_counter()
        cpu = time.process_time()
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("select pg_backend_pid()").scalar()
            backend_cpu = backend_cpu_seconds(backend)
            frame = pd.read_sql(query, connection, params=parameters)
            backend_cpu = backend_cpu_seconds(backend) - backend_cpu
        read = time.perf_counter() - start
        result = drift(frame)
        runs.append(
            {
                "read_s": read,
                "compute_s": time.perf_counter() - start - read,
                "python_cpu_s": time.process_time() - cpu,
                "postgres_cpu_s": backend_cpu,
                "rows": len(frame),
            }
        )
    json.dump({"runs": runs, "statistics": result}, sys.stdout)


main()
