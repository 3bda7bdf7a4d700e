#!/usr/bin/env bash
# Builds etcd, kube-apiserver and helm from the Go module proxy, once, into a cache outside the repo.
# A binary in KUBEBUILDER_ASSETS or on PATH is used as it is. Prints the binary's path on stdout.
# Usage: stack/build-binaries.sh [--locate] etcd|kube-apiserver|helm
#   --locate: never build; exit 3 when the binary is not there yet (what tests use).
set -euo pipefail

ETCD_VERSION=v3.6.16
KUBERNETES_VERSION=v1.33.13
HELM_VERSION=v3.19.5

cache_root="${PRODCLASS_CACHE:-$HOME/.cache/prodclass}"
locate_only=false
if [ "${1:-}" = --locate ]; then locate_only=true; shift; fi
name="${1:?usage: build-binaries.sh [--locate] etcd|kube-apiserver|helm}"

case "$name" in
  etcd) version=$ETCD_VERSION ;;
  kube-apiserver) version=$KUBERNETES_VERSION ;;
  helm) version=$HELM_VERSION ;;
  *) echo "unknown binary: $name" >&2; exit 2 ;;
esac

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$name" ]; then
  echo "$KUBEBUILDER_ASSETS/$name"; exit 0
fi
if command -v "$name" >/dev/null; then command -v "$name"; exit 0; fi
out="$cache_root/bin/$name-$version/$name"
if [ -x "$out" ]; then echo "$out"; exit 0; fi
if [ "$locate_only" = true ]; then
  echo "$name $version is not built yet: the set-up of npm test builds it (or run: bash stack/build-binaries.sh $name)" >&2
  exit 3
fi

command -v go >/dev/null || { echo "go is required to build $name $version" >&2; exit 1; }
# Two stacks starting at once (`npm start` beside `npm test`) would share the build directory:
# the second waits for the first's build and then finds the binary.
mkdir -p "$cache_root"
exec 9>"$cache_root/build-$name.lock"
flock 9
if [ -x "$out" ]; then echo "$out"; exit 0; fi
work="$cache_root/build/$name-$version"
rm -rf "$work"; mkdir -p "$work" "$(dirname "$out")"
cd "$work"
export GOFLAGS=-mod=mod CGO_ENABLED=0

echo "building $name $version from the Go module proxy into $out (once; cached)" >&2
case "$name" in
  etcd)
    go mod init prodclass.local/etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
    go build -trimpath -ldflags='-s -w' -o "$out.tmp" go.etcd.io/etcd/server/v3 >&2
    ;;
  kube-apiserver)
    go mod init prodclass.local/kube-apiserver >/dev/null 2>&1
    staging_version="v0.${KUBERNETES_VERSION#v1.}"
    modfile=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    {
      echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
      echo "replace ("
      sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\t\1 => \1 '"$staging_version"'#p' "$modfile"
      echo ")"
    } >> go.mod
    go build -trimpath -ldflags='-s -w' -o "$out.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2
    ;;
  helm)
    go mod init prodclass.local/helm >/dev/null 2>&1
    go get "helm.sh/helm/v3@$HELM_VERSION" >&2
    go build -trimpath -ldflags='-s -w' -o "$out.tmp" helm.sh/helm/v3/cmd/helm >&2
    ;;
esac
mv "$out.tmp" "$out"
echo "$out"
