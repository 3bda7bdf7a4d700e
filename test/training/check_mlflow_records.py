"""Reads back, with MLflow's own Python client, what `prodclass train` wrote: the run's params,
metrics (with the loss history), tags and artifacts, the model version and the alias.
Usage: check_mlflow_records.py TRACKING_URI RUN_ID REGISTERED_MODEL VERSION ALIAS
Prints one JSON object; the test asserts on it."""
import json
import sys

from mlflow import MlflowClient

tracking_uri, run_id, model, version, alias = sys.argv[1:6]
client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
run = client.get_run(run_id)
model_files = sorted(item.path for item in client.list_artifacts(run_id, "model"))
evaluation_files = sorted(item.path for item in client.list_artifacts(run_id, "evaluation"))
data_files = sorted(item.path for item in client.list_artifacts(run_id, "data"))
version_record = client.get_model_version(model, version)
aliased = client.get_model_version_by_alias(model, alias)
print(json.dumps({
    "status": run.info.status,
    "params": run.data.params,
    "metrics": run.data.metrics,
    "tags": {key: value for key, value in run.data.tags.items() if not key.startswith("mlflow.log")},
    "loss_history_length": len(client.get_metric_history(run_id, "training_loss")),
    "inputs": [dataset.dataset.name for dataset in run.inputs.dataset_inputs],
    "artifacts": model_files + evaluation_files + data_files,
    "version": {
        "source": version_record.source,
        "run_id": version_record.run_id,
        "status": version_record.status,
        "tags": version_record.tags,
    },
    "alias_version": aliased.version,
}))
