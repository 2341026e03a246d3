// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Registers backend "rtl-uart" (eyelet/backend.h): the board system (rtl/fpga/ey_uart_sys.sv:
// the accelerator in the iCEBreaker's up5k config, its DRAM stand-in and the UART bridge)
// Verilated with the board's parameters, driven by the host
// driver's UartDevice through the bridge's serial pins in this process. Every CSR access, DRAM
// block and interrupt poll travels as bit-level UART frames, so a sweep on it tests the bridge
// RTL and the protocol the uart backend speaks to a board, without a board.
//
// The build runs the UART at 4 clock cycles a bit (the board: 12), so a byte costs 40 cycles.
#include <algorithm>
#include <deque>

#include "Vey_uart_sys_up5k.h"
#include "eyelet/backend.h"
#include "eyelet/error.h"
#include "eyelet/interrupt.h"
#include "eyelet/mapping.h"
#include "eyelet/uart_device.h"
#include "harness.h"
#include "rtluart_link.h"

namespace eyelet {
namespace {

constexpr int kClksPerBit = EY_UART_SIM_CLKS_PER_BIT;  // CMakeLists.txt: the build's parameter

// The host's UART at the other end of the bridge's rx_i / tx_o: a serializer and a receiver
// that samples mid-bit, clocked with the model.
class PinLink : public ByteLink {
 public:
  // An answer that has not begun `quiet_bytes` byte times after the host's last byte is lost.
  PinLink(const DeviceOptions& o, int quiet_bytes)
      : h_(o.plusargs), quiet_cycles_(uint64_t{10} * kClksPerBit * quiet_bytes) {
    h_.OpenTrace(o.trace_path);
    h_.TraceWindow(o.trace_from, o.trace_to);
    h_.dut().rx_i = 1;
    h_.Reset();
  }

  std::string Name() const override { return "the Verilated bridge's pins"; }

  void Send(const uint8_t* data, size_t n) override { out_.insert(out_.end(), data, data + n); }

  size_t Receive(uint8_t* data, size_t n) override {
    uint64_t quiet = 0;  // cycles with nothing sent and nothing received
    while (in_.size() < n && quiet < quiet_cycles_) {
      const size_t before = in_.size();
      Step();
      quiet = (in_.size() != before || sending_ || !out_.empty()) ? 0 : quiet + 1;
      if ((h_.cycle() & 0xfff) == 0) ThrowIfInterrupted("in the simulation");
    }
    const size_t got = std::min(n, in_.size());
    std::copy(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(got), data);
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(got));
    return got;
  }

  void Drain() override { in_.clear(); }

 private:
  void Step() {
    Vey_uart_sys_up5k& d = h_.dut();
    // Host -> bridge: start bit, 8 data bits LSB first, stop bit.
    if (!sending_ && !out_.empty()) {
      frame_ = static_cast<uint16_t>((1u << 9) | (unsigned{out_.front()} << 1));
      out_.pop_front();
      sending_ = true;
      tx_bits_ = 10;
      tx_cnt_ = kClksPerBit;
    }
    d.rx_i = sending_ ? (frame_ & 1) : 1;
    if (sending_ && --tx_cnt_ == 0) {
      frame_ >>= 1;
      tx_cnt_ = kClksPerBit;
      if (--tx_bits_ == 0) sending_ = false;
    }
    h_.Eval();
    // Bridge -> host: a falling edge starts a byte; bits are sampled mid-bit.
    const bool line = d.tx_o;
    if (rx_bit_ < 0) {
      if (!line) {
        rx_bit_ = 0;
        rx_cnt_ = kClksPerBit / 2 + kClksPerBit;  // the middle of data bit 0
        rx_byte_ = 0;
      }
    } else if (--rx_cnt_ == 0) {
      if (rx_bit_ < 8) {
        rx_byte_ = static_cast<uint8_t>(rx_byte_ | (line << rx_bit_));
        ++rx_bit_;
        rx_cnt_ = kClksPerBit;
      } else {
        if (!line) {
          throw Error("rtl-uart: the bridge sent a byte without a stop bit at cycle " +
                      std::to_string(h_.cycle()) + " (a bug in rtl/fpga/ey_uart_tx.sv)");
        }
        in_.push_back(rx_byte_);
        rx_bit_ = -1;
      }
    }
    h_.Tick();
  }

  Harness<Vey_uart_sys_up5k> h_;
  uint64_t quiet_cycles_;
  std::deque<uint8_t> out_, in_;
  bool sending_ = false;
  uint16_t frame_ = 0;
  int tx_bits_ = 0, tx_cnt_ = 0;
  int rx_bit_ = -1, rx_cnt_ = 0;
  uint8_t rx_byte_ = 0;
};

}  // namespace

std::unique_ptr<ByteLink> OpenRtlUartLink(const DeviceOptions& options, int quiet_bytes) {
  return std::make_unique<PinLink>(options, quiet_bytes);
}

namespace {

std::unique_ptr<Device> OpenRtlUart(const std::string& config, const DeviceOptions& options) {
  const ArrayConfig& hw = ConfigByName(config);
  if (hw.name != "up5k") {
    throw UsageError("the rtl-uart system is the iCEBreaker's: config 'up5k' only, not '" +
                     hw.name + "' (CMakeLists.txt, ey_uart_sys)");
  }
  if (!options.trace_scope.empty() || !options.activity_path.empty()) {
    throw UsageError("rtl-uart traces the whole board system; for trace scopes and activity use "
                     "--backend rtl");
  }
  // The DRAM stand-in is the board's (one-cycle SRAM): the DRAM model's options do not apply.
  auto dev = std::make_unique<UartDevice>(OpenRtlUartLink(options), "rtl-uart:up5k");
  CheckDeviceConfig(*dev, hw,
                    "the ey_uart_sys build's parameters (CMakeLists.txt) and BuiltConfigs() in "
                    "sw/src/mapping.cc disagree");
  return dev;
}

const bool kRtlUartRegistered = RegisterBackend("rtl-uart", OpenRtlUart);

}  // namespace
}  // namespace eyelet
