#!/usr/bin/env bash
# Regenerates the tour section of README.md from examples/tour.sh's real output.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(bash examples/tour.sh)
python3 - "$out" <<'PY'
import sys, re
out = sys.argv[1]
readme = open("README.md", encoding="utf-8").read()
block = "<!-- tour:start -->\n```console\n" + out.rstrip() + "\n```\n<!-- tour:end -->"
readme = re.sub(r"<!-- tour:start -->.*?<!-- tour:end -->", lambda m: block, readme, flags=re.S)
open("README.md", "w", encoding="utf-8").write(readme)
PY
