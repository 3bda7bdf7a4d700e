#!/usr/bin/env bash
# Creates or refreshes the project's Python venv (.local/venv) from stack/requirements.txt: the
# MLflow server and scikit-learn. A no-op when the venv matches the file; two callers at once
# share one install (the second waits for the first).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.local/venv"
requirements="$root/stack/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)

current() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; }
if current; then exit 0; fi
mkdir -p "$root/.local"
exec 9>"$root/.local/venv.lock"
flock 9
if current; then exit 0; fi
echo "installing stack/requirements.txt into .local/venv" >&2
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check -r "$requirements" >&2
printf '%s' "$wanted" >"$stamp"
