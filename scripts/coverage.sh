#!/usr/bin/env bash
# `make coverage`: RTL coverage of the Verilated tiny and small builds (docs/coverage.md).
#
#   scripts/coverage.sh BUILD_DIR     (a build configured with -DEY_COVERAGE=ON, e.g. build-cov)
#
# 1. The regression, COV_JOBS (2) processes at a time, each instrumented model writing its
#    counts into BUILD_DIR/coverage/runs when it is torn down (tb/harness.h):
#    - the directed RTL tests that run on tiny and small (eyelet_rtl_tests, one process per
#      test: CSRs, every error code, AXI errors, aborts, tiling, output paths, pooling, the PE unit bench,
#      the device faults: SLVERR on any burst, timeouts at random points);
#    - `eyelet sweep` of random CONV/FC/POOL layers and chains with random output paths on tiny
#      and small under the soak's six DRAM models (scripts/soak.sh), COV_LAYERS (120) layers
#      in all.
# 2. verilator_coverage merges the runs (coverage/merged.dat), annotates the sources
#    (coverage/annotated/, lines below 1 hit marked %000000) and writes coverage/cov.info, which
#    genhtml (lcov) turns into coverage/html/index.html.
# 3. A summary (coverage/summary.txt, printed): per module the line coverage (Verilator's
#    points: each block and each arm of an if or case) and the toggle coverage (each bit of each
#    signal, both ways), every instance summed (a line counts as hit when any instance ran it), then each
#    functional cover point (`EY_COVER in rtl/) with its hits, summed over instances; bins at 0
#    marked "NEVER".
# COV_SKIP_RUN=1 only merges and reports the runs already there.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:-build-cov}
JOBS=${COV_JOBS:-2}
LAYERS=${COV_LAYERS:-120}
SEED=${COV_SEED:-1}
OUT=$BUILD/coverage
RUNS=$OUT/runs
export EY_COVERAGE_DIR=$PWD/$RUNS

# Directed tests on tiny and small (the coverage build has no eyeriss or fault-injection model).
TESTS='DriverCsr.*:DriverErrors.*:DriverChain.*:DriverTiling.RowBandsWhenAChannelDoesNotFit'
TESTS+=':DriverTiling.LoadsOverlapTheArraysRun:DriverTiling.StoresOverlapTheNextRun:DriverFc.*'
TESTS+=':DriverPostTiling.*:DriverPostErrors.*:Configs/DriverPost.*:DriverPoolDescErrors.*'
TESTS+=':Configs/DriverPoolDesc.*:Configs/DriverPool.*:ArrayErrors.*:Csr.*:Pe.*'
TESTS+=':ArrayCorners.DiagonalsSkipped*:ArrayCorners.EveryPassStartsAFilterBlock'
TESTS+=':ArrayCorners.OneWordFilters*:ArrayCorners.StrideWiderThanTheIfmapSpad'
TESTS+=':Configs/ArrayDirected.*/0:Configs/ArrayDirected.*/1:DeviceFaults.*'

# config, DRAM read latency, chance of a withheld ready/valid per cycle and channel (soak.sh's)
PROFILES=("tiny 1 0" "tiny 30 0.3" "tiny 8 0.1" "small 8 0" "small 3 0.5" "small 100 0.2")

