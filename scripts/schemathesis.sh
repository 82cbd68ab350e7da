#!/usr/bin/env bash
# schemathesis (pinned, from PyPI) against a running `persus demo`: every operation of
# /api/openapi.json, every check, bounded examples — once with an operator's token and once with
# ANS's, so each operation meets both kinds of caller. Prints schemathesis's summary; exits
# non-zero on any failure (server error, undeclared status or content type, schema mismatch…).
#
#   scripts/schemathesis.sh                         # starts its own demo (SQLite, temp dir)
#   PERSUS_URL=http://127.0.0.1:18181 scripts/schemathesis.sh   # uses a running demo
#
# Env: SCHEMATHESIS_EXEMPLOS (examples per operation, default 50), SCHEMATHESIS_SEMENTE (seed,
# default 2018: the same cases every run), PYTHON (default python3.11, else python3).
# One worker: hypothesis parses lambdas with `ast` and CPython 3.11's parser is not thread-safe
# ("AST constructor recursion depth mismatch" with --workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUISITOS=scripts/schemathesis-requisitos.txt # schemathesis==4.32.5 and its dependencies, pinned
EXEMPLOS="${SCHEMATHESIS_EXEMPLOS:-50}"
SEMENTE="${SCHEMATHESIS_SEMENTE:-2018}"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="target/schemathesis-$(sha256sum "$REQUISITOS" | cut -c1-12)"

if [ ! -x "$VENV/bin/st" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$REQUISITOS"
fi
VERSAO="$("$VENV/bin/st" --version | awk '{print $NF}')"

URL="${PERSUS_URL:-}"
if [ -z "$URL" ]; then
  [ -x target/debug/persus ] || cargo build --locked --bin persus
  DADOS="$(mktemp -d)"
  PORTA="${SCHEMATHESIS_PORTA:-18182}"
  ./target/debug/persus demo --data-dir "$DADOS" --port "$PORTA" --agendador-intervalo 0 \
    >"$DADOS/servidor.log" 2>&1 &
  SERVIDOR=$!
  trap 'kill "$SERVIDOR" 2>/dev/null || true; rm -rf "$DADOS"' EXIT
  URL="http://127.0.0.1:$PORTA"
  for _ in $(seq 1 600); do
    curl -sf "$URL/health" >/dev/null && break
    kill -0 "$SERVIDOR" 2>/dev/null || { tail -50 "$DADOS/servidor.log"; exit 1; }
    sleep 1
  done
fi
curl -sf "$URL/health" >/dev/null || { echo "persus não responde em $URL/health" >&2; exit 1; }

# A bearer token from the demo credentials (README, "Demo credentials").
token() {
  curl -sf -u "$1:$1-secret" -d grant_type=client_credentials "$URL/oauth/token" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# The configuration, plus identifiers that exist in this demo (so answers are not all 404s).
CONFIG=target/schemathesis-config.toml
{
  cat scripts/schemathesis.toml
  "$PY" scripts/schemathesis_dados.py "$URL" "$(token demo-368253)"
} >"$CONFIG"

rodar() {
  local quem="$1" token="$2"
  printf '\n==> schemathesis %s: token de %s\n' "$VERSAO" "$quem"
  "$VENV/bin/st" --config-file "$CONFIG" run "$URL/api/openapi.json" \
    --checks all \
    --max-examples "$EXEMPLOS" \
    --seed "$SEMENTE" \
    --workers 1 \
    --request-timeout 30 \
    --header "Authorization: Bearer $token"
}

falhou=0
rodar "operadora (demo-368253)" "$(token demo-368253)" || falhou=1
rodar "ANS (demo-ans)" "$(token demo-ans)" || falhou=1
exit "$falhou"
