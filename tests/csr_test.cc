// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// AXI4-Lite CSR block: map, access rules, error responses, pulses and interrupts.
#include <gtest/gtest.h>

#include <iterator>

#include "csr_bench.h"
#include "eyelet/csr_map.h"
#include "eyelet/device.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"

namespace eyelet {
namespace {

uint32_t ReadOk(CsrBench& b, uint32_t addr) {
  uint32_t v = 0;
  EXPECT_EQ(b.Read(addr, &v), AxiResp::kOkay) << "read 0x" << std::hex << addr;
  return v;
}

TEST(Csr, IdentityAndHardwareConfigMatchTheBuild) {
  CsrBench b;
  const ArrayConfig& hw = ConfigByName("small");  // the parameters csr_bench is built with
  EXPECT_EQ(ReadOk(b, kCsrId), 0x45594c54u);
  EXPECT_EQ(ReadOk(b, kCsrVersion), kCsrVersionValue);
  EXPECT_EQ(ReadOk(b, kCsrHwAddr), 32u);
  EXPECT_EQ(ReadOk(b, kCsrHwArray), static_cast<uint32_t>(hw.rows << 16 | hw.cols));
  EXPECT_EQ(ReadOk(b, kCsrHwSpad), static_cast<uint32_t>(hw.ifmap_depth << 24 |
                                                         hw.psum_depth << 16 |
                                                         hw.filter_depth));
  EXPECT_EQ(ReadOk(b, kCsrHwWidths),
            static_cast<uint32_t>(hw.filter_gin_words << 24 | hw.data_bits << 16 |
                                  hw.acc_bits << 8 | 8));
  EXPECT_EQ(ReadOk(b, kCsrHwGlbIfmap), static_cast<uint32_t>(hw.glb_ifmap_words));
  EXPECT_EQ(ReadOk(b, kCsrHwGlbFilter), static_cast<uint32_t>(hw.glb_filter_words));
  EXPECT_EQ(ReadOk(b, kCsrHwGlbPsum), static_cast<uint32_t>(hw.glb_psum_words));
}

TEST(Csr, EveryMappedRegisterAnswersOkayAndNothingElseDoes) {
  CsrBench b;
  uint32_t v;
  for (const CsrInfo& c : kCsrs) EXPECT_EQ(b.Read(c.offset, &v), AxiResp::kOkay) << c.name;
  for (uint32_t a = 0; a < 0x1000; a += 4) {
    bool mapped = false;
    for (const CsrInfo& c : kCsrs) mapped |= c.offset == a;
    if (!mapped) {
      EXPECT_EQ(b.Read(a, &v), AxiResp::kSlvErr) << "0x" << std::hex << a;
      EXPECT_EQ(v, 0u);
    }
  }
  EXPECT_EQ(b.Read(kCsrId + 1, &v), AxiResp::kSlvErr);  // unaligned
  EXPECT_EQ(b.Write(0xffc, 1), AxiResp::kSlvErr);
  EXPECT_EQ(b.Write(kCsrDescBaseLo + 2, 1), AxiResp::kSlvErr);
}

TEST(Csr, ReadOnlyRegistersRejectWritesAndKeepTheirValue) {
  CsrBench b;
  for (const CsrInfo& c : kCsrs) {
    if (std::string(c.access) != "ro") continue;
    const uint32_t before = ReadOk(b, c.offset);
    EXPECT_EQ(b.Write(c.offset, ~before), AxiResp::kSlvErr) << c.name;
    EXPECT_EQ(ReadOk(b, c.offset), before) << c.name;
  }
  EXPECT_EQ(b.TakeStarts(), 0);
}

TEST(Csr, DescriptorBaseIsReadWriteWithByteStrobes) {
  CsrBench b;
  EXPECT_EQ(b.Write(kCsrDescBaseLo, 0x89abcdef), AxiResp::kOkay);
  EXPECT_EQ(b.Write(kCsrDescBaseHi, 0x01234567), AxiResp::kOkay);
  EXPECT_EQ(b.DescBase(), 0x0123456789abcdefull);
  EXPECT_EQ(b.Write(kCsrDescBaseLo, 0x00005500, 0x2), AxiResp::kOkay);  // byte 1 only
  EXPECT_EQ(ReadOk(b, kCsrDescBaseLo), 0x89ab55efu);
  EXPECT_EQ(ReadOk(b, kCsrDescBaseHi), 0x01234567u);
}

TEST(Csr, StartAndSoftResetArePulses) {
  CsrBench b;
  EXPECT_EQ(b.Write(kCsrCtrl, 0x1), AxiResp::kOkay);
  b.Idle(3);
  EXPECT_EQ(b.TakeStarts(), 1);
  EXPECT_EQ(ReadOk(b, kCsrCtrl) & 0x3, 0u);  // start and reset read as 0
  EXPECT_EQ(b.Write(kCsrCtrl, 0x2), AxiResp::kOkay);
  b.Idle(3);
  EXPECT_EQ(b.TakeSoftResets(), 1);
  EXPECT_EQ(b.TakeStarts(), 0);
}

TEST(Csr, StatusAndInterruptFollowTheController) {
  CsrBench b;
  EXPECT_EQ(b.Write(kCsrCtrl, 0x4), AxiResp::kOkay);  // interrupt enable
  b.SetBusy(true);
  EXPECT_EQ(ReadOk(b, kCsrStatus), 0x1u);
  EXPECT_FALSE(b.Irq());
  b.SetBusy(false);
  b.PulseDone();
  EXPECT_EQ(ReadOk(b, kCsrStatus), 0x2u);
  EXPECT_TRUE(b.Irq());
  EXPECT_EQ(ReadOk(b, kCsrIrq), 0x1u);
  EXPECT_EQ(b.Write(kCsrIrq, 0x1), AxiResp::kOkay);  // write 1 to clear
  EXPECT_FALSE(b.Irq());
  EXPECT_EQ(ReadOk(b, kCsrIrq), 0x0u);

  b.PulseError(0x07, 0x0123);
  EXPECT_EQ(ReadOk(b, kCsrStatus), 0x01230702u);  // error code 7, descriptor 0x123, done
  EXPECT_EQ(ReadOk(b, kCsrIrq), 0x2u);
  EXPECT_TRUE(b.Irq());
  EXPECT_EQ(b.Write(kCsrCtrl, 0x0), AxiResp::kOkay);  // interrupt disable masks the line
  EXPECT_FALSE(b.Irq());
  EXPECT_EQ(b.Write(kCsrCtrl, 0x5), AxiResp::kOkay);  // a new start clears done and error
  b.Idle(3);
  EXPECT_EQ(ReadOk(b, kCsrStatus), 0x0u);
  EXPECT_EQ(b.TakeStarts(), 1);
}

TEST(Csr, DoneAsALevelRaisesOneEventAndStartWhileBusyIsIgnored) {
  CsrBench b;
  b.SetBusy(true);
  EXPECT_EQ(b.Write(kCsrCtrl, 0x1), AxiResp::kOkay);
  b.Idle(3);
  EXPECT_EQ(b.TakeStarts(), 0);
  b.SetBusy(false);
  b.SetDone(true);  // the controller holds done high
  b.Idle(3);
  EXPECT_EQ(ReadOk(b, kCsrIrq), 0x1u);
  EXPECT_EQ(b.Write(kCsrIrq, 0x1), AxiResp::kOkay);
  b.Idle(3);
  EXPECT_EQ(ReadOk(b, kCsrIrq), 0x0u);  // cleared and not raised again by the level
  b.SetDone(false);
}

TEST(Csr, CountersReadThrough) {
  // Every CNT_* register, in map order (counters_i's order), reads its own input.
  CsrBench b;
  const int n = static_cast<int>(std::size(kCounterRegs));
  ASSERT_EQ(n, 19);
  for (int i = 0; i < n; ++i) b.SetCounter(i, 0x1000 * (i + 1) + 7);
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(ReadOk(b, kCounterRegs[i].offset), 0x1000u * (i + 1) + 7) << kCounterRegs[i].name;
  }
}

TEST(Csr, ChannelOrderAndBackPressureDoNotMatter) {
  // Random delays on AW, W, B and R: data before address, late ready, and so on.
  CsrBench b;
  Rng rng(5);
  for (int i = 0; i < 200; ++i) {
    const auto v = static_cast<uint32_t>(rng.Next());
    AxiDelays d{rng.UniformInt(0, 4), rng.UniformInt(0, 4), rng.UniformInt(0, 4),
                rng.UniformInt(0, 4)};
    const uint32_t reg = (i % 2) ? kCsrDescBaseLo : kCsrDescBaseHi;
    ASSERT_EQ(b.Write(reg, v, 0xf, d), AxiResp::kOkay) << i;
    uint32_t got = 0;
    ASSERT_EQ(b.Read(reg, &got, d), AxiResp::kOkay) << i;
    ASSERT_EQ(got, v) << i;
  }
}

}  // namespace
}  // namespace eyelet
