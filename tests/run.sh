#!/usr/bin/env bash
# The whole test suite, set-up included, on a fresh machine: a Python venv with the pinned
# reference packages (jvspatial 0.2.2, mongomock), one debug build, every test.
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
"$JVDB_TEST_PYTHON" tests/mongo_server/test_server.py
cargo test --locked --no-fail-fast
