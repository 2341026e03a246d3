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
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
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

// The clock cycles in which signal `fault_hit` of each scope is 1 in the FST at `fst`, read
// with GTKWave's fst2vcd (the trace holds two time steps per clock cycle).
std::map<std::string, std::vector<uint64_t>> FaultHits(const std::string& fst) {
  const std::string cmd = "fst2vcd -f '" + fst + "' 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << cmd;
  std::map<std::string, std::vector<uint64_t>> hits;
  if (pipe == nullptr) return hits;
  std::map<std::string, std::string> ids;  // VCD identifier -> scope
  std::vector<std::string> scope;
  bool body = false;
  uint64_t time = 0;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) {
    std::istringstream line(buf);
    std::string first;
    line >> first;
    if (!body) {
      std::string kind, width, id, name;
      if (first == "$scope") {
        line >> kind >> name;
        scope.push_back(name);
      } else if (first == "$upscope" && !scope.empty()) {
        scope.pop_back();
      } else if (first == "$var") {
        line >> kind >> width >> id >> name;
        std::string path;
        for (const std::string& s : scope) path += (path.empty() ? "" : ".") + s;
        if (name == "fault_hit") ids[id] = path;
      } else if (first == "$enddefinitions") {
        body = true;
      }
      continue;
    }
    if (first.empty()) continue;
    if (first[0] == '#') {
      time = std::stoull(first.substr(1));
    } else if (first[0] == '1' && ids.count(first.substr(1))) {
      hits[ids[first.substr(1)]].push_back(time / 2);
    }
  }
  EXPECT_EQ(pclose(pipe), 0) << cmd << ": is GTKWave (fst2vcd) installed? scripts/install-deps.sh";
  return hits;
}

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
  EXPECT_TRUE(Contains(r.out, "scope walker,pe[*][3]")) << r.out;
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.fst")));
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.gtkw")));
  const Json j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["located"]["pe_row"], 1);
  EXPECT_EQ(j["located"]["pe_col"], 3);
  // A PE the mapping leaves idle changes nothing (e = 2 x 3 set columns: column 6 is idle).
  EXPECT_EQ(EyeletLine(layer + "5,6,20").code, kExitOk);
  EXPECT_EQ(EyeletLine(layer + "9,0,1").code, kExitUsage);  // outside the 6 x 7 array
}

// From one sweep line to the PE: a failing layer is located (at the top of the psum chain the
// faulty PE is in), and its rerun alone (--index) traces that pass by default.
TEST(CliSweepRtl, InjectedFaultIsLocatedAndTheRerunTracesItsPass) {
  TempDir dir;
  const std::string sweep = "sweep --backend rtl --config small --seed 2 --fault 1,3,20";
  const CliResult all = EyeletLine(sweep + " --count 3");
  ASSERT_EQ(all.code, kExitMismatch) << all.out << all.err;
  EXPECT_TRUE(Contains(all.out, "located   first wrong output")) << all.out;
  EXPECT_TRUE(Contains(all.out, "blame     PE (2, 3): all 4 wrong outputs")) << all.out;
  EXPECT_TRUE(
      Contains(all.out, "--index 0 --types conv --mem-latency 8 --mem-stall 0 --fault 1,3,20"))
      << all.out;
  const CliResult one = EyeletLine(sweep + " --index 0 --trace-on-fail " + dir.path().string());
  ASSERT_EQ(one.code, kExitMismatch) << one.out << one.err;
  // The stuck PE (1, 3) is inside a chain of rows 0..2: the psums leave at its top, (2, 3).
  EXPECT_TRUE(Contains(one.out, "PE (2, 3) top of chain rows 0..2")) << one.out;
  EXPECT_TRUE(Contains(one.out, "scope walker,pe[*][3]")) << one.out;
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

// Faults elsewhere than a PE are blamed on their unit, and the automatic trace holds the cycle
// the fault struck (its fault_hit signal, built into the -DEY_FAULT model only):
//   * a wrong DMA byte: the ifmap element at that DRAM address, exactly, as loaded (every
//     output that reads it is wrong), traced with the DMA over the time its load can happen;
//   * a corrupted ifmap GIN word: one element as delivered in one pass, traced in that pass;
//   * a stuck PE bit: that PE's chain top, traced in the pass of the first wrong output.
TEST(CliLayerRtl, FaultsAreBlamedOnTheirUnitAndTheTraceHoldsTheFaultyCycle) {
  TempDir dir;
  const std::string layer =
      "layer --backend rtl --config small --in-channels 4 --out-channels 16 --height 8 "
      "--width 8 --kernel 3 --pad 1 --seed 3 --json " +
      dir.File("r.json") + " --trace-on-fail " + dir.path().string();
  const CliResult clean = EyeletLine(layer);
  ASSERT_EQ(clean.code, kExitOk) << clean.out << clean.err;
  const uint64_t x_addr =
      std::stoull(ReadJson(dir.File("r.json"))["x_addr"].get<std::string>(), nullptr, 16);
  // Element (0, 2, 3, 4) of the 1 x 4 x 8 x 8 NCHW int16 input; bit 2 of its low byte.
  const uint64_t at = x_addr + 2 * (((0 * 4 + 2) * 8 + 3) * 8 + 4);
  const CliResult dma = EyeletLine(layer + " --fault dma:" + Hex64(at) + ",2");
  ASSERT_EQ(dma.code, kExitMismatch) << dma.out << dma.err;
  Json j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["blame"]["unit"], "ifmap_load") << dma.out;
  EXPECT_EQ(j["blame"]["ifmap"], Json::array({0, 2, 3, 4})) << dma.out;
  EXPECT_EQ(std::abs(j["blame"]["delta"].get<int64_t>()), 4) << dma.out;
  EXPECT_EQ(j["blame"]["wrong"], j["mismatches"]);
  EXPECT_EQ(j["blame"]["wrong"], j["blame"]["dependents"]);
  EXPECT_TRUE(Contains(Field(dma.out, "blame"), "DRAM bytes " + Hex64(at))) << dma.out;
  auto hits = FaultHits(dir.File("layer_fail.fst"));
  EXPECT_EQ(hits["TOP.ey_top.u_dma_rd"].size(), 1u) << dma.out;

  const CliResult gin = EyeletLine(layer + " --fault gin:1000,3");
  ASSERT_EQ(gin.code, kExitMismatch) << gin.out << gin.err;
  j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["blame"]["unit"], "ifmap_pass") << gin.out;
  const int64_t use = j["blame"]["use_pass"].get<int64_t>();
  EXPECT_TRUE(Contains(gin.out, "(pass " + std::to_string(use) + " of " +
                                    std::to_string(j["passes"].get<int64_t>()) + " of the layer)"))
      << gin.out;
  hits = FaultHits(dir.File("layer_fail.fst"));
  size_t gin_hits = 0;
  for (const auto& [scope, cycles] : hits) {
    if (Contains(scope, "u_ifmap_gen")) gin_hits += cycles.size();
  }
  EXPECT_EQ(gin_hits, 1u) << gin.out;

  const CliResult pe = EyeletLine(layer + " --fault 1,2,20");
  ASSERT_EQ(pe.code, kExitMismatch) << pe.out << pe.err;
  j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["blame"]["unit"], "pe") << pe.out;
  EXPECT_EQ(j["blame"]["pe"], Json::array({2, 2})) << pe.out;  // the top of its chain, rows 0..2
  hits = FaultHits(dir.File("layer_fail.fst"));
  EXPECT_FALSE(hits["TOP.ey_top.u_core.u_array.g_row[1].g_col[2].u_pe"].empty()) << pe.out;

  EXPECT_EQ(EyeletLine(layer + " --fault dma:12,8").code, kExitUsage);  // bits 0..7 of a byte
  EXPECT_EQ(EyeletLine(layer + " --fault gin:5").code, kExitUsage);
  EXPECT_EQ(EyeletLine(layer + " --fault alu:1,2").code, kExitUsage);
}

