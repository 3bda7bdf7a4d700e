#!/usr/bin/env bash
# Every test: set-up, lint, then vitest against the local stack of real services (started on
# demand and stopped afterwards if this run started it). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx biome check .
npx vitest run "$@"
