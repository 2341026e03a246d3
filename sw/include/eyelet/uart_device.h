// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A board without a CPU, driven over a serial line: UartDevice is the host side of the UART
// bridge's framing protocol (rtl/fpga/ey_uart_bridge.sv has the frame table). CSR reads and
// writes, DRAM block transfers and interrupt polls travel as checksummed frames over a ByteLink:
// a serial port (OpenSerialLink, backend "uart" with --port) or, in the rtl-uart backend, the
// Verilated bridge's pins in the same process, so the protocol runs in CI without a board.
//
// Frames a board rejects for a bad checksum are sent again (up to kUartAttempts times), as are
// reads and block writes whose answer is lost or corrupted; a CSR write whose answer is lost is
// not (it may have been carried out) and throws TimeoutError.
#ifndef EYELET_UART_DEVICE_H_
#define EYELET_UART_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eyelet/device.h"

namespace eyelet {

constexpr int kUartDefaultBaud = 1000000;
constexpr int kUartAttempts = 3;
constexpr uint8_t kUartProtocolVersion = 1;
constexpr size_t kUartMaxBlockWords = 256;  // 64-bit words in one MEM_RD / MEM_WR frame

// The frame bytes (rtl/fpga/ey_uart_bridge.sv).
namespace uart {
constexpr uint8_t kSyncIn = 0xA5, kSyncOut = 0x5A;
enum Cmd : uint8_t {
  kCsrRd = 0x01, kCsrWr = 0x02, kMemRd = 0x03, kMemWr = 0x04, kPoll = 0x05, kInfo = 0x06
};
enum Status : uint8_t {
  kOk = 0x00, kBadCrc = 0x01, kBadCmd = 0x02, kBusErr = 0x03, kRange = 0x04, kOverrun = 0x05
};
// CRC-8, polynomial 0x07, initial 0, over `n` bytes after `crc`.
uint8_t Crc8(uint8_t crc, const uint8_t* data, size_t n);
}  // namespace uart

// A byte pipe to the bridge.
class ByteLink {
 public:
  virtual ~ByteLink() = default;
  // "/dev/ttyUSB1", "in-process pins": for messages.
  virtual std::string Name() const = 0;
  virtual void Send(const uint8_t* data, size_t n) = 0;
  // Receives up to `n` bytes; returns fewer when the link's answer timeout passes first.
  virtual size_t Receive(uint8_t* data, size_t n) = 0;
  // Drops whatever has been received and not read (after a corrupted answer).
  virtual void Drain() {}
};

// A serial port at `baud`, 8N1, raw, with an answer timeout of `timeout_ms` a read. Throws
// FileError naming the port and what to check when it cannot be opened or set up.
std::unique_ptr<ByteLink> OpenSerialLink(const std::string& port, int baud, int timeout_ms = 2000);

class UartDevice : public Device {
 public:
  // Opens the link's board: reads INFO (protocol version, DRAM window) and throws Error when
  // nothing sensible answers. `name` is Name() ("uart:tiny").
  UartDevice(std::unique_ptr<ByteLink> link, const std::string& name);

  std::string Name() const override { return name_; }
  uint32_t ReadCsr(uint32_t offset) override;
  void WriteCsr(uint32_t offset, uint32_t value) override;
  uint64_t MemBase() const override { return mem_base_; }
  uint64_t MemSize() const override { return mem_size_; }
  void WriteMem(uint64_t addr, const void* data, size_t bytes) override;
  void ReadMem(uint64_t addr, void* data, size_t bytes) override;
  // Polls the interrupt line and the bridge's cycle counter until the line is high or
  // `timeout_cycles` of the board's cycles have passed.
  bool WaitIrq(uint64_t timeout_cycles) override;
  // The board's cycles since reset, as of the last poll (each WaitIrq polls).
  uint64_t ClockCycle() const override { return cycles_; }

  // Polls once: the interrupt line; updates ClockCycle().
  bool PollIrq();

  struct Stats {
    uint64_t frames = 0;   // frames answered
    uint64_t resends = 0;  // frames sent again
    uint64_t bytes_out = 0, bytes_in = 0;
  };
  const Stats& LinkStats() const { return stats_; }
  ByteLink& Link() { return *link_; }

 private:
  // Sends one frame and returns the OK answer's `payload` bytes; throws for the other answers.
  std::vector<uint8_t> Transact(uint8_t cmd, const std::vector<uint8_t>& body, size_t payload,
                                bool resend_lost, const std::string& what);
  void CheckWindow(uint64_t addr, size_t bytes, const char* op) const;
  // Aligned block transfers of whole 64-bit words.
  void ReadWords(uint64_t addr, uint8_t* out, size_t words);
  void WriteWords(uint64_t addr, const uint8_t* in, size_t words);

  std::unique_ptr<ByteLink> link_;
  std::string name_;
  uint64_t mem_base_ = 0;
  uint64_t mem_size_ = 0;
  uint64_t cycles_ = 0;
  Stats stats_;
};

// The uart backend's device: a UartDevice over OpenSerialLink(port, baud), its hardware checked
// against `config` (ConfigByName). UsageError when `port` is empty.
std::unique_ptr<Device> OpenUartDevice(const std::string& config, const std::string& port,
                                       int baud);

}  // namespace eyelet

#endif  // EYELET_UART_DEVICE_H_
