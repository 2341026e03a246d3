// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The host driver's one Device API (after VTA's driver.h): register read/write, host access
// to the DRAM window the accelerator reaches, and a wait on the interrupt line. Backends
// implement the virtuals (the Verilated RTL in tb/, the golden model in golden_device.h, a
// board later); everything above them (hardware discovery, buffers, running a descriptor
// chain, counters) is common code here, so the same program runs on every backend.
//
// Registers are the 32-bit CSRs of rtl/csr_map.def at their byte offsets. DRAM data is
// little-endian.
#ifndef EYELET_DEVICE_H_
#define EYELET_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "eyelet/activity.h"
#include "eyelet/csr_map.h"
#include "eyelet/mapping.h"

namespace eyelet {

// The CSR map's offsets, values (kCsrIdValue, kCsrVersionValue), bit fields (kCtrlStart,
// kStatusCodeShift, ...) and counters (DeviceCounters, kCounterRegs) come from rtl/csr_map.def
// through the generated eyelet/csr_map.h.

// The hardware configuration the CSRs report (HW_*, ID, VERSION).
struct HwInfo {
  uint32_t id = 0;
  uint32_t version = 0;
  int rows = 0;
  int cols = 0;
  int ifmap_depth = 0;  // spad words
  int filter_depth = 0;
  int psum_depth = 0;
  int data_bits = 0;
  int acc_bits = 0;
  int axi_bytes = 0;  // AXI data width / 8
  int filter_gin_words = 0;  // filter words a filter-GIN beat carries
  int addr_bits = 0;  // AXI address width
  int glb_ifmap_words = 0;
  int glb_filter_words = 0;
  int glb_psum_words = 0;  // per column bank
  int pp_words = 0;        // output-path table entries
  int pool_words = 0;      // pooling line-buffer words (HW_POOL)
  // The mapper's view: these fields, the rest at ArrayConfig's defaults.
  ArrayConfig ToArrayConfig(const std::string& name) const;
};

// What Device::RunChainProfiled saw.
struct ChainProfile {
  std::vector<DeviceCounters> at_desc;  // counters when descriptor i had completed
  uint64_t start_clock = 0;             // ClockCycle() at the doorbell
  uint64_t end_clock = 0;               // at the interrupt
  std::vector<uint64_t> desc_clock;     // desc_clock[i]: first poll that saw descriptor i done
  std::vector<uint64_t> pass_clock;     // pass_clock[p]: first poll that saw pass p done
  uint64_t poll_cycles = 0;
};

class Device {
 public:
  virtual ~Device() = default;

  // Backend and configuration, e.g. "rtl:small", "golden:small".
  virtual std::string Name() const = 0;
  // One register access; throws DeviceError (code kNone, index -1) on an error response.
  virtual uint32_t ReadCsr(uint32_t offset) = 0;
  virtual void WriteCsr(uint32_t offset, uint32_t value) = 0;
  // The DRAM window [MemBase, MemBase + MemSize) the device reaches.
  virtual uint64_t MemBase() const = 0;
  virtual uint64_t MemSize() const = 0;
  // Host access to DRAM; throws Error when the range leaves the window.
  virtual void WriteMem(uint64_t addr, const void* data, size_t bytes) = 0;
  virtual void ReadMem(uint64_t addr, void* data, size_t bytes) = 0;
  // Lets the device run until its interrupt line is high or `timeout_cycles` device cycles
  // pass; returns whether the line is high.
  virtual bool WaitIrq(uint64_t timeout_cycles) = 0;
  // Clock cycles the device has run since it was opened (what trace windows count); 0 for a
  // device without a clock (the golden device).
  virtual uint64_t ClockCycle() const { return 0; }
  // What the array and the walker did since the device was opened (eyelet/activity.h), for a
  // device opened with DeviceOptions::activity_path: ends the recording (call it once, after
  // the runs). This default throws UsageError: the backend records no activity (the golden
  // device has no clock); the rtl backend measures it.
  virtual ArrayActivity Activity();

  // Reads the ID, VERSION and HW_* registers. Throws Error naming the value read when ID is
  // not kCsrIdValue (nothing, or something else, answers at the CSR base).
  HwInfo ReadHwInfo();

  // Bump allocator over the DRAM window: `bytes` at a multiple of `align` (a power of two).
  // Throws Error when the window is full. FreeAll releases every allocation.
  uint64_t Alloc(size_t bytes, size_t align = 64);
  void FreeAll();

  // Pulses CTRL soft reset: stops a run, clears STATUS and IRQ (keeps the interrupt enable),
  // then polls STATUS until busy clears (the bursts already on the bus finish first). Throws
  // TimeoutError when it does not.
  void SoftReset();
  // Reads STATUS up to `polls` times until busy is clear; returns whether it cleared.
  bool WaitIdle(int polls);

