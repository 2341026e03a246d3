// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The host path on the Verilated accelerator (rtl/ey_top.sv): CSRs over AXI4-Lite, the
// descriptor walker and the AXI4 DMA against the DRAM model, driven by the same driver and
// runtime a board would use. Every output element is compared with the golden model; every
// illegal descriptor must stop with the code the driver's CheckDesc predicts, and the next
// good chain must still run.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "eyelet/cost_model.h"
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

constexpr uint64_t kTimeout = 20'000'000;

RtlDevice& Dev(const std::string& config) {
  static std::map<std::string, std::unique_ptr<RtlDevice>> devs;
  auto& d = devs[config];
  if (!d) d = RtlDevice::Create(config);
  return *d;
}

// --- CSR block through ey_top

TEST(DriverCsr, HardwareConfigMatchesTheBuild) {
  for (const char* name : {"tiny", "small"}) {
    const HwInfo hw = Dev(name).ReadHwInfo();
    const ArrayConfig& want = ConfigByName(name);
    EXPECT_EQ(hw.id, kCsrIdValue);
    EXPECT_EQ(hw.version, kCsrVersionValue);
    EXPECT_EQ(hw.rows, want.rows);
    EXPECT_EQ(hw.cols, want.cols);
    EXPECT_EQ(hw.ifmap_depth, want.ifmap_depth);
    EXPECT_EQ(hw.filter_depth, want.filter_depth);
    EXPECT_EQ(hw.psum_depth, want.psum_depth);
    EXPECT_EQ(hw.data_bits, 16);
    EXPECT_EQ(hw.acc_bits, 32);
    EXPECT_EQ(hw.axi_bytes, 8);
    EXPECT_EQ(hw.addr_bits, 32);
    EXPECT_EQ(hw.glb_ifmap_words, want.glb_ifmap_words);
    EXPECT_EQ(hw.glb_filter_words, want.glb_filter_words);
    EXPECT_EQ(hw.glb_psum_words, want.glb_psum_words);
    EXPECT_EQ(hw.pp_words, want.pp_words);
  }
}

TEST(DriverCsr, ErrorResponsesAndReadBack) {
  RtlDevice& d = Dev("tiny");
  d.WriteCsr(kCsrDescBaseLo, 0x12345678);
  d.WriteCsr(kCsrDescBaseHi, 0x9abcdef0);
  EXPECT_EQ(d.ReadCsr(kCsrDescBaseLo), 0x12345678u);
  EXPECT_EQ(d.ReadCsr(kCsrDescBaseHi), 0x9abcdef0u);
  for (uint32_t bad : {kCsrCntDramFltBytes + 4, 0x0ffu, 0x102u, 0xffcu}) {  // past the counters
    SCOPED_TRACE(bad);
    try {
      d.ReadCsr(bad);
      FAIL() << "no error response";
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), ErrCode::kNone);
      EXPECT_EQ(e.desc_index(), -1);
    }
  }
  EXPECT_THROW(d.WriteCsr(kCsrId, 1), DeviceError);
  EXPECT_THROW(d.WriteCsr(kCsrCntCycles, 1), DeviceError);
  EXPECT_EQ(d.ReadCsr(kCsrId), kCsrIdValue);
  d.WriteCsr(kCsrDescBaseLo, 0);
  d.WriteCsr(kCsrDescBaseHi, 0);
}

// --- Layers through the driver, with random DRAM latency and stalls on every channel

struct SweepCase {
  const char* config;
  int latency;
  double stall;
};

class DriverSweep : public ::testing::TestWithParam<SweepCase> {};

// A random layer for `hw`, small enough for a quick run, with chunking forced now and then.
ConvLayer DrawLayer(const ArrayConfig& hw, Rng& rng) {
  auto pick = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  for (;;) {
    const int groups = pick(1, 4) == 1 ? 2 : 1;
    const int r = pick(1, 5), s = pick(1, 5);
    const int stride = pick(1, 3) == 1 ? 2 : 1;
    const int pad = pick(0, std::min(r, s) - 1);
    const int d[] = {pick(1, 3), groups * pick(1, 6), pick(r, 14), pick(s, 14),
                     groups * pick(1, 12)};  // a braced list: drawn in order
    ConvLayer l = Conv(d[0], d[1], d[2], d[3], d[4], r, s, stride, pad, groups);
    l.conv.pad_bottom = pick(0, pad);
    try {
      l.Out();
      ChooseMapping(l, hw);
      return l;
    } catch (const Error&) {
    }
  }
}

