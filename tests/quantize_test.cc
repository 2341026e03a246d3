// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Lowering, calibration, quantization and the quantized network on the golden device
// (quantize.h, net_run.h), on networks built here.
#include "eyelet/quantize.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/net_run.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;
using test::MakeShape;
using test::RandomTensor;
using test::Widen;

float RandomFloat(Rng& rng, float lim) {
  return static_cast<float>((static_cast<double>(rng.Next() >> 11) * 0x1.0p-53 * 2 - 1) * lim);
}

FTensor RandomF(std::vector<int64_t> dims, Rng& rng, float lim) {
  FTensor t(std::move(dims));
  for (float& v : t.data) v = RandomFloat(rng, lim);
  return t;
}

NetOp ConvOp(const std::string& name, std::vector<int64_t> in, int64_t m, int k, int stride,
             int pad, Rng& rng, int groups = 1) {
  NetOp op;
  op.kind = OpKind::kConv;
  op.name = name;
  op.op_type = "Conv";
  op.w = RandomF({m, in[1] / groups, k, k}, rng, 0.5f);
  op.bias.resize(static_cast<size_t>(m));
  for (float& b : op.bias) b = RandomFloat(rng, 0.2f);
  op.conv.stride_h = op.conv.stride_w = stride;
  op.conv.pad_top = op.conv.pad_left = op.conv.pad_bottom = op.conv.pad_right = pad;
  op.conv.groups = groups;
  const int64_t e = (in[2] + 2 * pad - k) / stride + 1, f = (in[3] + 2 * pad - k) / stride + 1;
  op.out_dims = {1, m, e, f};
  return op;
}

NetOp Simple(OpKind kind, const std::string& name, const std::string& type,
             std::vector<int64_t> out) {
  NetOp op;
  op.kind = kind;
  op.name = name;
  op.op_type = type;
  op.out_dims = std::move(out);
  return op;
}

NetOp PoolOp(OpKind kind, const std::string& name, std::vector<int64_t> in, int k, int s) {
  NetOp op = Simple(kind, name, kind == OpKind::kMaxPool ? "MaxPool" : "AveragePool", {});
  op.pool.kernel_h = op.pool.kernel_w = k;
  op.pool.stride_h = op.pool.stride_w = s;
  op.out_dims = {1, in[1], (in[2] - k) / s + 1, (in[3] - k) / s + 1};
  return op;
}

NetOp GemmOp(const std::string& name, int64_t k, int64_t m, Rng& rng) {
  NetOp op = Simple(OpKind::kGemm, name, "Gemm", {1, m});
  op.w = RandomF({m, k}, rng, 0.3f);
  op.bias.resize(static_cast<size_t>(m));
  for (float& b : op.bias) b = RandomFloat(rng, 0.2f);
  return op;
}

// conv 3x3 pad 1 -> relu -> maxpool 2 -> conv 3x3 stride 2 -> relu -> flatten -> gemm -> relu
// -> gemm -> softmax, on 1 x 2 x 8 x 8.
Network SmallNet(uint64_t seed) {
  Rng rng(seed);
  Network n;
  n.name = "small";
  n.input_dims = {1, 2, 8, 8};
  n.ops.push_back(ConvOp("conv1", n.input_dims, 4, 3, 1, 1, rng));
  n.ops.push_back(Simple(OpKind::kRelu, "relu1", "Relu", {1, 4, 8, 8}));
  n.ops.push_back(PoolOp(OpKind::kMaxPool, "pool1", {1, 4, 8, 8}, 2, 2));
  n.ops.push_back(ConvOp("conv2", {1, 4, 4, 4}, 6, 3, 2, 1, rng));
  n.ops.push_back(Simple(OpKind::kRelu, "relu2", "Relu", {1, 6, 2, 2}));
  NetOp flat = Simple(OpKind::kFlatten, "flat", "Flatten", {1, 24});
  n.ops.push_back(flat);
  n.ops.push_back(GemmOp("fc1", 24, 10, rng));
  n.ops.push_back(Simple(OpKind::kRelu, "relu3", "Relu", {1, 10}));
  n.ops.push_back(GemmOp("fc2", 10, 5, rng));
  NetOp sm = Simple(OpKind::kSoftmax, "softmax", "Softmax", {1, 5});
  sm.axis = 1;
  n.ops.push_back(sm);
  return n;
}

