#!/usr/bin/env bash
# Copies the Gateway API's standard-channel CRDs (HTTPRoute among them) out of the
# sigs.k8s.io/gateway-api Go module, fetched once from the Go module proxy, into a cache outside the
# repo. Tests install them into the local API server; nothing is fetched at test time.
# Prints the directory holding the YAML files on stdout.
# Usage: stack/gateway-api-crds.sh [--locate]   (--locate: never fetch; exit 3 when not there yet)
set -euo pipefail

GATEWAY_API_VERSION=v1.3.0

cache_root="${PRODCLASS_CACHE:-$HOME/.cache/prodclass}"
out="$cache_root/gateway-api-$GATEWAY_API_VERSION"
if [ -f "$out/gateway.networking.k8s.io_httproutes.yaml" ]; then echo "$out"; exit 0; fi
if [ "${1:-}" = --locate ]; then
  echo "the Gateway API $GATEWAY_API_VERSION CRDs are not fetched yet: the set-up of npm test fetches them (or run: bash stack/gateway-api-crds.sh)" >&2
  exit 3
fi
command -v go >/dev/null || { echo "go is required to fetch the Gateway API $GATEWAY_API_VERSION CRDs" >&2; exit 1; }
mkdir -p "$cache_root"
exec 9>"$cache_root/gateway-api.lock"
flock 9
if [ -f "$out/gateway.networking.k8s.io_httproutes.yaml" ]; then echo "$out"; exit 0; fi
echo "fetching sigs.k8s.io/gateway-api $GATEWAY_API_VERSION from the Go module proxy (once; cached)" >&2
module_dir=$(go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
cp "$module_dir"/config/crd/standard/*.yaml "$out.tmp/"
chmod u+w "$out.tmp"/*.yaml
mv "$out.tmp" "$out"
echo "$out"
