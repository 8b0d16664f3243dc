#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo-fuzz (libFuzzer): build the targets of fuzz/ once, run each
# for SECONDS_PER_TARGET (default 15) from a copy of its seed corpus (fuzz/seeds/TARGET), fail
# on any crash, and print per target libFuzzer's final `#N DONE cov: X ft: Y` line (N = runs).
# A crashing input is kept in fuzz/artifacts/TARGET/ (reproduce: fuzz/run the binary on it).
# The toolchain is stable: RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the nightly-only flags.
# Built with debug assertions (an integer overflow is a crash) and without a sanitizer: the code
# is safe Rust, and ASan ran 4-5x fewer inputs (15 s from the seeds, 2026-12-02: json_roundtrip
# 41,683 vs 183,359, query 23,106 vs 113,678; 450 MB RSS instead of 36 MB) and doubled the first
# build (35 min vs 19 min on the loaded 2-core machine).
# A second argument `dev` builds without optimisation: about 4x faster to build from nothing
# (5.7 min vs 19 min on a loaded 2-core machine, 2026-12-02) and about 15x fewer runs per second;
# the test command uses it for its smoke run, long runs use the optimised build.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-15}"
PROFILE="${2:-release}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
if [ "$PROFILE" = dev ]; then
  FLAGS=(--dev --sanitizer none)
else
  FLAGS=(-O -a --sanitizer none)
fi
t0=$(date +%s)
cargo fuzz build "${FLAGS[@]}"
t1=$(date +%s)
echo "fuzz: targets built in $((t1 - t0)) s"
BIN="${CARGO_TARGET_DIR:-fuzz/target}/$(rustc -vV | sed -n 's/^host: //p')/$([ "$PROFILE" = dev ] && echo debug || echo release)"
WORK="$(mktemp -d /tmp/jvdb-fuzz.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
failed=()
for t in $(cargo fuzz list); do
  mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
  cp fuzz/seeds/"$t"/* "$WORK/$t/corpus/"
  # -timeout: one input running 10 s counts as a crash (a hang); no input may use 2 GiB.
  if "$BIN/$t" "$WORK/$t/corpus" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$WORK/$t/artifacts/" >"$WORK/$t/log" 2>&1; then
    echo "fuzz: $t: $(grep -a 'DONE' "$WORK/$t/log" | tail -1 | tr -s ' \t' ' ')"
  else
    failed+=("$t")
    mkdir -p fuzz/artifacts/"$t"
    cp "$WORK/$t/artifacts/"* fuzz/artifacts/"$t"/ 2>/dev/null || true
    echo "fuzz: $t: CRASH (input kept in fuzz/artifacts/$t/):" >&2
    grep -a -v '^#' "$WORK/$t/log" | tail -30 >&2
  fi
done
echo "fuzz: ran $((($(date +%s) - t1))) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
