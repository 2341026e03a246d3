// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The GTKWave save file a traced RtlDevice writes beside its FST (tb/gtkw.h).
#include "gtkw.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/golden.h"
#include "eyelet/runtime.h"
#include "rtl_device.h"
#include "test_util.h"

namespace eyelet {
namespace {

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

TEST(Gtkw, TracedDeviceWritesGroupedSignalsThatAreInTheTrace) {
  test::TempDir dir;
  const std::string fst = dir.File("layer.fst");
  Rng rng(3);
  const ConvLayer l = test::Conv(1, 2, 6, 6, 3, 3, 3, 1, 1);
  const Tensor<int16_t> x = test::RandomTensor(l.x, rng, -20, 20);
  const Tensor<int16_t> w = test::RandomTensor(l.w, rng, -5, 5);
  {
    RtlDeviceOptions o;
    o.trace_path = fst;
    o.trace_first = 100;
    o.trace_last = 400;
    o.trace_scopes = ParseTraceScope("walker,pe[1][2]", 3, 4);
    const std::unique_ptr<RtlDevice> dev = RtlDevice::Create("tiny", o);
    const LayerResult r = RunConv(*dev, l, x, w);
    EXPECT_EQ(r.y.data(), ConvAcc(x, w, l.conv).data());
  }
  const std::string gtkw = dir.File("layer.gtkw");
  ASSERT_EQ(GtkwPathFor(fst), gtkw);
  ASSERT_TRUE(std::filesystem::exists(gtkw));
  const std::vector<std::string> lines = Lines(gtkw);
  const std::vector<std::string> signals = TraceSignals(fst);
  int listed = 0;
  for (const std::string& line : lines) {
    if (line.rfind("TOP.", 0) != 0) continue;
    ++listed;
    EXPECT_NE(std::find(signals.begin(), signals.end(), line), signals.end()) << line;
  }
  EXPECT_GT(listed, 20);
  auto has = [&](const std::string& s) {
    return std::find(lines.begin(), lines.end(), s) != lines.end();
  };
  EXPECT_TRUE(has("-Walker"));
  EXPECT_TRUE(has("-PE (1, 2)"));
  EXPECT_FALSE(has("-NoC (GIN, GON, local network)"));  // the array was not traced
  EXPECT_TRUE(has("[timestart] 200"));                  // two trace times per clock cycle
  // Only the scopes asked for (and the top's ports) are in the trace.
  for (const std::string& s : signals) {
    const bool ok = s.rfind("TOP.ey_top.u_walker.", 0) == 0 ||
                    s.rfind("TOP.ey_top.u_core.u_array.g_row[1].g_col[2].u_pe.", 0) == 0 ||
                    s.find('.', 4) == std::string::npos;
    EXPECT_TRUE(ok) << s;
  }
}

}  // namespace
}  // namespace eyelet
