#!/usr/bin/env bash
# jvdb benchmark suite (not part of CI): build the release binary, then measure jvdb against
# jvspatial 0.2.2 and a raw read of the files. See bench/README.md; settings via env (run.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
export BENCH_DIR="${BENCH_DIR:-/tmp/jvdb-bench}"
mkdir -p "$BENCH_DIR"
(cd "$repo" && cargo build --release --quiet)
# The bare MongoDB driver baseline, only when the mongo measurements run.
case " ${BENCH_OPS:-mongo} " in
  *" mongo "*) (cd "$repo" && cargo build --release --quiet --features bench-tools --example bench_insert_many) ;;
esac
py="${BENCH_PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x "$repo/.venv/bin/python" ]; then py="$repo/.venv/bin/python"; else py=python3; fi
fi
exec "$py" "$here/run.py" "$@"
