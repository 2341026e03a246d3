// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/device.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/hex.h"

namespace eyelet {

using internal::Hex;

namespace {
// STATUS reads a soft reset may take to report idle (the hardware drains the AXI bursts it has
// issued, a few hundred cycles at most).
constexpr int kSoftResetPolls = 1000;
}  // namespace

ArrayConfig HwInfo::ToArrayConfig(const std::string& name) const {
  ArrayConfig c;
  c.name = name;
  c.rows = rows;
  c.cols = cols;
  c.ifmap_depth = ifmap_depth;
  c.filter_depth = filter_depth;
  c.psum_depth = psum_depth;
  c.filter_gin_words = filter_gin_words;
  c.data_bits = data_bits;
  c.acc_bits = acc_bits;
  c.glb_ifmap_words = glb_ifmap_words;
  c.glb_filter_words = glb_filter_words;
  c.glb_psum_words = glb_psum_words;
  c.pp_words = pp_words;
  c.pool_words = pool_words;
  return c;
}

namespace {

// Bits [shift, shift + bits) of a register (csr_map.h's fields).
int Field(uint32_t reg, int shift, int bits) {
  return static_cast<int>((reg >> shift) & ((uint64_t{1} << bits) - 1));
}

}  // namespace

ArrayActivity Device::Activity() {
  throw UsageError(Name() + " records no activity (it has no clock); the heat map and the "
                   "timeline are measured on the Verilated accelerator: use --backend rtl");
}

void CheckDeviceConfig(Device& dev, const ArrayConfig& hw, const std::string& fix) {
  const ArrayConfig got = dev.ReadHwInfo().ToArrayConfig(hw.name);
  if (got.rows != hw.rows || got.cols != hw.cols || got.glb_ifmap_words != hw.glb_ifmap_words ||
      got.glb_filter_words != hw.glb_filter_words || got.glb_psum_words != hw.glb_psum_words ||
      got.pp_words != hw.pp_words || got.pool_words != hw.pool_words) {
    throw Error(dev.Name() + ": the hardware of '" + hw.name + "' reports a " +
                std::to_string(got.rows) + "x" + std::to_string(got.cols) + " array with GLB " +
                std::to_string(got.glb_ifmap_words) + "/" + std::to_string(got.glb_filter_words) +
                "/" + std::to_string(got.glb_psum_words) + " words, output-path table " +
                std::to_string(got.pp_words) + " entries and pooling line buffer " +
                std::to_string(got.pool_words) + " words, where '" + hw.name + "' has " +
                std::to_string(hw.rows) + "x" + std::to_string(hw.cols) + ", " +
                std::to_string(hw.glb_ifmap_words) + "/" + std::to_string(hw.glb_filter_words) +
                "/" + std::to_string(hw.glb_psum_words) + ", " + std::to_string(hw.pp_words) +
                " and " + std::to_string(hw.pool_words) + "; " + fix);
  }
  if (got.filter_depth != hw.filter_depth || got.filter_gin_words != hw.filter_gin_words) {
    throw Error(dev.Name() + ": the hardware of '" + hw.name + "' reports " +
                std::to_string(got.filter_depth) + "-word filter spads and a filter GIN of " +
                std::to_string(got.filter_gin_words) + " words a beat, where '" + hw.name +
                "' has " + std::to_string(hw.filter_depth) + " and " +
                std::to_string(hw.filter_gin_words) + "; " + fix);
  }
}

HwInfo Device::ReadHwInfo() {
  HwInfo hw;
  hw.id = ReadCsr(kCsrId);
  if (hw.id != kCsrIdValue) {
    throw Error(Name() + ": CSR ID reads " + Hex(hw.id) + ", not " + Hex(kCsrIdValue) +
                " (\"EYLT\"); the CSR base does not reach an Eyelet accelerator");
  }
  hw.version = ReadCsr(kCsrVersion);
  const uint32_t array = ReadCsr(kCsrHwArray);
  hw.rows = Field(array, kHwArrayRowsShift, kHwArrayRowsBits);
  hw.cols = Field(array, kHwArrayColsShift, kHwArrayColsBits);
  const uint32_t spad = ReadCsr(kCsrHwSpad);
  hw.ifmap_depth = Field(spad, kHwSpadIfmapShift, kHwSpadIfmapBits);
  hw.psum_depth = Field(spad, kHwSpadPsumShift, kHwSpadPsumBits);
  hw.filter_depth = Field(spad, kHwSpadFilterShift, kHwSpadFilterBits);
  const uint32_t widths = ReadCsr(kCsrHwWidths);
  hw.data_bits = Field(widths, kHwWidthsDataWShift, kHwWidthsDataWBits);
  hw.acc_bits = Field(widths, kHwWidthsAccWShift, kHwWidthsAccWBits);
  hw.axi_bytes = Field(widths, kHwWidthsAxiBytesShift, kHwWidthsAxiBytesBits);
  hw.filter_gin_words = Field(widths, kHwWidthsFiltGinShift, kHwWidthsFiltGinBits);
  hw.addr_bits = static_cast<int>(ReadCsr(kCsrHwAddr));
  hw.glb_ifmap_words = static_cast<int>(ReadCsr(kCsrHwGlbIfmap));
  hw.glb_filter_words = static_cast<int>(ReadCsr(kCsrHwGlbFilter));
  hw.glb_psum_words = static_cast<int>(ReadCsr(kCsrHwGlbPsum));
  hw.pp_words = static_cast<int>(ReadCsr(kCsrHwPp));
  hw.pool_words = static_cast<int>(ReadCsr(kCsrHwPool));
  return hw;
}

uint64_t Device::Alloc(size_t bytes, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0) {
    throw Error("Alloc: alignment " + std::to_string(align) + " is not a power of two");
  }
  // Align the address, not the offset: MemBase need not be a multiple of `align`.
  const uint64_t base = MemBase();
  const uint64_t size = MemSize();
  const uint64_t pad = (align - (base + alloc_used_) % align) % align;
  if (alloc_used_ + pad > size || bytes > size - alloc_used_ - pad) {
    throw DramFullError(Name() + ": DRAM window of " + std::to_string(size) + " bytes is full (" +
                std::to_string(alloc_used_) + " used, " + std::to_string(bytes) +
                " more asked); free buffers with FreeAll or give the device more memory");
  }
  const uint64_t addr = base + alloc_used_ + pad;
  alloc_used_ += pad + bytes;
  return addr;
}

