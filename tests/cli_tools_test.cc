// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet pe`, `eyelet info`, `eyelet map` and the device registry, in-process.
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

TEST(CliPe, RandomJobsPass) {
  const CliResult r = Eyelet({"pe", "--count", "3", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "3 passed, 0 failed")) << r.out;
  EXPECT_FALSE(Contains(r.out, "FAIL")) << r.out;
  EXPECT_TRUE(Contains(r.out, "MAC utilization")) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliPe, OneJobRerunsAloneAndTraces) {
  TempDir dir;
  const std::string trace = dir.File("job.fst");
  const CliResult r = Eyelet({"pe", "--seed", "5", "--job", "4", "--stall", "0", "--trace", trace});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "1 passed, 0 failed")) << r.out;
  ASSERT_TRUE(fs::exists(trace));
  EXPECT_GT(fs::file_size(trace), 0u);
}

// A window of the PE's clock: a smaller file than the whole run's, and the window, size and
// slowdown against an untraced run printed.
TEST(CliPe, TraceWindowIsSmallerAndReported) {
  TempDir dir;
  const CliResult all = Eyelet({"pe", "--count", "10", "--trace", dir.File("all.fst")});
  ASSERT_EQ(all.code, kExitOk) << all.out << all.err;
  const CliResult win = Eyelet({"pe", "--count", "10", "--trace", dir.File("win.fst"),
                                "--trace-from", "500", "--trace-to", "700"});
  ASSERT_EQ(win.code, kExitOk) << win.out << win.err;
  EXPECT_TRUE(Contains(Field(all.out, "trace"), "the whole run, scope all, " +
                                                    std::to_string(fs::file_size(
                                                        dir.File("all.fst"))) +
                                                    " bytes"))
      << all.out;
  EXPECT_TRUE(Contains(Field(win.out, "trace"), "clock cycles 500..700")) << win.out;
  EXPECT_TRUE(Contains(Field(win.out, "trace"), "untraced")) << win.out;
  EXPECT_LT(fs::file_size(dir.File("win.fst")) * 4, fs::file_size(dir.File("all.fst")));
  // The same jobs either way.
  EXPECT_EQ(Field(all.out, "cycles"), Field(win.out, "cycles"));
  EXPECT_EQ(Eyelet({"pe", "--trace-from", "5"}).code, kExitUsage);
}

TEST(CliPe, ManyJobsWithHeavyStallsPass) {
  const CliResult r = Eyelet({"pe", "--count", "40", "--seed", "9", "--stall", "0.9"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "40 passed, 0 failed")) << r.out;
}

// The lines of `out` that report a layer ("  K  x ..."), without the leading spaces.

TEST(CliInfo, ReportsTheBuildFromItsCsrs) {
  for (const char* backend : {"rtl", "golden"}) {
    SCOPED_TRACE(backend);
    const CliResult r = Eyelet({"info", "--config", "small", "--backend", backend});
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_EQ(Field(r.out, "device"), std::string(backend) + ":small");
    EXPECT_EQ(Field(r.out, "id"), "0x45594c54, CSR map 2.1");
    EXPECT_EQ(Field(r.out, "array"), "6 x 7 PEs");
    EXPECT_EQ(Field(r.out, "spads"), "ifmap 12, filter 224, psum 24 words per PE");
    EXPECT_EQ(Field(r.out, "gin"),
              "filter 4 words a beat (channels of a 1 x 1 filter), ifmap 1 word a beat");
    EXPECT_EQ(Field(r.out, "widths"),
              "data 16 bits, psums 32 bits, AXI 64 bits, addresses 32 bits");
    EXPECT_EQ(Field(r.out, "glb"), "ifmap 8192, filter 4096 words, psum 4096 words x 7 banks");
    EXPECT_EQ(Field(r.out, "post"), "output-path table 512 entries (256 filters per chunk)");
    EXPECT_EQ(Field(r.out, "pool"),
              "line buffer 4096 words (max pooling, windows and strides up to 3)");
  }
  TempDir dir;
  const CliResult json =
      Eyelet({"info", "--config", "tiny", "--backend", "golden", "--json", dir.File("i.json")});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  const Json j = ReadJson(dir.File("i.json"));
  EXPECT_EQ(j.value("device", ""), "golden:tiny") << j;
  EXPECT_EQ(j.value("id", 0u), 0x45594c54u) << j;
  EXPECT_EQ(j.value("rows", 0), 3) << j;
  EXPECT_EQ(j.value("cols", 0), 4) << j;
  EXPECT_EQ(j.value("pool_words", 0), 4096) << j;
  const CliResult eyeriss = Eyelet({"info", "--config", "eyeriss"});
  ASSERT_EQ(eyeriss.code, kExitOk) << eyeriss.err;
  EXPECT_EQ(Field(eyeriss.out, "array"), "12 x 14 PEs");
  EXPECT_EQ(Eyelet({"info", "--config", "nope"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"info", "--backend", "board"}).code, kExitUsage);
}