  // Runs the descriptor chain at `desc_addr` to its end: clears stale IRQ events, writes
  // DESC_BASE, sets CTRL interrupt enable + start and waits for the interrupt.
  //  * timeout: reads STATUS, soft-resets, throws TimeoutError naming the timeout and STATUS
  //    (and, when STATUS says the chain ended, that its interrupt never came);
  //  * STATUS error code != 0: clears IRQ, waits until the device has drained the bursts
  //    already on the bus (STATUS busy clear; a soft reset when it does not clear), throws
  //    DeviceError(code, failed descriptor index) naming the code, its meaning, the index and
  //    what to do (ErrCodeAdvice);
  //  * done: clears IRQ and returns.
  // An interrupt with neither done nor an error code throws Error naming STATUS.
  // Before the start, the chain's next pointers are followed in DRAM (CheckChainEnds).
  void RunChain(uint64_t desc_addr, uint64_t timeout_cycles);
  // Follows the chain's next pointers from `desc_addr` through DRAM (up to kMaxChainDescs
  // descriptors, while they are aligned and inside the window: past that the hardware checks
  // them) and throws Error naming both descriptors when one returns to an earlier one: such a
  // chain would run forever.
  void CheckChainEnds(uint64_t desc_addr);
  // Descriptors a chain can have: STATUS reports the failing one's index in 16 bits.
  static constexpr size_t kMaxChainDescs = size_t{1} << 16;
  // RunChain that also snapshots the counters each time a descriptor completes: the device is
  // polled every `poll_cycles` cycles (CNT_DESCS and CNT_PASSES read); when CNT_DESCS has
  // grown, all counters are read into profile->at_desc (one entry per completed descriptor,
  // cumulative since the start; the last entry is read after the interrupt), and the clock
  // cycle (ClockCycle) of every poll that saw a descriptor or a pass complete is kept, so a
  // layer's or a pass's clock window is known to within a poll. Descriptor i's own figures are the
  // difference of entries i and i - 1. The snapshot of a boundary is taken up to poll_cycles plus
  // the CSR reads' cycles after it, so a layer's share is exact to about that (descriptors
  // finishing within one poll share a snapshot); the chain's totals are exact. A device without
  // timing (the golden device) finishes in its first poll: then at_desc holds only the final totals
  // (size 1 < descs) and the per-descriptor split is unknown.
  void RunChainProfiled(uint64_t desc_addr, uint64_t timeout_cycles, uint64_t poll_cycles,
                        ChainProfile* profile);

  // Makes every later RunChain a RunChainProfiled into `profile` (polled every
  // `poll_cycles`; the last run's profile is kept), for code that runs chains itself (RunConv,
  // RunFc, RunPool). Null stops it.
  void ProfileRuns(ChainProfile* profile, uint64_t poll_cycles) {
    profile_ = profile;
    profile_poll_ = poll_cycles;
  }

  // The CNT_* registers (those of the last run).
  DeviceCounters ReadCounters();

  // Typed DRAM access: elements little-endian, back to back from `addr`.
  template <class T>
  void Write(uint64_t addr, const std::vector<T>& values) {
    static_assert(std::is_integral_v<T>, "DRAM holds integers");
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    for (size_t i = 0; i < values.size(); ++i) {
      const auto u = static_cast<std::make_unsigned_t<T>>(values[i]);
      for (size_t b = 0; b < sizeof(T); ++b) bytes[i * sizeof(T) + b] = uint8_t(u >> (8 * b));
    }
    WriteMem(addr, bytes.data(), bytes.size());
  }
  template <class T>
  std::vector<T> Read(uint64_t addr, size_t count) {
    static_assert(std::is_integral_v<T>, "DRAM holds integers");
    using U = std::make_unsigned_t<T>;
    std::vector<uint8_t> bytes(count * sizeof(T));
    ReadMem(addr, bytes.data(), bytes.size());
    std::vector<T> values(count);
    for (size_t i = 0; i < count; ++i) {
      U u = 0;
      for (size_t b = 0; b < sizeof(T); ++b) u |= U(U(bytes[i * sizeof(T) + b]) << (8 * b));
      values[i] = static_cast<T>(u);
    }
    return values;
  }

 private:
  uint64_t alloc_used_ = 0;          // bytes of the window handed out (from MemBase)
  ChainProfile* profile_ = nullptr;  // ProfileRuns
  uint64_t profile_poll_ = 0;
};

// Throws Error when the hardware-configuration CSRs of `dev` describe another array, GLB, output-
// path table or pooling line buffer than `hw`, naming both and ending with `fix` (where the two
// descriptions come from: a build's parameters, a board's bitstream).
void CheckDeviceConfig(Device& dev, const ArrayConfig& hw, const std::string& fix);

}  // namespace eyelet

#endif  // EYELET_DEVICE_H_