// A stuck PE bit under a network run: the first wrong layer is the first the PE works on; its
// outputs are pooled, so the blame intersects the PEs of every wrong output's pooling window
// and finds the PE itself; --trace-on-fail reruns up to that batch and traces its column, where
// the fault strikes.
TEST(CliRunRtl, AFaultUnderANetworkIsBlamedOnItsPeAndTraced) {
  TempDir dir;
  const std::string model = std::string(EY_MODELS_DIR) + "/fashion_cnn.onnx";
  const std::string images = std::string(EY_TEST_DATA_DIR) + "/fashion_first8_images.npy";
  const CliResult r = EyeletLine("run " + model + " --input " + images +
                                 " --count 2 --batch 2 --backend rtl --config small --check "
                                 "--fault 2,3,12 --json " +
                                 dir.File("r.json") + " --trace-on-fail " + dir.path().string());
  ASSERT_EQ(r.code, kExitMismatch) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "first wrong layer"), "0 '/conv1/Conv+/Relu+/MaxPool'"))
      << r.out;
  const Json j = ReadJson(dir.File("r.json"));
  const Json& l0 = j["layers"][0];
  EXPECT_EQ(l0["blame"]["unit"], "pe") << r.out;
  EXPECT_EQ(l0["blame"]["pe"], Json::array({2, 3})) << r.out;
  EXPECT_GT(l0["blame"]["wrong"].get<int64_t>(), 1);
  EXPECT_FALSE(j["layers"][1].contains("blame"));  // only the first wrong layer is explained
  EXPECT_TRUE(Contains(r.out, "scope walker,pe[*][3]")) << r.out;
  const auto hits = FaultHits(dir.File("run_fail.fst"));
  ASSERT_TRUE(hits.count("TOP.ey_top.u_core.u_array.g_row[2].g_col[3].u_pe")) << r.out;
  EXPECT_FALSE(hits.at("TOP.ey_top.u_core.u_array.g_row[2].g_col[3].u_pe").empty());
  EXPECT_TRUE(fs::exists(dir.File("run_fail.gtkw")));
  // --trace-on-fail needs --check and rtl.
  EXPECT_EQ(EyeletLine("run " + model + " --input " + images +
                       " --backend rtl --config small "
                       "--trace-on-fail " +
                       dir.path().string())
                .code,
            kExitUsage);
}

}  // namespace
}  // namespace eyelet
