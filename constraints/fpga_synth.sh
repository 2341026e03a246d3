#!/usr/bin/env bash
# FPGA resource estimate of the whole accelerator (ey_top) for one family and one config:
# Yosys 0.23 reads the RTL in rtl/eyelet.f order with -DSYNTHESIS, sets the config's
# parameters, runs the family's synthesis script with the hierarchy kept (-noflatten) so that
# every unit's cells can be counted, and writes OUT_DIR/<family>_<config>.stat (Yosys `stat`)
# and .log. scripts/fpga_report.py turns the stat file into the per-unit table.
#
# Usage: fpga_synth.sh OUT_DIR FAMILY CONFIG
#   FAMILY  ice40 (synth_ice40 -dsp), xc7 (synth_xilinx -family xc7), ecp5 (synth_ecp5)
#   CONFIG  up5k     2 x 2 array, 1 k-word GLB areas, 64-word filter spads: the iCE40 candidate
#                    of issue 16 (its figures are the area baseline, constraints/area_baseline.json)
#           eyeriss  12 x 14 array, 16 k-word ifmap and filter areas, 1 k-word psum banks (the
#                    Verilated `eyeriss` build, CMakeLists.txt)
# Keeping the hierarchy gives up optimization across module boundaries, so the totals are a
# little above a flattened run's; they are estimates before place and route either way.
set -euo pipefail
out=${1:?usage: fpga_synth.sh OUT_DIR FAMILY CONFIG}
family=${2:?usage: fpga_synth.sh OUT_DIR FAMILY CONFIG}
config=${3:?usage: fpga_synth.sh OUT_DIR FAMILY CONFIG}
cd "$(dirname "$0")/.."

case "$config" in
  up5k)    params="-set Rows 2 -set Cols 2 -set IfmapWords 1024 -set FilterWords 1024 -set PsumWords 512
                   -set FilterDepth 64 -set PpWords 32 -set PoolWords 64 -set SeqCheck 1
                   -set FiltLanes 1" ;;
  eyeriss) params="-set Rows 12 -set Cols 14 -set IfmapWords 16384 -set FilterWords 16384 -set PsumWords 1024" ;;
  *) echo "fpga_synth.sh: unknown config '$config' (up5k, eyeriss)" >&2; exit 2 ;;
esac
params=$(echo $params)  # one line: a newline would end Yosys's chparam command
case "$family" in
  ice40) synth="synth_ice40 -dsp -noflatten -top ey_top" ;;
  xc7)   synth="synth_xilinx -family xc7 -top ey_top" ;;
  ecp5)  synth="synth_ecp5 -noflatten -top ey_top" ;;
  *) echo "fpga_synth.sh: unknown family '$family' (ice40, xc7, ecp5)" >&2; exit 2 ;;
esac

mkdir -p "$out"
base="$out/${family}_${config}"
srcs=$(grep '^rtl/' rtl/eyelet.f | tr '\n' ' ')
start=$(date +%s)
# Written to a temporary name first: an interrupted run leaves no stat file behind that a
# later report would take for a finished one.
rm -f "$base.stat"
yosys -q -l "$base.log" -p "
  read_verilog -sv -DSYNTHESIS -Irtl $srcs;
  chparam $params ey_top;
  $synth;
  tee -q -o $base.stat.tmp stat" >/dev/null
mv "$base.stat.tmp" "$base.stat"
echo "fpga_synth: $family $config done in $(( $(date +%s) - start )) s ($base.stat)"
