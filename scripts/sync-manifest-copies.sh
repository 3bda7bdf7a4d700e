#!/usr/bin/env bash
# The CRDs are generated from api/src/kinds/ into crds/ and the copies the Helm chart and the
# kustomize base hold (Helm installs only files inside the chart, and kustomize loads only files
# below its directory); manifests/rbac/ is the source of the RBAC copy in the kustomize base.
# test/helm/manifest-copies.test.ts and api/src/crds.test.ts fail when a copy differs; this script
# refreshes them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent generate:crds
rm -f manifests/base/rbac/*.yaml
cp manifests/rbac/*.yaml manifests/base/rbac/
