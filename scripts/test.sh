#!/usr/bin/env bash
# Every test: set-up, lint, type-check the scripts, then vitest against the local stack of real
# services (started on demand, stopped afterwards if this run started it). Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npx biome check .
npx tsc -p tsconfig.scripts.json
mkdir -p .local
results=.local/vitest-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line for whoever reads the log (CI included).
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$results"
fi
exit "$status"
