#!/usr/bin/env bash
# Benchmark (issue #4): GET of one attendance by number with a valid token, 1 M attendances
# loaded, on loopback; requests/s, latency percentiles and server RSS, SQLite and PostgreSQL.
# Usage: scripts/bench-api.sh [scale] [seconds] [connections]   (defaults: 50 = 1,000,000; 20; 32)
# Installs wrk (Debian package) if missing. On PostgreSQL, the same run measures a generic
# REST-over-PostgreSQL peer (Platformatic sql-openapi, installed from npm into
# scripts/bench-api-peer) serving the same 5,000 rows by primary key — without authentication,
# access log or history, so the comparison favours the peer. The server runs with the scheduler off; every
# request reads a different attendance of Hapvida (cycling over 5,000), with all its facts, and
# is recorded in the personal-data access log — the real path, nothing cached.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-50}
secs=${2:-20}
conns=${3:-32}
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
(cd scripts/bench-api-peer && npm install --no-audit --no-fund --loglevel=error >/dev/null)
cargo build --release --bin persus >/dev/null
bin=$PWD/target/release/persus
pg=${PERSUS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
quarters=(2T2024 3T2024 4T2024 1T2025 2T2025 3T2025)
port=18089

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; wrk $secs s, $conns connections, 1 thread"
echo
echo "| database | attendances | requests/s | p50 ms | p99 ms | errors | server RSS MiB |"
echo "|---|---|---|---|---|---|---|"
for db in ${PERSUS_BENCH_DBS:-sqlite postgresql}; do
  dir=$(mktemp -d)
  query="SELECT numero FROM atendimentos WHERE operadora = '368253' ORDER BY id LIMIT 5000"
  if [ "$db" = postgresql ]; then
    schema="bench_api_$$"
    psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
    export DATABASE_URL="$pg?options=-c%20search_path%3D$schema"
    psql "$pg" -qAt -c "SET search_path TO $schema; SELECT 1" >/dev/null
    sql() { psql "$pg" -qAt -c "SET search_path TO $schema; $1"; }
  else
    unset DATABASE_URL
    sql() { sqlite3 "$dir/data/persus.db" "$1"; }
  fi
  export RUST_LOG=warn PERSUS_DATA_DIR="$dir/data"
  "$bin" demo --sem-servidor --sem-cenario --scale "$scale"
  n=100
  for q in "${quarters[@]}"; do
    for tipo in AIH APAC; do
      n=$((n + 1))
      "$bin" abi agendar --numero $n --tipo $tipo --trimestre "$q" --lancamento 2026-11-02 >/dev/null
      "$bin" abi publicar "$n" --em 2026-11-03 >/dev/null
    done
  done
  sql "$query" > "$dir/numeros.txt"
  "$bin" serve --environment homologacao --port $port --agendador-intervalo 0 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  token=$(curl -sf -u demo-368253:demo-368253-secret -d grant_type=client_credentials \
    "http://127.0.0.1:$port/oauth/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  cat > "$dir/get.lua" <<LUA
local numeros = {}
for linha in io.lines("$dir/numeros.txt") do numeros[#numeros + 1] = linha end
local i = 0
request = function()
  i = i % #numeros + 1
  return wrk.format("GET", "/api/v1/atendimentos/" .. numeros[i], { ["Authorization"] = "Bearer $token" })
end
LUA
  # Warm-up, then the measured run.
  wrk -t1 -c"$conns" -d3s -s "$dir/get.lua" "http://127.0.0.1:$port" >/dev/null
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$dir/get.lua" "http://127.0.0.1:$port")
  rss=$(ps -o rss= -p $server | awk '{printf "%.0f", $1 / 1024}')
  kill $server; wait $server 2>/dev/null || true
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}'; }
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)
  errs=$(echo "$out" | awk '/Non-2xx/ {print $NF}'); errs=${errs:-0}
  printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "persus, $db" "$((scale * 20000))" "$rps" "$p50" "$p99" "$errs" "$rss"
  if [ "$db" = postgresql ]; then
    # The generic peer over the same schema and rows.
    PEER_DATABASE_URL="$pg" PEER_SCHEMA="$schema" PEER_PORT=$((port + 1)) node scripts/bench-api-peer/server.js &
    peer=$!
    for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$((port + 1))/documentation/json" >/dev/null && break; sleep 0.2; done
    rota=$(curl -sf "http://127.0.0.1:$((port + 1))/documentation/json" | python3 -c 'import json,sys; print([p for p in json.load(sys.stdin)["paths"] if p.endswith("tendimentos/{id}")][0].replace("{id}", ""))')
    sql "SELECT id FROM atendimentos WHERE operadora = '368253' ORDER BY id LIMIT 5000" > "$dir/ids.txt"
    cat > "$dir/peer.lua" <<LUA
local ids = {}
for linha in io.lines("$dir/ids.txt") do ids[#ids + 1] = linha end
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "$rota" .. ids[i])
end
LUA
    wrk -t1 -c"$conns" -d3s -s "$dir/peer.lua" "http://127.0.0.1:$((port + 1))" >/dev/null
    out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$dir/peer.lua" "http://127.0.0.1:$((port + 1))")
    rss=$(ps -o rss= -p $peer | awk '{printf "%.0f", $1 / 1024}')
    kill $peer; wait $peer 2>/dev/null || true
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms)
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)
    errs=$(echo "$out" | awk '/Non-2xx/ {print $NF}'); errs=${errs:-0}
    printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "generic peer (Platformatic sql-openapi 2.61, Node $(node --version)), postgresql" "$((scale * 20000))" "$rps" "$p50" "$p99" "$errs" "$rss"
    psql "$pg" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
  fi
  rm -rf "$dir"
done
