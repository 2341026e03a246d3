// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The UART bridge (rtl/fpga/ey_uart_bridge.sv) and the host's UartDevice (sw/src/uart_device.cc)
// on the Verilated board system (rtl/fpga/ey_uart_sys.sv, the board's up5k accelerator): raw frames and
// their answers byte by byte, block transfers with unaligned ends, corrupted frames and answers
// resent, a lost write answer reported, and a CONV layer run bit-exact through the bridge.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/csr_map.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "eyelet/uart_device.h"
#include "rtluart_link.h"
#include "test_util.h"

namespace eyelet {
namespace {

constexpr uint64_t kBase = 0x8000'0000;
constexpr uint64_t kBytes = 128 * 1024;

// A frame as the host sends it: A5, the body, its CRC.
std::vector<uint8_t> Frame(const std::vector<uint8_t>& body) {
  std::vector<uint8_t> f{uart::kSyncIn};
  f.insert(f.end(), body.begin(), body.end());
  f.push_back(uart::Crc8(0, body.data(), body.size()));
  return f;
}

std::vector<uint8_t> Exchange(ByteLink& link, const std::vector<uint8_t>& frame, size_t answer) {
  link.Send(frame.data(), frame.size());
  std::vector<uint8_t> a(answer);
  a.resize(link.Receive(a.data(), a.size()));
  return a;
}

// A link that corrupts or swallows chosen bytes of another.
class FlakyLink : public ByteLink {
 public:
  explicit FlakyLink(std::unique_ptr<ByteLink> inner) : inner_(std::move(inner)) {}
  std::string Name() const override { return "flaky " + inner_->Name(); }
  void Send(const uint8_t* data, size_t n) override {
    std::vector<uint8_t> b(data, data + n);
    for (uint8_t& x : b) {
      if (sent_++ == flip_sent) x ^= 0x10;
    }
    inner_->Send(b.data(), b.size());
  }
  size_t Receive(uint8_t* data, size_t n) override {
    const size_t got = inner_->Receive(data, n);
    for (size_t i = 0; i < got; ++i) {
      if (received_++ == flip_received) data[i] ^= 0x01;
    }
    return swallow ? 0 : got;
  }
  void Drain() override { inner_->Drain(); }

  uint64_t flip_sent = UINT64_MAX;      // the byte (counted from 0 over all sent) to corrupt
  uint64_t flip_received = UINT64_MAX;  // the same for received bytes
  bool swallow = false;                 // every answer is lost
  uint64_t sent_ = 0, received_ = 0;

