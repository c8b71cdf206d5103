#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer's coverage instrumentation, on the stable toolchain
# and without cargo-fuzz, into the main workspace's target dir (where it reuses the
# dependencies the tests built), then runs each for a bounded time from its committed seed
# corpus:
#
#   fuzz/run.sh [seconds-per-target] [target ...]      (default: 30 s, every target)
#
# Targets run two at a time (one per core). Each prints its executions; a crash, a timeout
# (an input taking over 10 s), an allocation over 64 MiB or RSS over 2 GiB fails the run, and
# the input that did it is kept under fuzz/target/artifacts/<target>/. New corpus entries go to
# fuzz/target/corpus/<target>/ (kept between local runs, never committed).
#
# No sanitizer: the project has no unsafe code, and AddressSanitizer needs a nightly rustc
# flag; src/alloc_guard.rs stands in for its allocation limit.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

secs=${1:-30}
shift || true
# The flags are cargo-fuzz's (`cargo fuzz build -s none`); rustc-wrapper applies them to
# trailstack's own crates only. Optimising those at level 1 with line tables only (for a
# crash's stack trace) builds them about twice as fast as the profile's level 2; a CI smoke
# run gains more from that than from faster executions.
flags=(
  -Copt-level=1
  -Cdebuginfo=line-tables-only
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  -Cllvm-args=-sanitizer-coverage-stack-depth
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
  --cfg fuzzing
)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/../target}
TRAILSTACK_FUZZ_RUSTFLAGS="${flags[*]}" RUSTC_WRAPPER="$PWD/rustc-wrapper" cargo build --bins
bin_dir=$CARGO_TARGET_DIR/debug

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^trailstack-fuzz$')
fi

scratch_base=/dev/shm
[ -d "$scratch_base" ] && [ -w "$scratch_base" ] || scratch_base=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$scratch_base/trailstack-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p target/logs

# Runs one target; its summary line goes to target/logs/<target>.summary.
run_one() {
  local t=$1
  local log="target/logs/$t.log" work="target/corpus/$t" artifacts="target/artifacts/$t/"
  mkdir -p "$work" "$artifacts" "corpus/$t"
  local status=0
  TRAILSTACK_FUZZ_SCRATCH="$scratch/$t" "$bin_dir/$t" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$work" "corpus/$t" >"$log" 2>&1 || status=$?
  rm -rf "${scratch:?}/$t"
  local runs rate units
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  units=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  rate=$(( ${runs:-0} / (secs > 0 ? secs : 1) ))
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $t: ${runs:-0} executions in ${secs}s (${rate}/s), corpus ${units:-?}, no failure" \
      >"target/logs/$t.summary"
  else
    {
      echo "fuzz: $t: FAILED (exit $status) after ${runs:-?} executions; log target/logs/$t.log:"
      grep -v '^#[0-9]' "$log" | tail -40
      ls "$artifacts"
    } >"target/logs/$t.summary"
  fi
  return "$status"
}

failed=0
running=0
for t in "${targets[@]}"; do
  if [ ! -x "$bin_dir/$t" ]; then
    echo "fuzz: no target $t" >&2
    exit 2
  fi
  rm -f "target/logs/$t.summary"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
for t in "${targets[@]}"; do
  cat "target/logs/$t.summary"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target failed" >&2
  exit 1
fi
