// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The Device common code (eyelet/device.h): hardware-info checks and the DRAM allocator, on the
// golden backend.
#include "eyelet/backend.h"
#include "eyelet/csr_map.h"
#include "eyelet/device.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/golden_device.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::kMemBase;
using test::kMemSize;

class WrongIdDevice : public GoldenDevice {
 public:
  WrongIdDevice() : GoldenDevice(ConfigByName("tiny"), kMemBase, kMemSize) {}
  uint32_t ReadCsr(uint32_t offset) override {
    return offset == kCsrId ? 0xdeadbeef : GoldenDevice::ReadCsr(offset);
  }
};

TEST(Device, WrongIdIsNamed) {
  WrongIdDevice dev;
  try {
    dev.ReadHwInfo();
    FAIL() << "accepted a wrong ID";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0xdeadbeef"), std::string::npos) << e.what();
  }
}

TEST(Device, AllocAlignsAndFills) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase + 8, 1024);
  EXPECT_EQ(dev.Alloc(10), kMemBase + 64);
  EXPECT_EQ(dev.Alloc(1, 8), kMemBase + 64 + 16);
  EXPECT_EQ(dev.Alloc(100, 256), kMemBase + 256);
  EXPECT_EQ(dev.Alloc(1032 - 360, 8), kMemBase + 360);  // to the end of the window
  EXPECT_THROW(dev.Alloc(1, 1), Error);
  EXPECT_THROW(dev.Alloc(8, 3), Error);
  dev.FreeAll();
  EXPECT_EQ(dev.Alloc(1024, 8), kMemBase + 8);
  dev.FreeAll();
  EXPECT_THROW(dev.Alloc(1025, 8), Error);
}

// Trace scopes: names, one PE, a column or a row of PEs, levels; errors name what they take.
TEST(TraceScope, NamesPesColumnsAndRows) {
  using Scopes = std::vector<std::pair<int, std::string>>;
  const std::string pe = "TOP.ey_top.u_core.u_array.g_row[";
  EXPECT_EQ(ParseTraceScope("walker:2,pe[1][2]", 3, 4),
            (Scopes{{2, "TOP.ey_top.u_walker"}, {999, pe + "1].g_col[2].u_pe"}, {1, "TOP"}}));
  EXPECT_EQ(ParseTraceScope("pe[*][3]", 3, 4),
            (Scopes{{999, pe + "0].g_col[3].u_pe"}, {999, pe + "1].g_col[3].u_pe"},
                    {999, pe + "2].g_col[3].u_pe"}, {1, "TOP"}}));
  EXPECT_EQ(ParseTraceScope("pe[2][*]:1", 3, 2),
            (Scopes{{1, pe + "2].g_col[0].u_pe"}, {1, pe + "2].g_col[1].u_pe"}, {1, "TOP"}}));
  EXPECT_THROW(ParseTraceScope("pe[*][4]", 3, 4), UsageError);
  EXPECT_THROW(ParseTraceScope("pe[3][*]", 3, 4), UsageError);
  EXPECT_THROW(ParseTraceScope("pe[*][1]"), UsageError);  // the array's size is not known
  EXPECT_THROW(ParseTraceScope("alu"), UsageError);
}

}  // namespace
}  // namespace eyelet
