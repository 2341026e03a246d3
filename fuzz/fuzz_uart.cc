// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the host side of the UART bridge protocol (UartDevice, uart_device.cc) on a
// link whose every answer byte comes from the input, as from a wrong device, a noisy cable or a
// broken bitstream. The first byte picks the operations; the rest is what the "board" says.
// UartDevice documents Error and its subclasses (TimeoutError, DeviceError); anything else
// escaping, a crash, or a read that returns other bytes than the answers carried is a finding.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/uart_device.h"

namespace {

using namespace eyelet;

class ScriptedLink : public ByteLink {
 public:
  ScriptedLink(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  std::string Name() const override { return "the fuzz input"; }
  void Send(const uint8_t* data, size_t n) override {
    if (n < 3 || data[0] != uart::kSyncIn) __builtin_trap();  // frames start with A5
    if (uart::Crc8(0, data + 1, n - 2) != data[n - 1]) __builtin_trap();
  }
  size_t Receive(uint8_t* data, size_t n) override {
    const size_t k = std::min(n, size_ - pos_);
    std::memcpy(data, data_ + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t ops = data[0];
  try {
    UartDevice dev(std::make_unique<ScriptedLink>(data + 1, size - 1), "uart:fuzz");
    if (dev.MemSize() > (uint64_t{1} << 32)) __builtin_trap();  // 4 bytes of INFO
    try {
      if (ops & 1) dev.ReadCsr(0x24);
      if (ops & 2) dev.WriteCsr(0x30, 0x12345678);
      if (ops & 4) {
        std::vector<uint8_t> buf(13);
        dev.ReadMem(dev.MemBase() + 3, buf.data(), buf.size());
      }
      if (ops & 8) {
        std::vector<uint8_t> buf(21, 0x5a);
        dev.WriteMem(dev.MemBase() + 5, buf.data(), buf.size());
      }
      if (ops & 16) dev.WaitIrq(1000);
    } catch (const Error&) {
    }
  } catch (const Error&) {
  }
  return 0;
}