TEST_P(DriverSweep, RandomLayersMatchTheGoldenModel) {
  const SweepCase c = GetParam();
  RtlDeviceOptions o;
  o.mem.read_latency = c.latency;
  o.mem.write_latency = c.latency / 2 + 1;
  o.mem.ready_prob = 1.0 - c.stall;
  o.mem.valid_prob = 1.0 - c.stall;
  o.mem.seed = static_cast<uint64_t>(c.latency);
  auto dev = RtlDevice::Create(c.config, o);
  GoldenDevice golden(ConfigByName(c.config));
  Rng rng(1000 + c.latency);
  for (int i = 0; i < 12; ++i) {
    const ConvLayer l = DrawLayer(ConfigByName(c.config), rng);
    SCOPED_TRACE(std::string(c.config) + " layer " + std::to_string(i) + " " + l.ToString());
    const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2);
    const Tensor<int16_t> w = FullRangeTensor(l.w, rng, 0.05);
    const LayerResult r = RunConv(*dev, l, x, w, nullptr, kTimeout);
    EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv)));
    // The golden device moves the same bytes for the same descriptor.
    const LayerResult g = RunConv(golden, l, x, w, &r.mapping, kTimeout);
    EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
    EXPECT_EQ(r.counters.dram_flt_bytes, g.counters.dram_flt_bytes);
    EXPECT_GT(r.counters.dram_flt_bytes, 0u);
    EXPECT_EQ(r.counters.descs, 1u);
    // The spad and LN counters equal the cost model's counts of the mapping and tiling run.
    const CostEstimate m = EvaluateMapping(l, ConfigByName(c.config), r.mapping, r.tiling);
    EXPECT_EQ(r.counters.spad_if_writes, static_cast<uint64_t>(m.access.spad_ifmap_writes));
    EXPECT_EQ(r.counters.spad_if_reads, static_cast<uint64_t>(m.access.spad_ifmap_reads));
    EXPECT_EQ(r.counters.spad_flt_writes, static_cast<uint64_t>(m.access.spad_filter_writes));
    EXPECT_EQ(r.counters.ln_words, static_cast<uint64_t>(m.access.ln_psum));
    // Every MAC of the layer is done or gated; padding adds gated (or zero-weight) ones.
    EXPECT_GE(r.counters.macs + r.counters.skipped, static_cast<uint64_t>(l.Macs()));
    EXPECT_GT(r.counters.dma_stall, 0u);
    EXPECT_LT(r.counters.dma_stall, r.counters.cycles);
  }
  EXPECT_TRUE(dev->Mem().Idle());
}

INSTANTIATE_TEST_SUITE_P(Mem, DriverSweep,
                         ::testing::Values(SweepCase{"tiny", 1, 0.0}, SweepCase{"tiny", 30, 0.3},
                                           SweepCase{"small", 8, 0.5},
                                           SweepCase{"small", 3, 0.1}),
                         [](const auto& info) {
                           return std::string(info.param.config) + "_lat" +
                                  std::to_string(info.param.latency) + "_stall" +
                                  std::to_string(static_cast<int>(info.param.stall * 100));
                         });

// --- Every tiling the descriptor can express: random image, filter and channel chunks

TEST(DriverTiling, RandomChunksGiveTheSameOutputs) {
  // The walker's loops (groups, image chunks, row bands, filter and channel chunks, resident
  // images and filters, accumulation across channel chunks) on random layers, with the chunk
  // and band sizes drawn at random below what the GLB allows, under a slow stalling DRAM.
  RtlDeviceOptions o;
  o.mem.read_latency = 12;
  o.mem.ready_prob = 0.8;
  o.mem.valid_prob = 0.8;
  auto dev = RtlDevice::Create("small", o);
  GoldenDevice golden(ConfigByName("small"));
  Rng rng(77);
  auto pick = [&](uint64_t lo, uint64_t hi) {
    return static_cast<uint64_t>(rng.Uniform(static_cast<int64_t>(lo), static_cast<int64_t>(hi)));
  };
  int multi_c = 0, multi_m = 0, multi_n = 0, multi_b = 0;
  for (int i = 0; i < 24; ++i) {
    const ConvLayer l = DrawLayer(ConfigByName("small"), rng);
    SCOPED_TRACE("layer " + std::to_string(i) + " " + l.ToString());
    const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
    Device* devs[2] = {dev.get(), &golden};
    Tensor<int32_t> outs[2];
    DeviceCounters counts[2];
    // Small p and t so that layers have several filter blocks to chunk.
    RsMapping m;
    m.e = static_cast<int>(pick(1, std::min(7, l.Out().h)));
    m.p = static_cast<int>(pick(1, 2));
    m.q = static_cast<int>(pick(1, 2));
    m.t = static_cast<int>(pick(1, 2));
    m.n = l.x.n;
    const bool legal = CompleteMapping(l, ConfigByName("small"), m).empty();
    Desc d;
    for (int k = 0; k < 2; ++k) {
      devs[k]->FreeAll();
      ChainBuilder chain(*devs[k]);
      chain.AddConv(l, x, w, legal ? &m : nullptr);
      const uint64_t head = chain.Commit();
      std::vector<uint64_t> words(kDescWords);
      devs[k]->ReadMem(head, words.data(), kDescBytes);
      if (k == 0) {
        d = UnpackDesc(words.data());
        d.nb = pick(1, d.nb);
        d.mbc = pick(1, d.mbc);
        d.cbc = pick(1, d.cb);
        d.sb = pick(1, d.sb);
      } else {
        // The same tiling at the golden device's addresses.
        const Desc g = UnpackDesc(words.data());
        const Desc rtl_tiling = d;
        d = g;
        d.nb = rtl_tiling.nb;
        d.mbc = rtl_tiling.mbc;
        d.cbc = rtl_tiling.cbc;
        d.sb = rtl_tiling.sb;
      }
      ASSERT_EQ(CheckDesc(d, devs[k]->ReadHwInfo()), ErrCode::kNone) << DescribeDesc(d);
      const std::vector<uint64_t> packed = PackDesc(d);
      devs[k]->WriteMem(head, packed.data(), kDescBytes);
      devs[k]->RunChain(head, kTimeout);
      outs[k] = chain.ReadOutput(0);
      counts[k] = devs[k]->ReadCounters();
    }
    multi_c += d.cbc < d.cb;
    multi_m += d.mbc < d.mb;
    multi_n += d.nb < d.n;
    multi_b += d.sb < d.strips;
    EXPECT_TRUE(SameTensor(outs[0], ConvAcc(x, w, l.conv)));
    EXPECT_EQ(counts[0].dram_rd_bytes, counts[1].dram_rd_bytes) << DescribeDesc(d);
    EXPECT_EQ(counts[0].dram_wr_bytes, counts[1].dram_wr_bytes) << DescribeDesc(d);
  }
  EXPECT_GE(multi_c, 5);
  EXPECT_GE(multi_m, 3);
  EXPECT_GE(multi_n, 3);
  EXPECT_GE(multi_b, 5);
}

