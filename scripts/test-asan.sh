#!/usr/bin/env bash
# Runs the software test binaries of the sanitizer build (make test-asan): each binary whole,
# split into JOBS GoogleTest shards run side by side (one process per shard, not one per test as
# ctest does: under ASan a process costs a few tenths of a second to start and to check for leaks
# at exit, more than most tests). Prints each shard's result and the sanitizer reports found;
# exits 1 when a test fails or any sanitizer report appears.
# Usage: scripts/test-asan.sh BUILD_DIR JOBS GTEST_FILTER
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1
jobs=$2
filter=$3
logs=$build/test-asan
mkdir -p "$logs"
rm -f "$logs"/*.log

pids=()
for exe in eyelet_sw_tests eyelet_axi_tests; do
  for ((i = 0; i < jobs; i++)); do
    GTEST_TOTAL_SHARDS=$jobs GTEST_SHARD_INDEX=$i "$build/$exe" --gtest_filter="$filter" \
      --gtest_brief=1 >"$logs/$exe.$i.log" 2>&1 &
    pids+=($!)
  done
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done

tests=0
for log in "$logs"/*.log; do
  n=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$log" | tail -1)
  tests=$((tests + ${n:-0}))
  if ! grep -q '^\[  PASSED  \]' "$log"; then
    echo "test-asan: $log did not pass:"
    grep -E '^\[  FAILED  \]|ERROR: (Address|Leak)Sanitizer|runtime error' "$log" | head -20
  fi
done
reports=$(cat "$logs"/*.log | grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:')
echo "test-asan: $tests tests run (filter '$filter'), $reports sanitizer reports, logs in $logs"
[ "$failed" -eq 0 ] && [ "$reports" -eq 0 ]
