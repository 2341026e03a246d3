// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Faults the driver must survive (issue 17 item 6), on the Verilated accelerator: an AXI error
// response on any read or write burst of a chain, a timeout at any point, an interrupt that
// never reaches the host, a chain whose next pointers loop. In each case the run stops with an
// error that names what happened, the layers after the failing one are not written, the device
// is idle, and the next chain runs bit-exact. (Descriptors that point outside DRAM or the
// address space: DriverErrors.* in driver_rtl_test.cc; Ctrl-C: CliInterrupt.* in
// cli_interrupt_test.cc.)
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "rtl_device.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;
using test::FullRangeTensor;
using test::SameTensor;

constexpr uint64_t kTimeout = 5'000'000;
constexpr uint8_t kSentinel = 0xa5;

// Three independent CONV layers (inputs written by the host) as one chain on `dev`; each
// layer's output area is filled with kSentinel before a run, so a layer that never wrote is
// told from one that did.
class FaultChain {
 public:
  explicit FaultChain(Device& dev) : dev_(dev) {
    Rng rng(17);
    layers_ = {Conv(1, 3, 9, 9, 6, 3, 3, 1, 1), Conv(2, 4, 7, 7, 5, 3, 3, 2, 0),
               Conv(1, 6, 6, 6, 8, 1, 1, 1, 0)};
    for (const ConvLayer& l : layers_) {
      xs_.push_back(FullRangeTensor(l.x, rng, 0.2));
      ws_.push_back(FullRangeTensor(l.w, rng, 0.2));
      want_.push_back(ConvAcc(xs_.back(), ws_.back(), l.conv));
    }
    dev_.FreeAll();
    chain_ = std::make_unique<ChainBuilder>(dev_);
    for (size_t i = 0; i < layers_.size(); ++i) chain_->AddConv(layers_[i], xs_[i], ws_[i]);
    head_ = chain_->Commit();
  }

  uint64_t head() const { return head_; }
  // Where descriptor i lies: the head, then each one's next as Commit linked them.
  uint64_t desc_addr(int i) const { return i == 0 ? head_ : chain_->layer(i - 1).desc.next; }
  int size() const { return static_cast<int>(layers_.size()); }

  void FillSentinel() {
    for (int i = 0; i < size(); ++i) {
      const std::vector<uint8_t> fill(OutBytes(i), kSentinel);
      dev_.WriteMem(chain_->layer(i).desc.y_addr, fill.data(), fill.size());
    }
  }
  bool Untouched(int i) {
    std::vector<uint8_t> got(OutBytes(i));
    dev_.ReadMem(chain_->layer(i).desc.y_addr, got.data(), got.size());
    return got == std::vector<uint8_t>(got.size(), kSentinel);
  }
  bool Correct(int i) { return SameTensor(chain_->ReadOutput(i), want_[i]); }

  // Runs the chain from sentinel outputs and checks every layer.
  void ExpectGoodRun() {
    FillSentinel();
    dev_.RunChain(head_, kTimeout);
    for (int i = 0; i < size(); ++i) EXPECT_TRUE(Correct(i)) << "layer " << i;
  }

 private:
  size_t OutBytes(int i) const {
    return static_cast<size_t>(chain_->layer(i).out.Size()) * sizeof(int32_t);
  }

  Device& dev_;
  std::vector<ConvLayer> layers_;
  std::vector<Tensor<int16_t>> xs_, ws_;
  std::vector<Tensor<int32_t>> want_;
  std::unique_ptr<ChainBuilder> chain_;
  uint64_t head_ = 0;
};

// The bursts a clean run of the chain issues on a fresh device (its read and write numbers).
AxiMem::Stats CleanRunBursts(uint64_t* cycles) {
  auto dev = RtlDevice::Create("tiny");
  FaultChain chain(*dev);
  chain.ExpectGoodRun();
  *cycles = dev->ReadCounters().cycles;
  return dev->Mem().stats();
}

// SLVERR on read (write) burst k of the chain, for burst numbers drawn over the whole run:
// descriptor fetches, ifmap, filter and table loads, output stores.
TEST(DeviceFaults, AxiErrorOnAnyBurstStopsTheChainAtThatLayer) {
  uint64_t cycles = 0;
  const AxiMem::Stats clean = CleanRunBursts(&cycles);
  ASSERT_GT(clean.read_bursts, 10u);
  ASSERT_GT(clean.write_bursts, 3u);
  Rng rng(23);
  for (const bool write : {false, true}) {
    const uint64_t bursts = write ? clean.write_bursts : clean.read_bursts;
    std::set<int64_t> points = {0, static_cast<int64_t>(bursts) - 1};
    while (points.size() < 8) points.insert(rng.UniformInt(0, static_cast<int>(bursts) - 1));
    std::set<int> failing_layers;
    for (const int64_t k : points) {
      SCOPED_TRACE(std::string(write ? "write" : "read") + " burst " + std::to_string(k) +
                   " of " + std::to_string(bursts));
      RtlDeviceOptions o;
      (write ? o.mem.slverr_write_burst : o.mem.slverr_read_burst) = k;
      auto dev = RtlDevice::Create("tiny", o);
      FaultChain chain(*dev);
      chain.FillSentinel();
      int index = -1;
      try {
        dev->RunChain(chain.head(), kTimeout);
        ADD_FAILURE() << "the chain finished";
      } catch (const DeviceError& e) {
        EXPECT_EQ(e.code(), write ? ErrCode::kAxiWrSlverr : ErrCode::kAxiRdSlverr) << e.what();
        index = e.desc_index();
      }
      ASSERT_GE(index, 0);
      ASSERT_LT(index, chain.size());
      failing_layers.insert(index);
      // The layers before it finished, the ones after it were not started.
      for (int i = 0; i < index; ++i) EXPECT_TRUE(chain.Correct(i)) << "layer " << i;
      for (int i = index + 1; i < chain.size(); ++i) {
        EXPECT_TRUE(chain.Untouched(i)) << "layer " << i << " was written";
      }
      EXPECT_EQ(dev->ReadCsr(kCsrStatus) & kStatusBusy, 0u);
      EXPECT_TRUE(dev->Mem().Idle());
      EXPECT_EQ(dev->Mem().stats().error_bursts, 1u);
      // Later bursts answer OKAY: the same chain runs again, bit-exact.
      chain.ExpectGoodRun();
    }
    // The draws reach more than one layer (the first and the last burst are among them).
    EXPECT_GT(failing_layers.size(), 1u);
  }
}