TEST(Lowering, FusesActivationsAndPoolingIntoTheLayerBefore) {
  const LoweredNet l = LowerNetwork(SmallNet(1));
  ASSERT_EQ(l.steps.size(), 4u);
  EXPECT_EQ(l.steps[0].name, "conv1+relu1+pool1");
  EXPECT_TRUE(l.steps[0].relu);
  EXPECT_TRUE(l.steps[0].pool);
  EXPECT_EQ(l.steps[0].out_dims, (std::vector<int64_t>{1, 4, 4, 4}));
  EXPECT_EQ(l.steps[1].name, "conv2+relu2");
  EXPECT_EQ(l.steps[2].kind, FloatStep::kFc);
  EXPECT_EQ(l.steps[2].in_dims, (std::vector<int64_t>{1, 24}));
  EXPECT_TRUE(l.steps[2].relu);
  EXPECT_FALSE(l.steps[3].relu);
  EXPECT_TRUE(l.softmax);
}

TEST(Lowering, StepsComputeWhatTheFloatNetworkComputes) {
  const Network net = SmallNet(2);
  const LoweredNet l = LowerNetwork(net);
  Rng rng(3);
  const FTensor x = RandomF({3, 2, 8, 8}, rng, 1.0f);
  const FTensor want = RunFloat(net, x);
  std::vector<FTensor> steps = RunSteps(l, x);
  NetOp sm;
  sm.kind = OpKind::kSoftmax;
  sm.axis = 1;
  const FTensor got = RunFloatOp(sm, steps.back());
  ASSERT_EQ(got.dims, want.dims);
  for (size_t i = 0; i < got.data.size(); ++i) EXPECT_NEAR(got.data[i], want.data[i], 1e-5);
}

TEST(Lowering, FoldsAnAffineStepIntoTheConvBeforeIt) {
  Rng rng(4);
  Network n;
  n.name = "bn";
  n.input_dims = {1, 2, 5, 5};
  n.ops.push_back(ConvOp("conv", n.input_dims, 3, 3, 1, 0, rng));
  NetOp bn = Simple(OpKind::kAffine, "bn", "BatchNormalization", {1, 3, 3, 3});
  bn.scale = {0.5f, -2.0f, 1.5f};
  bn.shift = {0.1f, 0.2f, -0.3f};
  n.ops.push_back(bn);
  n.ops.push_back(Simple(OpKind::kRelu, "relu", "Relu", {1, 3, 3, 3}));
  NetOp bn2 = bn;  // after the activation: its own grouped 1 x 1 CONV
  bn2.name = "bn2";
  n.ops.push_back(bn2);
  const LoweredNet l = LowerNetwork(n);
  ASSERT_EQ(l.steps.size(), 2u);
  EXPECT_EQ(l.steps[0].name, "conv+bn+relu");
  EXPECT_EQ(l.steps[1].conv.groups, 3);
  EXPECT_EQ(l.steps[1].w.dims, (std::vector<int64_t>{3, 1, 1, 1}));
  const FTensor x = RandomF({2, 2, 5, 5}, rng, 1.0f);
  const FTensor want = RunFloat(n, x);
  const FTensor got = RunSteps(l, x).back();
  for (size_t i = 0; i < got.data.size(); ++i) EXPECT_NEAR(got.data[i], want.data[i], 1e-5);
}

TEST(Lowering, AveragePoolsBecomeDepthwiseConvolutions) {
  Rng rng(5);
  Network n;
  n.name = "avg";
  n.input_dims = {1, 3, 6, 6};
  n.ops.push_back(PoolOp(OpKind::kAvgPool, "avg", n.input_dims, 2, 2));
  n.ops.push_back(Simple(OpKind::kGlobalAvgPool, "gap", "GlobalAveragePool", {1, 3, 1, 1}));
  const LoweredNet l = LowerNetwork(n);
  ASSERT_EQ(l.steps.size(), 2u);
  EXPECT_EQ(l.steps[0].conv.groups, 3);
  EXPECT_FLOAT_EQ(l.steps[0].w.data[0], 0.25f);
  EXPECT_EQ(l.steps[1].w.dims, (std::vector<int64_t>{3, 1, 3, 3}));
  const FTensor x = RandomF({2, 3, 6, 6}, rng, 1.0f);
  const FTensor want = RunFloat(n, x);
  const FTensor got = RunSteps(l, x).back();
  for (size_t i = 0; i < got.data.size(); ++i) EXPECT_NEAR(got.data[i], want.data[i], 1e-5);

  n.ops[0].pool.pad_top = 1;  // count_include_pad = 0 with padding: not a convolution
  n.ops[0].out_dims = {1, 3, 3, 3};
  try {
    LowerNetwork(n);
    FAIL() << "no error";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'avg' (AveragePool)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("count_include_pad"), std::string::npos);
  }
}

