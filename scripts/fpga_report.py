#!/usr/bin/env python3
"""Per-unit FPGA resource table of the accelerator from Yosys `stat` output.

Reads the hierarchical stat files constraints/fpga_synth.sh writes (<family>_<config>.stat),
adds up each module's cells over the instance tree under ey_top, assigns every instance to the
accelerator unit of its nearest ancestor that names one (the PEs, the array's networks, the GLB,
the pass controller, the walker's parts, the DMA engines, the CSRs), and prints per unit and in
total the LUTs, flip-flops, block RAMs and DSPs beside the device's capacity.

  fpga_report.py STAT...                          the tables
  fpga_report.py STAT... --json OUT               also as JSON
  fpga_report.py STAT... --check BASELINE         exit 1 when a unit of a stat file the
                                                  baseline records grew past the margin
  fpga_report.py STAT... --write-baseline BASELINE   record these figures as the baseline
"""

import argparse
import json
import os
import re
import sys

# Devices: capacities from the vendors' data sheets (iCE40 UltraPlus family data sheet,
# Zynq-7000 product table, ECP5 family data sheet). BRAM counts the family's block RAM unit:
# SB_RAM40_4K (4 kbit), RAMB36E1 (36 kbit; a RAMB18E1 is half of one), DP16KD (18 kbit).
DEVICES = {
    "ice40": {"name": "iCE40 UP5K", "lut": 5280, "ff": 5280, "bram": 30, "spram": 4, "dsp": 8},
    "xc7": {"name": "Zynq-7020 (xc7z020)", "lut": 53200, "ff": 106400, "bram": 140, "dsp": 220},
    "ecp5": {"name": "ECP5 LFE5U-85F", "lut": 83640, "ff": 83640, "bram": 208, "dsp": 156},
}

# Cell -> (resource, weight). LUT counts the logic cells a placer needs: on iCE40 an SB_CARRY
# shares its logic cell with a LUT4 (not counted); on 7-series distributed RAM and shift
# registers occupy LUTs of SLICEMs (RAM32M/RAM64M: 4, RAM32X1D/RAM64X1D: 2, SRL: 1); on ECP5 a
# CCU2C carry cell is a slice's two LUT4s and a TRELLIS_DPR16X4 16 x 4 RAM takes four.
CELLS = {
    "ice40": [
        (r"SB_LUT4$", "lut", 1),
        (r"SB_DFF\w*$", "ff", 1),
        (r"SB_RAM40_4K\w*$", "bram", 1),
        (r"SB_SPRAM256KA$", "spram", 1),
        (r"SB_MAC16$", "dsp", 1),
    ],
    "xc7": [
        (r"LUT[1-6]$", "lut", 1),
        (r"RAM(32M|64M|128X1D|256X1S)$", "lut", 4),
        (r"RAM(32X1D|64X1D|128X1S)$", "lut", 2),
        (r"RAM(32X1S|64X1S)$", "lut", 1),
        (r"SRL(16E|C32E)$", "lut", 1),
        (r"(FD[RSCP]E|LD[CP]E)$", "ff", 1),
        (r"RAMB36E1$", "bram", 1),
        (r"RAMB18E1$", "bram", 0.5),
        (r"DSP48E1$", "dsp", 1),
    ],
    "ecp5": [
        (r"LUT4$", "lut", 1),
        (r"CCU2C$", "lut", 2),
        (r"TRELLIS_DPR16X4$", "lut", 4),
        (r"TRELLIS_FF$", "ff", 1),
        (r"(DP16KD|PDPW16KD)$", "bram", 1),
        (r"MULT18X18D$", "dsp", 1),
    ],
}
RESOURCES = ["lut", "ff", "bram", "spram", "dsp"]

