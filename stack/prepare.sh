#!/usr/bin/env bash
# Makes ready, side by side, what the local stack and the tests run but npm does not install:
# the Go-built binaries (etcd, kube-apiserver, helm), the Python venv (MLflow, scikit-learn) and the
# Gateway API CRDs (from the Go module proxy).
# Prints a line as each part finishes and, every 30 s, what still runs and for how long.
# Usage: stack/prepare.sh [etcd] [kube-apiserver] [helm] [venv] [gateway-api]   (default: all five)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log_dir="${PRODCLASS_LOCAL_DIR:-$root/.local}/logs"
mkdir -p "$log_dir"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(etcd kube-apiserver helm venv gateway-api)

say() { echo "[setup] $*" >&2; }
elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

declare -A pids logs
for part in "${parts[@]}"; do
  logs[$part]="$log_dir/prepare-$part.log"
  case "$part" in
    venv) bash "$root/stack/install-venv.sh" >"${logs[$part]}" 2>&1 & ;;
    etcd | kube-apiserver | helm) bash "$root/stack/build-binaries.sh" "$part" >"${logs[$part]}" 2>&1 & ;;
    gateway-api) bash "$root/stack/gateway-api-crds.sh" >"${logs[$part]}" 2>&1 & ;;
    *) say "unknown part: $part (etcd, kube-apiserver, helm, venv, gateway-api)"; exit 2 ;;
  esac
  pids[$part]=$!
done

started=$SECONDS
next_report=$((SECONDS + 30))
failed=()
while [ ${#pids[@]} -gt 0 ]; do
  for part in "${!pids[@]}"; do
    if kill -0 "${pids[$part]}" 2>/dev/null; then continue; fi
    if wait "${pids[$part]}"; then
      say "$part: ready ($(elapsed $((SECONDS - started))))"
    else
      say "$part: FAILED; its log, $(realpath --relative-to=. "${logs[$part]}"), ends with:"
      tail -n 20 "${logs[$part]}" | sed 's/^/    /' >&2
      failed+=("$part")
    fi
    unset "pids[$part]"
  done
  if [ ${#pids[@]} -gt 0 ] && [ $SECONDS -ge $next_report ]; then
    say "still preparing after $(elapsed $((SECONDS - started))): ${!pids[*]} (a first run builds from the Go module proxy and PyPI)"
    next_report=$((SECONDS + 30))
  fi
  if [ ${#pids[@]} -gt 0 ]; then sleep 1; fi
done
if [ ${#failed[@]} -gt 0 ]; then
  say "could not prepare: ${failed[*]}"
  exit 1
fi
