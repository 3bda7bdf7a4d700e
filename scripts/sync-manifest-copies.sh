#!/usr/bin/env bash
# crds/ and manifests/rbac/ are the sources; the Helm chart and the kustomize base hold copies
# (Helm installs only files inside the chart, and kustomize loads only files below its directory).
# test/helm/manifest-copies.test.ts fails when a copy differs; this script refreshes them.
set -euo pipefail
cd "$(dirname "$0")/.."
for copy in charts/prodclass/crds manifests/base/crds; do
  rm -f "$copy"/*.yaml
  cp crds/*.yaml "$copy"/
done
rm -f manifests/base/rbac/*.yaml
cp manifests/rbac/*.yaml manifests/base/rbac/