void Device::FreeAll() { alloc_used_ = 0; }

bool Device::WaitIdle(int polls) {
  for (int i = 0; i < polls; ++i) {
    if ((ReadCsr(kCsrStatus) & kStatusBusy) == 0) return true;
  }
  return false;
}

void Device::SoftReset() {
  WriteCsr(kCsrCtrl, kCtrlSoftReset);
  // The device finishes the bus transfers already issued before it reports idle.
  if (WaitIdle(kSoftResetPolls)) return;
  throw TimeoutError(Name() + ": still busy after a soft reset and " +
                     std::to_string(kSoftResetPolls) + " STATUS reads; reset the device");
}

void Device::RunChain(uint64_t desc_addr, uint64_t timeout_cycles) {
  RunChainProfiled(desc_addr, timeout_cycles, profile_poll_, profile_);
}

void Device::CheckChainEnds(uint64_t desc_addr) {
  // Only links the walker would follow: one outside the window or unaligned is the
  // hardware's to report (DESC_ALIGN, DESC_RANGE, a DECERR), at the descriptor it names.
  std::unordered_map<uint64_t, size_t> index_of;  // descriptor address -> index in the chain
  uint64_t addr = desc_addr;
  while (addr != 0 && addr % 8 == 0 && addr >= MemBase() && addr - MemBase() < MemSize() &&
         MemSize() - (addr - MemBase()) >= kDescBytes && index_of.size() < kMaxChainDescs) {
    const auto again = index_of.find(addr);
    if (again != index_of.end()) {
      throw Error(Name() + ": the descriptor chain at " + Hex(desc_addr) + " loops: descriptor " +
                  std::to_string(index_of.size() - 1) + "'s next pointer (" + Hex(addr) +
                  ") is descriptor " + std::to_string(again->second) +
                  ", so the device would run forever; nothing was started. End the chain with "
                  "next = 0");
    }
    index_of.emplace(addr, index_of.size());
    uint64_t next = 0;
    ReadMem(addr + 8, &next, sizeof(next));  // word 1: next
    addr = next;
  }
}

