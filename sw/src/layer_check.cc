// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/layer_check.h"

#include <algorithm>
#include <sstream>

#include "eyelet/error.h"

namespace eyelet {

const char* LayerTypeName(LayerType type) {
  switch (type) {
    case LayerType::kConv:
      return "conv";
    case LayerType::kFc:
      return "fc";
    case LayerType::kPool:
      return "pool";
  }
  return "?";
}

Tensor<int32_t> GoldenAcc(const LayerCase& c) {
  switch (c.type) {
    case LayerType::kConv:
      return ConvAcc(c.x, c.w, c.layer.conv, c.data_bits);
    case LayerType::kFc:
      return FcAcc(c.x, c.w, c.data_bits);
    case LayerType::kPool: {
      const Tensor<int16_t> pooled = MaxPool(c.x, c.pool);
      Tensor<int32_t> y(pooled.shape());
      std::copy(pooled.data().begin(), pooled.data().end(), y.data().begin());
      return y;
    }
  }
  throw UnsupportedError("unknown layer type");
}

Tensor<int32_t> GoldenOutput(const Tensor<int32_t>& acc, const OutputPath* path) {
  return path ? ApplyOutputPath(acc, *path) : acc;
}

void CheckDataRange(const Tensor<int16_t>& t, int data_bits, const std::string& what) {
  const int64_t lo = -(int64_t{1} << (data_bits - 1));
  const int64_t hi = (int64_t{1} << (data_bits - 1)) - 1;
  const Shape& s = t.shape();
  for (size_t i = 0; i < t.data().size(); ++i) {
    const int v = t.data()[i];
    if (v < lo || v > hi) {
      const size_t hw = static_cast<size_t>(s.h) * s.w;
      throw ShapeError(what + ": value " + std::to_string(v) + " at [" +
                       std::to_string(i / hw / s.c) + "," + std::to_string(i / hw % s.c) + "," +
                       std::to_string(i / s.w % s.h) + "," + std::to_string(i % s.w) +
                       "] is outside the " + std::to_string(data_bits) +
                       "-bit data range; requantize it or use --data-bits 16");
    }
  }
}

std::string Comparison::Summary() const {
  if (mismatches < 0) return "FAIL (" + examples.front() + ")";
  if (mismatches == 0) {
    return "PASS (all " + std::to_string(compared) + " outputs equal the golden model's)";
  }
  return "FAIL (" + std::to_string(mismatches) + " of " + std::to_string(compared) +
         " outputs differ from the golden model)";
}

Comparison CompareOutputs(const Tensor<int32_t>& want, const Tensor<int32_t>& got, int listed) {
  Comparison c;
  if (got.shape() != want.shape()) {
    c.mismatches = -1;
    c.examples.push_back("the array returned " + got.shape().ToString() + ", expected " +
                         want.shape().ToString());
    return c;
  }
  const Shape& s = want.shape();
  c.compared = want.size();
  for (int n = 0; n < s.n; ++n) {
    for (int ch = 0; ch < s.c; ++ch) {
      for (int h = 0; h < s.h; ++h) {
        for (int w = 0; w < s.w; ++w) {
          const int32_t expected = want.at(n, ch, h, w);
          const int32_t actual = got.at(n, ch, h, w);
          if (expected == actual) continue;
          if (c.mismatches++ < listed) {
            std::ostringstream os;
            os << "n,c,h,w = " << n << "," << ch << "," << h << "," << w << ": expected "
               << expected << ", got " << actual;
            c.examples.push_back(os.str());
          }
        }
      }
    }
  }
  return c;
}

Tensor<int16_t> RunWeights(const LayerCase& c) {
  if (c.type == LayerType::kPool) return Tensor<int16_t>(c.layer.w, 1);
  Tensor<int16_t> w(c.layer.w);
  if (c.w.size() != w.size()) {
    throw ShapeError("RunWeights: " + c.w.shape().ToString() + " weights for " +
                     c.layer.ToString());
  }
  w.data() = c.w.data();
  return w;
}

LayerCheck CheckLayer(Device& device, const ArrayConfig& hw, const LayerCase& c,
                      const Tensor<int32_t>& want, const RsMapping* mapping, const OutputPath* path,
                      uint64_t timeout_cycles) {
  const int pes = hw.rows * hw.cols;
  LayerCheck check;
  switch (c.type) {
    case LayerType::kConv: {
      LayerResult r = RunConv(device, c.layer, c.x, c.w, mapping, timeout_cycles, path);
      check.stats = MakeArrayStats(c.layer, r, pes);
      check.x_addr = r.x_addr;
      check.w_addr = r.w_addr;
      check.got = std::move(r.y);
      break;
    }
    case LayerType::kFc: {
      const FcConv fc = FcToConv(c.x, c.w);
      LayerResult r = RunConv(device, fc.layer, fc.x, fc.w, mapping, timeout_cycles, path);
      check.stats = MakeArrayStats(fc.layer, r, pes);
      check.x_addr = r.x_addr;
      check.w_addr = r.w_addr;
      check.got = std::move(r.y);
      break;
    }
    case LayerType::kPool: {
      LayerResult r = RunPool(device, c.x, c.pool, timeout_cycles);
      check.stats = MakeArrayStats(PoolToConvLayer(c.x.shape(), c.pool), r, pes);
      check.x_addr = r.x_addr;
      check.w_addr = r.w_addr;
      check.got = std::move(r.y);
      break;
    }
  }
  check.cmp = CompareOutputs(want, check.got);
  return check;
}

}  // namespace eyelet
