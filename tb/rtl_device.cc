// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "rtl_device.h"

// The configs this build Verilated (CMakeLists.txt: ey_verilate_top defines EY_HAVE_TOP_<name>;
// a coverage build has tiny and small only).
#ifdef EY_HAVE_TOP_eyeriss
#include "Vey_top_eyeriss.h"
#endif
#include "Vey_top_small.h"
#ifdef EY_HAVE_TOP_small_fault
#include "Vey_top_small_fault.h"
#endif
#include "Vey_top_tiny.h"
#include "activity_fst.h"
#include "eyelet/error.h"
#include "gtkw.h"
#include "eyelet/hex.h"
#include "eyelet/interrupt.h"
#include "eyelet/mapping.h"
#include "harness.h"

namespace eyelet {

namespace {

using internal::Hex;

// CSR transactions give up after this many cycles without a response (the slave answers
// within a few cycles, so this only fires on a broken build).
constexpr int kCsrTimeout = 1000;

template <class Model>
class RtlDeviceImpl : public RtlDevice {
 public:
  RtlDeviceImpl(const std::string& name, const RtlDeviceOptions& o)
      : name_(name),
        backend_(o.fault_build ? "rtlfault" : "rtl"),
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
      throw UsageError(Name() + " was opened without DeviceOptions::activity_path: it records "
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

}  // namespace

RtlDeviceOptions RtlOptionsFor(const std::string& config, const DeviceOptions& options) {
  RtlDeviceOptions o;
  o.trace_path = options.trace_path;
  o.trace_first = options.trace_from;
  o.trace_last = options.trace_to;
  if (!options.trace_scope.empty()) {
    const ArrayConfig& hw = ConfigByName(config);
    o.trace_scopes = ParseTraceScope(options.trace_scope, hw.rows, hw.cols);
  }
  if (!options.activity_path.empty()) {
    if (!options.trace_path.empty()) {
      throw UsageError("a device records its activity or a trace, not both: the activity is a "
                       "trace of its own ('" + options.activity_path + "')");
    }
    const ArrayConfig& hw = ConfigByName(config);
    o.trace_path = options.activity_path;
    o.trace_first = 0;
    o.trace_last = UINT64_MAX;
    o.trace_scopes = ActivityScopes(hw.rows, hw.cols);
    o.activity = true;
  }
  if (options.mem_latency) o.mem.read_latency = *options.mem_latency;
  if (options.mem_stall) {
    o.mem.ready_prob = 1.0 - *options.mem_stall;
    o.mem.valid_prob = 1.0 - *options.mem_stall;
  }
  if (options.mem_seed) o.mem.seed = *options.mem_seed;
  o.plusargs = options.plusargs;
  return o;
}

std::unique_ptr<RtlDevice> RtlDevice::Create(const std::string& config_name,
                                             const RtlDeviceOptions& options) {
  const ArrayConfig& hw = ConfigByName(config_name);
  std::unique_ptr<RtlDevice> dev;
  if (options.fault_build) {
    if (hw.name != "small") {
      throw UsageError("the fault-injection build exists for config 'small' only, not '" +
                       hw.name + "' (CMakeLists.txt: ey_verilate_top(small_fault ...))");
    }
#ifdef EY_HAVE_TOP_small_fault
    dev = std::make_unique<RtlDeviceImpl<Vey_top_small_fault>>(hw.name, options);
#else
    throw UsageError("this build has no fault-injection model (a coverage build, EY_COVERAGE, "
                     "Verilates tiny and small only)");
#endif
  } else if (hw.name == "tiny") {
    dev = std::make_unique<RtlDeviceImpl<Vey_top_tiny>>(hw.name, options);
  } else if (hw.name == "small") {
    dev = std::make_unique<RtlDeviceImpl<Vey_top_small>>(hw.name, options);
  } else {
#ifdef EY_HAVE_TOP_eyeriss
    dev = std::make_unique<RtlDeviceImpl<Vey_top_eyeriss>>(hw.name, options);
#else
    throw UsageError("config '" + hw.name + "' is not Verilated in this build (a coverage build, "
                     "EY_COVERAGE, has tiny and small only)");
#endif
  }
  // The Verilated build must be the configuration mapping.cc describes.
  const ArrayConfig built = dev->ReadHwInfo().ToArrayConfig(hw.name);
  if (built.rows != hw.rows || built.cols != hw.cols ||
      built.glb_ifmap_words != hw.glb_ifmap_words ||
      built.glb_filter_words != hw.glb_filter_words ||
      built.glb_psum_words != hw.glb_psum_words || built.pp_words != hw.pp_words ||
      built.pool_words != hw.pool_words) {
    throw Error("Verilated model '" + hw.name + "' reports a " + std::to_string(built.rows) +
                "x" + std::to_string(built.cols) + " array with GLB " +
                std::to_string(built.glb_ifmap_words) + "/" +
                std::to_string(built.glb_filter_words) + "/" +
                std::to_string(built.glb_psum_words) + " words, output-path table " +
                std::to_string(built.pp_words) + " entries and pooling line buffer " +
                std::to_string(built.pool_words) +
                " words; CMakeLists.txt and mapping.cc disagree");
  }
  return dev;
}

}  // namespace eyelet