void Device::RunChainProfiled(uint64_t desc_addr, uint64_t timeout_cycles, uint64_t poll_cycles,
                              ChainProfile* profile) {
  CheckChainEnds(desc_addr);
  WriteCsr(kCsrIrq, kIrqDone | kIrqError);
  WriteCsr(kCsrDescBaseLo, static_cast<uint32_t>(desc_addr));
  WriteCsr(kCsrDescBaseHi, static_cast<uint32_t>(desc_addr >> 32));
  WriteCsr(kCsrCtrl, kCtrlIrqEnable | kCtrlStart);
  bool irq = false;
  if (profile == nullptr || poll_cycles == 0) {
    irq = WaitIrq(timeout_cycles);
  } else {
    *profile = ChainProfile{};
    profile->poll_cycles = poll_cycles;
    profile->start_clock = ClockCycle();
    uint64_t waited = 0;
    while (!irq && waited < timeout_cycles) {
      const uint64_t step = std::min(poll_cycles, timeout_cycles - waited);
      irq = WaitIrq(step);
      waited += step;
      if (irq) break;
      const uint64_t now = ClockCycle();
      const uint32_t descs = ReadCsr(kCsrCntDescs);
      const uint32_t passes = ReadCsr(kCsrCntPasses);
      while (profile->pass_clock.size() < passes) profile->pass_clock.push_back(now);
      if (descs > profile->at_desc.size()) {
        const DeviceCounters c = ReadCounters();
        while (profile->at_desc.size() < descs) {
          profile->at_desc.push_back(c);
          profile->desc_clock.push_back(now);
        }
      }
    }
    if (irq) {
      const uint64_t now = ClockCycle();
      const DeviceCounters c = ReadCounters();
      while (profile->pass_clock.size() < c.passes) profile->pass_clock.push_back(now);
      profile->at_desc.push_back(c);
      profile->desc_clock.push_back(now);
      profile->end_clock = now;
    }
  }
  if (!irq) {
    const uint32_t status = ReadCsr(kCsrStatus);
    if ((status & kStatusBusy) == 0 &&
        ((status & kStatusDone) != 0 || Field(status, kStatusCodeShift, kStatusCodeBits) != 0)) {
      // The chain ended (done or an error code) and the line never rose.
      SoftReset();
      throw TimeoutError(Name() + ": descriptor chain at " + Hex(desc_addr) +
                         " ended (STATUS " + Hex(status) + ") but no interrupt came within " +
                         std::to_string(timeout_cycles) +
                         " cycles; the device was soft-reset. Check the interrupt line from "
                         "the accelerator's irq_o to the host and CTRL's interrupt enable");
    }
    SoftReset();
    throw TimeoutError(Name() + ": descriptor chain at " + Hex(desc_addr) +
                       " did not finish within " + std::to_string(timeout_cycles) +
                       " cycles (STATUS " + Hex(status) +
                       "); the device was soft-reset. Check the chain ends (next = 0) or "
                       "allow more cycles");
  }
  const uint32_t status = ReadCsr(kCsrStatus);
  const auto code = static_cast<ErrCode>(Field(status, kStatusCodeShift, kStatusCodeBits));
  const int index = Field(status, kStatusDescShift, kStatusDescBits);
  WriteCsr(kCsrIrq, kIrqDone | kIrqError);
  if (code != ErrCode::kNone) {
    // The error interrupt comes at once; the walker then drains the bursts already on the bus
    // (an AXI error can leave reads and writes outstanding). Wait for that, so the device is
    // idle when the error is reported and the next start is not ignored.
    if (!WaitIdle(kSoftResetPolls)) SoftReset();
    const std::string advice = ErrCodeAdvice(code);
    throw DeviceError(Name() + ": descriptor " + std::to_string(index) + " of the chain at " +
                          Hex(desc_addr) + " failed with " + ErrCodeText(code) + " (STATUS " +
                          Hex(status) + ")" + (advice.empty() ? "" : "; " + advice),
                      code, index);
  }
  if ((status & kStatusDone) == 0) {
    throw Error(Name() + ": interrupt without done or an error code (STATUS " + Hex(status) +
                "); the device's status logic is inconsistent");
  }
}

DeviceCounters Device::ReadCounters() {
  DeviceCounters c;
  for (const CounterReg& r : kCounterRegs) c.*(r.member) = ReadCsr(r.offset);
  return c;
}

}  // namespace eyelet
