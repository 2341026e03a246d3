// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// What several test files share: random tensors drawn with the one portable generator
// (eyelet::Rng, SplitMix64), an element-wise tensor comparison that names the first
// mismatching (n, c, h, w) positions, and the layers, array configurations and hand-derived
// DRAM byte counts the driver tests are written against. Plain C++ (no Verilated code), so the
// software-only and the RTL test binaries both link it.
#ifndef EYELET_TESTS_TEST_UTIL_H_
#define EYELET_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/tensor.h"

namespace eyelet {
namespace test {

// --- Random tensors -------------------------------------------------------------------------

// Dense values uniform in [lo, hi]; each element is zero instead with probability zero_frac
// (a sparse tensor, so zero skipping and gating are exercised).
Tensor<int16_t> RandomTensor(const Shape& s, Rng& rng, int lo, int hi, double zero_frac = 0.0);

// Values over the whole int16 range, zero with probability zero_frac.
Tensor<int16_t> FullRangeTensor(const Shape& s, Rng& rng, double zero_frac = 0.0);

// Values in [-lim, lim], about a third of them zero: the driver tests' operands.
Tensor<int16_t> SparseTensor(const Shape& s, Rng& rng, int lim = 100);

// A data value of `bits` bits with each rail and zero drawn one time in ten, else uniform.
int RailValue(Rng& rng, int bits);
// A tensor of RailValue(rng, bits) elements.
Tensor<int16_t> RailTensor(const Shape& s, Rng& rng, int bits);

// --- Comparison -----------------------------------------------------------------------------

// Row-major position `i` of shape `s` as "(n, c, h, w)".
std::string Coords(const Shape& s, size_t i);

// Element-by-element comparison of `got` with `want` laid out in C order in `want_shape`
// (values compared as doubles, exact for every integer and float the tests use). On failure
// says how many elements differ and lists the first `max_report` with their (n, c, h, w).
template <typename T, typename W>
::testing::AssertionResult ElementsEqual(const Tensor<T>& got, const Shape& want_shape,
                                         const std::vector<W>& want, int max_report = 5) {
  if (got.shape() != want_shape) {
    return ::testing::AssertionFailure()
           << "shape " << got.shape().ToString() << ", expected " << want_shape.ToString();
  }
  if (got.data().size() != want.size()) {
    return ::testing::AssertionFailure()
           << "tensor holds " << got.data().size() << " elements, expected " << want.size();
  }
  size_t mismatches = 0;
  std::ostringstream first;
  first.precision(17);
  for (size_t i = 0; i < want.size(); ++i) {
    if (static_cast<double>(got.data()[i]) == static_cast<double>(want[i])) continue;
    if (static_cast<int>(mismatches++) < max_report) {
      first << "\n  at " << Coords(want_shape, i) << ": got " << +got.data()[i] << ", expected "
            << +want[i];
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << mismatches << " of " << want.size() << " elements differ; the first:" << first.str();
}

// The same against a tensor.
template <typename T, typename W>
::testing::AssertionResult SameTensor(const Tensor<T>& got, const Tensor<W>& want,
                                      int max_report = 5) {
  return ElementsEqual(got, want.shape(), want.data(), max_report);
}

// A tensor of `shape` holding `values` in C order (a test bug if the count is wrong).
template <typename T>
Tensor<T> MakeTensor(const Shape& shape, const std::vector<int64_t>& values) {
  Tensor<T> t(shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), shape.Size()) << "values for " << shape.ToString();
  for (size_t i = 0; i < values.size() && i < t.data().size(); ++i) {
    t.data()[i] = static_cast<T>(values[i]);
  }
  return t;
}

// int16 values widened to int32, to compare outputs of the int16 paths with accumulators.
Tensor<int32_t> Widen(const Tensor<int16_t>& t);

// --- Golden-model test cases -----------------------------------------------------------------

// Shape{n, c, h, w}.
Shape MakeShape(int n, int c, int h, int w);

// The same as ElementsEqual for expected values written out as a literal list.
template <typename T>
::testing::AssertionResult HasElements(const Tensor<T>& got, const Shape& want_shape,
                                       const std::vector<int64_t>& want) {
  return ElementsEqual(got, want_shape, want);
}

// Calls f, which must throw ShapeError whose message is non-empty and mentions `needle`
// (the offending parameter).
void ExpectShapeError(const std::function<void()>& f, const std::string& needle);

// "seed <seed>: <what>", the trace line of a seeded sweep case.
std::string SeedTrace(uint64_t seed, const std::string& what);

// Random convolutions of the golden-model sweeps: 1..3 groups of 1..3 channels and filters,
// kernels 1..11, strides 1..4, pads below the kernel, 8- or 16-bit data, now and then a
// narrow accumulator; `kind` biases the draw towards one corner.
enum class ConvKind { kGeneral, kPointwise, kKernelEqualsHeight, kStrideAboveKernel, kLarge };
constexpr int kNumConvKinds = 5;

struct ConvCase {
  Shape x;
  Shape w;
  ConvParams p;
  int data_bits = 16;
  int acc_bits = 32;

  std::string Describe() const {
    std::ostringstream s;
    s << "x=" << x.ToString() << " w=" << w.ToString() << " stride=" << p.stride_h << "x"
      << p.stride_w << " pads(t,l,b,r)=" << p.pad_top << "," << p.pad_left << "," << p.pad_bottom
      << "," << p.pad_right << " groups=" << p.groups << " data_bits=" << data_bits
      << " acc_bits=" << acc_bits;
    return s.str();
  }
};
ConvCase RandomConvCase(Rng& rng, ConvKind kind);

// A random pooling: windows and strides 1..4, pads below the window, ceil mode half the time.
PoolParams RandomPoolParams(Rng& rng);

// --- Layers and array configurations --------------------------------------------------------

// A CONV layer of `x` with filters `w` (w.c = x.c / groups), one stride and one pad all round.
ConvLayer Conv(Shape x, Shape w, int stride, int pad, int groups = 1);
// The same from sizes: n images of c x h x w, m filters of r x s.
ConvLayer Conv(int n, int c, int h, int w, int m, int r, int s, int stride, int pad,
               int groups = 1);

// The built config `base` renamed `name` with GLB areas of the given words.
ArrayConfig WithGlb(const std::string& base, const std::string& name, int ifmap_words,
                    int filter_words, int psum_words);

// The DRAM window of the driver tests' golden devices.
inline constexpr uint64_t kMemBase = 0x8000'0000;
inline constexpr uint64_t kMemSize = 1 << 20;

// A 3 x 4 array with a GLB small enough that most random layers run in chunks.
ArrayConfig SmallGlbConfig();
// A 3 x 4 array whose GLB holds a few channels of an image: layers run in channel chunks.
ArrayConfig ChannelChunkConfig();
// The small array with a GLB that holds every chunk of the banded test layers.
ArrayConfig BandConfig();

// The configuration the descriptor-check cases are written for: 12 x 40 PEs, GLB areas of
// 1024 ifmap, 128 filter and 512 psum words.
ArrayConfig CheckConfig();

// Layer A, the base of the descriptor-check cases: 2 images, 2 groups of 3 channels 6 x 6,
// 4 filters 3 x 3 per group, stride 1, pad 1.
ConvLayer LayerA();
// Layer A's descriptor with a hand-made mapping legal on CheckConfig(), in one row band
// (sb = strips = 2), x, w and y at the given addresses.
Desc BaseDesc(uint64_t x, uint64_t w, uint64_t y);

// --- Random layer shapes --------------------------------------------------------------------

// Upper limits of DrawShape's draws (lower ones: 1, c_min channels per group, and 0 for pads).
struct ShapeLimits {
  int groups, n, c_per_group, h_min, h, w_min, w, m_per_group, r, s, stride;
  int c_min = 1;
};

// One case of a random sweep: the layer and its operands.
struct LayerDraw {
  ConvLayer layer;
  Tensor<int16_t> x, w;
};

// A random layer within `lim` whose kernel fits its padded input, or nothing (draw again).
std::optional<ConvLayer> DrawShape(const ShapeLimits& lim, Rng& rng);

// --- Hand-derived DRAM traffic of the walker (golden_device.h's contract) -------------------

// MACs whose ifmap operand is zero or padding, counted output by output.
uint64_t ZeroOperandMacs(const ConvLayer& l, const Tensor<int16_t>& x);

// Ifmap rows the walker reads of one channel of one image, over all row bands of `t` with the
// completed mapping `m`: h with one band; with several, per band of ofmap rows y0..y1 the rows
// y0*uh - pad_top .. y1*uh - pad_top + R - 1 inside the ifmap.
uint64_t IfmapRowsRead(const ConvLayer& l, const RsMapping& m, const Tiling& t);

// DRAM bytes the walker reads for one descriptor of `l` run with mapping `m` and tiling `t`:
// with one channel chunk each band's ifmap rows once and the filters once per image chunk and
// band (once in all when they are one chunk too); with several channel chunks each band's
// ifmap rows once per filter chunk (once when all channels of a chunk's images fit the ifmap
// area of `hw`: x_res) and the filters once per image chunk and band.
uint64_t ReadBytes(const ConvLayer& l, const RsMapping& m, const Tiling& t, const ArrayConfig& hw);

// Writes x, w and the descriptor of `l` run with the completed mapping `m` and tiling `t`
// into `dev` (x at `x_addr` unless 0, y at `y_addr` unless 0) and runs it; returns the
// descriptor. Throws DeviceError as RunChain.
Desc RunTiled(Device& dev, const ConvLayer& l, const RsMapping& m, const Tiling& t,
              const Tensor<int16_t>& x, const Tensor<int16_t>& w, uint64_t x_addr = 0,
              uint64_t y_addr = 0);

// An RS mapping with the five numbers a test picks (e, p, q, r, t); n and the rest are left to
// CompleteMapping.
RsMapping Rs(int e, int p, int q, int r, int t);

std::string HexStr(uint64_t v);

// The whole file as text ("" when it cannot be read).
std::string ReadTextFile(const std::string& path);

// A fresh directory named after the running test (under the system's temporary directory,
// with the process id), removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace test
}  // namespace eyelet

#endif  // EYELET_TESTS_TEST_UTIL_H_
