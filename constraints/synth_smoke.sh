#!/usr/bin/env bash
# Synthesis smoke run: Yosys 0.23 reads the RTL in rtl/eyelet.f order (then the board system of
# rtl/fpga/system.f) with -DSYNTHESIS,
# synthesizes TOP generically and fails on any error or on `check` problems (multiple drivers,
# combinational loops, undriven wires). Usage: synth_smoke.sh OUT_DIR TOP [yosys chparam args]
set -euo pipefail
out=${1:?usage: synth_smoke.sh OUT_DIR TOP}
top=${2:?usage: synth_smoke.sh OUT_DIR TOP}
shift 2
cd "$(dirname "$0")/.."
mkdir -p "$out"
srcs=$(grep -h '^rtl/' rtl/eyelet.f rtl/fpga/system.f | tr '\n' ' ')
chparam=""
[ $# -gt 0 ] && chparam="chparam $* $top;"
yosys -q -l "$out/$top.log" -p "
  read_verilog -sv -DSYNTHESIS -Irtl $srcs;
  $chparam
  synth -flatten -top $top;
  check -assert;
  tee -o $out/$top.stat stat" >/dev/null
echo "synth: $top OK ($(grep -m1 'Number of cells' "$out/$top.stat" | awk '{print $4}') cells, flattened; report $out/$top.stat)"
