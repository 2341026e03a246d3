#!/usr/bin/env bash
# Gate-level netlist of the whole accelerator for the gate-level check (scripts/gate_check.sh):
# Yosys 0.23 reads the RTL in rtl/eyelet.f order with -DSYNTHESIS, sets a built config's
# parameters, and synthesizes ey_top flattened to Yosys's generic gates (AND, OR, XOR, MUX, NOT,
# flip-flops), keeping memories as memories (written out as arrays; mapping them to flip-flops
# would only make the netlist larger). The netlist is what Yosys built from our SystemVerilog,
# so simulating it catches what Yosys reads differently from Verilator (ARCHITECTURE.md
# section 6: constructs Yosys 0.23 silently truncates).
#
# Usage: gate_netlist.sh OUT.v CONFIG     CONFIG: tiny (3 x 4, the Verilated `tiny` build)
set -euo pipefail
out=${1:?usage: gate_netlist.sh OUT.v CONFIG}
config=${2:?usage: gate_netlist.sh OUT.v CONFIG}
cd "$(dirname "$0")/.."
case "$config" in
  # Must match CMakeLists.txt's ey_verilate_top(tiny ...) and BuiltConfigs() in sw/src/mapping.cc:
  # RtlDevice checks the hardware-configuration CSRs against them.
  tiny) params="-set Rows 3 -set Cols 4 -set IfmapWords 8192 -set FilterWords 2048 -set PsumWords 4096" ;;
  *) echo "gate_netlist.sh: unknown config '$config' (tiny)" >&2; exit 2 ;;
esac
srcs=$(grep '^rtl/' rtl/eyelet.f | tr '\n' ' ')
mkdir -p "$(dirname "$out")"
rm -f "$out"
yosys -q -l "$out.log" -p "
  read_verilog -sv -DSYNTHESIS -Irtl $srcs;
  chparam $params ey_top;
  synth -flatten -top ey_top -run begin:fine;
  opt -fast -full; techmap; opt -fast; abc -fast; opt -fast;
  check -assert;
  tee -q -o $out.stat stat;
  write_verilog -noattr $out.tmp" >/dev/null
mv "$out.tmp" "$out"
echo "gate_netlist: $config: $(grep -m1 'Number of cells' "$out.stat" | awk '{print $4}') cells ($out)"