// A timeout anywhere in the chain: the driver soft-resets the device and the chain runs again.
TEST(DeviceFaults, TimeoutAtAnyPointSoftResetsAndTheChainRunsAgain) {
  uint64_t cycles = 0;
  CleanRunBursts(&cycles);
  auto dev = RtlDevice::Create("tiny");
  FaultChain chain(*dev);
  Rng rng(29);
  for (int k = 0; k < 6; ++k) {
    const uint64_t after = static_cast<uint64_t>(rng.UniformInt(1, static_cast<int>(cycles) - 1));
    SCOPED_TRACE("timeout after " + std::to_string(after) + " of " + std::to_string(cycles));
    chain.FillSentinel();
    try {
      dev->RunChain(chain.head(), after);
      ADD_FAILURE() << "the chain finished";
    } catch (const TimeoutError& e) {
      EXPECT_NE(std::string(e.what()).find("did not finish within " + std::to_string(after)),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(dev->ReadCsr(kCsrStatus) & kStatusBusy, 0u);
    EXPECT_TRUE(dev->Mem().Idle());
    chain.ExpectGoodRun();
  }
}

// The chain finishes but the line never reaches the host: the timeout says so and what to check.
TEST(DeviceFaults, AnInterruptThatNeverComesIsNamed) {
  uint64_t cycles = 0;
  CleanRunBursts(&cycles);
  RtlDeviceOptions o;
  o.irq_stuck_low = true;
  auto dev = RtlDevice::Create("tiny", o);
  FaultChain chain(*dev);
  chain.FillSentinel();
  try {
    dev->RunChain(chain.head(), 2 * cycles + 1000);
    FAIL() << "the run returned without an interrupt";
  } catch (const TimeoutError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("but no interrupt came"), std::string::npos) << what;
    EXPECT_NE(what.find("interrupt line"), std::string::npos) << what;
  }
  // The chain itself ran: every layer is right, and the device is idle.
  for (int i = 0; i < chain.size(); ++i) EXPECT_TRUE(chain.Correct(i)) << "layer " << i;
  EXPECT_EQ(dev->ReadCsr(kCsrStatus) & kStatusBusy, 0u);
  // A chain that hangs on the same device is still a plain timeout.
  try {
    dev->RunChain(chain.head(), cycles / 2);
    FAIL() << "the run returned without an interrupt";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("did not finish"), std::string::npos) << e.what();
  }
}

// Sets the next pointer of the descriptor at `addr` (in DRAM) to `next`.
void SetNext(Device& dev, uint64_t addr, uint64_t next) {
  std::vector<uint64_t> words(kDescWords);
  dev.ReadMem(addr, words.data(), kDescBytes);
  Desc d = UnpackDesc(words.data());
  d.next = next;
  const std::vector<uint64_t> packed = PackDesc(d);
  dev.WriteMem(addr, packed.data(), kDescBytes);
}

// A chain that loops is refused before the start, on every backend (Device::CheckChainEnds),
// with both descriptors named; nothing runs, and the mended chain runs.
TEST(DeviceFaults, ALoopingChainIsRefusedBeforeItStarts) {
  auto rtl = RtlDevice::Create("tiny");
  GoldenDevice golden(ConfigByName("tiny"));
  for (Device* dev : {static_cast<Device*>(rtl.get()), static_cast<Device*>(&golden)}) {
    SCOPED_TRACE(dev->Name());
    FaultChain chain(*dev);
    const struct {
      int from, to;
      const char* text;
    } loops[] = {{2, 0, "descriptor 2's next pointer"},
                 {1, 1, "descriptor 1's next pointer"},
                 {0, 0, "descriptor 0's next pointer"}};
    for (const auto& l : loops) {
      SCOPED_TRACE(l.text);
      SetNext(*dev, chain.desc_addr(l.from), chain.desc_addr(l.to));
      const uint64_t clock = dev->ClockCycle();
      try {
        dev->RunChain(chain.head(), kTimeout);
        FAIL() << "the chain started";
      } catch (const DeviceError&) {
        FAIL() << "the device ran it";
      } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("loops"), std::string::npos) << what;
        EXPECT_NE(what.find(l.text), std::string::npos) << what;
        EXPECT_NE(what.find("is descriptor " + std::to_string(l.to)), std::string::npos) << what;
      }
      EXPECT_EQ(dev->ClockCycle(), clock);  // not a cycle ran
      EXPECT_EQ(dev->ReadCsr(kCsrStatus) & kStatusBusy, 0u);
      // Mend it: 0 -> 1 -> 2 -> end.
      for (int i = 0; i < chain.size(); ++i) {
        SetNext(*dev, chain.desc_addr(i), i + 1 < chain.size() ? chain.desc_addr(i + 1) : 0);
      }
      chain.ExpectGoodRun();
    }
  }
}

}  // namespace
}  // namespace eyelet