 private:
  std::unique_ptr<ByteLink> inner_;
};

TEST(UartBridge, RawFramesAndTheirAnswers) {
  const std::unique_ptr<ByteLink> link = OpenRtlUartLink();
  // INFO: version 1, DRAM at 0x8000_0000, 128 KB.
  std::vector<uint8_t> a = Exchange(*link, Frame({uart::kInfo}), 12);
  ASSERT_EQ(a.size(), 12u);
  const std::vector<uint8_t> info{0x5A, 0x00, 1, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x02, 0x00};
  EXPECT_EQ(std::vector<uint8_t>(a.begin(), a.begin() + 11), info);
  EXPECT_EQ(a[11], uart::Crc8(0, a.data() + 1, 10));
  // CSR_RD of ID: "EYLT".
  a = Exchange(*link, Frame({uart::kCsrRd, 0x00, 0x00}), 7);
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[1], uart::kOk);
  uint32_t id = 0;
  std::memcpy(&id, &a[2], 4);
  EXPECT_EQ(id, kCsrIdValue);
  // A bad CRC is answered BAD_CRC and not carried out.
  std::vector<uint8_t> f = Frame({uart::kCsrWr, uint8_t(kCsrDescBaseLo), 0x00, 0x40, 0x30, 0x20,
                                  0x10});
  f.back() ^= 0xff;
  a = Exchange(*link, f, 3);
  const uint8_t bad_crc = uart::kBadCrc;
  EXPECT_EQ(a, (std::vector<uint8_t>{0x5A, bad_crc, uart::Crc8(0, &bad_crc, 1)}));
  a = Exchange(*link, Frame({uart::kCsrRd, uint8_t(kCsrDescBaseLo), 0x00}), 7);
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[2] | a[3] | a[4] | a[5], 0);
  // An unknown command, a CSR write to a read-only register, a block outside the memory.
  const uint8_t bad_cmd = uart::kBadCmd, bus_err = uart::kBusErr, range = uart::kRange;
  a = Exchange(*link, Frame({0x7f}), 3);
  EXPECT_EQ(a, (std::vector<uint8_t>{0x5A, bad_cmd, uart::Crc8(0, &bad_cmd, 1)}));
  a = Exchange(*link, Frame({uart::kCsrWr, uint8_t(kCsrId), 0x00, 1, 2, 3, 4}), 3);
  EXPECT_EQ(a, (std::vector<uint8_t>{0x5A, bus_err, uart::Crc8(0, &bus_err, 1)}));
  a = Exchange(*link, Frame({uart::kMemRd, 0xf8, 0xff, 0x01, 0x80, 1}), 3);  // 16 B at the end
  EXPECT_EQ(a, (std::vector<uint8_t>{0x5A, range, uart::Crc8(0, &range, 1)}));
  a = Exchange(*link, Frame({uart::kMemRd, 0x04, 0x00, 0x00, 0x80, 0}), 3);  // not aligned
  EXPECT_EQ(a, (std::vector<uint8_t>{0x5A, range, uart::Crc8(0, &range, 1)}));
  // POLL: the interrupt line is low, the cycle counter runs.
  a = Exchange(*link, Frame({uart::kPoll}), 10);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(a[1], uart::kOk);
  EXPECT_EQ(a[2] & 1, 0);
  uint64_t c1 = 0;
  std::memcpy(&c1, &a[3], 6);
  a = Exchange(*link, Frame({uart::kPoll}), 10);
  uint64_t c2 = 0;
  std::memcpy(&c2, &a[3], 6);
  EXPECT_GT(c2, c1 + 400);  // a POLL frame and its answer take 13 bytes of 40 cycles
}

TEST(UartBridge, Crc8CheckValue) {
  const char* s = "123456789";  // CRC-8 (poly 0x07, init 0): 0xF4
  EXPECT_EQ(uart::Crc8(0, reinterpret_cast<const uint8_t*>(s), 9), 0xF4);
}

TEST(UartDevice, BlocksWithUnalignedEndsKeepTheBytesAround) {
  UartDevice dev(OpenRtlUartLink(), "rtl-uart:up5k");
  EXPECT_EQ(dev.MemBase(), kBase);
  EXPECT_EQ(dev.MemSize(), kBytes);
  Rng rng(5);
  // Background of known bytes, then blocks at odd offsets and lengths over it (one spans two
  // frames: 256 words and more).
  std::vector<uint8_t> want(4200);
  for (uint8_t& b : want) b = static_cast<uint8_t>(rng.Next());
  dev.WriteMem(kBase + 64, want.data(), want.size());
  for (const auto& [off, len] : std::vector<std::pair<size_t, size_t>>{
           {3, 1}, {9, 6}, {15, 2}, {21, 19}, {100, 2500}, {4193, 7}}) {
    std::vector<uint8_t> blk(len);
    for (uint8_t& b : blk) b = static_cast<uint8_t>(rng.Next());
    dev.WriteMem(kBase + 64 + off, blk.data(), len);
    std::memcpy(&want[off], blk.data(), len);
  }
  std::vector<uint8_t> got(want.size());
  dev.ReadMem(kBase + 64, got.data(), got.size());
  EXPECT_EQ(got, want);
  std::vector<uint8_t> five(5);
  dev.ReadMem(kBase + 64 + 2001, five.data(), 5);
  EXPECT_EQ(five, std::vector<uint8_t>(want.begin() + 2001, want.begin() + 2006));
  // The last bytes of the window, and one past it.
  dev.WriteMem(kBase + kBytes - 3, want.data(), 3);
  dev.ReadMem(kBase + kBytes - 3, five.data(), 3);
  EXPECT_EQ(std::vector<uint8_t>(five.begin(), five.begin() + 3),
            std::vector<uint8_t>(want.begin(), want.begin() + 3));
  try {
    dev.ReadMem(kBase + kBytes - 3, five.data(), 4);
    FAIL() << "a read past the window";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("leaves the board's DRAM window"), std::string::npos)
        << e.what();
  }
}

