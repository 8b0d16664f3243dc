#!/usr/bin/env bash
# The whole test suite, set-up included, on a fresh machine: a Python venv with the pinned
# reference packages (jvspatial 0.2.2, mongomock), a private PostgreSQL cluster, one debug build,
# every test.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${JVDB_VENV:-$PWD/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/py/requirements.txt
export JVDB_TEST_PYTHON="$VENV/bin/python"
"$JVDB_TEST_PYTHON" -c 'import importlib.metadata as m; print("reference: jvspatial", m.version("jvspatial"), "mongomock", m.version("mongomock"))'
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
bash tests/fuzz/run.sh 15 dev  # cargo-fuzz, 15 s per target, unoptimised build (see README "Fuzzing")
"$JVDB_TEST_PYTHON" tests/mongo_server/test_server.py
# Graphviz (Debian's package graphviz) for the export tests: `dot` parses and renders exports.
if ! command -v dot >/dev/null 2>&1; then
  apt-get install -y graphviz >/dev/null
fi
# GNU tar and zstd (Debian's packages tar, zstd) for the archive tests: `tar --zstd -xf` alone
# must extract what `jvdb dump` writes.
if ! command -v zstd >/dev/null 2>&1 || ! tar --version 2>/dev/null | grep -q 'GNU tar'; then
  apt-get install -y tar zstd >/dev/null
fi
# One private PostgreSQL cluster (Debian's PostgreSQL 15) for every suite, unless
# JVDB_TEST_POSTGRES_DSN already names a server; stopped however the run ends.
if [ -z "${JVDB_TEST_POSTGRES_DSN:-}" ]; then
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get install -y postgresql >/dev/null
  fi
  PG_DIR="$(mktemp -d /tmp/jvdb-pg.XXXXXX)"
  trap 'bash tests/pg/cluster.sh stop "$PG_DIR"; rm -rf "$PG_DIR"' EXIT
  JVDB_TEST_POSTGRES_DSN="$(bash tests/pg/cluster.sh start "$PG_DIR")"
  export JVDB_TEST_POSTGRES_DSN
  echo "PostgreSQL test cluster: ${JVDB_TEST_POSTGRES_DSN%%:*}://…@127.0.0.1:$(cat "$PG_DIR/port")/jvdb"
fi
cargo test --locked --no-fail-fast
