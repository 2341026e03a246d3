// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// RtlDevice over any Verilated build of ey_top (rtl/ey_top.sv): the AXI4-Lite CSR transactions,
// the AXI4 memory model on the master port, the interrupt wait. Every build has the same ports,
// so one template serves the RTL builds (tb/rtl_device.cc) and the gate-level netlist of
// constraints/gate_netlist.sh (tb/rtlgate_backend.cc). Include it only where a Verilated
// model's header is included too.
#ifndef EYELET_TB_RTL_DEVICE_IMPL_H_
#define EYELET_TB_RTL_DEVICE_IMPL_H_

#include <cstdint>
#include <string>

#include "activity_fst.h"
#include "eyelet/error.h"
#include "eyelet/hex.h"
#include "eyelet/interrupt.h"
#include "eyelet/mapping.h"
#include "gtkw.h"
#include "harness.h"
#include "rtl_device.h"

namespace eyelet {

// Throws Error when the hardware-configuration CSRs of `dev` describe another array, GLB,
// table or line buffer than `hw` (CMakeLists.txt or the netlist script and mapping.cc disagree).
void CheckBuiltConfig(RtlDevice& dev, const ArrayConfig& hw);

namespace internal {

// CSR transactions give up after this many cycles without a response (the slave answers
// within a few cycles, so this only fires on a broken build).
constexpr int kCsrTimeout = 1000;

template <class Model>
class RtlDeviceImpl : public RtlDevice {
 public:
  // `name` is the config (BuiltConfigs()), `backend` the backend's name ("rtl", "rtlfault",
  // "rtlgate"): Name() is "backend:name".
  RtlDeviceImpl(const std::string& name, const std::string& backend, const RtlDeviceOptions& o)
      : name_(name),
        backend_(backend),
        mem_base_(o.mem.base),
        mem_size_(o.mem.size),
        h_(o.plusargs),
        mem_(o.mem),
        trace_path_(o.trace_path),
        trace_first_(o.trace_first),
        trace_last_(o.trace_last),
        activity_(o.activity),
        irq_stuck_low_(o.irq_stuck_low) {
    h_.OpenTrace(o.trace_path, o.trace_scopes);
    h_.TraceWindow(o.trace_first, o.trace_last);
    Model& d = h_.dut();
    d.s_axil_awvalid = d.s_axil_wvalid = d.s_axil_bready = 0;
    d.s_axil_arvalid = d.s_axil_rready = 0;
    d.s_axil_wstrb = 0xf;
    h_.Reset();
  }

  // A traced device closes its FST and writes a GTKWave save file beside it (tb/gtkw.h),
  // markers at the window's ends.
  ~RtlDeviceImpl() override {
    if (trace_path_.empty()) return;
    h_.CloseTrace();
    if (activity_ || Interrupted()) return;  // an interrupted run's trace is removed
    GtkwOptions g;
    g.first_cycle = trace_first_;
    g.last_cycle = trace_last_ == UINT64_MAX ? h_.cycle() : trace_last_;
    try {
      WriteGtkw(trace_path_, GtkwPathFor(trace_path_), g);
    } catch (const Error&) {
      // The trace itself is written; a layout is a convenience, and a destructor must not throw.
    }
  }

  std::string Name() const override { return backend_ + ":" + name_; }
  uint64_t ClockCycle() const override { return h_.cycle(); }
  void TraceWindow(uint64_t first, uint64_t last) override { h_.TraceWindow(first, last); }
  const AxiMem& Mem() const override { return mem_; }

  ArrayActivity Activity() override {
    if (!activity_) {
      throw UsageError(Name() +
                       " was opened without DeviceOptions::activity_path: it records "
                       "no activity");
    }
    h_.CloseTrace();  // complete on disk; nothing is dumped after this
    const ArrayConfig& hw = ConfigByName(name_);
    return ReadActivityFst(trace_path_, hw.rows, hw.cols);
  }
  uint64_t MemBase() const override { return mem_base_; }
  uint64_t MemSize() const override { return mem_size_; }
  void WriteMem(uint64_t addr, const void* data, size_t bytes) override {
    mem_.Write(addr, data, bytes);
  }
  void ReadMem(uint64_t addr, void* data, size_t bytes) override { mem_.Read(addr, data, bytes); }