# Module -> unit, in table order. An instance belongs to the unit of its nearest ancestor
# (itself included) listed here; FIFOs, RAM wrappers and counters go with their owner.
UNITS = [
    ("ey_pe", "PEs (all)"),
    ("ey_pe_cfg", "PE configuration (shared)"),
    ("ey_pe_array", "PE array networks"),
    ("ey_glb", "GLB"),
    ("ey_pass_ctrl", "pass controller"),
    ("ey_core", "core glue"),
    ("ey_desc_check", "walker: descriptor checks"),
    ("ey_load_seq", "walker: load sequencer"),
    ("ey_run_seq", "walker: run sequencer"),
    ("ey_store_seq", "walker: store sequencer"),
    ("ey_store_consts", "walker: store sequencer"),
    ("ey_walker", "walker: glue, output FIFO"),
    ("ey_ppu", "output path (bias, requant)"),
    ("ey_maxpool", "max pooling"),
    ("ey_perf_cnt", "performance counters"),
    ("ey_dma_rd", "DMA read"),
    ("ey_dma_wr", "DMA write"),
    ("ey_csr", "CSRs"),
    ("ey_top", "top glue"),
]
UNIT_OF = dict(UNITS)
UNIT_ORDER = list(dict.fromkeys(u for _, u in UNITS))
# The datapath the "controller share" leaves out: PEs (with the configuration they
# share), their networks, the GLB.
DATAPATH = {"PEs (all)", "PE configuration (shared)", "PE array networks", "GLB"}


def base_name(module):
    """Module name without Yosys's parameter suffix: $paramod$<hash>\\ey_pe -> ey_pe,
    $paramod\\ey_maxpool\\PoolWords=... -> ey_maxpool."""
    if module.startswith("$paramod$"):
        return module.split("\\", 1)[1]
    if module.startswith("$paramod\\"):
        return module.split("\\")[1]
    return module


def parse_stat(path):
    """{module: {cell type: count}} from the per-module sections of a Yosys stat file."""
    modules = {}
    current = None
    with open(path) as f:
        for line in f:
            m = re.match(r"^=== (.+) ===$", line.strip())
            if m:
                current = None if m.group(1) == "design hierarchy" else m.group(1)
                if current is not None:
                    modules[current] = {}
                continue
            if current is None:
                continue
            m = re.match(r"^\s+(\S+)\s+(\d+)$", line)
            if m and not line.strip().startswith("Number of"):
                modules[current][m.group(1)] = int(m.group(2))
    if "ey_top" not in modules:
        sys.exit(f"fpga_report: {path} has no ey_top section: not a finished fpga_synth.sh run")
    return modules


def own_resources(cells, family):
    res = dict.fromkeys(RESOURCES, 0)
    for cell, count in cells.items():
        for pattern, resource, weight in CELLS[family]:
            if re.match(pattern, cell):
                res[resource] += count * weight
                break
    return res


def units_of(modules, family):
    """{unit: resources} over the instance tree from ey_top, and the number of PEs."""
    totals = {u: dict.fromkeys(RESOURCES, 0) for u in UNIT_ORDER}
    pes = 0

    def walk(module, unit, times):
        nonlocal pes
        unit = UNIT_OF.get(base_name(module), unit)
        if base_name(module) == "ey_pe":
            pes += times
        for resource, value in own_resources(modules[module], family).items():
            totals[unit][resource] += value * times
        for cell, count in modules[module].items():
            if cell in modules:
                walk(cell, unit, times * count)

    walk("ey_top", "top glue", 1)
    return totals, pes


