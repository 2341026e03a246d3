#!/usr/bin/env bash
# Gate-level check (make gate): the same random layers, output paths and chains run on the
# `tiny` accelerator's gate-level netlist (backend rtlgate: Yosys 0.23's synthesis of the RTL,
# Verilated, in build/eyelet_gate) and on the RTL (backend rtl, build/eyelet). Passes when every
# layer on the netlist equals the golden model element by element (the sweep's own check) and
# every layer's line, cycles included, is the same on both: the netlist Yosys built behaves as
# the SystemVerilog Verilator reads, to the cycle.
#
# Usage: gate_check.sh BUILD_DIR [COUNT [SEED [X_INIT_SEED]]]
#   COUNT layers (default 12) from sweep seed SEED (default 1), with --x-init X_INIT_SEED (default
#   1): the netlist's flip-flops start from random values, as a board's do.
set -euo pipefail
build=${1:?usage: gate_check.sh BUILD_DIR [COUNT [SEED [X_INIT_SEED]]]}
count=${2:-12}
seed=${3:-1}
xinit=${4:-1}
out="$build/gate"
mkdir -p "$out"
args=(sweep --config tiny --count "$count" --seed "$seed" --types conv,fc,pool,chain --post
      --x-init "$xinit")
start=$(date +%s)
status=0
"$build/eyelet_gate" "${args[@]}" --backend rtlgate > "$out/sweep_gate.txt" || status=$?
gate_s=$(( $(date +%s) - start ))
"$build/eyelet" "${args[@]}" --backend rtl > "$out/sweep_rtl.txt" || true
cat "$out/sweep_gate.txt"
# The per-layer lines (they start with the index), cycles and model figures included.
layers() { grep -E '^ +[0-9]+  ' "$1" || true; }
if ! diff <(layers "$out/sweep_rtl.txt") <(layers "$out/sweep_gate.txt") > "$out/sweep.diff"; then
  echo "gate: the netlist and the RTL differ (< rtl, > netlist):"
  cat "$out/sweep.diff"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "gate: the netlist failed a layer against the golden model (exit $status)"
  exit "$status"
fi
n=$(layers "$out/sweep_gate.txt" | wc -l)
if [ "$n" -ne "$count" ]; then
  echo "gate: $n layer lines for $count layers: the sweep's output format changed?"
  exit 1
fi
echo "gate: $n layers on the gate-level netlist equal the golden model, cycle for cycle the same" \
     "as the RTL (netlist sweep ${gate_s} s; outputs in $out)"