  uint32_t ReadCsr(uint32_t offset) override {
    Model& d = h_.dut();
    bool ar_done = false;
    for (int i = 0; i < kCsrTimeout; ++i) {
      d.s_axil_arvalid = !ar_done;
      d.s_axil_araddr = offset;
      d.s_axil_rready = 1;
      const bool ar_fire = d.s_axil_arvalid && d.s_axil_arready;
      const bool r_fire = d.s_axil_rvalid;
      const uint32_t value = d.s_axil_rdata;
      const uint32_t resp = d.s_axil_rresp;
      Step();
      ar_done |= ar_fire;
      if (r_fire) {
        d.s_axil_arvalid = d.s_axil_rready = 0;
        if (resp != 0) {
          throw DeviceError(Name() + ": CSR read at offset " + Hex(offset) + " answered " +
                                (resp == 2 ? "SLVERR" : "DECERR") +
                                "; the offset is not in rtl/csr_map.def",
                            ErrCode::kNone, -1);
        }
        return value;
      }
    }
    throw TimeoutError(Name() + ": CSR read at " + Hex(offset) + " got no response");
  }

  void WriteCsr(uint32_t offset, uint32_t value) override {
    Model& d = h_.dut();
    bool aw_done = false, w_done = false;
    for (int i = 0; i < kCsrTimeout; ++i) {
      d.s_axil_awvalid = !aw_done;
      d.s_axil_awaddr = offset;
      d.s_axil_wvalid = !w_done;
      d.s_axil_wdata = value;
      d.s_axil_wstrb = 0xf;
      d.s_axil_bready = 1;
      const bool aw_fire = d.s_axil_awvalid && d.s_axil_awready;
      const bool w_fire = d.s_axil_wvalid && d.s_axil_wready;
      const bool b_fire = d.s_axil_bvalid;
      const uint32_t resp = d.s_axil_bresp;
      Step();
      aw_done |= aw_fire;
      w_done |= w_fire;
      if (b_fire) {
        d.s_axil_awvalid = d.s_axil_wvalid = d.s_axil_bready = 0;
        if (resp != 0) {
          throw DeviceError(Name() + ": CSR write at offset " + Hex(offset) +
                                " answered SLVERR; the offset is read-only or not in "
                                "rtl/csr_map.def",
                            ErrCode::kNone, -1);
        }
        return;
      }
    }
    throw TimeoutError(Name() + ": CSR write at " + Hex(offset) + " got no response");
  }

  bool WaitIrq(uint64_t timeout_cycles) override {
    for (uint64_t i = 0; i < timeout_cycles; ++i) {
      if (IrqLine()) return true;
      // Every 4,096 clock cycles (the device's, as callers may wait in short steps).
      if ((h_.cycle() & 0xfff) == 0) ThrowIfInterrupted("in the simulation");
      Step();
    }
    return IrqLine();
  }

 private:
  // The interrupt line as the host sees it.
  bool IrqLine() { return !irq_stuck_low_ && h_.dut().irq_o; }

  // One clock cycle: the memory model drives its outputs from its state, the model settles,
  // the memory takes this cycle's handshakes, then the rising edge. The AXI4-Lite inputs set
  // by the caller are sampled at the same edge. The slave's outputs the caller reads between
  // steps are registers, settled by the Eval after the edge.
  void Step() {
    Model& d = h_.dut();
    AxiPins p;
    mem_.Drive(p);
    d.m_axi_arready = p.arready;
    d.m_axi_rvalid = p.rvalid;
    d.m_axi_rdata = p.rdata;
    d.m_axi_rresp = p.rresp;
    d.m_axi_rlast = p.rlast;
    d.m_axi_awready = p.awready;
    d.m_axi_wready = p.wready;
    d.m_axi_bvalid = p.bvalid;
    d.m_axi_bresp = p.bresp;
    h_.Eval();
    p.arvalid = d.m_axi_arvalid;
    p.araddr = d.m_axi_araddr;
    p.arlen = d.m_axi_arlen;
    p.arsize = d.m_axi_arsize;
    p.arburst = d.m_axi_arburst;
    p.rready = d.m_axi_rready;
    p.awvalid = d.m_axi_awvalid;
    p.awaddr = d.m_axi_awaddr;
    p.awlen = d.m_axi_awlen;
    p.awsize = d.m_axi_awsize;
    p.awburst = d.m_axi_awburst;
    p.wvalid = d.m_axi_wvalid;
    p.wdata = d.m_axi_wdata;
    p.wstrb = d.m_axi_wstrb;
    p.wlast = d.m_axi_wlast;
    p.bready = d.m_axi_bready;
    mem_.Sample(p);
    h_.Tick();
    h_.Eval();
  }

  std::string name_;
  std::string backend_;
  uint64_t mem_base_;
  uint64_t mem_size_;
  Harness<Model> h_;
  AxiMem mem_;
  std::string trace_path_;
  uint64_t trace_first_;
  uint64_t trace_last_;
  bool activity_;
  bool irq_stuck_low_;
};

}  // namespace internal
}  // namespace eyelet

#endif  // EYELET_TB_RTL_DEVICE_IMPL_H_
