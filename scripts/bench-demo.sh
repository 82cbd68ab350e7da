#!/usr/bin/env bash
# Benchmark: how long `persus demo --sem-servidor --sem-cenario` takes to seed, per scale and database.
# Usage: scripts/bench-demo.sh [scales...]   (default: 1 50)
# Prints a Markdown table to paste into docs/PERFORMANCE.md. Needs PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- 1 50; fi
scales=("$@")
cargo build --release --bin persus >/dev/null
bin=target/release/persus
pg=${PERSUS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r)"
echo
echo "| scale | attendances | database | seconds | attendances/s | max RSS (MiB) |"
echo "|---|---|---|---|---|---|"
for scale in "${scales[@]}"; do
  for db in sqlite postgresql; do
    dir=$(mktemp -d)
    env_args=(env -u DATABASE_URL)
    if [ "$db" = postgresql ]; then
      schema="bench_$$_$scale"
      psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
      env_args=(env "DATABASE_URL=$pg?options=-c%20search_path%3D$schema")
    fi
    start=$(date +%s.%N)
    "${env_args[@]}" RUST_LOG=warn /usr/bin/time -f "%M" -o "$dir/rss" \
      "$bin" demo --sem-servidor --sem-cenario --scale "$scale" --data-dir "$dir/data"
    end=$(date +%s.%N)
    secs=$(echo "$end - $start" | bc)
    n=$((scale * 20000))
    rss=$(( $(cat "$dir/rss") / 1024 ))
    printf '| %s | %s | %s | %.1f | %.0f | %s |\n' "$scale" "$n" "$db" "$secs" "$(echo "$n / $secs" | bc -l)" "$rss"
    [ "$db" = postgresql ] && psql "$pg" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
    rm -rf "$dir"
  done
done
