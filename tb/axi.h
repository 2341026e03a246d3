// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// AXI definitions shared by the bus models (tb/csr_bench.h, tb/axi_mem.h).
#ifndef EYELET_TB_AXI_H_
#define EYELET_TB_AXI_H_

#include <cstdint>

namespace eyelet {

// RRESP / BRESP codes.
enum class AxiResp : uint8_t { kOkay = 0, kExOkay = 1, kSlvErr = 2, kDecErr = 3 };

}  // namespace eyelet

#endif  // EYELET_TB_AXI_H_