TEST(Lowering, SplitsLargePoolingWindowsIntoOnesTheUnitTakes) {
  Rng rng(6);
  Network n;
  n.name = "pool";
  n.input_dims = {1, 2, 12, 12};
  n.ops.push_back(ConvOp("conv", n.input_dims, 2, 1, 1, 0, rng));
  n.ops.push_back(PoolOp(OpKind::kMaxPool, "p4", {1, 2, 12, 12}, 4, 4));
  LoweredNet l = LowerNetwork(n);
  ASSERT_EQ(l.steps.size(), 2u);  // 2x2 fused, 2x2 standalone
  EXPECT_TRUE(l.steps[0].pool);
  EXPECT_EQ(l.steps[0].pool_params.kernel_h, 2);
  EXPECT_EQ(l.steps[1].kind, FloatStep::kPool);
  EXPECT_EQ(l.steps[1].out_dims, (std::vector<int64_t>{1, 2, 3, 3}));
  const FTensor x = RandomF({2, 2, 12, 12}, rng, 1.0f);
  const FTensor want = RunFloat(n, x);
  const FTensor got = RunSteps(l, x).back();
  for (size_t i = 0; i < got.data.size(); ++i) EXPECT_NEAR(got.data[i], want.data[i], 1e-6);

  n.ops[1] = PoolOp(OpKind::kMaxPool, "p5", {1, 2, 12, 12}, 5, 5);
  try {
    LowerNetwork(n);
    FAIL() << "no error";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'p5' (MaxPool)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("5x5"), std::string::npos);
  }
}

TEST(Lowering, RejectsASoftmaxBeforeTheEnd) {
  Network n = SmallNet(7);
  std::swap(n.ops[8], n.ops[9]);
  n.ops[8].out_dims = {1, 10};
  EXPECT_THROW(LowerNetwork(n), UnsupportedError);
}

TEST(Quantize, RequantizationMultipliersMatchTheScales) {
  const LoweredNet l = LowerNetwork(SmallNet(8));
  Rng rng(9);
  const FTensor calib = RandomF({16, 2, 8, 8}, rng, 1.0f);
  for (int bits : {8, 16}) {
    const QuantNet q = Quantize(l, Calibrate(l, calib, {}), bits, {});
    ASSERT_EQ(q.steps.size(), 4u);
    EXPECT_FALSE(q.steps.back().Requantizes());  // logits stay accumulators
    const int qmax = (1 << (bits - 1)) - 1;
    for (size_t i = 0; i + 1 < q.steps.size(); ++i) {
      const QuantStep& s = q.steps[i];
      for (size_t m = 0; m < s.acc_scale.size(); ++m) {
        const double want = s.acc_scale[m] / s.out_scale;
        const double got =
            std::ldexp(static_cast<double>(s.path.requant.mult[m]), -s.path.requant.shift[m]);
        EXPECT_NEAR(got / want, 1.0, 1e-8) << s.name << " channel " << m;
      }
      int wmax = 0;
      for (int16_t v : s.w.data()) wmax = std::max(wmax, std::abs(int{v}));
      if (bits == 8) {
        EXPECT_EQ(wmax, qmax) << s.name;  // the largest weight on the rail
      }
      EXPECT_LE(wmax, qmax) << s.name;
      // No accumulator can wrap: every input at its rail plus the bias stays in 32 bits.
      const int64_t per = s.w.size() / s.w.shape().n;
      for (int m = 0; m < s.w.shape().n; ++m) {
        int64_t l1 = 0;
        for (int64_t k = 0; k < per; ++k) l1 += std::abs(int{s.w.data()[m * per + k]});
        const int64_t bias = s.path.bias.empty() ? 0 : std::abs(int64_t{s.path.bias[m]});
        EXPECT_LT((l1 << (bits - 1)) + bias, int64_t{1} << 31) << s.name << " channel " << m;
      }
    }
  }
}

