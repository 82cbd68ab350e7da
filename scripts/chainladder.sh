#!/usr/bin/env bash
# persus's chain-ladder (crates/domain/src/provisoes/chain_ladder.rs) judged by the Python
# `chainladder` package (pinned, from PyPI): the package's RAA and GenIns samples, plus any
# triangle CSV given as an argument (format in crates/domain/examples/chain_ladder.rs), must give
# the same age-to-age and cumulative factors (relative 1e-9), ultimates and total reserve
# (relative 1e-6). Prints one line per triangle; on disagreement a table and exit status 1.
#
#   scripts/chainladder.sh                      # the two samples
#   scripts/chainladder.sh setor.csv            # … and the triangle in setor.csv
#
# Env: PYTHON (default python3.11, else python3). The venv lives in target/, keyed by the
# requirements file's hash, and is reused while that file does not change.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUISITOS=scripts/chainladder-requisitos.txt # chainladder==0.10.1 and its dependencies, pinned
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
ALVO="${CARGO_TARGET_DIR:-target}"
VENV="$ALVO/chainladder-$(sha256sum "$REQUISITOS" | cut -c1-12)"

if ! "$VENV/bin/python" -c 'import chainladder' >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$REQUISITOS"
fi

cargo build --quiet --locked -p persus-domain --example chain_ladder

AMOSTRAS="$(mktemp -d)"
trap 'rm -rf "$AMOSTRAS"' EXIT
"$VENV/bin/python" scripts/chainladder_comparar.py \
  --binario "$ALVO/debug/examples/chain_ladder" --amostras "$AMOSTRAS" "$@"
