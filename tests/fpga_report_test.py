#!/usr/bin/env python3
"""scripts/fpga_report.py on a hand-written Yosys stat file (tests/data/fpga/ice40_fixture.stat):
cells are counted over the instance tree (a module instanced twice counts twice), FIFOs go
with their owner, carries are not LUTs on iCE40, and the area check fails on growth past the
margin and passes within it. ctest FpgaReport.UnitsAndAreaCheck."""

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "fpga_report", os.path.join(HERE, "..", "scripts", "fpga_report.py"))
fpga_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fpga_report)


class FpgaReportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        # The family comes from the file name, <family>_<config>.stat.
        self.stat = os.path.join(self.dir, "ice40_fixture.stat")
        shutil.copy(os.path.join(HERE, "data", "fpga", "ice40_fixture.stat"), self.stat)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_units_over_the_instance_tree(self):
        rep = fpga_report.report(self.stat)
        u = rep["units"]
        self.assertEqual(rep["pes"], 2)
        self.assertEqual(u["PEs (all)"], {"lut": 20, "ff": 8, "bram": 0, "spram": 0, "dsp": 2})
        self.assertEqual(u["walker: descriptor checks"]["lut"], 100)  # carries not counted
        self.assertEqual(u["walker: descriptor checks"]["dsp"], 5)
        self.assertEqual(u["walker: glue, output FIFO"]["lut"], 10)  # the FIFO's 3 with it
        self.assertEqual(u["walker: glue, output FIFO"]["bram"], 1)
        self.assertEqual(u["top glue"]["lut"], 1)
        self.assertEqual(rep["total"]["lut"], 131)  # as Yosys's own design total
        self.assertEqual(rep["controller"]["lut"], 111)  # all but PEs, networks, GLB

    def write_baseline(self, scale_lut):
        rep = fpga_report.report(self.stat)
        base = {"ice40_fixture": {"units": {
            unit: {r: (v * scale_lut if r == "lut" else v) for r, v in res.items()}
            for unit, res in rep["units"].items()}}}
        path = os.path.join(self.dir, "baseline.json")
        with open(path, "w") as f:
            json.dump(base, f)
        return path, rep

    def test_area_check_passes_within_the_margin(self):
        path, rep = self.write_baseline(1)
        self.assertEqual(fpga_report.check([rep], path, 5.0), [])

    def test_area_check_fails_on_growth_past_the_margin(self):
        # A baseline with a tenth of the LUTs: only the unit that grew past 32 cells of slack
        # plus 5 % (the descriptor checker, 100 against 10) fails.
        path, rep = self.write_baseline(0.1)
        failures = fpga_report.check([rep], path, 5.0)
        self.assertEqual(len(failures), 1, failures)
        self.assertIn("walker: descriptor checks: lut 100", failures[0])

    def test_a_dsp_more_fails(self):
        path, rep = self.write_baseline(1)
        rep["units"]["PEs (all)"]["dsp"] += 1
        failures = fpga_report.check([rep], path, 5.0)
        self.assertEqual(len(failures), 1, failures)
        self.assertIn("PEs (all): dsp 3", failures[0])


if __name__ == "__main__":
    unittest.main()
