#!/usr/bin/env bash
# Builds the Go tools the gateway tests run for real, from the Go module proxy only:
#   - otelcol: an OpenTelemetry Collector distribution (collector-config/gateway/builder-config.yaml:
#     otlp receiver, batch, otlp/otlphttp/debug/file/loadbalancing exporters)
#   - jaeger:  Jaeger v2 (module github.com/jaegertracing/jaeger, v1.x tags carry the v2 binary)
# Binaries are cached outside the clone in $OTEL_LLM_COST_TOOLS_DIR/<name>-<version>/ and linked as
# $OTEL_LLM_COST_TOOLS_DIR/bin/<name>, so a second run only checks that they exist.
# Usage: .ci/tools.sh [otelcol|jaeger]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

TOOLS_DIR="${OTEL_LLM_COST_TOOLS_DIR:-$HOME/.cache/otel-llm-cost/tools}"
OTELCOL_VERSION=0.150.0
JAEGER_MODULE_VERSION=v1.76.0
# The machine's module proxy only: falling back to `direct` (version control hosts, unreachable
# here) would turn a module version the proxy does not serve into a confusing clone error.
GOPROXY="$(go env GOPROXY | cut -d, -f1)"
export GOPROXY
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
mkdir -p "$TOOLS_DIR/bin"

build_otelcol() {
  local dir="$TOOLS_DIR/otelcol-$OTELCOL_VERSION"
  if [ -x "$dir/otelcol" ]; then echo "otelcol $OTELCOL_VERSION: cached"; else
    echo "otelcol $OTELCOL_VERSION: building (several minutes on a cold cache)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    sed "s#output_path: .*#output_path: $dir.tmp/src#" "$REPO/collector-config/gateway/builder-config.yaml" > "$dir.tmp/builder-config.yaml"
    # The builder only generates the sources: its own `go mod tidy` also resolves the components'
    # test-only dependencies, some of which the proxy does not serve. `go build -mod=mod` fetches
    # just what the binary imports.
    go run "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION" --config "$dir.tmp/builder-config.yaml" \
      --skip-compilation --skip-get-modules
    (cd "$dir.tmp/src" && go build -trimpath -ldflags=-s -o otelcol .)
    mkdir -p "$dir" && mv "$dir.tmp/src/otelcol" "$dir/otelcol" && rm -rf "$dir.tmp"
  fi
  ln -sfn "$dir/otelcol" "$TOOLS_DIR/bin/otelcol"
}

build_jaeger() {
  local dir="$TOOLS_DIR/jaeger-$JAEGER_MODULE_VERSION"
  if [ -x "$dir/jaeger" ]; then echo "jaeger $JAEGER_MODULE_VERSION: cached"; else
    echo "jaeger $JAEGER_MODULE_VERSION: building (several minutes on a cold cache)"
    # `go install pkg@version` refuses modules with replace directives, so build from a throwaway
    # module that requires Jaeger and repeats its replace lines.
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && cd "$dir.tmp"
    go mod init jaeger-build >/dev/null 2>&1
    go mod edit -require="github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION"
    go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" \
      | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' | xargs cat \
      | sed -n 's/^replace \(.*\) => \(.*\) \(.*\)$/\1=\2@\3/p' \
      | while read -r r; do go mod edit -replace="$r"; done
    go build -trimpath -o "$dir.tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
    cd "$REPO"
    mkdir -p "$dir" && mv "$dir.tmp/jaeger" "$dir/jaeger" && rm -rf "$dir.tmp"
  fi
  ln -sfn "$dir/jaeger" "$TOOLS_DIR/bin/jaeger"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(otelcol jaeger)
for t in "${targets[@]}"; do "build_$t"; done
