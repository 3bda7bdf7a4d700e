#!/usr/bin/env bash
# The main job. Until the pipeline exists this brings up the local stack and says where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent stack -- up
npm run --silent stack -- status
cat <<'TEXT'

The local stack is up. Load its environment with:  . .local/stack.env
  kubectl get --raw /readyz        the Kubernetes API server
  $MLFLOW_TRACKING_URI             the MLflow UI
  psql "$DATABASE_URL"             the catalog database
  $PROMETHEUS_URL                  Prometheus
Stop it with:  npm run stack -- down
TEXT