TEST(DriverTiling, RowBandsWhenAChannelDoesNotFit) {
  // One 100 x 100 channel is 10000 words, more than the 8192-word GLB ifmap area of tiny: the
  // mapper cuts the output rows into bands, and the walker loads each band's rows (with the
  // top padding for the first band and the clipped rows of the last).
  RtlDevice& dev = Dev("tiny");
  GoldenDevice golden(ConfigByName("tiny"));
  Rng rng(5);
  for (const ConvLayer& l : {Conv(1, 1, 100, 100, 2, 3, 3, 1, 1), Conv(2, 2, 90, 99, 3, 5, 5, 2, 2),
                             Conv(1, 1, 131, 67, 2, 4, 3, 3, 0)}) {
    SCOPED_TRACE(l.ToString());
    const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
    const LayerResult r = RunConv(dev, l, x, w, nullptr, kTimeout);
    EXPECT_LT(BandStrips(r.mapping, r.tiling), r.mapping.strips);
    EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv)));
    const LayerResult g = RunConv(golden, l, x, w, &r.mapping, kTimeout);
    EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
    // Each output is written once; inputs are read once per band and filter chunk at most.
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(l.Out().Size()) * 4);
  }
}

// Runs `l` on the small build with random data and the mapper's choice, checks every output,
// and returns the result with the cost model's estimate for the same mapping and tiling.
std::pair<LayerResult, CostEstimate> RunSmallAndModel(const ConvLayer& l, uint64_t seed) {
  RtlDevice& dev = Dev("small");
  Rng rng(seed);
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
  LayerResult r = RunConv(dev, l, x, w, nullptr, kTimeout);
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv)));
  const CostEstimate c = EvaluateMapping(l, ConfigByName("small"), r.mapping, r.tiling);
  EXPECT_NEAR(static_cast<double>(c.time.cycles), static_cast<double>(r.counters.cycles),
              0.1 * static_cast<double>(r.counters.cycles))
      << "the cost model's timeline predicts the busy cycles";
  return {std::move(r), c};
}

TEST(DriverTiling, LoadsOverlapTheArraysRun) {
  // 96 channels in chunks that fit half the GLB areas: the walker loads chunk k + 1 into the
  // other halves while the array runs chunk k, so the array waits for far fewer cycles than
  // the words loaded (one per cycle at best); without the overlap it would wait for all of
  // them.
  const ArrayConfig& hw = ConfigByName("small");
  const ConvLayer l = Conv(1, 96, 12, 12, 32, 3, 3, 1, 1);
  const auto [r, c] = RunSmallAndModel(l, 9);
  ASSERT_LT(r.tiling.cc, l.x.c) << "one channel chunk: nothing to overlap";
  ASSERT_LE(2 * c.use.glb_ifmap_words, hw.glb_ifmap_words);
  ASSERT_LE(2 * c.use.glb_filter_words, hw.glb_filter_words);
  const uint64_t loaded_words = r.counters.dram_rd_bytes / 2;
  EXPECT_LT(2 * r.counters.dma_stall, loaded_words)
      << "stall " << r.counters.dma_stall << " of " << r.counters.cycles;
}

