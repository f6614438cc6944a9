#!/usr/bin/env bash
# Generates the TypeScript types of the CRI messages and services in
# pkg/cri/generated/ from pkg/cri/api.proto with @grpc/proto-loader's
# proto-loader-gen-types. The flags are the loader options of pkg/cri/client.ts
# (longs: Number, enums: String, defaults: true, oneofs: true), so each type is
# the shape the client hands over. Type names: `PodSandboxConfig` is a message as
# received (every field present, unset sub-messages null); `PodSandboxConfig__Input`
# is what a request may carry (every field optional).
#
#   hack/gen-cri-types.sh           regenerate pkg/cri/generated/
#   hack/gen-cri-types.sh --check   fail if pkg/cri/generated/ is not what api.proto gives
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

OUT=pkg/cri/generated

generate() {
  local dir=$1
  rm -rf "$dir"
  node node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js \
    --longs=Number --enums=String --defaults --oneofs \
    --grpcLib=@grpc/grpc-js --importFileExtension=.js \
    --outputTemplate=%s --inputTemplate=%s__Input \
    -O "$dir" pkg/cri/api.proto >/dev/null
  {
    echo '// Every type of runtime.v1, for `import type { ... } from` one place. Written by hack/gen-cri-types.sh.'
    for f in "$dir"/runtime/v1/*.ts; do
      echo "export type * from './runtime/v1/$(basename "$f" .ts).js';"
    done
  } >"$dir/index.ts"
}

case "${1:-}" in
  --check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    generate "$tmp/generated"
    if ! diff -r "$tmp/generated" "$OUT" >"$tmp/diff"; then
      head -40 "$tmp/diff" >&2
      echo "$OUT is not what pkg/cri/api.proto gives: run hack/gen-cri-types.sh" >&2
      exit 1
    fi
    ;;
  '')
    generate "$OUT"
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
