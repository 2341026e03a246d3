// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "fst_enables.h"

#include <cstdint>

namespace eyelet {
namespace {

// The members the fix needs are private or protected in Verilator's classes, and VerilatedFst
// is final. An explicit instantiation may name them ([temp.spec]/6), and a friend defined in it
// hands the member pointer out.
template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type Get(Tag) { return Member; }
};

using FstTrace = VerilatedTrace<VerilatedFst, VerilatedFstBuffer>;

struct Symbols {  // VerilatedFst::m_symbolp: the FST handle of every code, 0 when undeclared
  using type = fstHandle* VerilatedFst::*;
  friend type Get(Symbols);
};
struct Enabled {  // VerilatedTrace::m_sigs_enabledp: one bit per code, nullptr when all on
  using type = EData* FstTrace::*;
  friend type Get(Enabled);
};
struct NextCode {  // VerilatedTrace::m_nextCode: the number of codes
  using type = uint32_t FstTrace::*;
  friend type Get(NextCode);
};

template struct Expose<Symbols, &VerilatedFst::m_symbolp>;
template struct Expose<Enabled, &FstTrace::m_sigs_enabledp>;
template struct Expose<NextCode, &FstTrace::m_nextCode>;

}  // namespace

void FixFstEnables(VerilatedFstC& trace) {
  VerilatedFst& fst = *trace.spTrace();
  FstTrace& base = fst;
  const fstHandle* const symbols = fst.*Get(Symbols{});
  EData* const enabled = base.*Get(Enabled{});
  if (symbols == nullptr || enabled == nullptr) return;  // not open, or every code traced
  const uint32_t codes = base.*Get(NextCode{});
  for (uint32_t code = 0; code < codes; ++code) {
    const EData bit = EData{1} << VL_BITBIT_I(code);
    if (symbols[code] != 0) {
      enabled[VL_BITWORD_I(code)] |= bit;
    } else {
      enabled[VL_BITWORD_I(code)] &= ~bit;
    }
  }
}

}  // namespace eyelet