TEST(DriverTiling, StoresOverlapTheNextRun) {
  // 64 filters over 32 x 32 outputs do not fit the psum banks at once: the walker cuts output
  // chunks (filter chunks or row bands) whose psums fit half of each bank, so each chunk runs
  // in the other halves while the store writes the previous chunk's outputs (ps_pp). The
  // walker then waits for far fewer cycles than the outputs it writes (one a cycle); without
  // the overlap it would wait for all of them.
  const ArrayConfig& hw = ConfigByName("small");
  const ConvLayer l = Conv(1, 4, 32, 32, 64, 3, 3, 1, 1);
  const auto [r, c] = RunSmallAndModel(l, 11);
  ASSERT_TRUE(r.tiling.mc < l.w.n || BandStrips(r.mapping, r.tiling) < r.mapping.strips)
      << "one output chunk: nothing to overlap";
  ASSERT_LE(2 * c.use.glb_psum_words, hw.glb_psum_words);
  const uint64_t outputs = static_cast<uint64_t>(l.Out().Size());
  EXPECT_LT(2 * r.counters.dma_stall, outputs)
      << "stall " << r.counters.dma_stall << " of " << r.counters.cycles;
}

TEST(DriverTiling, IfmapsOfEveryChannelChunkStayAcrossFilterChunks) {
  // 1,024 features x 4 images fit the ifmap area at once, but the filters come in chunks of
  // fewer channels and fewer filters: each channel chunk's images keep their own slot (x_res),
  // loaded by the first filter chunk only, so every ifmap byte is read from DRAM once.
  const ArrayConfig& hw = ConfigByName("small");
  const ConvLayer l = FcToConvLayer(Shape{4, 1024, 1, 1}, Shape{128, 1024, 1, 1});
  const auto [r, c] = RunSmallAndModel(l, 13);
  ASSERT_LT(r.tiling.cc, l.x.c) << "one channel chunk: nothing to keep in slots";
  ASSERT_LT(r.tiling.mc, l.w.n) << "one filter chunk: the ifmaps are read once anyway";
  ASSERT_LE(l.x.Size(), hw.glb_ifmap_words);
  const uint64_t desc_bytes = kDescWords * 8;
  EXPECT_EQ(r.counters.dram_rd_bytes - r.counters.dram_flt_bytes - desc_bytes,
            static_cast<uint64_t>(l.x.Size()) * 2);
  EXPECT_EQ(r.counters.dram_flt_bytes, static_cast<uint64_t>(l.w.Size()) * 2);
  EXPECT_EQ(c.time.dram_read_bytes, static_cast<int64_t>(r.counters.dram_rd_bytes - desc_bytes))
      << "the model's bytes";
}

// --- Chains

TEST(DriverChain, ThreeLayersInOneChain) {
  RtlDevice& d = Dev("small");
  d.FreeAll();
  Rng rng(7);
  const ConvLayer ls[3] = {Conv(1, 3, 12, 12, 8, 3, 3, 1, 1), Conv(2, 4, 9, 9, 6, 5, 5, 2, 2),
                           Conv(1, 8, 6, 6, 16, 1, 1, 1, 0, 2)};
  Tensor<int16_t> xs[3] = {FullRangeTensor(ls[0].x, rng, 0.2), FullRangeTensor(ls[1].x, rng, 0.2),
                           FullRangeTensor(ls[2].x, rng, 0.2)};
  Tensor<int16_t> ws[3] = {FullRangeTensor(ls[0].w, rng, 0.2), FullRangeTensor(ls[1].w, rng, 0.2),
                           FullRangeTensor(ls[2].w, rng, 0.2)};
  ChainBuilder chain(d);
  for (int i = 0; i < 3; ++i) chain.AddConv(ls[i], xs[i], ws[i]);
  d.RunChain(chain.Commit(), kTimeout);
  EXPECT_EQ(d.ReadCounters().descs, 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(SameTensor(chain.ReadOutput(i), ConvAcc(xs[i], ws[i], ls[i].conv)));
  }
}

// --- Illegal descriptors: each stops with its code, the chain index, and the next good chain
// still runs.

