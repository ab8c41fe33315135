#!/usr/bin/env bash
# Creates the Python venv the gateway's Python test app runs in, from PyPI, cached outside the
# clone and keyed by the requirements file, so a second run only checks that it exists.
# Prints nothing but progress; the venv is at $OTEL_LLM_COST_PY_VENV (default below).
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=test/gateway/python/requirements.txt
VENV="${OTEL_LLM_COST_PY_VENV:-$HOME/.cache/otel-llm-cost/python/gateway-venv}"
KEY=$(sha256sum "$REQ" | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements-key" 2>/dev/null)" = "$KEY" ]; then
  echo "python venv: cached ($VENV)"
  exit 0
fi
echo "python venv: installing $REQ into $VENV"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
echo "$KEY" > "$VENV/.requirements-key"
"$VENV/bin/pip" freeze --disable-pip-version-check | grep -iE '^(openai|opentelemetry-(sdk|instrumentation-openai-v2))=' || true
