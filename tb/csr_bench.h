// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Unit bench for the AXI4-Lite CSR block (rtl/ey_csr.sv), built with the `small` config's
// parameters. The bench is an AXI4-Lite master with programmable per-channel delays, plus
// the controller side of the block (status inputs, counters, start/reset pulses, interrupt).
#ifndef EYELET_TB_CSR_BENCH_H_
#define EYELET_TB_CSR_BENCH_H_

#include <array>
#include <cstdint>
#include <memory>

#include "axi.h"

namespace eyelet {

struct AxiDelays {
  int aw = 0;        // cycles before AWVALID rises
  int w = 0;         // cycles before WVALID rises
  int b = 0;         // cycles before BREADY rises once BVALID is seen
  int r = 0;         // cycles before RREADY rises once RVALID is seen
};

class CsrBench {
 public:
  CsrBench();
  ~CsrBench();
  CsrBench(const CsrBench&) = delete;
  CsrBench& operator=(const CsrBench&) = delete;

  AxiResp Write(uint32_t addr, uint32_t data, uint8_t strb = 0xf, AxiDelays d = {});
  AxiResp Read(uint32_t addr, uint32_t* data, AxiDelays d = {});

  // Controller side.
  void SetBusy(bool busy);
  void PulseDone();
  void SetDone(bool done);
  void PulseError(uint8_t code, uint16_t desc);
  void SetCounter(int index, uint32_t value);  // index into kCounterRegs: 0 = CNT_CYCLES, ...
  bool Irq();
  uint64_t DescBase();
  // Pulses seen on start_o / soft_reset_o since the last call.
  int TakeStarts();
  int TakeSoftResets();
  void Idle(int cycles);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyelet

#endif  // EYELET_TB_CSR_BENCH_H_
