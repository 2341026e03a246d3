#!/usr/bin/env bash
# Runs libFuzzer targets for a set time each and prints one line per target: executions, seconds,
# corpus size, crashes. Usage: scripts/fuzz.sh BUILD_DIR SECONDS TARGET... (make fuzz).
# Seeds come from fuzz/corpus/<target> (read only); new inputs go to BUILD_DIR/fuzz/corpus/<target>,
# so later runs start from what earlier ones found. A crash, a sanitizer report, a leak, an
# input slower than 10 s (timeout) or one that makes the reader allocate more than 1 GiB at once
# or use more than 2 GiB in all (out-of-memory) stops the target; its input is saved as
# BUILD_DIR/fuzz/artifacts/<target>-<kind>-<sha1> and the script exits 1 after the others ran.
# Reproduce with BUILD_DIR/fuzz/fuzz_<target> ARTIFACT. FUZZ_RUNS=N stops a target after N inputs
# (the full-length run: FUZZ_RUNS=1000000 with SECONDS=1800).
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2

# The ONNX target reads whole models; the others' inputs are small (desc_rtl reads at most 162
# bytes: its header).
max_len() {
  case $1 in onnx) echo 65536 ;; manifest) echo 8192 ;; desc_rtl) echo 256 ;; *) echo 4096 ;; esac
}

failed=0
summary=()
for t in "$@"; do
  exe=$build/fuzz/fuzz_$t
  work=$build/fuzz/corpus/$t
  art=$build/fuzz/artifacts
  log=$build/fuzz/fuzz_$t.log
  mkdir -p "$work" "$art"
  start=$(date +%s.%N)
  "$exe" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -max_len="$(max_len "$t")" -runs="${FUZZ_RUNS:--1}" -print_final_stats=1 \
    -artifact_prefix="$art/$t-" >"$log" 2>&1
  rc=$?
  elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$work" | wc -l)
  # libFuzzer stops at the first crash, leak, timeout or out-of-memory and saves its input; an
  # input slower than -report_slow_units (10 s) is saved too but is no failure.
  written='s/.*Test unit written to (.*('
  artifact=$(sed -nE "$written"'crash|leak|timeout|oom)-.*)/\1/p' "$log" | tail -1)
  slow=$(sed -nE "$written"'slow-unit)-.*)/\1/p' "$log" | tail -1)
  crashes=0
  if [ "$rc" -ne 0 ] || [ -n "$artifact" ]; then crashes=1; fi
  line=$(printf '%-9s %12s execs %7.1f s %6s corpus %3s crashes' "$t" "${execs:-?}" "$elapsed" \
    "$corpus" "$crashes")
  [ -n "$artifact" ] && line="$line  ($artifact; log $log)"
  [ -n "$slow" ] && line="$line  (a slow input, no failure: $slow)"
  echo "fuzz: $line"
  summary+=("$line")
  [ "$rc" -ne 0 ] && failed=1
done
echo "fuzz: summary ($seconds s per target)"
for line in "${summary[@]}"; do echo "  $line"; done
exit $failed
