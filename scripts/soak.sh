#!/usr/bin/env bash
# `make soak`: SOAK_LAYERS (10,000) random layers (CONV, FC, POOL and chains of 2-3 of them run
# as one descriptor chain; random output paths with bias, requantization, ReLU / leaky ReLU and
# fused max pooling; SOAK_TYPES, default conv,fc,pool,chain) through the driver on the
# Verilated tiny and small builds, each checked element by element against the golden model,
# under six DRAM models (read latency 1..100 cycles, 0..50 % withheld ready/valid on every AXI
# channel), half of them each on a device whose state reset does not set is random (--x-init).
# Prints `N passed, M failed` and, for each failure, the command that reruns it alone
# (`eyelet sweep ... --index K`, which also traces the pass of its first wrong output).
#
# The work is 6 profiles x SOAK_SLICES slices = units; each unit is one `eyelet sweep --shard`.
# This machine runs the units u with u % SOAK_SHARDS == SOAK_SHARD, SOAK_JOBS at a time, and
# writes each unit's output to SOAK_DIR/unitU.txt. Spread over a cluster (a shared SOAK_DIR),
# e.g. a SLURM job array of 48 tasks:
#   sbatch --array=0-47 --wrap 'SOAK_SHARD=$SLURM_ARRAY_TASK_ID SOAK_SHARDS=48 SOAK_JOBS=1 \
#     SOAK_SUMMARY=0 scripts/soak.sh'
# then `SOAK_SUMMARY_ONLY=1 scripts/soak.sh` adds up every unit's file; SOAK_UNITS="5 17" reruns
# those units only. Do not rebuild $EYELET while a soak runs (copy it and set EYELET instead).
set -euo pipefail
cd "$(dirname "$0")/.."

EYELET=${EYELET:-build/eyelet}
LAYERS=${SOAK_LAYERS:-10000}
SLICES=${SOAK_SLICES:-8}
JOBS=${SOAK_JOBS:-$(nproc)}
SHARD=${SOAK_SHARD:-0}
SHARDS=${SOAK_SHARDS:-1}
SEED=${SOAK_SEED:-1}
TYPES=${SOAK_TYPES:-conv,fc,pool,chain}
OUT=${SOAK_DIR:-build/soak}

# config, DRAM read latency, chance of a withheld ready/valid per cycle and channel
PROFILES=("tiny 1 0" "tiny 30 0.3" "tiny 8 0.1" "small 8 0" "small 3 0.5" "small 100 0.2")
NP=${#PROFILES[@]}
UNITS=$((NP * SLICES))

# The command of unit u (profile u / SLICES, slice u % SLICES of that profile's layers).
unit_cmd() {
  local u=$1 p=$(($1 / SLICES)) s=$(($1 % SLICES))
  local count=$((LAYERS / NP + (p < LAYERS % NP ? 1 : 0)))
  read -r config lat stall <<< "${PROFILES[$p]}"
  local xinit=""  # odd slices: every layer on a device with a random initial state
  [ $((s % 2)) -eq 1 ] && xinit=" --x-init $((SEED * 1000 + u))"
  echo "$EYELET sweep --backend rtl --config $config --mem-latency $lat --mem-stall $stall" \
       "--seed $((SEED * 1000 + p)) --count $count --shard $s/$SLICES --types $TYPES --post$xinit"
}

summary() {
  local passed=0 failed=0 missing=0 f
  for ((u = 0; u < UNITS; u++)); do
    f=$OUT/unit$u.txt
    if [ ! -f "$f" ]; then missing=$((missing + 1)); continue; fi
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$f" | tail -1 || true)
    if [ -z "$line" ]; then  # the sweep itself died: one failure, named by its command
      echo "soak: unit $u did not finish (see $f): $(unit_cmd "$u")"
      failed=$((failed + 1))
      continue
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
    grep -E '^      rerun ' "$f" | sed "s|^      rerun |soak: FAIL unit $u: |" || true
  done
  [ "$missing" -gt 0 ] && echo "soak: $missing of $UNITS units have no output in $OUT (not run here)"
  echo "soak: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

if [ "${SOAK_SUMMARY_ONLY:-0}" = 1 ]; then summary; exit; fi
if [ ! -x "$EYELET" ]; then
  echo "soak: $EYELET not found: build first (make build)" >&2
  exit 2
fi
mkdir -p "$OUT"
mine=()
if [ -n "${SOAK_UNITS:-}" ]; then  # these units only (e.g. to rerun ones that did not finish)
  read -r -a mine <<< "$SOAK_UNITS"
else
  for ((u = 0; u < UNITS; u++)); do
    [ $((u % SHARDS)) -eq "$SHARD" ] && mine+=("$u")
  done
fi
echo "soak: $LAYERS layers in $UNITS units; this machine runs ${#mine[@]} of them, $JOBS at a time, into $OUT"
start=$(date +%s)
for u in "${mine[@]}"; do echo "$u $(unit_cmd "$u")"; done | xargs -P "$JOBS" -L 1 bash -c '
  u=$0
  { echo "# $*"; "$@" || true; } > "'"$OUT"'/unit$u.txt" 2>&1
  echo "soak: unit $u: $(grep -E "^[0-9]+ passed, [0-9]+ failed$" "'"$OUT"'/unit$u.txt" ||
                          echo "no summary line")"'
echo "soak: $(( $(date +%s) - start )) s"
if [ "${SOAK_SUMMARY:-1}" = 1 ]; then summary; fi
