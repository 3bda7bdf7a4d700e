"""Reads back, with MLflow's own Python client, what `prodclass train --feedback-since` wrote: the
run's prodclass tags and params, and the feedback set artifact's text.
Usage: check_feedback_run.py TRACKING_URI RUN_ID
Prints one JSON object; the test asserts on it."""
import json
import os
import sys
import tempfile

from mlflow import MlflowClient

tracking_uri, run_id = sys.argv[1:3]
client = MlflowClient(tracking_uri=tracking_uri)
run = client.get_run(run_id)
with tempfile.TemporaryDirectory() as directory:
    path = client.download_artifacts(run_id, "data/feedback_set.jsonl", directory)
    with open(path, encoding="utf-8") as artifact:
        feedback_set = artifact.read()
print(json.dumps({
    "tags": {key: value for key, value in run.data.tags.items() if key.startswith("prodclass.")},
    "params": run.data.params,
    "feedback_set": feedback_set,
}))
