#!/usr/bin/env bash
# iCEBreaker bitstream (make fpga): Yosys 0.23 synth_ice40 (-dsp -spram) of
# rtl/fpga/ey_icebreaker.sv, the utilization against the iCE40 UP5K, then nextpnr-ice40 place
# and route with constraints/icebreaker.pcf at the board's 12 MHz, the Fmax it reports, and
# icepack's bitstream OUT/ey_icebreaker.bin (program it with: iceprog OUT/ey_icebreaker.bin).
# When the design is larger than the device, place and route cannot succeed: the script says
# which resource is over, points at the per-unit report (make fpga-report) and exits 1.
# Usage: fpga_build.sh OUT_DIR
set -euo pipefail
out=${1:?usage: fpga_build.sh OUT_DIR}
cd "$(dirname "$0")/.."
mkdir -p "$out"
srcs=$(grep -h '^rtl/' rtl/eyelet.f rtl/fpga/system.f | tr '\n' ' ')
t0=$(date +%s)
yosys -q -l "$out/yosys.log" -p "
  read_verilog -sv -DSYNTHESIS -Irtl $srcs rtl/fpga/ey_icebreaker.sv;
  synth_ice40 -dsp -spram -top ey_icebreaker -json $out/ey_icebreaker.json;
  tee -o $out/ey_icebreaker.stat stat" >/dev/null
t1=$(date +%s)

# Utilization from the flattened stat, against the UP5K.
over=$(python3 - "$out/ey_icebreaker.stat" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def cells(pattern):
    return sum(int(n) for name, n in re.findall(r"^\s+(\S+)\s+(\d+)\s*$", text, re.M)
               if re.fullmatch(pattern, name))
rows = [
    ("LUT4", cells(r"SB_LUT4"), 5280),
    ("flip-flops", cells(r"SB_DFF\w*"), 5280),
    ("EBR (SB_RAM40_4K)", cells(r"SB_RAM40_4K\w*"), 30),
    ("SPRAM (SB_SPRAM256KA)", cells(r"SB_SPRAM256KA"), 4),
    ("DSP (SB_MAC16)", cells(r"SB_MAC16"), 8),
    ("carry (SB_CARRY)", cells(r"SB_CARRY"), None),
]
print("resource                used     UP5K      use", file=sys.stderr)
over = []
for name, used, cap in rows:
    if cap is None:
        print(f"{name:<22}{used:>6}", file=sys.stderr)
        continue
    print(f"{name:<22}{used:>6}   {cap:>6}   {100 * used / cap:5.0f} %", file=sys.stderr)
    if used > cap:
        over.append(f"{name} {used} of {cap}")
print("; ".join(over))
PY
)
echo "fpga: synthesis $((t1 - t0)) s; netlist $out/ey_icebreaker.json, cells $out/ey_icebreaker.stat"
if [ -n "$over" ]; then
  echo "fpga: the up5k config does not fit the iCE40 UP5K: $over." >&2
  echo "fpga: place and route cannot succeed; make fpga-report prints the units (the controller" \
       "is most of it) and README.md, section FPGA, what blocks the fit." >&2
  exit 1
fi

nextpnr-ice40 --up5k --package sg48 --pcf constraints/icebreaker.pcf --freq 12 \
  --json "$out/ey_icebreaker.json" --asc "$out/ey_icebreaker.asc" -l "$out/nextpnr.log" -q
fmax=$(grep -E "Max frequency for clock" "$out/nextpnr.log" | tail -1 | sed -E 's/.*: ([0-9.]+) MHz.*/\1/')
icepack "$out/ey_icebreaker.asc" "$out/ey_icebreaker.bin"
t2=$(date +%s)
grep -A12 "Device utilisation" "$out/nextpnr.log" | sed 's/^Info: /  /' || true
echo "fpga: Fmax ${fmax} MHz (nextpnr-ice40; the board clock is 12 MHz); place and route" \
     "$((t2 - t1)) s"
echo "fpga: bitstream $out/ey_icebreaker.bin; program it with: iceprog $out/ey_icebreaker.bin"
