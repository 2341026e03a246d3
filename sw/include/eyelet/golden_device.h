// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A Device backed by the golden model: the CSR block of rtl/csr_map.def emulated register
// for register, a DRAM window in host memory, and a descriptor walker that computes every
// layer with ConvAcc. It answers like the hardware: same registers, same error codes for the
// same descriptors, same outputs, same DRAM traffic counters.
//
// Registers (as rtl/ey_csr.sv): ID, VERSION and HW_* from the configuration (AXI data width
// 64 bits, address width `addr_bits`). An offset outside the map or not 4-byte aligned, or a
// write to an ro register, is an error response: DeviceError(kNone, -1) "SLVERR at offset X",
// nothing changes. CTRL: bit 2 sets the interrupt enable; bit 1 soft-resets (clears busy,
// STATUS and IRQ; keeps the interrupt enable, DESC_BASE and the counters) and a start in the
// same write is ignored; bit 0 starts the chain at DESC_BASE unless busy. IRQ is write 1 to
// clear; the line is (IRQ != 0) && interrupt enable. A start clears done and the error code
// but not IRQ.
//
// A start runs the whole chain at once (the golden device has no timing; WaitIrq returns the
// line at once). For descriptor i at address a, the walker:
//   1. CheckDescAddr(a); fetches kDescBytes (AXI_RD_DECERR if outside the DRAM window);
//      CheckDesc;
//   2. moves data in the walker's order, chunk by chunk: Walk (walk.h) holds the loop nest and
//      every transfer's address and size; the first transfer that leaves the DRAM window stops
//      the chain with AXI_RD_DECERR (reads) or AXI_WR_DECERR (writes);
//   3. computes with golden.h (ConvAcc; for the output path AddBias, RequantizeWrapping, Relu,
//      LeakyRelu, MaxPool) and writes y[n][g*mg + m][e][f] for e < eo, f < fo: the wrapped
//      acc_bits sum over c < cg, r < kr, s < ks of
//      w[g*mg + m][c][r][s] * x[n][g*cg + c][e*uh - pad_top + r]
//      [f*uw - pad_left + s], where ifmap positions outside h x w are zero (so eo and fo set
//      the bottom and right padding; an ifmap row or column no window reaches is not read),
//      through the output path (post bits); with pooling it writes instead
//      y[n][g*mg + m][i][j] for i < pool_eo, j < pool_fo: the largest int16 output path value
//      at ofmap rows i*pool_sh - pool_pt + a (a < pool_kh) and columns
//      j*pool_sw - pool_pl + b (b < pool_kw) inside eo x fo (positions outside never win);
//   4. follows `next` until 0, then sets STATUS done and IRQ done.
// On an error: STATUS holds the code and the descriptor index, IRQ error is raised, done stays
// 0, no further descriptor runs. Outputs of finished descriptors stay in DRAM; the failing
// one writes none (the hardware may have written some chunks: do not compare them). A chain
// still running after 65536 descriptors (a cycle through `next`) stays busy until a soft
// reset, as the hardware would until the driver's timeout.
//
// Counters (reset by each start, summed over the chain, 32-bit in the CSRs):
//   descs          descriptors completed
//   dram_rd_bytes  kDescBytes per fetched descriptor + the bytes of every read transfer in 2.
//   dram_wr_bytes  the bytes of every write transfer in 2.
//   macs, skipped  the layer's MACs (n*groups*mg*eo*fo*cg*kr*ks), split by the ifmap operand:
//                  skipped when it is zero (padding included), macs otherwise. MACs the
//                  hardware spends on mapping padding (partial blocks) are not counted.
//   cycles, passes and the NoC, GLB and stall counters stay 0 (no timing model).
// After an error only descs is defined (the others count the failing descriptor partly).
#ifndef EYELET_GOLDEN_DEVICE_H_
#define EYELET_GOLDEN_DEVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/error_codes.h"
#include "eyelet/mapping.h"

namespace eyelet {

class GoldenDevice : public Device {
 public:
  // Longest chain one start runs before it counts as endless.
  static constexpr int kMaxChain = 65536;

  // Throws UnsupportedError when `hw` does not fit the HW_* registers or the golden model
  // (data_bits must be 16, the DRAM tensor format; acc_bits 16..32), or addr_bits is not
  // 1..64 or the window does not lie below 2^addr_bits.
  explicit GoldenDevice(const ArrayConfig& hw, uint64_t mem_base = 0x8000'0000,
                        uint64_t mem_size = 64ull << 20, int addr_bits = 32);

  std::string Name() const override { return "golden:" + hw_.name; }
  uint32_t ReadCsr(uint32_t offset) override;
  void WriteCsr(uint32_t offset, uint32_t value) override;
  uint64_t MemBase() const override { return mem_base_; }
  uint64_t MemSize() const override { return mem_.size(); }
  void WriteMem(uint64_t addr, const void* data, size_t bytes) override;
  void ReadMem(uint64_t addr, void* data, size_t bytes) override;
  bool WaitIrq(uint64_t timeout_cycles) override;

 private:
  bool InWindow(uint64_t addr, uint64_t bytes) const;
  void RunChainNow();
  // Runs the descriptor at `addr`; returns kNone or the code that stopped it.
  ErrCode RunDesc(uint64_t addr, Desc& d);
  // Step 2 above: checks and counts the transfers of `d`.
  ErrCode Transfers(const Desc& d);
  // Step 3 above, and the MAC counters.
  void Compute(const Desc& d);
  // The output path (post bits, rtl/ey_walker.sv): bias, requantization, ReLU or leaky ReLU on
  // the accumulators `y` (N x groups*mg x eo x fo), then the pooling when pool_kh != 0,
  // written to y_addr as int32 or int16.
  void OutputPath(const Desc& d, const std::vector<int32_t>& y);

  ArrayConfig hw_;
  HwInfo info_;
  uint64_t mem_base_;
  std::vector<uint8_t> mem_;
  // CSR state.
  bool irq_en_ = false;
  bool busy_ = false;
  bool done_ = false;
  uint32_t irq_ = 0;
  uint8_t err_code_ = 0;
  uint16_t err_desc_ = 0;
  uint64_t desc_base_ = 0;
  DeviceCounters cnt_;
};

}  // namespace eyelet

#endif  // EYELET_GOLDEN_DEVICE_H_
