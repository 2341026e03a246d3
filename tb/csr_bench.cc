// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "csr_bench.h"

#include <string>

#include "Vey_csr.h"
#include "eyelet/error.h"
#include "harness.h"

namespace eyelet {

struct CsrBench::Impl {
  Harness<Vey_csr> h;
  int starts = 0;
  int resets = 0;

  // One clock edge; counts the controller-side pulses seen at it.
  void Step() {
    h.Eval();
    starts += h.dut().start_o;
    resets += h.dut().soft_reset_o;
    h.Tick();
  }
};

CsrBench::CsrBench() : impl_(std::make_unique<Impl>()) {
  Vey_csr& d = impl_->h.dut();
  d.awvalid_i = d.wvalid_i = d.bready_i = d.arvalid_i = d.rready_i = 0;
  d.busy_i = d.done_i = d.error_i = 0;
  impl_->h.Reset();
}

CsrBench::~CsrBench() = default;

AxiResp CsrBench::Write(uint32_t addr, uint32_t data, uint8_t strb, AxiDelays dl) {
  Vey_csr& d = impl_->h.dut();
  bool aw_done = false, w_done = false;
  int b_wait = 0;
  for (int cycle = 0; cycle < 1000; ++cycle) {
    d.awvalid_i = !aw_done && cycle >= dl.aw;
    d.awaddr_i = addr;
    d.wvalid_i = !w_done && cycle >= dl.w;
    d.wdata_i = data;
    d.wstrb_i = strb;
    impl_->h.Eval();
    d.bready_i = d.bvalid_o && b_wait >= dl.b;
    impl_->h.Eval();
    const bool aw_fire = d.awvalid_i && d.awready_o;
    const bool w_fire = d.wvalid_i && d.wready_o;
    const bool b_fire = d.bvalid_o && d.bready_i;
    const auto resp = static_cast<AxiResp>(d.bresp_o);
    if (d.bvalid_o) ++b_wait;
    impl_->Step();
    aw_done |= aw_fire;
    w_done |= w_fire;
    if (b_fire) {
      d.awvalid_i = d.wvalid_i = d.bready_i = 0;
      return resp;
    }
  }
  throw TimeoutError("CSR write to 0x" + std::to_string(addr) + " got no response");
}

AxiResp CsrBench::Read(uint32_t addr, uint32_t* data, AxiDelays dl) {
  Vey_csr& d = impl_->h.dut();
  bool ar_done = false;
  int r_wait = 0;
  for (int cycle = 0; cycle < 1000; ++cycle) {
    d.arvalid_i = !ar_done;
    d.araddr_i = addr;
    impl_->h.Eval();
    d.rready_i = d.rvalid_o && r_wait >= dl.r;
    impl_->h.Eval();
    const bool ar_fire = d.arvalid_i && d.arready_o;
    const bool r_fire = d.rvalid_o && d.rready_i;
    const uint32_t value = d.rdata_o;
    const auto resp = static_cast<AxiResp>(d.rresp_o);
    if (d.rvalid_o) ++r_wait;
    impl_->Step();
    ar_done |= ar_fire;
    if (r_fire) {
      d.arvalid_i = d.rready_i = 0;
      *data = value;
      return resp;
    }
  }
  throw TimeoutError("CSR read of 0x" + std::to_string(addr) + " got no response");
}

void CsrBench::SetBusy(bool busy) { impl_->h.dut().busy_i = busy; }

void CsrBench::PulseDone() {
  impl_->h.dut().done_i = 1;
  impl_->Step();
  impl_->h.dut().done_i = 0;
}

void CsrBench::SetDone(bool done) { impl_->h.dut().done_i = done; }

void CsrBench::PulseError(uint8_t code, uint16_t desc) {
  Vey_csr& d = impl_->h.dut();
  d.error_i = 1;
  d.err_code_i = code;
  d.err_desc_i = desc;
  impl_->Step();
  d.error_i = 0;
}

void CsrBench::SetCounter(int index, uint32_t value) {
  impl_->h.dut().counters_i[index] = value;  // NumCnt x 32 bits: word `index`
}

bool CsrBench::Irq() {
  impl_->h.Eval();
  return impl_->h.dut().irq_o;
}

uint64_t CsrBench::DescBase() {
  impl_->h.Eval();
  return impl_->h.dut().desc_base_o;
}

int CsrBench::TakeStarts() {
  const int n = impl_->starts;
  impl_->starts = 0;
  return n;
}

int CsrBench::TakeSoftResets() {
  const int n = impl_->resets;
  impl_->resets = 0;
  return n;
}

void CsrBench::Idle(int cycles) {
  for (int i = 0; i < cycles; ++i) impl_->Step();
}

}  // namespace eyelet