class BadDesc {
 public:
  explicit BadDesc(Device& d) : dev_(d) {}
  // Builds a good two-layer chain; `mutate` edits the descriptor of layer `which` (after
  // Commit, in DRAM). Returns the code the device stops with (kNone if it finished).
  ErrCode Run(int which, const std::function<void(Desc&)>& mutate, int* index,
              ErrCode* predicted) {
    dev_.FreeAll();
    Rng rng(3);
    l_ = Conv(1, 4, 8, 8, 8, 3, 3, 1, 1);
    x_ = FullRangeTensor(l_.x, rng, 0.2);
    w_ = FullRangeTensor(l_.w, rng, 0.2);
    ChainBuilder chain(dev_);
    chain.AddConv(l_, x_, w_);
    chain.AddConv(l_, x_, w_);
    const uint64_t head = chain.Commit();
    uint64_t addr = head;
    std::vector<uint64_t> words(kDescWords);
    for (int i = 0; i <= which; ++i) {
      if (i > 0) addr = UnpackDesc(words.data()).next;
      dev_.ReadMem(addr, words.data(), kDescBytes);
    }
    Desc d = UnpackDesc(words.data());
    mutate(d);
    *predicted = CheckDesc(d, dev_.ReadHwInfo());
    const std::vector<uint64_t> packed = PackDesc(d);
    dev_.WriteMem(addr, packed.data(), kDescBytes);
    try {
      dev_.RunChain(head, kTimeout);
    } catch (const DeviceError& e) {
      *index = e.desc_index();
      return e.code();
    }
    *index = -1;
    return ErrCode::kNone;
  }

  void ExpectGoodRun() {
    const LayerResult r = RunConv(dev_, l_, x_, w_, nullptr, kTimeout);
    EXPECT_TRUE(SameTensor(r.y, ConvAcc(x_, w_, l_.conv)));
  }

 private:
  Device& dev_;
  ConvLayer l_;
  Tensor<int16_t> x_, w_;
};

struct BadCase {
  const char* name;
  ErrCode code;
  std::function<void(Desc&)> mutate;
};

TEST(DriverErrors, EveryIllegalDescriptorStopsWithItsCode) {
  RtlDevice& dev = Dev("small");
  const std::vector<BadCase> cases = {
      {"magic", ErrCode::kDescMagic, [](Desc& d) { d.magic = 0x1234; }},
      {"version", ErrCode::kDescMagic, [](Desc& d) { d.version = 1; }},
      {"kind", ErrCode::kDescKind, [](Desc& d) { d.kind = 3; }},
      {"zero images", ErrCode::kDescZero, [](Desc& d) { d.n = 0; }},
      {"zero width", ErrCode::kDescZero, [](Desc& d) { d.w = 0; }},
      {"zero stride", ErrCode::kDescZero, [](Desc& d) { d.uw = 0; }},
      {"zero strips", ErrCode::kDescZero, [](Desc& d) { d.strips = 0; }},
      {"zero channel chunk", ErrCode::kDescZero, [](Desc& d) { d.cbc = 0; }},
      {"zero band", ErrCode::kDescZero, [](Desc& d) { d.sb = 0; }},
      {"band over strips", ErrCode::kDescMapping, [](Desc& d) { d.sb = d.strips + 1; }},
      {"last row reads padding only", ErrCode::kDescMapping, [](Desc& d) { d.h = 1; }},
      {"window columns over 2047", ErrCode::kDescMapping,
       [](Desc& d) {
         d.fo = 1023;
         d.uw = 3;
       }},
      {"images x strips of a band over 65535", ErrCode::kDescMapping,
       [](Desc& d) {
         d.n = d.nb = 255;
         d.h = d.eo = d.strips = d.sb = 300;
         d.e = d.uh = 1;
       }},
      {"chunk over n", ErrCode::kDescMapping, [](Desc& d) { d.nb = d.n + 1; }},
      {"too few filter blocks", ErrCode::kDescMapping,
       [](Desc& d) { d.mg = d.mb * d.t * d.p + 1; }},
      {"channel blocks", ErrCode::kDescMapping, [](Desc& d) { d.cb += 1; }},
      {"channel chunk over cb", ErrCode::kDescMapping, [](Desc& d) { d.cbc = d.cb + 1; }},
      {"strips", ErrCode::kDescMapping, [](Desc& d) { d.strips += 1; }},
      {"too many rows", ErrCode::kDescArray,
       [](Desc& d) {
         d.r = 7;
         d.cb = d.cbc = 1;
         d.q = 1;
         d.cg = 7;
       }},
      {"filter spad", ErrCode::kDescSpad,
       [](Desc& d) {
         d.p = 24;
         d.mb = 1;
         d.mbc = 1;
         d.t = 1;
         d.tv = 1;
         d.th = 1;
         d.mg = 24;
         d.q = 4;
         d.cb = d.cbc = 1;
       }},
      {"glb psum", ErrCode::kDescGlb, [](Desc& d) { d.nb = d.n = 200; }},
      {"unaligned x", ErrCode::kDescAlign, [](Desc& d) { d.x_addr += 2; }},
      {"unaligned next", ErrCode::kDescAlign, [](Desc& d) { d.next += 4; }},
      {"y beyond 4 GB", ErrCode::kDescRange, [](Desc& d) { d.y_addr = 0xffffff00; }},
      {"x above the address space", ErrCode::kDescRange,
       [](Desc& d) { d.x_addr = 0x1'0000'0000ull; }},
      {"x outside DRAM", ErrCode::kAxiRdDecerr, [](Desc& d) { d.x_addr = 0x1000; }},
      {"y outside DRAM", ErrCode::kAxiWrDecerr, [](Desc& d) { d.y_addr = 0x2000; }},
      {"next outside DRAM", ErrCode::kAxiRdDecerr, [](Desc& d) { d.next = 0x3000; }},
  };
  BadDesc bad(dev);
  for (const BadCase& c : cases) {
    for (int which : {0, 1}) {
      SCOPED_TRACE(std::string(c.name) + " in descriptor " + std::to_string(which));
      int index = -2;
      ErrCode predicted = ErrCode::kNone;
      const ErrCode got = bad.Run(which, c.mutate, &index, &predicted);
      // DRAM errors pass CheckDesc (the addresses are legal, nothing answers there); a bad
      // `next` that passes the checks fails the descriptor it points to.
      const bool axi = c.code == ErrCode::kAxiRdDecerr || c.code == ErrCode::kAxiWrDecerr;
      const bool follows_next = std::string(c.name) == "next outside DRAM";
      EXPECT_EQ(predicted, axi ? ErrCode::kNone : c.code) << "CheckDesc disagrees";
      EXPECT_EQ(got, c.code);
      EXPECT_EQ(index, which + (follows_next ? 1 : 0));
      bad.ExpectGoodRun();
    }
  }
}