// Quantized outputs stay within a few steps of the float ones, at 8 and 16 bits.
TEST(Quantize, ErrorStaysWithinABoundOnRandomLayers) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(100 + seed);
    Network n;
    n.name = "layer";
    const int64_t c = rng.UniformInt(1, 4), h = rng.UniformInt(4, 9);
    n.input_dims = {1, c, h, h};
    const int k = rng.UniformInt(1, 3);
    n.ops.push_back(ConvOp("conv", n.input_dims, rng.UniformInt(1, 5), k, 1, k / 2, rng));
    n.ops.push_back(Simple(OpKind::kRelu, "relu", "Relu", n.ops[0].out_dims));
    const LoweredNet l = LowerNetwork(n);
    const FTensor x = RandomF({4, c, h, h}, rng, 1.0f);
    const FTensor want = RunFloat(n, x);
    for (int bits : {8, 16}) {
      CalibOptions max;
      max.method = CalibMethod::kMax;
      const QuantNet q = Quantize(l, Calibrate(l, x, max), bits, max);
      const Tensor<int16_t> xq = QuantizeInput(q, x);
      const FTensor got = DequantizeOutput(q, RunGolden(q, xq).back());
      // The rounding bound: per tap, half an input step times |w| plus half a weight step
      // times |x| (plus their product), half an accumulator step for the bias, half an output
      // step for the requantization (ReLU does not widen it).
      const QuantStep& s = q.steps[0];
      const int64_t taps = s.w.size() / s.w.shape().n;
      double wmax = 0, xmax = 0, sw_max = 0;
      for (float v : l.steps[0].w.data) wmax = std::max(wmax, double{std::fabs(v)});
      for (float v : x.data) xmax = std::max(xmax, double{std::fabs(v)});
      for (double a : s.acc_scale) sw_max = std::max(sw_max, a / s.in_scale);
      const double bound = taps * (s.in_scale / 2 * wmax + sw_max / 2 * xmax +
                                   s.in_scale * sw_max / 4) +
                           s.in_scale * sw_max / 2 + s.out_scale / 2;
      double worst = 0;
      for (size_t i = 0; i < got.data.size(); ++i) {
        worst = std::max(worst, std::fabs(double{got.data[i]} - want.data[i]));
      }
      EXPECT_LE(worst, bound * 1.0001) << "seed " << seed << " bits " << bits;
      EXPECT_LE(worst, bits == 8 ? 0.05 : 0.001) << "seed " << seed << " bits " << bits;
    }
  }
}

TEST(QuantNetFiles, SaveAndLoadGiveTheSameNetwork) {
  const LoweredNet l = LowerNetwork(SmallNet(10));
  Rng rng(11);
  const FTensor calib = RandomF({8, 2, 8, 8}, rng, 1.0f);
  const QuantNet q = Quantize(l, Calibrate(l, calib, {}), 8, {});
  char tmpl[] = "/tmp/eyelet_qnet_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  SaveQuantNet(q, dir);
  const QuantNet back = LoadQuantNet(dir);
  ASSERT_EQ(back.steps.size(), q.steps.size());
  EXPECT_EQ(back.input_scale, q.input_scale);
  const Tensor<int16_t> xq = QuantizeInput(q, calib);
  const auto a = RunGolden(q, xq), b = RunGolden(back, xq);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].data(), b[i].data()) << "step " << i;
  EXPECT_EQ(DequantizeOutput(q, a.back()).data, DequantizeOutput(back, b.back()).data);

  {  // a damaged manifest is a FileError naming the file
    std::ofstream f(dir + "/manifest.json");
    f << "{\"format\": \"eyelet-quantized-network\", \"version\": 1, \"name\": 3}";
  }
  try {
    LoadQuantNet(dir);
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos);
  }
  EXPECT_THROW(LoadQuantNet(dir + "/missing"), FileError);
}

// Found by fuzz/fuzz_manifest: a float where an integer belongs (converting 1e300 to int is
// undefined behaviour), an integer beyond int, and an unknown calibration method (a UsageError,
// which the tool reports as a bad command line) are FileErrors naming the file and the field.
TEST(QuantNetFiles, BadManifestFieldsAreFileErrorsNamingTheField) {
  const LoweredNet l = LowerNetwork(SmallNet(10));
  Rng rng(11);
  const QuantNet q = Quantize(l, Calibrate(l, RandomF({2, 2, 8, 8}, rng, 1.0f), {}), 8, {});
  char tmpl[] = "/tmp/eyelet_qnet_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  SaveQuantNet(q, dir);
  std::string good;
  {
    std::ifstream f(dir + "/manifest.json");
    good.assign(std::istreambuf_iterator<char>(f), {});
  }
  struct Edit {
    std::string from, to, needle;
  };
  const std::vector<Edit> edits = {
      {"\"bits\": 8", "\"bits\": 1e300", "'bits'"},
      {"\"bits\": 8", "\"bits\": 4294967304", "'bits'"},
      {"\"softmax_axis\": 1", "\"softmax_axis\": -1e19", "'softmax_axis'"},
      {"\"groups\": 1", "\"groups\": 2.5", "step 0: 'groups'"},
      {"\"leaky_shift\": 0", "\"leaky_shift\": 1e100", "step 0: 'leaky_shift'"},
      {"\"leaky_mult\": 0", "\"leaky_mult\": 40000", "step 0: 'leaky_mult'"},
      {"\"input_dims\": [", "\"input_dims\": [1e300, ", "'input_dims'"},
      {"\"method\": \"percentile\"", "\"method\": \"median\"", "calibration method 'median'"},
  };
  for (const Edit& e : edits) {
    const size_t at = good.find(e.from);
    ASSERT_NE(at, std::string::npos) << e.from;
    std::string bad = good;
    bad.replace(at, e.from.size(), e.to);
    {
      std::ofstream f(dir + "/manifest.json");
      f << bad;
    }
    try {
      LoadQuantNet(dir);
      ADD_FAILURE() << e.to << " accepted";
    } catch (const FileError& err) {
      const std::string msg = err.what();
      EXPECT_NE(msg.find("manifest.json"), std::string::npos) << msg;
      EXPECT_NE(msg.find(e.needle), std::string::npos) << e.to << ": " << msg;
    }
  }
}

