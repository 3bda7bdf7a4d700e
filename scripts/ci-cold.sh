#!/usr/bin/env bash
# The new-machine path on any machine: runs CI (.ci/run) in a fresh clone of this checkout's HEAD
# with every cache empty (Go modules and builds, the built binaries, pip, npm), then removes the
# clone. `--warm` keeps this machine's caches, which is what a CI run on a warm machine sees.
# Prints the duration; exits with CI's status. Commit first: the clone takes HEAD, not the work tree.
# Usage: scripts/ci-cold.sh [--warm] [--keep]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cold=true
keep=false
for argument in "$@"; do
  case "$argument" in
    --warm) cold=false ;;
    --keep) keep=true ;;
    *) echo "usage: scripts/ci-cold.sh [--warm] [--keep]" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/prodclass-ci-XXXXXX")
cleanup() {
  # The clone's stack is stopped by its own test run; anything left is stopped here.
  if [ -f "$work/clone/.local/stack.json" ]; then (cd "$work/clone" && npx tsx stack/cli.ts down >/dev/null 2>&1) || true; fi
  if [ "$keep" = true ]; then
    echo "[ci-cold] kept $work" >&2
  else
    chmod -R u+w "$work" 2>/dev/null || true # the Go module cache is read-only
    rm -rf "$work"
  fi
}
trap cleanup EXIT

git clone --quiet --no-hardlinks "$repo" "$work/clone"
if [ "$cold" = true ]; then
  mkdir -p "$work/cache"
  export PRODCLASS_CACHE="$work/cache/prodclass"
  export GOMODCACHE="$work/cache/go/mod"
  export GOCACHE="$work/cache/go/build"
  export PIP_CACHE_DIR="$work/cache/pip"
  export npm_config_cache="$work/cache/npm"
fi
mode=$([ "$cold" = true ] && echo "cold (empty caches in $work/cache)" || echo "warm")
echo "[ci-cold] CI on a fresh clone of $(git -C "$repo" rev-parse --short HEAD), $mode" >&2
started=$SECONDS
status=0
(cd "$work/clone" && CI=true bash .ci/run) || status=$?
echo "[ci-cold] $mode: exit $status after $((SECONDS - started)) s" >&2
exit "$status"