TEST(DriverErrors, DescriptorAddressChecks) {
  RtlDevice& dev = Dev("tiny");
  const HwInfo hw = dev.ReadHwInfo();
  const struct {
    uint64_t addr;
    ErrCode code;
  } cases[] = {{0x80000004, ErrCode::kDescAlign},
               {0xfffffff8, ErrCode::kDescRange},
               {0x1'0000'0000ull, ErrCode::kDescRange},
               {0x40, ErrCode::kAxiRdDecerr}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.addr);
    if (c.code != ErrCode::kAxiRdDecerr) EXPECT_EQ(CheckDescAddr(c.addr, hw), c.code);
    try {
      dev.RunChain(c.addr, kTimeout);
      FAIL() << "the chain ran";
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), c.code) << e.what();
      EXPECT_EQ(e.desc_index(), 0);
    }
  }
  Rng rng(5);
  const ConvLayer l = Conv(1, 2, 6, 6, 3, 3, 3, 1, 0);
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
  EXPECT_TRUE(SameTensor(RunConv(dev, l, x, w, nullptr, kTimeout).y, ConvAcc(x, w, l.conv)));
}

TEST(DriverErrors, SlverrOnWriteIsReported) {
  RtlDeviceOptions o;
  o.mem.slverr = {{0x8000'0000ull + (32ull << 20), 0x8000'0000ull + (64ull << 20)}};
  auto dev = RtlDevice::Create("tiny", o);
  Rng rng(9);
  const ConvLayer l = Conv(1, 2, 6, 6, 3, 3, 3, 1, 0);
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
  ChainBuilder chain(*dev);
  chain.AddConv(l, x, w);
  const uint64_t head = chain.Commit();
  // Point the outputs into the SLVERR region.
  std::vector<uint64_t> words(kDescWords);
  dev->ReadMem(head, words.data(), kDescBytes);
  Desc d = UnpackDesc(words.data());
  d.y_addr = 0x8000'0000ull + (40ull << 20);
  const std::vector<uint64_t> packed = PackDesc(d);
  dev->WriteMem(head, packed.data(), kDescBytes);
  try {
    dev->RunChain(head, kTimeout);
    FAIL() << "the chain ran";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), ErrCode::kAxiWrSlverr) << e.what();
  }
  d.y_addr = chain.layer(0).desc.y_addr;
  d.x_addr = 0x8000'0000ull + (48ull << 20);
  const std::vector<uint64_t> packed2 = PackDesc(d);
  dev->WriteMem(head, packed2.data(), kDescBytes);
  try {
    dev->RunChain(head, kTimeout);
    FAIL() << "the chain ran";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), ErrCode::kAxiRdSlverr) << e.what();
  }
  EXPECT_TRUE(SameTensor(RunConv(*dev, l, x, w, nullptr, kTimeout).y, ConvAcc(x, w, l.conv)));
  EXPECT_TRUE(dev->Mem().Idle());
}

TEST(DriverErrors, TimeoutSoftResetsAndTheDeviceRunsAgain) {
  RtlDevice& dev = Dev("small");
  Rng rng(11);
  const ConvLayer l = Conv(2, 6, 9, 9, 8, 3, 3, 1, 1);
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
  const uint64_t full = RunConv(dev, l, x, w, nullptr, kTimeout).counters.cycles;
  for (uint64_t after : {uint64_t{3}, uint64_t{40}, full / 3, full - 30}) {
    SCOPED_TRACE("timeout after " + std::to_string(after));
    EXPECT_THROW(RunConv(dev, l, x, w, nullptr, after), TimeoutError);
    EXPECT_EQ(dev.ReadCsr(kCsrStatus) & kStatusBusy, 0u);
    EXPECT_TRUE(SameTensor(RunConv(dev, l, x, w, nullptr, kTimeout).y, ConvAcc(x, w, l.conv)));
  }
}