TEST(UartDevice, CorruptedFramesAndAnswersAreSentAgain) {
  auto flaky = std::make_unique<FlakyLink>(OpenRtlUartLink());
  FlakyLink& link = *flaky;
  UartDevice dev(std::move(flaky), "rtl-uart:up5k");
  // The board sees a corrupted CSR write (BAD_CRC, not carried out); the resend lands.
  link.flip_sent = link.sent_ + 5;
  dev.WriteCsr(kCsrDescBaseLo, 0x1234'5678);
  EXPECT_EQ(dev.LinkStats().resends, 1u);
  // The host sees a corrupted read answer; the read is sent again.
  link.flip_received = link.received_ + 3;
  EXPECT_EQ(dev.ReadCsr(kCsrDescBaseLo), 0x1234'5678u);
  EXPECT_EQ(dev.LinkStats().resends, 2u);
  // A corrupted block write is written again whole.
  std::vector<uint8_t> blk(100, 0xab), got(100);
  link.flip_sent = link.sent_ + 40;
  dev.WriteMem(kBase + 8, blk.data(), blk.size());
  EXPECT_EQ(dev.LinkStats().resends, 3u);
  dev.ReadMem(kBase + 8, got.data(), got.size());
  EXPECT_EQ(got, blk);
  // A write whose answer is lost may have happened: not resent, reported.
  link.swallow = true;
  try {
    dev.WriteCsr(kCsrDescBaseLo, 1);
    FAIL() << "a lost write answer";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("may or may not have been carried out"),
              std::string::npos)
        << e.what();
  }
  // A read whose answers never come fails after kUartAttempts tries.
  EXPECT_THROW(dev.ReadCsr(kCsrId), TimeoutError);
  link.swallow = false;
  EXPECT_EQ(dev.ReadCsr(kCsrId), kCsrIdValue);
}

TEST(UartDevice, ErrorAnswersNameTheProblem) {
  const std::unique_ptr<Device> dev = OpenDevice("rtl-uart:up5k");
  EXPECT_THROW(dev->WriteCsr(kCsrId, 5), DeviceError);  // read-only: BUS_ERR
  EXPECT_THROW(dev->ReadCsr(0xffc), DeviceError);       // not in the map
  EXPECT_THROW(OpenDevice("rtl-uart:tiny"), UsageError);
  DeviceOptions o;  // the uart backend without a port
  EXPECT_THROW(OpenDevice("uart:tiny", o), UsageError);
  o.port = "/nonexistent/ttyUSB9";
  EXPECT_THROW(OpenDevice("uart:tiny", o), FileError);
}

TEST(UartDevice, ConvLayerThroughTheBridgeIsBitExact) {
  const std::unique_ptr<Device> dev = OpenDevice("rtl-uart:up5k");
  Rng rng(77);
  const ConvLayer l = test::Conv(1, 3, 9, 9, 5, 3, 3, 1, 1);
  const Tensor<int16_t> x = test::FullRangeTensor(l.x, rng, 0.3);
  const Tensor<int16_t> w = test::FullRangeTensor(l.w, rng, 0.05);
  const LayerResult r = RunConv(*dev, l, x, w, nullptr, 5'000'000);
  EXPECT_TRUE(test::SameTensor(r.y, ConvAcc(x, w, l.conv)));
  EXPECT_GT(r.counters.cycles, 0u);
  EXPECT_GT(dev->ClockCycle(), r.counters.cycles);
}

}  // namespace
}  // namespace eyelet
