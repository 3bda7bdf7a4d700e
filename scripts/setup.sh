#!/usr/bin/env bash
# Shared set-up for `npm start` and `npm test`: system packages, npm dependencies, the build, and
# everything the stack and the tests run that npm does not install (the Go-built etcd,
# kube-apiserver and helm; the Python venv with MLflow and scikit-learn). The Go builds and the
# venv start first and run beside the rest; nothing is built or installed later, inside a test.
# Idempotent and quiet when everything is already in place.
# Usage: scripts/setup.sh test|start
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  test) parts=(etcd kube-apiserver helm venv gateway-api) ;;
  start) parts=(etcd kube-apiserver venv) ;;
  *) echo "usage: scripts/setup.sh test|start" >&2; exit 2 ;;
esac

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "prodclass needs Node.js >= 20.19 (found $(node --version))" >&2
  exit 1
fi

setup_started=$SECONDS
bash stack/prepare.sh "${parts[@]}" &
prepare=$!
trap 'kill "$prepare" 2>/dev/null || true' EXIT

# Debian packages the tests and the demo use.
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql-15)
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "[setup] installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "[setup] building the workspaces" >&2
npm run --silent build

wait "$prepare"
trap - EXIT
echo "[setup] done in $((SECONDS - setup_started)) s" >&2
