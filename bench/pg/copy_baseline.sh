#!/usr/bin/env bash
# usage: bench/pg/copy_baseline.sh JVDB STORE CSV_PREFIX [RUNS] [--no-indexes]
# jvdb migrate JSON -> PostgreSQL against a bare psql \copy of the same rows (CSV_PREFIX.<collection>,
# made by bench/pg/to_csv.py or bench/pg/make_synthetic.py) into tables with the same DDL and indexes.
set -euo pipefail
B=$1; S=$2; CSV=$3; RUNS=${4:-3}; X=${5:-}
D=${JVDB_BENCH_PG_DSN:?set JVDB_BENCH_PG_DSN to a PostgreSQL DSN (e.g. from tests/pg/cluster.sh start DIR)}
q() { psql "$D" -qAt -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }
for r in $(seq 1 $RUNS); do
  q "DROP SCHEMA IF EXISTS bj CASCADE; CREATE SCHEMA bj; DROP SCHEMA IF EXISTS bb CASCADE; CREATE SCHEMA bb"
  t0=$(date +%s.%N); $B migrate $X --from "$S" --to "$D?schema=bj" 2>/dev/null; t1=$(date +%s.%N)
  q "DROP SCHEMA bj CASCADE; CREATE SCHEMA bj"
  t2=$(date +%s.%N); $B migrate $X --no-verify --from "$S" --to "$D?schema=bj" 2>/dev/null; t3=$(date +%s.%N)
  # baseline: the same DDL and indexes, then a bare psql \copy of the same rows
  for c in $(ls "$S"); do q "CREATE TABLE bb.$c (LIKE bj.$c INCLUDING ALL)"; done
  t4=$(date +%s.%N)
  for c in $(ls "$S"); do psql "$D" -qAt -v ON_ERROR_STOP=1 -c "\copy bb.$c (id, entity, tenant_id, data) FROM '$CSV.$c' WITH (FORMAT csv)" ; done
  t5=$(date +%s.%N)
  q "TRUNCATE $(ls "$S" | sed 's/^/bj./' | paste -sd,)"
  t6=$(date +%s.%N); $B migrate $X --no-verify --from "$S" --to "$D?schema=bj" 2>/dev/null; t7=$(date +%s.%N)
  t8=$(date +%s.%N); $B migrate $X --from "$S" --to "$D?schema=bj" 2>/dev/null; t9=$(date +%s.%N)
  echo "run $r: migrate(verified) $(echo "$t1-$t0"|bc) s; migrate --no-verify $(echo "$t3-$t2"|bc) s; psql \copy $(echo "$t5-$t4"|bc) s; migrate --no-verify into existing tables $(echo "$t7-$t6"|bc) s; rerun (verified, nothing written) $(echo "$t9-$t8"|bc) s; load $(cut -d' ' -f1 /proc/loadavg)"
done
q "SELECT 'rows bj', (SELECT count(*) FROM bj.node), 'rows bb', (SELECT count(*) FROM bb.node)"