TEST(NetRun, EveryLayerOnTheGoldenDeviceEqualsTheGoldenModel) {
  const LoweredNet l = LowerNetwork(SmallNet(12));
  Rng rng(13);
  const FTensor x = RandomF({5, 2, 8, 8}, rng, 1.0f);
  const QuantNet q = Quantize(l, Calibrate(l, x, {}), 8, {});
  const std::unique_ptr<Device> dev = OpenDevice("golden:small");
  NetRunOptions o;
  o.batch = 2;  // 2 + 2 + 1: the last batch builds its own chain
  o.check = true;
  const NetRunResult r = RunQuantNet(*dev, q, x, o);
  EXPECT_TRUE(r.Pass());
  EXPECT_EQ(r.chains, 3);
  EXPECT_EQ(r.descs_per_chain, 4);
  for (const NetLayerStats& s : r.layers) EXPECT_GT(s.checked, 0) << s.name;
  const FTensor want = DequantizeOutput(q, RunGolden(q, QuantizeInput(q, x)).back());
  EXPECT_EQ(r.output.dims, (std::vector<int64_t>{5, 5}));
  EXPECT_EQ(r.output.data, want.data);

  o.check = false;  // buffers reused: same outputs
  const NetRunResult reused = RunQuantNet(*dev, q, x, o);
  EXPECT_EQ(reused.output.data, want.data);
}

TEST(ChainReuse, TwoBuffersServeALongChainAndOverwrittenLayersCannotBeRead) {
  const std::unique_ptr<Device> dev = OpenDevice("golden:small");
  Rng rng(14);
  const Tensor<int16_t> x = RandomTensor(MakeShape(1, 2, 6, 6), rng, -50, 50);
  const Tensor<int16_t> w = RandomTensor(MakeShape(2, 2, 1, 1), rng, -3, 3);
  OutputPath path;
  path.requant.mult = {1};
  path.requant.shift = {2};
  ChainBuilder chain(*dev);
  chain.ReuseOutputs(true);
  int prev = chain.AddConv(Conv(MakeShape(1, 2, 6, 6), w.shape(), 1, 0), x, w, nullptr, &path);
  std::vector<uint64_t> addrs = {chain.layer(prev).desc.y_addr};
  for (int i = 0; i < 5; ++i) {
    prev = chain.AddConvAfter(prev, w, ConvParams{}, nullptr, &path);
    addrs.push_back(chain.layer(prev).desc.y_addr);
  }
  dev->RunChain(chain.Commit(), 1'000'000);
  std::sort(addrs.begin(), addrs.end());
  EXPECT_EQ(std::unique(addrs.begin(), addrs.end()) - addrs.begin(), 2);
  // The golden model of six layers in a row.
  Tensor<int16_t> cur = x;
  for (int i = 0; i < 6; ++i) {
    const Tensor<int32_t> y = ApplyOutputPath(ConvAcc(cur, w, ConvParams{}), path);
    std::copy(y.data().begin(), y.data().end(), cur.data().begin());
  }
  EXPECT_EQ(chain.ReadOutput(prev).data(), Widen(cur).data());
  EXPECT_THROW(chain.ReadOutput(0), Error);
  EXPECT_THROW(chain.AddConvAfter(0, w, ConvParams{}, nullptr, &path), Error);
}

}  // namespace
}  // namespace eyelet
