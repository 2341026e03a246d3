// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The clock-owning harness (tb/harness.h) on the Verilated PE.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "Vey_pe.h"
#include "Vey_pe___024root.h"
#include "Vey_top_small.h"
#include "eyelet/error.h"
#include "harness.h"

namespace eyelet {
namespace {

// After reset and a clear, the PE derives its spad layout and then reports idle.
void ClearPe(Harness<Vey_pe>& h) {
  Vey_pe& d = h.dut();
  d.cfg_s_i = 3, d.cfg_p_i = 1, d.cfg_q_i = 1, d.cfg_u_i = 1, d.cfg_f_i = 1;
  d.cfg_rows_i = 1, d.cfg_acc_i = 0;
  d.filt_valid_i = d.if_valid_i = d.psum_valid_i = 0;
  d.psum_ready_i = 1;
  d.clr_i = 1;
  h.Tick();
  d.clr_i = 0;
}

TEST(Harness, RunUntilReturnsWhenThePredicateHolds) {
  Harness<Vey_pe> h;
  h.Reset();
  const uint64_t start = h.cycle();
  ClearPe(h);
  h.RunUntil([&] { return h.dut().idle_o != 0; }, 100, "PE idle");
  EXPECT_TRUE(h.dut().idle_o);
  // The configuration phase takes IfmapDepth/q + U + 1 cycles or so, not zero and not 100.
  EXPECT_GT(h.cycle() - start, 3u);
  EXPECT_LT(h.cycle() - start, 30u);
}

TEST(Harness, RunUntilThrowsTimeoutNamingTheWait) {
  Harness<Vey_pe> h;
  h.Reset();
  ClearPe(h);
  try {
    h.RunUntil([&] { return h.dut().psum_valid_o != 0; }, 50, "first psum");
    FAIL() << "expected TimeoutError";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("first psum"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("50 cycles"), std::string::npos) << e.what();
  }
}

TEST(Harness, TraceIsWrittenOnlyWhenAskedFor) {
  const auto path = std::filesystem::temp_directory_path() / "eyelet_harness_test.fst";
  std::filesystem::remove(path);
  {
    Harness<Vey_pe> h;
    h.OpenTrace(path.string());
    h.Reset();
    for (int i = 0; i < 20; ++i) h.Tick();
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 100u);
  std::filesystem::remove(path);

  Harness<Vey_pe> h;
  EXPECT_THROW(h.OpenTrace("/nonexistent-dir/x.fst"), FileError);
}

// Verilator 5.006 builds a scoped trace's bitmap of enabled codes by reading a vector past its
// size, so whatever the heap held there enables codes that have no FST handle, and the first
// dump crashes (tb/fst_enables.h). Here the heap holds freed blocks of all-ones bytes, and the
// scope is one signal near the start of the small accelerator's thousands of codes (ey_top's
// start: the vector covers about 2,000 of them).
TEST(Harness, ScopedTraceSurvivesADirtyHeap) {
  const auto path = std::filesystem::temp_directory_path() / "eyelet_harness_scoped.fst";
  std::filesystem::remove(path);
  {
    Harness<Vey_top_small> h;
    {
      std::vector<std::vector<uint8_t>> junk;
      for (size_t n = 512; n <= 4096; n += 8) junk.emplace_back(n, uint8_t{0xff});
    }  // freed: the allocator hands these bytes out again
    h.OpenTrace(path.string(), {{1, "TOP.ey_top.start"}});
    h.Reset();
    for (int i = 0; i < 20; ++i) h.Tick();
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 100u);
  std::filesystem::remove(path);
}

// The filter spad (no reset) as the model holds it after construction: its four lane banks
// (the PE bench's build has FiltLanes 4), bank by bank.
std::vector<uint16_t> FilterSpad(Harness<Vey_pe>& h) {
  static_assert(EY_PE_FILT_LANES == 4, "FilterSpad reads four lane banks");
  auto* r = h.dut().rootp;
  std::vector<uint16_t> words;
  for (const auto* mem :
       {&r->ey_pe_unit__DOT__u_pe__DOT__g_filter_lanes__DOT__u_filter_spad__DOT__g_bank__BRA__0__KET____DOT__u_bank__DOT__mem_q,
        &r->ey_pe_unit__DOT__u_pe__DOT__g_filter_lanes__DOT__u_filter_spad__DOT__g_bank__BRA__1__KET____DOT__u_bank__DOT__mem_q,
        &r->ey_pe_unit__DOT__u_pe__DOT__g_filter_lanes__DOT__u_filter_spad__DOT__g_bank__BRA__2__KET____DOT__u_bank__DOT__mem_q,
        &r->ey_pe_unit__DOT__u_pe__DOT__g_filter_lanes__DOT__u_filter_spad__DOT__g_bank__BRA__3__KET____DOT__u_bank__DOT__mem_q}) {
    for (const uint16_t w : mem->m_storage) words.push_back(w);
  }
  return words;
}

// The builds use --x-initial unique: by default state without a reset starts at 0; with
// +verilator+rand+reset+2 it is drawn from +verilator+seed+N (what eyelet sweep --x-init uses).
// One model at a time: Verilator 5.006 hangs tearing a model down while another of the same
// build lives.
TEST(Harness, InitialStateIsZeroByDefaultAndRandomFromASeed) {
  {
    Harness<Vey_pe> zero;
    for (uint16_t w : FilterSpad(zero)) ASSERT_EQ(w, 0);
  }
  const std::vector<std::string> a{"+verilator+rand+reset+2", "+verilator+seed+7"};
  const std::vector<std::string> b{"+verilator+rand+reset+2", "+verilator+seed+8"};
  std::vector<uint16_t> ra, ra2, rb;
  {
    Harness<Vey_pe> h(a);
    ra = FilterSpad(h);
  }
  {
    Harness<Vey_pe> h(a);
    ra2 = FilterSpad(h);
  }
  {
    Harness<Vey_pe> h(b);
    rb = FilterSpad(h);
  }
  const auto nonzero = std::count_if(ra.begin(), ra.end(), [](uint16_t w) { return w != 0; });
  EXPECT_GT(nonzero, static_cast<long>(ra.size() / 2));  // 224 random words: few are 0
  EXPECT_EQ(ra, ra2);  // the same seed draws the same state
  EXPECT_NE(ra, rb);
}

}  // namespace
}  // namespace eyelet