def fmt(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def report(path):
    if not os.path.exists(path):
        sys.exit(f"fpga_report: {path} does not exist: run constraints/fpga_synth.sh first")
    name = os.path.basename(path)[: -len(".stat")]
    family, _, config = name.partition("_")
    if family not in DEVICES:
        sys.exit(f"fpga_report: {path}: name it <family>_<config>.stat, family one of "
                 f"{', '.join(DEVICES)}")
    units, pes = units_of(parse_stat(path), family)
    total = {r: sum(u[r] for u in units.values()) for r in RESOURCES}
    controller = {r: sum(v[r] for u, v in units.items() if u not in DATAPATH) for r in RESOURCES}
    return {"family": family, "config": config, "device": DEVICES[family], "pes": pes,
            "units": units, "total": total, "controller": controller}


def print_table(rep):
    dev = rep["device"]
    cols = [r for r in RESOURCES if r in dev]
    heads = {"lut": "LUTs", "ff": "FFs", "bram": "BRAM", "spram": "SPRAM", "dsp": "DSP"}
    print(f"\n{rep['family']} {rep['config']} ({rep['pes']} PEs) against {dev['name']}")
    line = f"{'unit':32}" + "".join(f"{heads[c]:>9}" for c in cols)
    print(line)
    print("-" * len(line))
    rows = list(rep["units"].items())
    if rep["pes"]:
        one = {r: rep["units"]["PEs (all)"][r] / rep["pes"] for r in RESOURCES}
        rows.insert(1, ("  one PE (average)", {r: round(v, 1) for r, v in one.items()}))
    for unit, res in rows:
        print(f"{unit:32}" + "".join(f"{fmt(res[c]):>9}" for c in cols))
    print("-" * len(line))
    for label, res in (("total", rep["total"]), ("controller (not PEs, nets, GLB)",
                                                 rep["controller"])):
        print(f"{label[:32]:32}" + "".join(f"{fmt(res[c]):>9}" for c in cols))
    print(f"{'device':32}" + "".join(f"{dev[c]:>9}" for c in cols))
    print(f"{'total, % of device':32}" +
          "".join(f"{100.0 * rep['total'][c] / dev[c]:>8.0f}%" for c in cols))
    print(f"{'controller, % of device':32}" +
          "".join(f"{100.0 * rep['controller'][c] / dev[c]:>8.0f}%" for c in cols))


def check(reps, baseline_path, margin):
    """Units that grew past the baseline by more than margin (and a small absolute slack for
    LUTs and flip-flops, where ABC's choices move a few cells between runs)."""
    with open(baseline_path) as f:
        baseline = json.load(f)
    slack = {"lut": 32, "ff": 32, "bram": 0, "spram": 0, "dsp": 0}
    failures, checked = [], 0
    for rep in reps:
        key = f"{rep['family']}_{rep['config']}"
        if key not in baseline:
            continue
        checked += 1
        for unit, base in baseline[key]["units"].items():
            now = rep["units"].get(unit)
            if now is None:
                failures.append(f"{key}: unit '{unit}' of the baseline is gone")
                continue
            for r, b in base.items():
                limit = b * (1 + margin / 100.0) + slack[r]
                if now[r] > limit:
                    failures.append(f"{key}: {unit}: {r} {fmt(now[r])} > baseline {fmt(b)} "
                                    f"+ {margin:g} %")
                elif now[r] < b * (1 - margin / 100.0) - slack[r]:
                    print(f"note: {key}: {unit}: {r} {fmt(now[r])} is well below the baseline "
                          f"{fmt(b)}; record it with `make fpga-baseline`")
    if checked == 0:
        sys.exit(f"fpga_report: {baseline_path} records none of the given configs")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stats", nargs="+", help="<family>_<config>.stat files of fpga_synth.sh")
    ap.add_argument("--json", help="write the tables as JSON")
    ap.add_argument("--check", metavar="BASELINE", help="fail when a unit grew past BASELINE")
    ap.add_argument("--margin", type=float, default=5.0, help="allowed growth, percent")
    ap.add_argument("--write-baseline", metavar="BASELINE", help="record these figures")
    args = ap.parse_args()

    reps = [report(p) for p in args.stats]
    for rep in reps:
        print_table(rep)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(reps, f, indent=1)
        os.replace(tmp, args.json)
    if args.write_baseline:
        out = {}
        if os.path.exists(args.write_baseline):
            with open(args.write_baseline) as f:
                out = json.load(f)
        for rep in reps:
            out[f"{rep['family']}_{rep['config']}"] = {
                "units": {u: {r: v for r, v in res.items() if r in rep["device"]}
                          for u, res in rep["units"].items()}}
        tmp = args.write_baseline + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, args.write_baseline)
        print(f"\nbaseline written: {args.write_baseline}")
    if args.check:
        failures = check(reps, args.check, args.margin)
        if failures:
            print("\nFPGA area regression (a unit grew past constraints/area_baseline.json):")
            for f in failures:
                print("  " + f)
            print("If the growth is intended, record it with `make fpga-baseline` and say why "
                  "in the commit.")
            sys.exit(1)
        print(f"\narea check: every unit within {args.margin:g} % of {args.check}")


if __name__ == "__main__":
    main()