// --- FC layers, run as the CONV layer with R = H, S = W and E = F = 1 (batch as reuse)

// Runs x (N x ...) and w (M x ...) with RunFc on `config`, compares every output with FcAcc,
// and checks that the golden device moves the same DRAM bytes for the same descriptor.
void ExpectFcMatches(const std::string& config, const Tensor<int16_t>& x,
                     const Tensor<int16_t>& w) {
  SCOPED_TRACE(config + ": x " + x.shape().ToString() + " w " + w.shape().ToString());
  const LayerResult r = RunFc(Dev(config), x, w, nullptr, kTimeout);
  EXPECT_TRUE(SameTensor(r.y, FcAcc(x, w)));
  EXPECT_EQ(r.mapping.e, 1);
  EXPECT_EQ(r.mapping.strips, 1);
  GoldenDevice golden(ConfigByName(config));
  const LayerResult g = RunFc(golden, x, w, &r.mapping, kTimeout);
  EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
  EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
  // Every MAC is done or gated once; channel padding adds gated ones.
  EXPECT_GE(r.counters.macs + r.counters.skipped,
            static_cast<uint64_t>(x.shape().n) * w.shape().n * x.size() / x.shape().n);
}

TEST(DriverFc, FlatInputsFromOneToThousandsOfFeatures) {
  // N x K x 1 x 1 inputs (1 x 1 kernels over K channels), weights M x 1 x 1 x K.
  Rng rng(41);
  const struct {
    int n, k, m;
  } cases[] = {{1, 1, 1},    {3, 7, 40},   {8, 64, 17},
               {5, 300, 33}, {2, 2500, 9}, {8, 2500, 40}};  // the last one in GLB chunks
  for (const char* config : {"tiny", "small"}) {
    for (const auto& c : cases) {
      const Tensor<int16_t> x = FullRangeTensor(Shape{c.n, c.k, 1, 1}, rng, 0.2);
      const Tensor<int16_t> w = FullRangeTensor(Shape{c.m, 1, 1, c.k}, rng, 0.05);
      ExpectFcMatches(config, x, w);
    }
  }
}

TEST(DriverFc, MoreThan4095FeaturesOrOutputs) {
  // Channel and filter counts past 12 bits (the descriptor's cg and mg hold 13): K = 4100
  // inputs (several channel chunks on tiny), M = 4100 outputs (several filter chunks).
  Rng rng(44);
  const Tensor<int16_t> x1 = FullRangeTensor(Shape{2, 4100, 1, 1}, rng, 0.2),
                        w1 = FullRangeTensor(Shape{3, 1, 1, 4100}, rng, 0.2);
  ExpectFcMatches("tiny", x1, w1);
  const Tensor<int16_t> x2 = FullRangeTensor(Shape{2, 3, 1, 1}, rng, 0.2),
                        w2 = FullRangeTensor(Shape{4100, 1, 1, 3}, rng, 0.2);
  ExpectFcMatches("small", x2, w2);
}

TEST(DriverFc, ChannelByHeightByWidthInputs) {
  // C x H x W inputs run as K = C*H*W channels of 1 x 1 (the filter GIN moves four of a
  // filter's channels a beat), except past the 13-bit channel field: AlexNet FC6's 256 x 6 x 6
  // = 9,216 features keep their shape, R = H filter rows (split into row groups when taller
  // than the array) by S = W, one output per image and filter. The weights come in any shape
  // with c*h*w = K.
  Rng rng(43);
  const struct {
    Shape x, w;
  } cases[] = {{{4, 16, 5, 5}, {24, 1, 1, 400}},
               {{8, 3, 7, 4}, {40, 3, 7, 4}},
               {{1, 2, 9, 9}, {5, 162, 1, 1}},
               {{6, 1, 1, 2000}, {12, 1, 1, 2000}},  // a row vector: flat, 2000 channels
               {{1, 256, 6, 6}, {3, 256, 6, 6}}};
  for (const char* config : {"tiny", "small"}) {
    for (const auto& c : cases) {
      const Tensor<int16_t> x = FullRangeTensor(c.x, rng, 0.2);
      const Tensor<int16_t> w = FullRangeTensor(c.w, rng, 0.05);
      ExpectFcMatches(config, x, w);
    }
  }
  EXPECT_EQ(FcToConvLayer(Shape{4, 16, 5, 5}, Shape{24, 1, 1, 400}).w, (Shape{24, 400, 1, 1}));
  EXPECT_EQ(FcToConvLayer(Shape{4, 16, 5, 5}, Shape{24, 1, 1, 400}).x, (Shape{4, 400, 1, 1}));
  // 8,191 features fit the channel field; 8,192 do not.
  EXPECT_EQ(FcToConvLayer(Shape{1, 1, 8191, 1}, Shape{2, 8191, 1, 1}).x, (Shape{1, 8191, 1, 1}));
  EXPECT_EQ(FcToConvLayer(Shape{1, 8, 32, 32}, Shape{2, 8, 32, 32}).x, (Shape{1, 8, 32, 32}));
  EXPECT_EQ(FcToConvLayer(Shape{1, 256, 6, 6}, Shape{3, 256, 6, 6}).w, (Shape{3, 256, 6, 6}));
  EXPECT_EQ(FcToConvLayer(Shape{6, 1, 1, 2000}, Shape{12, 2000, 1, 1}).x, (Shape{6, 2000, 1, 1}));
}

