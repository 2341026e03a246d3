// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The shared test helpers of test_util.h.
#include "test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "eyelet/desc_codec.h"
#include "eyelet/error.h"

namespace eyelet {
namespace test {

Tensor<int16_t> RandomTensor(const Shape& s, Rng& rng, int lo, int hi, double zero_frac) {
  Tensor<int16_t> t(s);
  for (int16_t& v : t.data()) {
    v = zero_frac > 0 && rng.Chance(zero_frac) ? 0 : static_cast<int16_t>(rng.UniformInt(lo, hi));
  }
  return t;
}

Tensor<int16_t> FullRangeTensor(const Shape& s, Rng& rng, double zero_frac) {
  return RandomTensor(s, rng, -32768, 32767, zero_frac);
}

Tensor<int16_t> SparseTensor(const Shape& s, Rng& rng, int lim) {
  return RandomTensor(s, rng, -lim, lim, 1.0 / 3);
}

int RailValue(Rng& rng, int bits) {
  const int lo = -(1 << (bits - 1));
  const int hi = (1 << (bits - 1)) - 1;
  switch (rng.Next() % 10) {
    case 0:
      return lo;
    case 1:
      return hi;
    case 2:
      return 0;
    default:
      return rng.UniformInt(lo, hi);
  }
}

Tensor<int16_t> RailTensor(const Shape& s, Rng& rng, int bits) {
  Tensor<int16_t> t(s);
  for (int16_t& v : t.data()) v = static_cast<int16_t>(RailValue(rng, bits));
  return t;
}

std::string Coords(const Shape& s, size_t i) {
  const size_t w = i % s.w;
  const size_t h = i / s.w % s.h;
  const size_t c = i / s.w / s.h % s.c;
  const size_t n = i / s.w / s.h / s.c;
  return "(" + std::to_string(n) + ", " + std::to_string(c) + ", " + std::to_string(h) + ", " +
         std::to_string(w) + ")";
}

Tensor<int32_t> Widen(const Tensor<int16_t>& t) {
  Tensor<int32_t> w(t.shape());
  std::copy(t.data().begin(), t.data().end(), w.data().begin());
  return w;
}

Shape MakeShape(int n, int c, int h, int w) {
  Shape s;
  s.n = n;
  s.c = c;
  s.h = h;
  s.w = w;
  return s;
}

void ExpectShapeError(const std::function<void()>& f, const std::string& needle) {
  EXPECT_THROW(f(), ShapeError);
  try {
    f();
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_FALSE(what.empty());
    EXPECT_NE(what.find(needle), std::string::npos)
        << "message \"" << what << "\" does not mention \"" << needle << "\"";
  }
}

std::string SeedTrace(uint64_t seed, const std::string& what) {
  return "seed " + std::to_string(seed) + ": " + what;
}

ConvCase RandomConvCase(Rng& rng, ConvKind kind) {
  ConvCase k;
  k.p.groups = rng.UniformInt(1, 3);
  const int c = k.p.groups * rng.UniformInt(1, 3);
  const int m = k.p.groups * rng.UniformInt(1, 3);
  int r = rng.UniformInt(1, 11);
  int s = rng.UniformInt(1, 11);
  k.p.stride_h = rng.UniformInt(1, 4);
  k.p.stride_w = rng.UniformInt(1, 4);
  switch (kind) {
    case ConvKind::kGeneral:
      break;
    case ConvKind::kPointwise:
      r = s = 1;
      break;
    case ConvKind::kKernelEqualsHeight:
      break;  // H = R below
    case ConvKind::kStrideAboveKernel:
      r = rng.UniformInt(1, 3);
      s = rng.UniformInt(1, 3);
      k.p.stride_h = rng.UniformInt(r + 1, 4);
      k.p.stride_w = rng.UniformInt(s + 1, 4);
      break;
    case ConvKind::kLarge:
      r = rng.UniformInt(7, 11);
      s = rng.UniformInt(7, 11);
      break;
  }
  k.p.pad_top = rng.UniformInt(0, r - 1);
  k.p.pad_bottom = rng.UniformInt(0, r - 1);
  k.p.pad_left = rng.UniformInt(0, s - 1);
  k.p.pad_right = rng.UniformInt(0, s - 1);
  int h = std::max(1, r - k.p.pad_top - k.p.pad_bottom) + rng.UniformInt(0, 8);
  const int w = std::max(1, s - k.p.pad_left - k.p.pad_right) + rng.UniformInt(0, 8);
  if (kind == ConvKind::kKernelEqualsHeight) {
    h = r;
    k.p.pad_top = k.p.pad_bottom = 0;
  }
  k.x = MakeShape(rng.UniformInt(1, 4), c, h, w);
  k.w = MakeShape(m, c / k.p.groups, r, s);
  k.data_bits = rng.Next() % 2 ? 16 : 8;
  k.acc_bits = rng.Next() % 4 == 0 ? rng.UniformInt(16, 31) : 32;
  return k;
}

PoolParams RandomPoolParams(Rng& rng) {
  PoolParams p;
  p.kernel_h = rng.UniformInt(1, 4);
  p.kernel_w = rng.UniformInt(1, 4);
  p.stride_h = rng.UniformInt(1, 4);
  p.stride_w = rng.UniformInt(1, 4);
  p.pad_top = rng.UniformInt(0, p.kernel_h - 1);
  p.pad_bottom = rng.UniformInt(0, p.kernel_h - 1);
  p.pad_left = rng.UniformInt(0, p.kernel_w - 1);
  p.pad_right = rng.UniformInt(0, p.kernel_w - 1);
  p.ceil_mode = rng.Next() % 2 == 0;
  return p;
}

ConvLayer Conv(Shape x, Shape w, int stride, int pad, int groups) {
  ConvLayer l;
  l.x = x;
  l.w = w;
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
  l.conv.groups = groups;
  return l;
}

ConvLayer Conv(int n, int c, int h, int w, int m, int r, int s, int stride, int pad, int groups) {
  return Conv(Shape{n, c, h, w}, Shape{m, c / groups, r, s}, stride, pad, groups);
}

ArrayConfig WithGlb(const std::string& base, const std::string& name, int ifmap_words,
                    int filter_words, int psum_words) {
  ArrayConfig c = ConfigByName(base);
  c.name = name;
  c.glb_ifmap_words = ifmap_words;
  c.glb_filter_words = filter_words;
  c.glb_psum_words = psum_words;
  return c;
}

ArrayConfig SmallGlbConfig() { return WithGlb("tiny", "tiny-glb", 160, 64, 48); }

ArrayConfig ChannelChunkConfig() { return WithGlb("tiny", "tiny-channels", 200, 64, 48); }

ArrayConfig BandConfig() { return WithGlb("small", "small-bands", 1 << 16, 1 << 16, 1 << 16); }

ArrayConfig CheckConfig() {
  ArrayConfig c;
  c.name = "check";
  c.rows = 12;
  c.cols = 40;
  c.glb_ifmap_words = 1024;
  c.glb_filter_words = 128;
  c.glb_psum_words = 512;
  return c;
}

ConvLayer LayerA() { return Conv({2, 6, 6, 6}, {8, 3, 3, 3}, 1, 1, 2); }

Desc BaseDesc(uint64_t x, uint64_t w, uint64_t y) {
  Desc d;
  d.magic = kDescMagic;
  d.version = kDescVersion;
  d.kind = kDescKindConv;
  d.x_addr = x, d.w_addr = w, d.y_addr = y;
  d.n = 2, d.groups = 2, d.nb = 2, d.mb = 2, d.mbc = 2, d.cbc = 2, d.sb = 2;
  d.cg = 3, d.h = 6, d.w = 6, d.mg = 4, d.kr = 3, d.ks = 3, d.eo = 6, d.fo = 6;
  d.uh = 1, d.uw = 1, d.pad_top = 1, d.pad_left = 1;
  d.e = 3, d.p = 1, d.q = 1, d.r = 2, d.t = 2;
  d.rg = 3, d.nrg = 1, d.tv = 1, d.th = 2, d.cb = 2, d.strips = 2;
  return d;
}

std::optional<ConvLayer> DrawShape(const ShapeLimits& lim, Rng& rng) {
  auto pick = [&rng](int lo, int hi) { return rng.UniformInt(lo, hi); };
  ConvLayer l;
  const int groups = pick(1, lim.groups);
  l.conv.groups = groups;
  l.x = Shape{pick(1, lim.n), groups * pick(lim.c_min, lim.c_per_group), pick(lim.h_min, lim.h),
              pick(lim.w_min, lim.w)};
  l.w = Shape{groups * pick(1, lim.m_per_group), l.x.c / groups, pick(1, lim.r), pick(1, lim.s)};
  l.conv.stride_h = pick(1, lim.stride);
  l.conv.stride_w = pick(1, lim.stride);
  l.conv.pad_top = pick(0, 2);
  l.conv.pad_left = pick(0, 2);
  l.conv.pad_bottom = pick(0, 2);
  l.conv.pad_right = pick(0, 2);
  if (l.w.h > l.x.h + l.conv.pad_top + l.conv.pad_bottom ||
      l.w.w > l.x.w + l.conv.pad_left + l.conv.pad_right) {
    return std::nullopt;
  }
  return l;
}

uint64_t ZeroOperandMacs(const ConvLayer& l, const Tensor<int16_t>& x) {
  const Shape o = l.Out();
  const int cg = l.x.c / l.conv.groups, mg = l.w.n / l.conv.groups;
  uint64_t count = 0;
  for (int n = 0; n < o.n; ++n) {
    for (int m = 0; m < o.c; ++m) {
      for (int e = 0; e < o.h; ++e) {
        for (int f = 0; f < o.w; ++f) {
          for (int c = 0; c < cg; ++c) {
            for (int r = 0; r < l.w.h; ++r) {
              for (int s = 0; s < l.w.w; ++s) {
                const int h = e * l.conv.stride_h - l.conv.pad_top + r;
                const int w = f * l.conv.stride_w - l.conv.pad_left + s;
                count += h < 0 || h >= l.x.h || w < 0 || w >= l.x.w ||
                         x.at(n, (m / mg) * cg + c, h, w) == 0;
              }
            }
          }
        }
      }
    }
  }
  return count;
}

uint64_t IfmapRowsRead(const ConvLayer& l, const RsMapping& m, const Tiling& t) {
  const int sb = t.sb == 0 ? m.strips : t.sb;
  if (sb >= m.strips) return static_cast<uint64_t>(l.x.h);
  const int eo = l.Out().h, uh = l.conv.stride_h, pad = l.conv.pad_top;
  uint64_t rows = 0;
  for (int y0 = 0; y0 < eo; y0 += sb * m.e) {
    const int y1 = std::min(y0 + sb * m.e, eo) - 1;
    const int first = std::max(0, y0 * uh - pad);
    const int last = std::min(l.x.h - 1, y1 * uh - pad + l.w.h - 1);
    rows += static_cast<uint64_t>(std::max(0, last - first + 1));
  }
  return rows;
}

uint64_t ReadBytes(const ConvLayer& l, const RsMapping& m, const Tiling& t, const ArrayConfig& hw) {
  const uint64_t groups = l.conv.groups, cg = l.x.c / groups, mg = l.w.n / groups;
  const uint64_t image_chunks = (l.x.n + t.nb - 1) / t.nb, filter_chunks = (mg + t.mc - 1) / t.mc;
  const int sb = t.sb == 0 ? m.strips : t.sb;
  const uint64_t bands = (m.strips + sb - 1) / sb;
  const bool one_channel_chunk = t.cc >= static_cast<int>(cg);
  // The ifmap rows of a band, all channels of a chunk's images, fit the ifmap area at once:
  // every channel chunk keeps its slot across the filter chunks.
  const int band_rows =
      sb >= m.strips ? l.x.h : std::min((sb * m.e - 1) * l.conv.stride_h + l.w.h, l.x.h);
  const bool slots = !one_channel_chunk &&
                     static_cast<uint64_t>(t.nb) * cg * band_rows * l.x.w <=
                         static_cast<uint64_t>(hw.glb_ifmap_words);
  const uint64_t ifmap_loads = one_channel_chunk || slots ? 1 : filter_chunks;
  const uint64_t filter_loads = one_channel_chunk && filter_chunks == 1 ? 1 : image_chunks * bands;
  const uint64_t image = cg * IfmapRowsRead(l, m, t) * l.x.w, filter = cg * l.w.h * l.w.w;
  return kDescBytes + groups * (ifmap_loads * l.x.n * image * 2 + filter_loads * mg * filter * 2);
}

Desc RunTiled(Device& dev, const ConvLayer& l, const RsMapping& m, const Tiling& t,
              const Tensor<int16_t>& x, const Tensor<int16_t>& w, uint64_t x_addr,
              uint64_t y_addr) {
  EXPECT_EQ(TilingError(l, dev.ReadHwInfo().ToArrayConfig("dev"), m, t), "");
  dev.FreeAll();
  if (x_addr == 0) {
    x_addr = dev.Alloc(x.size() * 2);
    dev.Write(x_addr, x.data());
  }
  const uint64_t w_addr = dev.Alloc(w.size() * 2);
  dev.Write(w_addr, w.data());
  if (y_addr == 0) y_addr = dev.Alloc(l.Out().Size() * 4);
  const uint64_t desc_addr = dev.Alloc(kDescBytes);
  const Desc d = MakeConvDesc(l, m, t, x_addr, w_addr, y_addr, 0);
  EXPECT_EQ(CheckDesc(d, dev.ReadHwInfo()), ErrCode::kNone);
  dev.Write(desc_addr, PackDesc(d));
  dev.RunChain(desc_addr, 1000);
  return d;
}

RsMapping Rs(int e, int p, int q, int r, int t) {
  RsMapping m;
  m.e = e;
  m.p = p;
  m.q = q;
  m.r = r;
  m.t = t;
  return m;
}

std::string HexStr(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TempDir::TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& ch : name) {
    if (ch == '/') ch = '_';
  }
  path_ = std::filesystem::temp_directory_path() /
          ("eyelet_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace test
}  // namespace eyelet
