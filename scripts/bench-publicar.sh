#!/usr/bin/env bash
# Benchmark: publishing ABIs over 1 M identified attendances (processes, NUPs, notices, audit).
# Usage: scripts/bench-publicar.sh [scale]   (default 50 = 1,000,000 attendances)
# Seeds the demo at that scale on SQLite and on PostgreSQL, schedules the 12 ABIs of the demo's
# six quarters (AIH and APAC) and times `persus abi publicar` for all of them.
# PERSUS_BENCH_DBS="postgresql" runs one database only.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-50}
cargo build --release --bin persus >/dev/null
bin=$PWD/target/release/persus
pg=${PERSUS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
quarters=(2T2024 3T2024 4T2024 1T2025 2T2025 3T2025)

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
echo
echo "| database | attendances | ABIs | processes | publish seconds | attendances/s |"
echo "|---|---|---|---|---|---|"
for db in ${PERSUS_BENCH_DBS:-sqlite postgresql}; do
  dir=$(mktemp -d)
  if [ "$db" = postgresql ]; then
    schema="bench_pub_$$"
    psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
    export DATABASE_URL="$pg?options=-c%20search_path%3D$schema"
  else
    unset DATABASE_URL
  fi
  export RUST_LOG=warn PERSUS_DATA_DIR="$dir/data"
  "$bin" demo --sem-servidor --sem-cenario --scale "$scale"
  n=100
  for q in "${quarters[@]}"; do
    for tipo in AIH APAC; do
      n=$((n + 1))
      "$bin" abi agendar --numero $n --tipo $tipo --trimestre "$q" --lancamento 2026-11-02 >/dev/null
    done
  done
  start=$(date +%s.%N)
  for abi in $(seq 101 $n); do
    "$bin" abi publicar "$abi" --em 2026-11-03 >/dev/null
  done
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  total=$((scale * 20000))
  procs=$("$bin" abi listar | grep -c '"processos"' || true)
  nproc_total=$("$bin" abi listar | awk -F': ' '/"processos"/ {gsub(/,/, "", $2); s += $2} END {print s}')
  printf '| %s | %s | %s | %s | %.1f | %.0f |\n' "$db" "$total" "$((n - 100))" "$nproc_total" "$secs" "$(echo "$total / $secs" | bc -l)"
  "$bin" audit verify >/dev/null
  if [ "$db" = postgresql ]; then psql "$pg" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1; fi
  rm -rf "$dir"
done