// --- eyelet map: the cost model only, nothing simulated.

TEST(CliMap, AlexNetOnEyeriss) {
  const CliResult r = EyeletLine("map --net alexnet --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  for (const char* s :
       {"CONV1 ", "CONV2 ", "CONV3 ", "CONV4 ", "CONV5 ", " 154 ", " 135 ", " 156 "}) {
    EXPECT_TRUE(Contains(r.out, s)) << s << "\n" << r.out;
  }
}

TEST(CliMap, OneLayerWithJson) {
  TempDir dir;
  const std::string json = dir.File("map.json");
  const CliResult r =
      Eyelet({"map", "--layer", "--in-channels", "32", "--out-channels", "64", "--height", "13",
              "--width", "13", "--kernel", "3", "--pad", "1", "--json", json});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, " 13,11,1,2,2 ")) << r.out;  // the mapping in the README's bench
  const Json j = ReadJson(json);
  ASSERT_TRUE(j.contains("layers") && j["layers"].size() == 1u) << j;
  const Json& row = j["layers"][0];
  EXPECT_EQ(row.value("layer", ""), "layer") << row;
  EXPECT_EQ(row["ours"].value("e", 0), 13) << row;
  EXPECT_EQ(row["ours"].value("p", 0), 11) << row;
  EXPECT_EQ(row["shape"].value("c", 0), 32) << row;
  EXPECT_EQ(j["config"].value("name", ""), "eyeriss") << j;
}

TEST(CliMap, FcLayerMaps) {
  const CliResult r = EyeletLine(
      "map --layer --type fc --in-channels 64 --height 6 --width 6 --out-channels 10 --config "
      "small");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "x 1x2304x1x1 w 10x2304x1x1")) << r.out;  // K channels of 1 x 1
}

TEST(CliMap, FlatFcMapsAsOneByOneKernels) {
  // A 1 x 1 x K row is flat: K channels of 1 x 1, as the runtime runs it.
  CliResult r = EyeletLine(
      "map --layer --type fc --in-channels 1 --height 1 --width 500 --out-channels 10 --config "
      "small");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "w 10x500x1x1")) << r.out;
  // K = 8192 does not fit the descriptor's 13-bit channel field; 8191, the largest that does,
  // maps as 8191 channels of 1 x 1.
  r = EyeletLine(
      "map --layer --type fc --in-channels 8192 --out-channels 4096 --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "'cg' = 8192 does not fit its 13 bits")) << r.err;
  r = EyeletLine(
      "map --layer --type fc --in-channels 8191 --out-channels 16 --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "w 16x8191x1x1")) << r.out;
}

TEST(CliMap, UnmappableLayerExitsThreeNamingTheLimit) {
  const CliResult r = EyeletLine(
      "map --layer --in-channels 1 --out-channels 4 --height 100 --width 1000 --kernel 9 "
      "--config tiny");  // a band of one ofmap row: 9 rows x 1000 > the 8192-word ifmap area
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err,
                       "GLB ifmap area: 1 image(s) x 1 channel(s) x 9 row(s) (1 of 92 "
                       "strips) are 9000 words > 8192"))
      << r.err;
}

TEST(CliBackends, GoldenAndRtlAreRegistered) {
  const std::vector<std::string> names = BackendNames();
  // rtlfault (the fault-injection build) is linked too, but offered through --fault only;
  // uart (a board over a serial port) is built in like golden, rtl-uart linked with the tool.
  EXPECT_EQ(names, (std::vector<std::string>{"golden", "rtl", "rtl-uart", "rtlfault", "uart"}));
  EXPECT_EQ(BackendList(), "golden, rtl, rtl-uart or uart");
  EXPECT_EQ(OpenDevice("golden:tiny")->Name(), "golden:tiny");
  EXPECT_EQ(PeRunnerNames(), std::vector<std::string>{"rtl"});
}

TEST(CliBackends, UnknownBackendOrConfigNamesTheKnownOnes) {
  try {
    OpenDevice("fpga:small");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "unknown device 'fpga:small'")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "golden, rtl, rtl-uart or uart")) << e.what();
  }
  try {
    OpenDevice("golden");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "backend:config")) << e.what();
  }
  try {
    OpenDevice("golden:huge");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "tiny, small, eyeriss")) << e.what();
  }
  try {
    OpenPeRunner("golden");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "linked: rtl")) << e.what();
  }
  EXPECT_THROW(RegisterBackend("golden", nullptr), Error);
  EXPECT_THROW(RegisterBackend("bad name", nullptr), Error);
}

}  // namespace
}  // namespace eyelet
