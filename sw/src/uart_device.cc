// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/uart_device.h"

#include <algorithm>
#include <cstring>

#include "eyelet/error.h"
#include "eyelet/hex.h"
#include "eyelet/interrupt.h"
#include "eyelet/mapping.h"

namespace eyelet {

using internal::Hex;

namespace uart {

uint8_t Crc8(uint8_t crc, const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = static_cast<uint8_t>(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
  }
  return crc;
}

}  // namespace uart

namespace {

void PutLe(std::vector<uint8_t>* v, uint64_t x, int bytes) {
  for (int i = 0; i < bytes; ++i) v->push_back(static_cast<uint8_t>(x >> (8 * i)));
}

uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t x = 0;
  for (int i = 0; i < bytes; ++i) x |= uint64_t{p[i]} << (8 * i);
  return x;
}

const char* CmdName(uint8_t cmd) {
  switch (cmd) {
    case uart::kCsrRd: return "CSR_RD";
    case uart::kCsrWr: return "CSR_WR";
    case uart::kMemRd: return "MEM_RD";
    case uart::kMemWr: return "MEM_WR";
    case uart::kPoll: return "POLL";
    case uart::kInfo: return "INFO";
    default: return "?";
  }
}

// Why an answer was not usable, for the retry decision and the message.
enum class Lost { kNone, kTimeout, kGarbled };

}  // namespace

UartDevice::UartDevice(std::unique_ptr<ByteLink> link, const std::string& name)
    : link_(std::move(link)), name_(name) {
  const std::vector<uint8_t> info = Transact(uart::kInfo, {}, 9, true, "INFO");
  if (info[0] != kUartProtocolVersion) {
    throw Error(name_ + ": the board on " + link_->Name() + " speaks UART bridge protocol " +
                std::to_string(info[0]) + ", this driver " +
                std::to_string(kUartProtocolVersion) +
                "; build the bitstream and the tool from the same checkout");
  }
  mem_base_ = GetLe(&info[1], 4);
  mem_size_ = GetLe(&info[5], 4);
}

std::vector<uint8_t> UartDevice::Transact(uint8_t cmd, const std::vector<uint8_t>& body,
                                          size_t payload, bool resend_lost,
                                          const std::string& what) {
  std::vector<uint8_t> frame{uart::kSyncIn, cmd};
  frame.insert(frame.end(), body.begin(), body.end());
  frame.push_back(uart::Crc8(0, frame.data() + 1, frame.size() - 1));
  std::vector<uint8_t> answer(payload + 2);  // status, payload, crc
  std::string last;
  for (int attempt = 0; attempt < kUartAttempts; ++attempt) {
    if (attempt > 0) ++stats_.resends;
    link_->Send(frame.data(), frame.size());
    stats_.bytes_out += frame.size();
    // The sync byte: anything before it is noise from an earlier, abandoned answer.
    uint8_t sync = 0;
    Lost lost = Lost::kNone;
    for (int skipped = 0;; ++skipped) {
      if (link_->Receive(&sync, 1) != 1) {
        lost = Lost::kTimeout;
        break;
      }
      ++stats_.bytes_in;
      if (sync == uart::kSyncOut) break;
      if (skipped > 64) {
        lost = Lost::kGarbled;
        break;
      }
    }
    uint8_t status = 0xff;
    if (lost == Lost::kNone) {
      if (link_->Receive(&status, 1) != 1) lost = Lost::kTimeout;
      ++stats_.bytes_in;
    }
    if (lost == Lost::kNone) {
      // Only OK carries the payload.
      const size_t n = status == uart::kOk ? payload + 1 : 1;
      answer[0] = status;
      const size_t got = link_->Receive(answer.data() + 1, n);
      stats_.bytes_in += got;
      if (got != n) {
        lost = Lost::kTimeout;
      } else if (uart::Crc8(0, answer.data(), n) != answer[n]) {
        lost = Lost::kGarbled;
      }
    }
    if (lost != Lost::kNone) {
      last = lost == Lost::kTimeout ? "no complete answer within the link's timeout"
                                    : "an answer with a bad checksum";
      link_->Drain();
      if (!resend_lost) {
        throw TimeoutError(name_ + ": " + what + " over " + link_->Name() + " got " + last +
                           "; it may or may not have been carried out. Check the cable and the "
                           "baud rate (--baud), then reset the board");
      }
      continue;
    }
    ++stats_.frames;
    switch (status) {
      case uart::kOk:
        return std::vector<uint8_t>(answer.begin() + 1, answer.begin() + 1 + payload);
      case uart::kBadCrc:
      case uart::kOverrun:
        last = status == uart::kBadCrc ? "BAD_CRC answers (the board saw a corrupted frame)"
                                       : "OVERRUN answers (block words came faster than the "
                                         "board wrote them)";
        continue;  // not carried out, or a block write that is carried out again
      case uart::kBusErr:
        throw DeviceError(name_ + ": " + what + " answered BUS_ERR: the CSR port answered an "
                                                "error; the offset is read-only or not in "
                                                "rtl/csr_map.def",
                          ErrCode::kNone, -1);
      case uart::kRange:
        throw Error(name_ + ": " + what + " answered RANGE: the block leaves the board's DRAM " +
                    Hex(mem_base_) + " + " + std::to_string(mem_size_) + " bytes");
      case uart::kBadCmd:
        throw Error(name_ + ": the board does not know command " + CmdName(cmd) +
                    "; build the bitstream and the tool from the same checkout");
      default:
        throw Error(name_ + ": " + what + " answered status " + Hex(status) +
                    ", which protocol version 1 does not have");
    }
  }
  throw TimeoutError(name_ + ": " + what + " over " + link_->Name() + " failed " +
                     std::to_string(kUartAttempts) + " times (" + last +
                     "); check the cable and the baud rate (--baud), then reset the board");
}