if [ "${COV_SKIP_RUN:-0}" != 1 ]; then
  for exe in eyelet eyelet_rtl_tests; do
    if [ ! -x "$BUILD/$exe" ]; then
      echo "coverage: $BUILD/$exe not found: build it first (make coverage does)" >&2
      exit 2
    fi
  done
  rm -rf "$OUT"
  mkdir -p "$RUNS" "$OUT/log"
  start=$(date +%s)
  {
    # One process per test, as ctest runs them: Verilator 5.006 deadlocks tearing down a model
    # while another of the same build lives, which a process of many tests does at exit.
    "$BUILD/eyelet_rtl_tests" --gtest_list_tests --gtest_filter="$TESTS" | awk '
      /^[^ ]/ { suite = $1 }
      /^  / { printf "test%d %s --gtest_filter=%s%s\n", n++, exe, suite, $1 }' \
      exe="$BUILD/eyelet_rtl_tests"
    np=${#PROFILES[@]}
    for ((p = 0; p < np; p++)); do
      read -r config lat stall <<< "${PROFILES[$p]}"
      count=$((LAYERS / np + (p < LAYERS % np ? 1 : 0)))
      echo "sweep$p $BUILD/eyelet sweep --backend rtl --config $config --mem-latency $lat" \
           "--mem-stall $stall --seed $((SEED * 1000 + p)) --count $count" \
           "--types conv,fc,pool,chain --post"
    done
  } | xargs -P "$JOBS" -L 1 bash -c '
    name=$0
    if "$@" > "'"$OUT"'/log/$name.txt" 2>&1; then r=ok; else r="FAILED (exit $?)"; fi
    echo "coverage: $name: $r: $(tail -1 "'"$OUT"'/log/$name.txt")"'
  echo "coverage: regression $(( $(date +%s) - start )) s"
fi

shopt -s nullglob
dats=("$RUNS"/*.dat)
if [ ${#dats[@]} -eq 0 ]; then
  echo "coverage: no coverage data in $RUNS" >&2
  exit 1
fi
verilator_coverage --write "$OUT/merged.dat" "${dats[@]}"
rm -rf "$OUT/annotated" "$OUT/html"
verilator_coverage --annotate "$OUT/annotated" --annotate-min 1 "$OUT/merged.dat" > /dev/null
verilator_coverage --write-info "$OUT/cov.info" "$OUT/merged.dat"
genhtml --quiet --output-directory "$OUT/html" --title "Eyelet RTL coverage" \
  --prefix "$PWD" "$OUT/cov.info" > "$OUT/log/genhtml.txt" 2>&1 ||
  echo "coverage: genhtml failed (see $OUT/log/genhtml.txt)" >&2

# The summary, from the merged counts. A point's key: file, line, column, kind (page
# v_line/v_branch/v_toggle/v_user), what it is (o); hierarchies summed.
awk -F '\001' '
  /^C / {
    count = $NF; sub(/.*'"'"' /, "", count)
    f = ""; l = ""; n = ""; page = ""; o = ""
    for (i = 2; i <= NF; i++) {
      split($i, kv, "\002"); v = kv[2]; sub(/'"'"' [0-9]+$/, "", v)
      if (kv[1] == "f") f = v; else if (kv[1] == "l") l = v; else if (kv[1] == "n") n = v
      else if (kv[1] == "page") page = v; else if (kv[1] == "o") o = v
    }
    kind = page; sub(/\/.*/, "", kind)
    if (kind == "v_branch") kind = "v_line"  # line coverage: blocks and the arms of branches
    mod = f; sub(/.*\//, "", mod); sub(/\.sv$/, "", mod)
    key = kind SUBSEP mod SUBSEP l SUBSEP n SUBSEP o
    if (!(key in hits)) { hits[key] = 0; total[kind, mod]++ ; mods[mod] = 1 }
    hits[key] += count
    if (kind == "v_user") { bin[mod "." o] += count; binline[mod "." o] = f ":" l }
  }
  END {  # mawk: no sorting here; "M" rows per module, "B" rows per bin, sorted below
    for (key in hits) {
      split(key, k, SUBSEP)
      if (hits[key] > 0) hit[k[1], k[2]]++
    }
    for (m in mods) {
      line = ""
      for (t = 1; t <= 3; t++) {
        kind = (t == 1 ? "v_line" : t == 2 ? "v_toggle" : "v_user")
        tot = total[kind, m] + 0; h = hit[kind, m] + 0
        if (tot == 0) cell = "-"
        else if (kind == "v_user") cell = sprintf("%d/%d", h, tot)
        else cell = sprintf("%5.1f%% %5d/%-5d", 100 * h / tot, h, tot)
        line = line sprintf(t == 3 ? " %10s" : " %18s", cell)
      }
      printf "M %-16s%s\n", m, line
    }
    for (b in bin) printf "B   %-44s %12d%s\n", b, bin[b], bin[b] == 0 ? "  NEVER" : ""
  }' "$OUT/merged.dat" > "$OUT/log/summary.raw"
{
  printf "%-16s %18s %18s %10s\n" module line toggle "cover bins"
  grep '^M ' "$OUT/log/summary.raw" | sort | cut -c3-
  echo
  echo "functional cover points (hits, summed over instances; rtl/*.sv, \`EY_COVER)"
  grep '^B ' "$OUT/log/summary.raw" | sort | cut -c3-
  bins=$(grep -c '^B ' "$OUT/log/summary.raw" || true)
  never=$(grep -c '^B .*NEVER$' "$OUT/log/summary.raw" || true)
  echo "$((bins - never)) of $bins cover points hit; $never never"
} | tee "$OUT/summary.txt"
echo "coverage: annotated sources in $OUT/annotated, HTML in $OUT/html/index.html," \
     "summary in $OUT/summary.txt"
