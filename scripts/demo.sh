#!/usr/bin/env bash
# The main job: the pipeline on the local stack. Brings the stack up, starts the operator and the
# local runner (which plays kubelet for the API server without nodes), applies the samples
# (DataIncrement 40% → TrainingRun with auto-promotion → PredictionService), waits until a
# prediction is served and says where to look. Keeps running; `--exit` stops after the summary.
set -euo pipefail
cd "$(dirname "$0")/.."

exit_after_summary=false
for argument in "$@"; do
  case "$argument" in
    --exit) exit_after_summary=true ;;
    *) echo "usage: npm start [-- --exit]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh start
npm run --silent stack -- up
# shellcheck disable=SC1091
. .local/stack.env
export KUBECONFIG DATABASE_URL MLFLOW_TRACKING_URI PROMETHEUS_URL

namespace=prodclass-demo
run_dir=.local/demo
log_dir=.local/logs
mkdir -p "$run_dir" "$log_dir"

# A previous demo's operator and runner (ours, by their pid files) make way for this one.
for name in operator local-runner console; do
  if [ -f "$run_dir/$name.pid" ]; then
    kill "$(cat "$run_dir/$name.pid")" 2>/dev/null || true
    rm -f "$run_dir/$name.pid"
  fi
done

kubectl apply --server-side --force-conflicts --field-manager=prodclass-demo -f crds/ >/dev/null
kubectl wait --for=condition=Established -f crds/ >/dev/null
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
# The model servers' /feedback token (they read the pipeline Secret) and the console's, for the
# simulator's corrections; a re-run keeps the token its running servers already have.
feedback_token=$(kubectl -n "$namespace" get secret prodclass-pipeline -o jsonpath='{.data.FEEDBACK_TOKEN}' 2>/dev/null | base64 -d || true)
[ -n "$feedback_token" ] || feedback_token=$(node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')
kubectl -n "$namespace" create secret generic prodclass-pipeline \
  --from-literal=DATABASE_URL="$DATABASE_URL" --from-literal=MLFLOW_TRACKING_URI="$MLFLOW_TRACKING_URI" \
  --from-literal=FEEDBACK_TOKEN="$feedback_token" \
  --dry-run=client -o yaml | kubectl apply -f - >/dev/null
node trainer-job/dist/cli.js db migrate >/dev/null
# The inference log's day partitions a week ahead (a cluster runs this daily as a CronJob).
node trainer-job/dist/cli.js db maintain >/dev/null

# Each runs under stack/supervise.ts, which restarts it with backoff whenever it exits (the operator
# exits when it loses its lease, e.g. while the API server is away), as a cluster restarts a pod; its
# start, restart and stop lines go to the same log.
supervise() { # NAME COMMAND [ARG ...]
  local name=$1
  shift
  node --import tsx stack/supervise.ts --name "$name" -- "$@" >>"$log_dir/$name.log" 2>&1 &
  echo $! >"$run_dir/$name.pid"
}
operator_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
WATCH_NAMESPACE=$namespace HTTP_HOST=127.0.0.1 HTTP_PORT=$operator_port supervise operator node operator/dist/main.js
WATCH_NAMESPACE=$namespace supervise local-runner node --import tsx stack/local-runner/main.ts
console_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
NAMESPACE=$namespace PORT=$console_port FEEDBACK_TOKEN=$feedback_token supervise console node console/dist/main.js

stop() {
  for name in operator local-runner console; do
    if [ -f "$run_dir/$name.pid" ]; then
      kill "$(cat "$run_dir/$name.pid")" 2>/dev/null || true
      rm -f "$run_dir/$name.pid"
    fi
  done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

kubectl -n "$namespace" apply \
  -f manifests/samples/01-dataincrement-initial.yaml \
  -f manifests/samples/02-trainingrun.yaml \
  -f manifests/samples/03-predictionservice.yaml >/dev/null
echo "[demo] operator, local runner and console started, each restarted with backoff if it exits (logs: $log_dir/operator.log, $log_dir/local-runner.log, $log_dir/console.log)" >&2
echo "[demo] web console: http://127.0.0.1:$console_port (status updates live while the pipeline runs)" >&2
echo "[demo] loading 40% of the catalog, training, promoting, serving — this takes a few minutes" >&2

deadline=$((SECONDS + 3600))
trained() {
  [ "$(kubectl -n "$namespace" get trainingrun first-model -o jsonpath='{.status.phase}')" = Succeeded ]
}
# Served and trained: on a re-run the alias may already point at an earlier run's version.
until trained && kubectl -n "$namespace" wait --for=condition=Ready predictionservice/classifier --timeout=30s >/dev/null 2>&1; do
  failed=$(kubectl -n "$namespace" get dataincrement,trainingrun -o jsonpath='{range .items[?(@.status.phase=="Failed")]}{.kind}/{.metadata.name} {end}')
  if [ -n "$failed" ]; then
    echo "[demo] failed: $failed (kubectl -n $namespace describe $failed)" >&2
    kubectl -n "$namespace" get prodclass >&2
    exit 1
  fi
  if [ $SECONDS -gt $deadline ]; then
    echo "[demo] the prediction service is still not ready after an hour" >&2
    exit 1
  fi
  kubectl -n "$namespace" get dataincrement,trainingrun,predictionservice --no-headers 2>/dev/null | sed 's/^/[demo]   /' >&2 || true
  sleep 2
done

# On a re-run the status may still be the previous run's while the runner restarts the servers.
prediction=
until [ -n "$prediction" ]; do
  url=$(kubectl -n "$namespace" get service classifier -o jsonpath='{.metadata.annotations.local-runner\.prodclass\.dev/url}')
  prediction=$(curl -fsS -X POST "$url/predict" -H 'content-type: application/json' \
    -d '{"designation":"Figurine Star Wars Dark Vador 30 cm","description":"Figurine de collection peinte à la main"}' \
    2>/dev/null) || prediction=
  if [ -z "$prediction" ]; then
    if [ $SECONDS -gt $deadline ]; then
      echo "[demo] no prediction from $url" >&2
      exit 1
    fi
    sleep 1
  fi
done

# Applied once something is served: its first check runs at once (too few predictions yet is
# InsufficientData, not an alarm), then every morning.
kubectl -n "$namespace" apply -f manifests/samples/08-driftmonitor.yaml >/dev/null
# The weekly retraining loop: Mondays at 03:00 Paris time, the next 3% of the catalog, then a run.
kubectl -n "$namespace" apply -f manifests/samples/07-retrainschedule.yaml >/dev/null

cat <<TEXT

The pipeline runs on the local stack.

  web console                http://127.0.0.1:$console_port
  resources                  kubectl -n $namespace get prodclass
  a training run             kubectl -n $namespace describe trainingrun first-model
  MLflow UI                  $MLFLOW_TRACKING_URI (experiment rakuten_model_training, model rakuten_classifier)
  model server API docs      $url/docs
  request rate, p95 latency  http://127.0.0.1:$console_port/monitoring, or Prometheus $PROMETHEUS_URL
                             (prodclass_prediction_request_duration_seconds{namespace="$namespace",service="classifier"})
  operator metrics           http://127.0.0.1:$operator_port/metrics
  drift monitor              kubectl -n $namespace describe driftmonitor classifier-drift
                             (metrics prodclass_drift_score and prodclass_drift_severity; reports in drift_reports)
  retraining schedule        kubectl -n $namespace get rs.mlops.prodclass.dev weekly-retrain   (plain rs is ReplicaSets)
                             (its ticks: kubectl -n $namespace get di,tr -l mlops.prodclass.dev/retrain-schedule=weekly-retrain)

A prediction from $url/predict:
  $prediction

Next week's data: kubectl -n $namespace apply -f manifests/samples/04-dataincrement-week-2.yaml -f manifests/samples/05-trainingrun-week-2.yaml
(kubectl needs: . .local/stack.env)
TEXT
kubectl -n "$namespace" get prodclass

if [ "$exit_after_summary" = true ]; then
  exit 0
fi
echo "[demo] running; Ctrl-C stops the operator, the local runner and the console (the stack keeps running)" >&2
wait