TEST(DriverFc, TheFilterGinMovesFourChannelsABeat) {
  // An FC filter is one weight per channel, so a filter-GIN beat carries four of a PE's
  // channels: the array runs in fewer cycles than there are words on the filter GIN, which a
  // GIN of one word a cycle cannot do. The counter still counts words.
  const ArrayConfig& hw = ConfigByName("small");
  ASSERT_EQ(hw.filter_gin_words, 4);
  const ConvLayer l = FcToConvLayer(Shape{4, 512, 1, 1}, Shape{64, 512, 1, 1});
  const auto [r, c] = RunSmallAndModel(l, 17);
  ASSERT_GE(r.mapping.q, 4) << r.mapping.ToString();
  EXPECT_GE(r.counters.filt_words, static_cast<uint64_t>(l.w.Size()));
  const uint64_t array_cycles = r.counters.cycles - r.counters.dma_stall;
  EXPECT_LT(array_cycles, r.counters.filt_words)
      << "array " << array_cycles << " cycles, filter GIN "
      << r.counters.filt_words << " words";
  EXPECT_EQ(c.access.noc_filter, static_cast<int64_t>(r.counters.filt_words));
}

TEST(DriverFc, FcAfterConvInOneChain) {
  RtlDevice& d = Dev("small");
  d.FreeAll();
  Rng rng(47);
  const ConvLayer l = Conv(2, 3, 8, 8, 4, 3, 3, 1, 0);
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng, 0.2), w = FullRangeTensor(l.w, rng, 0.2);
  const Tensor<int16_t> fx = FullRangeTensor(Shape{2, 4, 6, 6}, rng, 0.2),
                        fw = FullRangeTensor(Shape{10, 1, 1, 144}, rng, 0.2);
  ChainBuilder chain(d);
  chain.AddConv(l, x, w);
  const int fc = chain.AddFc(fx, fw);
  d.RunChain(chain.Commit(), kTimeout);
  EXPECT_EQ(d.ReadCounters().descs, 2u);
  EXPECT_TRUE(SameTensor(chain.ReadOutput(0), ConvAcc(x, w, l.conv)));
  EXPECT_TRUE(SameTensor(chain.ReadOutput(fc), FcAcc(fx, fw)));
}

TEST(DriverFc, MismatchedKOrFieldsTooNarrowAreErrors) {
  RtlDevice& d = Dev("tiny");
  Rng rng(53);
  const Tensor<int16_t> x = FullRangeTensor(Shape{2, 300, 1, 1}, rng, 0.2);
  try {
    RunFc(d, x, FullRangeTensor(Shape{10, 1, 1, 299}, rng, 0.2), nullptr, kTimeout);
    FAIL() << "no error for K = 300 against 299";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("K = C*H*W = 300"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("c*h*w = 299"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RunFc(d, FullRangeTensor(Shape{1, 4, 5, 5}, rng, 0.2),
                     FullRangeTensor(Shape{3, 4, 5, 4}, rng, 0.2)),
               ShapeError);
  // The descriptor holds K (channels) and M (filters) in 13 bits each.
  try {
    RunFc(d, FullRangeTensor(Shape{1, 8192, 1, 1}, rng, 0.2),
          FullRangeTensor(Shape{2, 1, 1, 8192}, rng, 0.2));
    FAIL() << "K = 8192 mapped";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("fc layer x 1x8192x1x1 w 2x1x1x8192"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("'cg' = 8192 does not fit its 13 bits"), std::string::npos)
        << e.what();
  }
  try {
    RunFc(d, FullRangeTensor(Shape{1, 3, 1, 1}, rng, 0.2),
          FullRangeTensor(Shape{8192, 1, 1, 3}, rng, 0.2));
    FAIL() << "M = 8192 mapped";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("'mg' = 8192 does not fit its 13 bits"), std::string::npos)
        << e.what();
  }
  // The device still runs the next layer.
  const Tensor<int16_t> w = FullRangeTensor(Shape{10, 1, 1, 300}, rng, 0.2);
  EXPECT_TRUE(SameTensor(RunFc(d, x, w, nullptr, kTimeout).y, FcAcc(x, w)));
}

}  // namespace
}  // namespace eyelet