uint32_t UartDevice::ReadCsr(uint32_t offset) {
  std::vector<uint8_t> body;
  PutLe(&body, offset, 2);
  const std::vector<uint8_t> v = Transact(uart::kCsrRd, body, 4, true,
                                          "CSR read at offset " + Hex(offset));
  return static_cast<uint32_t>(GetLe(v.data(), 4));
}

void UartDevice::WriteCsr(uint32_t offset, uint32_t value) {
  std::vector<uint8_t> body;
  PutLe(&body, offset, 2);
  PutLe(&body, value, 4);
  Transact(uart::kCsrWr, body, 0, false, "CSR write at offset " + Hex(offset));
}

bool UartDevice::PollIrq() {
  const std::vector<uint8_t> v = Transact(uart::kPoll, {}, 7, true, "POLL");
  // The bridge counts 48 bits; the host keeps the wraps.
  constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
  const uint64_t low = GetLe(&v[1], 6);
  uint64_t c = (cycles_ & ~kMask) | low;
  if (c < cycles_) c += kMask + 1;
  cycles_ = c;
  return (v[0] & 1) != 0;
}

bool UartDevice::WaitIrq(uint64_t timeout_cycles) {
  bool irq = PollIrq();
  const uint64_t start = cycles_;
  while (!irq && cycles_ - start < timeout_cycles) {
    ThrowIfInterrupted("waiting for the board");
    irq = PollIrq();
  }
  return irq;
}

void UartDevice::CheckWindow(uint64_t addr, size_t bytes, const char* op) const {
  if (addr < mem_base_ || bytes > mem_size_ || addr - mem_base_ > mem_size_ - bytes) {
    throw Error(name_ + ": " + op + " of " + std::to_string(bytes) + " bytes at " + Hex(addr) +
                " leaves the board's DRAM window " + Hex(mem_base_) + " + " +
                std::to_string(mem_size_) + " bytes");
  }
}

void UartDevice::ReadWords(uint64_t addr, uint8_t* out, size_t words) {
  while (words > 0) {
    const size_t n = std::min(words, kUartMaxBlockWords);
    std::vector<uint8_t> body;
    PutLe(&body, addr, 4);
    body.push_back(static_cast<uint8_t>(n - 1));
    const std::vector<uint8_t> v =
        Transact(uart::kMemRd, body, 8 * n, true, "DRAM read at " + Hex(addr));
    std::memcpy(out, v.data(), 8 * n);
    out += 8 * n;
    addr += 8 * n;
    words -= n;
  }
}

void UartDevice::WriteWords(uint64_t addr, const uint8_t* in, size_t words) {
  while (words > 0) {
    const size_t n = std::min(words, kUartMaxBlockWords);
    std::vector<uint8_t> body;
    PutLe(&body, addr, 4);
    body.push_back(static_cast<uint8_t>(n - 1));
    body.insert(body.end(), in, in + 8 * n);
    Transact(uart::kMemWr, body, 0, true, "DRAM write at " + Hex(addr));
    in += 8 * n;
    addr += 8 * n;
    words -= n;
  }
}

void UartDevice::ReadMem(uint64_t addr, void* data, size_t bytes) {
  CheckWindow(addr, bytes, "a read");
  if (bytes == 0) return;
  const uint64_t first = addr & ~uint64_t{7};
  const uint64_t end = (addr + bytes + 7) & ~uint64_t{7};
  std::vector<uint8_t> buf(end - first);
  ReadWords(first, buf.data(), buf.size() / 8);
  std::memcpy(data, buf.data() + (addr - first), bytes);
}

void UartDevice::WriteMem(uint64_t addr, const void* data, size_t bytes) {
  CheckWindow(addr, bytes, "a write");
  if (bytes == 0) return;
  const uint64_t first = addr & ~uint64_t{7};
  const uint64_t end = (addr + bytes + 7) & ~uint64_t{7};
  std::vector<uint8_t> buf(end - first);
  // Partial words at the ends keep the bytes around them.
  if (addr != first) ReadWords(first, buf.data(), 1);
  if ((addr + bytes) % 8 != 0 && (end - 8 != first || addr == first)) {
    ReadWords(end - 8, buf.data() + buf.size() - 8, 1);
  }
  std::memcpy(buf.data() + (addr - first), data, bytes);
  WriteWords(first, buf.data(), buf.size() / 8);
}

std::unique_ptr<Device> OpenUartDevice(const std::string& config, const std::string& port,
                                       int baud) {
  const ArrayConfig& hw = ConfigByName(config);
  if (port.empty()) {
    throw UsageError("the uart backend needs the board's serial port: --port /dev/ttyUSB1 (the "
                     "iCEBreaker's FTDI has two; the UART is usually the second)");
  }
  auto dev = std::make_unique<UartDevice>(OpenSerialLink(port, baud > 0 ? baud : kUartDefaultBaud),
                                          "uart:" + hw.name);
  CheckDeviceConfig(*dev, hw,
                    "the bitstream on the board was built for another config: rebuild it "
                    "(make fpga) or name its config with --config");
  return dev;
}

}  // namespace eyelet
