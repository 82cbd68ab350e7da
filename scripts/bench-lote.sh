#!/usr/bin/env bash
# Benchmark: filing one impugnação batch of 50,000 attendances (issue #3: ≤ 10 s).
# Usage: scripts/bench-lote.sh [scale] [rows]   (defaults: 32 = 640,000 attendances; 50000 rows)
# Seeds the demo at that scale (no story), publishes the 12 ABIs of its quarters on 03/11/2026,
# lets ciência be presumed (tick on 13/11), writes a manifest with one petition per attendance
# for the largest operator (Hapvida, 368253) and times `persus peticao lote` on 20/11/2026 —
# the whole command: start, reading the manifest, validating every row against the lifecycle
# rules, and the one transaction that protocols them.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-32}
rows=${2:-50000}
cargo build --release --bin persus >/dev/null
bin=$PWD/target/release/persus
pg=${PERSUS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
quarters=(2T2024 3T2024 4T2024 1T2025 2T2025 3T2025)
op=368253

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
echo
echo "| database | attendances loaded | petitions (rows) | attendances filed | seconds | rows/s |"
echo "|---|---|---|---|---|---|"
for db in sqlite postgresql; do
  dir=$(mktemp -d)
  query="SELECT a.numero || ';' || p.nup FROM atendimentos a JOIN processos p ON p.id = a.processo_id
         WHERE a.operadora = '$op' AND a.estado = 'notificado' ORDER BY a.id LIMIT $rows"
  if [ "$db" = postgresql ]; then
    schema="bench_lote_$$"
    psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
    export DATABASE_URL="$pg?options=-c%20search_path%3D$schema"
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
  "$bin" tick --at 2026-11-13 >/dev/null
  printf '%%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$dir/prova.pdf"
  doc=$("$bin" documento enviar --operadora $op --por bench "$dir/prova.pdf" | awk -F': ' '/"id"/ {gsub(/,/, "", $2); print $2}')
  {
    echo "tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos"
    sql "$query" | awk -F';' -v doc="$doc" \
      '{ printf "impugnacao;%s;%s;ADM01;Beneficiário excluído do plano antes do atendimento.;;%s\n", $2, $1, doc }'
  } > "$dir/lote.csv"
  got=$(($(wc -l < "$dir/lote.csv") - 1))
  start=$(date +%s.%N)
  out=$("$bin" peticao lote --operadora $op --por bench --em 2026-11-20 "$dir/lote.csv")
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  filed=$(echo "$out" | awk -F': ' '/"atendimentos"/ {gsub(/,/, "", $2); print $2}')
  refused=$(echo "$out" | grep -c '"linha"' || true)
  [ "$refused" = 0 ] || { echo "$out" | head -20; echo "unexpected refused rows: $refused" >&2; exit 1; }
  printf '| %s | %s | %s | %s | %.2f | %.0f |\n' "$db" "$((scale * 20000))" "$got" "$filed" "$secs" "$(echo "$got / $secs" | bc -l)"
  "$bin" audit verify >/dev/null
  if [ "$db" = postgresql ]; then psql "$pg" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1; fi
  rm -rf "$dir"
done
