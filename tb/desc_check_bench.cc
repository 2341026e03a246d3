// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "desc_check_bench.h"

#include "Vey_desc_check.h"
#include "desc_check_ports.h"
#include "eyelet/desc_codec.h"
#include "harness.h"

namespace eyelet {

struct DescCheckBench::Impl {
  Harness<Vey_desc_check> h;
};

DescCheckBench::DescCheckBench() : impl_(std::make_unique<Impl>()) {
  auto& dut = impl_->h.dut();
  dut.products_en_i = 0;
  dut.derived_en_i = 0;
  dut.fit_en_i = 0;
  impl_->h.Reset();
}

DescCheckBench::~DescCheckBench() = default;

HwInfo DescCheckBench::Hw() {
  // The -G parameters CMakeLists.txt builds Vey_desc_check with.
  HwInfo hw;
  hw.rows = EY_DC_ROWS;
  hw.cols = EY_DC_COLS;
  hw.ifmap_depth = EY_DC_IFMAP_DEPTH;
  hw.filter_depth = EY_DC_FILTER_DEPTH;
  hw.psum_depth = EY_DC_PSUM_DEPTH;
  hw.glb_ifmap_words = EY_DC_IFMAP_WORDS;
  hw.glb_filter_words = EY_DC_FILTER_WORDS;
  hw.glb_psum_words = EY_DC_PSUM_WORDS;
  hw.pp_words = EY_DC_PP_WORDS;
  hw.pool_words = EY_DC_POOL_WORDS;
  hw.addr_bits = EY_DC_ADDR_W;
  return hw;
}

DescCheckBench::Result DescCheckBench::Check(const Desc& d) {
  return CheckWords(PackDesc(d).data());
}

DescCheckBench::Result DescCheckBench::CheckWords(const uint64_t* words) {
  auto& h = impl_->h;
  auto& dut = h.dut();
  for (int k = 0; k < kDescWords; ++k) {
    dut.desc_i[2 * k] = static_cast<uint32_t>(words[k]);
    dut.desc_i[2 * k + 1] = static_cast<uint32_t>(words[k] >> 32);
  }
  // The walker's three check cycles: products (held until ready_o: one cycle, or a product a
  // cycle in the sequential checker), derived values, then the check cycle, whose error code is
  // read before its edge registers the third cycle's values.
  dut.products_en_i = 1;
  h.Eval();
  for (int i = 0; i < 1000 && !dut.ready_o; ++i) h.Tick();
  if (!dut.ready_o) throw Error("the descriptor checker never raised ready_o");
  h.Tick();
  dut.products_en_i = 0;
  dut.derived_en_i = 1;
  h.Tick();
  dut.derived_en_i = 0;
  dut.fit_en_i = 1;
  h.Eval();
  Result r;
  r.err = dut.err_code_o;
  h.Tick();
  dut.fit_en_i = 0;
  h.Eval();
#define EY_READ_VALUE(port) r.values.push_back(static_cast<uint64_t>(dut.port));
  EY_DESC_CHECK_VALUE_PORTS(EY_READ_VALUE)
#undef EY_READ_VALUE
  return r;
}

}  // namespace eyelet
