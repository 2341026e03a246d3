// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Debugging from the CLI, in-process: windowed and scoped traces (--trace-pass,
// --trace-scope), and a fault injected on purpose (--fault) located at its PE and its pass
// traced (--trace-on-fail), from `eyelet layer` and from one `eyelet sweep` line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.h"
#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/npy.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using test::CliResult;
using test::Contains;
using test::Eyelet;
using test::EyeletLine;
using test::Field;
using test::Hex64;
using test::RandomTensor;
using test::ReadJson;
using test::TempDir;

TEST(CliLayerRtl, TraceIsWritten) {
  TempDir dir;
  const std::string trace = dir.File("layer.fst");
  const std::string layer =
      "layer --backend rtl --config tiny --in-channels 1 --out-channels 2 --height 5 --width 5 "
      "--kernel 3";
  const CliResult r = EyeletLine(layer + " --trace " + trace);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  ASSERT_TRUE(fs::exists(trace));
  const auto whole = fs::file_size(trace);
  EXPECT_GT(whole, 0u);
  EXPECT_TRUE(Contains(Field(r.out, "trace"),
                       trace + ": the whole run, scope all, " + std::to_string(whole) + " bytes"))
      << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "trace"), "untraced")) << r.out;
}

// A stuck bit in one PE (the fault-injection build) is located at that PE (it tops its chain
// here) and the pass that made the first wrong output is traced on its own.
TEST(CliLayerRtl, InjectedFaultIsLocatedAndTraced) {
  TempDir dir;
  const std::string layer =
      "layer --backend rtl --config small --in-channels 4 --out-channels 8 --height 8 "
      "--width 8 --kernel 1 --seed 3 --json " +
      dir.File("r.json") + " --trace-on-fail " + dir.path().string() + " --fault ";
  const CliResult r = EyeletLine(layer + "1,3,20");
  ASSERT_EQ(r.code, kExitMismatch) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "located"), "PE (1, 3) top of chain")) << r.out;
  EXPECT_TRUE(Contains(r.out, "scope walker,pe[0][3],pe[1][3]")) << r.out;
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.fst")));
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.gtkw")));
  const Json j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["located"]["pe_row"], 1);
  EXPECT_EQ(j["located"]["pe_col"], 3);
  // A PE the mapping leaves idle changes nothing.
  EXPECT_EQ(EyeletLine(layer + "5,2,20").code, kExitOk);
  EXPECT_EQ(EyeletLine(layer + "9,0,1").code, kExitUsage);  // outside the 6 x 7 array
}

// From one sweep line to the PE: a failing layer is located (at the top of the psum chain the
// faulty PE is in), and its rerun alone (--index) traces that pass by default.
TEST(CliSweepRtl, InjectedFaultIsLocatedAndTheRerunTracesItsPass) {
  TempDir dir;
  const std::string sweep = "sweep --backend rtl --config small --seed 2 --fault 1,3,20";
  const CliResult all = EyeletLine(sweep + " --count 3");
  ASSERT_EQ(all.code, kExitMismatch) << all.out << all.err;
  EXPECT_TRUE(Contains(all.out, "located first wrong output")) << all.out;
  EXPECT_TRUE(Contains(all.out, "--index 0 --fault 1,3,20")) << all.out;
  const CliResult one = EyeletLine(sweep + " --index 0 --trace-on-fail " + dir.path().string());
  ASSERT_EQ(one.code, kExitMismatch) << one.out << one.err;
  // The stuck PE (1, 3) is inside a chain of rows 0..2: the psums leave at its top, (2, 3).
  EXPECT_TRUE(Contains(one.out, "PE (2, 3) top of chain rows 0..2")) << one.out;
  EXPECT_TRUE(Contains(one.out, "scope walker,pe[0][3],pe[1][3]")) << one.out;
  EXPECT_TRUE(fs::exists(dir.File("sweep_layer0_fail.fst")));
  EXPECT_TRUE(fs::exists(dir.File("sweep_layer0_fail.gtkw")));
  EXPECT_EQ(EyeletLine("sweep --backend rtl --config tiny --fault 1,1,1").code, kExitUsage);
}

// The window found for a pass comes from an untraced run; the traced rerun reaches the same
// cycles and dumps only that window (and only the scope given), so the file shrinks.
TEST(CliLayerRtl, TraceOfOnePassAndOneUnitIsSmaller) {
  TempDir dir;
  const std::string layer =
      "layer --backend rtl --config tiny --in-channels 4 --out-channels 8 --height 8 --width 8 "
      "--kernel 3 --pad 1 --seed 3 --trace ";
  const CliResult all = EyeletLine(layer + dir.File("all.fst"));
  ASSERT_EQ(all.code, kExitOk) << all.err;
  const CliResult pass = EyeletLine(layer + dir.File("pass.fst") + " --trace-pass 1");
  ASSERT_EQ(pass.code, kExitOk) << pass.err;
  const CliResult unit =
      EyeletLine(layer + dir.File("unit.fst") + " --trace-pass 1 --trace-scope walker,pe[1][2]");
  ASSERT_EQ(unit.code, kExitOk) << unit.err;
  EXPECT_EQ(Field(pass.out, "cycles"), Field(all.out, "cycles"));  // same run, traced or not
  EXPECT_TRUE(Contains(Field(pass.out, "trace"), "(pass 1 of ")) << pass.out;
  EXPECT_TRUE(Contains(Field(unit.out, "trace"), "scope walker,pe[1][2]")) << unit.out;
  const auto a = fs::file_size(dir.File("all.fst")), p = fs::file_size(dir.File("pass.fst")),
             u = fs::file_size(dir.File("unit.fst"));
  EXPECT_LT(p * 2, a);
  EXPECT_LT(u * 2, p);
  // Errors before anything runs: a window without --trace, a unit the array does not have,
  // windows given twice; after the first run: a pass the layer does not have.
  EXPECT_EQ(EyeletLine("layer --backend rtl --config tiny --trace-pass 1").code, kExitUsage);
  const CliResult pe = EyeletLine(layer + dir.File("x.fst") + " --trace-scope pe[3][0]");
  EXPECT_EQ(pe.code, kExitUsage);
  EXPECT_TRUE(Contains(pe.err, "rows 0..2")) << pe.err;
  EXPECT_EQ(EyeletLine(layer + dir.File("x.fst") + " --trace-scope alu").code, kExitUsage);
  EXPECT_EQ(EyeletLine(layer + dir.File("x.fst") + " --trace-pass 1 --trace-from 5").code,
            kExitUsage);
  const CliResult far = EyeletLine(layer + dir.File("x.fst") + " --trace-pass 100000");
  EXPECT_EQ(far.code, kExitUsage);
  EXPECT_TRUE(Contains(far.err, "passes")) << far.err;
}

}  // namespace
}  // namespace eyelet
