// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` CLI, run in-process through RunCli: exit codes, messages, reproducibility and
// .npy round trips checked against the golden model, and layers on the Verilated PE array
// (`layer --backend rtl`, `sweep`).
#include "eyelet/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.h"
#include "eyelet/backend.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/npy.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using test::CliResult;
using test::Contains;
using test::Eyelet;
using test::EyeletLine;
using test::Field;
using test::Hex64;
using test::ReadJson;
using test::TempDir;

Tensor<int16_t> RandomTensor(const Shape& shape, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> val(lo, hi);
  Tensor<int16_t> t(shape);
  for (int16_t& v : t.data()) v = static_cast<int16_t>(val(rng));
  return t;
}

// --- Top level.

TEST(Cli, HelpListsSubcommands) {
  for (const char* flag : {"--help", "-h", "help"}) {
    const CliResult r = Eyelet({flag});
    EXPECT_EQ(r.code, kExitOk) << flag;
    EXPECT_TRUE(Contains(r.out, "usage: eyelet")) << r.out;
    EXPECT_TRUE(Contains(r.out, "\n  layer ")) << r.out;
    EXPECT_TRUE(Contains(r.out, "\n  pe ")) << r.out;
    EXPECT_TRUE(Contains(r.out, "\n  sweep ")) << r.out;
    EXPECT_TRUE(Contains(r.out, "\n  map ")) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST(Cli, NoArgumentsPrintsUsageToErr) {
  const CliResult r = Eyelet({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(Contains(r.err, "usage: eyelet")) << r.err;
  EXPECT_TRUE(Contains(r.err, "layer")) << r.err;
}

TEST(Cli, SubcommandHelpListsItsOptions) {
  CliResult r = Eyelet({"layer", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag : {"--type", "--seed", "--kernel-h", "--data-bits", "--backend", "--input",
                           "--weights", "--output", "--config", "--mapping", "--trace"}) {
    EXPECT_TRUE(Contains(r.out, flag)) << flag << "\n" << r.out;
  }
  EXPECT_TRUE(Contains(r.out, "tiny (3x4), small (6x7), eyeriss (12x14)")) << r.out;
  r = Eyelet({"sweep", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag :
       {"--backend", "--config", "--count", "--seed", "--index", "--types", "--trace"}) {
    EXPECT_TRUE(Contains(r.out, flag)) << flag << "\n" << r.out;
  }
  EXPECT_TRUE(Contains(r.out, "--backend golden runs the\nsame layers")) << r.out;
  r = Eyelet({"pe", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag : {"--count", "--seed", "--trace", "--stall", "--job"}) {
    EXPECT_TRUE(Contains(r.out, flag)) << flag << "\n" << r.out;
  }
  r = Eyelet({"help", "pe"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_TRUE(Contains(r.out, "usage: eyelet pe")) << r.out;
  r = Eyelet({"help", "nope"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "nope")) << r.err;
}

TEST(Cli, UnknownSubcommandIsUsageError) {
  CliResult r = Eyelet({"frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "unknown command 'frobnicate'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "usage: eyelet")) << r.err;
  r = Eyelet({"--bogus"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "'--bogus'")) << r.err;
}

TEST(Cli, UnknownFlagIsNamed) {
  const CliResult r = Eyelet({"layer", "--bogus-flag", "3"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(Contains(r.err, "--bogus-flag")) << r.err;
  EXPECT_TRUE(Contains(r.err, "usage: eyelet layer")) << r.err;
}

// Every malformed command line: exit 2, what is wrong, then the subcommand's usage.
struct BadArgs {
  const char* name;
  std::vector<std::string> args;
  const char* expect;
};

class CliBadArgs : public ::testing::TestWithParam<BadArgs> {};

TEST_P(CliBadArgs, ExitsTwoWithMessageAndUsage) {
  const BadArgs& bad = GetParam();
  const CliResult r = Eyelet(bad.args);
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(Contains(r.err, bad.expect)) << r.err;
  EXPECT_TRUE(Contains(r.err, "usage: eyelet " + bad.args[0])) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadArgs,
    ::testing::Values(
        BadArgs{"StrideNotANumber", {"layer", "--stride", "abc"}, "--stride"},
        BadArgs{"DataBits12", {"layer", "--data-bits", "12"}, "--data-bits must be 8 or 16"},
        BadArgs{"TypeFoo", {"layer", "--type", "foo"}, "--type must be conv, fc or pool"},
        BadArgs{"MissingValue", {"layer", "--seed"}, "--seed"},
        BadArgs{"NegativePad", {"layer", "--pad=-1"}, "--pad -1 must be between 0"},
        BadArgs{"ZeroStride", {"layer", "--stride", "0"}, "--stride 0 must be between 1"},
        BadArgs{"NegativeSeed", {"layer", "--seed=-4"}, "--seed -4 must not be negative"},
        BadArgs{"FractionalHeight", {"layer", "--height", "2.5"}, "--height"},
        BadArgs{"KernelTwice", {"layer", "--kernel", "3", "--kernel-h", "2"}, "not both"},
        BadArgs{"KernelForFc", {"layer", "--type", "fc", "--kernel", "3"}, "--kernel does not"},
        BadArgs{"GroupsForPool", {"layer", "--type", "pool", "--groups", "2"}, "--groups"},
        BadArgs{"PoolNoWidth", {"layer", "--requant", "--pool", "3x"}, "--pool '3x' must be"},
        BadArgs{"PoolZero", {"layer", "--requant", "--pool", "0x0"}, "--pool '0x0' must be"},
        BadArgs{"PoolNoX", {"layer", "--requant", "--pool", "3"}, "--pool '3' must be"},
        BadArgs{"PoolBadStride", {"layer", "--requant", "--pool", "2x2/"}, "--pool '2x2/'"},
        BadArgs{"PoolWithoutRequant", {"layer", "--pool", "2x2"}, "add --requant"},
        BadArgs{"PoolPadNotBelowWindow",
                {"layer", "--requant", "--pool", "2x2", "--pool-pad", "2"},
                "--pool-pad 2 must be between 0 and 1"},
        BadArgs{"PoolPadAlone", {"layer", "--pool-pad", "1"}, "--pool-pad goes with --pool"},
        BadArgs{"PoolCeilAlone", {"layer", "--requant", "--pool-ceil"}, "--pool-ceil goes with"},
        BadArgs{"PoolAndKernel",
                {"layer", "--type", "pool", "--pool", "2x2", "--kernel", "3"},
                "--kernel and --pool both set the pooling"},
        BadArgs{"UnknownBackend", {"layer", "--backend", "fpga"}, "--backend must be golden"},
        BadArgs{"UnknownConfig",
                {"layer", "--backend", "rtl", "--config", "huge"},
                "unknown hardware config 'huge'; built configs are: tiny, small, eyeriss"},
        BadArgs{"GoldenUnknownConfig", {"layer", "--config", "huge"}, "built configs are"},
        BadArgs{"GoldenMappingZero", {"layer", "--mapping", "2,0,1,1,1"}, "positive"},
        BadArgs{"TraceForGolden", {"layer", "--trace", "x.fst"}, "--trace applies to"},
        BadArgs{"MappingTooShort",
                {"layer", "--backend", "rtl", "--mapping", "2,1,1"},
                "--mapping '2,1,1' must be five positive integers e,p,q,r,t"},
        BadArgs{"MappingZero", {"layer", "--backend", "rtl", "--mapping", "2,0,1,1,1"}, "positive"},
        BadArgs{"MappingLetters", {"layer", "--backend", "rtl", "--mapping", "a,b,c,d,e"}, "five"},
        BadArgs{"MappingTrailingComma",
                {"layer", "--backend", "rtl", "--mapping", "1,1,1,1,1,"},
                "five"},
        BadArgs{"Positional", {"layer", "extra"}, "extra"},
        BadArgs{"NoAbbreviations", {"layer", "--strid", "2"}, "--strid"},
        BadArgs{"StallTooHigh", {"pe", "--stall", "0.95"}, "--stall 0.95 must be between"},
        BadArgs{"StallNotANumber", {"pe", "--stall", "lots"}, "--stall"},
        BadArgs{"CountNegative", {"pe", "--count=-1"}, "--count -1"},
        BadArgs{"PeUnknownFlag", {"pe", "--rows", "3"}, "--rows"},
        BadArgs{"SweepGoldenTrace",
                {"sweep", "--backend", "golden", "--trace", "x.fst"},
                "--trace applies to --backend rtl only"},
        BadArgs{"SweepUnknownBackend",
                {"sweep", "--backend", "fpga"},
                "--backend must be golden or rtl, not 'fpga'"},
        BadArgs{"SweepUnknownConfig", {"sweep", "--config", "huge"}, "built configs are"},
        BadArgs{"SweepUnknownType", {"sweep", "--types", "conv,lstm"}, "--types 'conv,lstm'"},
        BadArgs{"SweepTrailingComma", {"sweep", "--types", "conv,pool,"}, "--types 'conv,pool,'"},
        BadArgs{"SweepCountNegative", {"sweep", "--count=-2"}, "--count -2"},
        BadArgs{"SweepIndexNegative", {"sweep", "--index=-1"}, "--index -1"},
        BadArgs{"MapUnknownNet",
                {"map", "--net", "resnet"},
                "unknown net 'resnet'; built-in nets are: alexnet, vgg16"},
        BadArgs{"MapNothingToMap", {"map"}, "give either --net NAME or --layer"},
        BadArgs{"MapNetAndLayer", {"map", "--net", "alexnet", "--layer"}, "give either"},
        BadArgs{"MapShapeWithNet",
                {"map", "--net", "alexnet", "--kernel", "3"},
                "--kernel applies to --layer only"},
        BadArgs{"MapTypeWithNet", {"map", "--net", "vgg16", "--type", "fc"}, "--type applies"},
        BadArgs{"MapLayerMissingShape", {"map", "--layer", "--in-channels", "3"}, "--layer needs"},
        BadArgs{"MapFcKernel",
                {"map", "--layer", "--type", "fc", "--kernel", "3"},
                "--kernel does not apply to --type fc"},
        BadArgs{"MapPoolType", {"map", "--layer", "--type", "pool"}, "--type must be conv or fc"},
        BadArgs{"MapUnknownConfig",
                {"map", "--net", "alexnet", "--config", "huge"},
                "built configs are"},
        BadArgs{"MapBatchZero", {"map", "--net", "alexnet", "--batch", "0"}, "--batch 0"}),
    [](const ::testing::TestParamInfo<BadArgs>& info) { return std::string(info.param.name); });

// --- eyelet layer

TEST(CliLayer, SameSeedSameOutput) {
  const CliResult a = Eyelet({"layer", "--seed", "3"});
  const CliResult b = Eyelet({"layer", "--seed", "3"});
  ASSERT_EQ(a.code, kExitOk) << a.err;
  ASSERT_EQ(b.code, kExitOk) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(Field(a.out, "checksum").size(), 18u) << a.out;
  EXPECT_EQ(Field(a.out, "checksum"), Field(b.out, "checksum"));
  const CliResult c = Eyelet({"layer", "--seed", "4"});
  ASSERT_EQ(c.code, kExitOk) << c.err;
  EXPECT_NE(a.out, c.out);
}

TEST(CliLayer, EveryTypeRunsForManySeeds) {
  for (const char* type : {"conv", "fc", "pool"}) {
    for (int seed = 0; seed < 40; ++seed) {
      const CliResult r = Eyelet({"layer", "--type", type, "--seed", std::to_string(seed)});
      ASSERT_EQ(r.code, kExitOk) << type << " seed " << seed << ": " << r.err;
      EXPECT_TRUE(r.err.empty()) << r.err;
      EXPECT_EQ(Field(r.out, "layer").rfind(type, 0), 0u) << r.out;
      EXPECT_EQ(Field(r.out, "checksum").rfind("0x", 0), 0u) << r.out;
      EXPECT_FALSE(Field(r.out, "input").empty()) << r.out;
      EXPECT_FALSE(Field(r.out, "output").empty()) << r.out;
      EXPECT_FALSE(Field(r.out, "macs").empty()) << r.out;
    }
  }
}

TEST(CliLayer, PartialShapeFlagsAreHonoured) {
  for (int seed = 0; seed < 20; ++seed) {
    const CliResult r = Eyelet({"layer", "--seed", std::to_string(seed), "--in-channels", "6",
                                "--groups", "3", "--height", "4", "--data-bits", "8"});
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_EQ(Field(r.out, "groups"), "3");
    const std::string input = Field(r.out, "input");
    EXPECT_NE(input.find("x6x4x"), std::string::npos) << input;
    EXPECT_TRUE(Contains(r.out, "8-bit data")) << r.out;
  }
}

TEST(CliLayer, ExplicitConvShapeAndMacs) {
  const CliResult r =
      Eyelet({"layer", "--batch", "2", "--in-channels", "3", "--out-channels", "4", "--height", "8",
              "--width", "6", "--kernel", "3", "--stride", "1", "--pad", "1", "--groups", "1"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(Field(r.out, "input"), "2x3x8x6");
  EXPECT_EQ(Field(r.out, "weights"), "4x3x3x3");
  EXPECT_EQ(Field(r.out, "output"), "2x4x8x6");
  EXPECT_EQ(Field(r.out, "stride"), "1");
  EXPECT_EQ(Field(r.out, "pad"), "1");
  EXPECT_EQ(Field(r.out, "groups"), "1");
  EXPECT_EQ(Field(r.out, "macs"), std::to_string(2 * 4 * 8 * 6 * 3 * 3 * 3));
}

TEST(CliLayer, ConvNpyRoundTripMatchesGolden) {
  TempDir dir;
  // Grouped, strided, padded; weights saved as int8 to exercise the widening load.
  const Tensor<int16_t> x = RandomTensor(Shape{2, 4, 9, 7}, -32768, 32767, 1);
  const Tensor<int16_t> w = RandomTensor(Shape{6, 2, 3, 2}, -128, 127, 2);
  SaveTensor(dir.File("x.npy"), x, "int16");
  SaveTensor(dir.File("w.npy"), w, "int8");
  const CliResult r = Eyelet({"layer", "--input", dir.File("x.npy"), "--weights", dir.File("w.npy"),
                              "--stride", "2", "--pad", "1", "--output", dir.File("y.npy")});
  ASSERT_EQ(r.code, kExitOk) << r.err;

  ConvParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.groups = 2;
  const Tensor<int32_t> expected = ConvAcc(x, w, p);
  EXPECT_EQ(ReadNpy(dir.File("y.npy")).dtype, kNpyInt32);
  const Tensor<int32_t> y = LoadTensorI32(dir.File("y.npy"));
  ASSERT_EQ(y.shape(), expected.shape());
  for (int64_t i = 0; i < y.size(); ++i) ASSERT_EQ(y.data()[i], expected.data()[i]) << i;
  EXPECT_EQ(Field(r.out, "checksum"), Hex64(Checksum(expected)));
  EXPECT_EQ(Field(r.out, "groups"), "2");
  EXPECT_FALSE(fs::exists(dir.File("y.npy.tmp")));
}

TEST(CliLayer, FcNpyRoundTripMatchesGolden) {
  TempDir dir;
  const Tensor<int16_t> x = RandomTensor(Shape{3, 2, 2, 3}, -100, 100, 3);
  const Tensor<int16_t> w = RandomTensor(Shape{1, 1, 5, 12}, -100, 100, 4);
  SaveTensor(dir.File("x.npy"), x, "int16");
  SaveTensor(dir.File("w.npy"), w, "int16", 2);  // a plain (M, K) matrix, as PyTorch has it
  Tensor<int16_t> w_mk(Shape{5, 1, 1, 12});
  w_mk.data() = w.data();
  const CliResult r = Eyelet({"layer", "--type", "fc", "--input", dir.File("x.npy"), "--weights",
                              dir.File("w.npy"), "--output", dir.File("y.npy")});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const Tensor<int32_t> expected = FcAcc(x, w_mk);
  const Tensor<int32_t> y = LoadTensorI32(dir.File("y.npy"));
  ASSERT_EQ(y.shape(), (Shape{3, 5, 1, 1}));
  EXPECT_EQ(y.data(), expected.data());
  EXPECT_EQ(Field(r.out, "macs"), std::to_string(3 * 5 * 12));
  EXPECT_EQ(Field(r.out, "checksum"), Hex64(Checksum(expected)));
}

TEST(CliLayer, PoolNpyRoundTripMatchesGolden) {
  TempDir dir;
  const Tensor<int16_t> x = RandomTensor(Shape{1, 3, 7, 8}, -32768, 32767, 5);
  SaveTensor(dir.File("x.npy"), x, "int16");
  const CliResult r = Eyelet({"layer", "--type", "pool", "--input", dir.File("x.npy"), "--kernel",
                              "3", "--stride", "2", "--pad", "1", "--output", dir.File("y.npy")});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  PoolParams p;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const Tensor<int16_t> expected = MaxPool(x, p);
  EXPECT_EQ(ReadNpy(dir.File("y.npy")).dtype, kNpyInt16);
  const Tensor<int16_t> y = LoadTensorI16(dir.File("y.npy"));
  ASSERT_EQ(y.shape(), expected.shape());
  EXPECT_EQ(y.data(), expected.data());
  EXPECT_EQ(Field(r.out, "window"), "3x3");
  EXPECT_EQ(Field(r.out, "checksum"), Hex64(Checksum(expected)));
}

TEST(CliLayer, PoolFlagSpellsTheWindowStrideAndPadding) {
  // --type pool --pool 3x3/2 --pool-pad 1 is --kernel 3 --stride 2 --pad 1; 2x2 alone has
  // stride 2; --pool-ceil rounds the pooled size up.
  const std::string shape =
      "layer --type pool --seed 4 --batch 1 --in-channels 3 --height 8 "
      "--width 9 ";
  const CliResult flags = EyeletLine(shape + "--kernel 3 --stride 2 --pad 1");
  const CliResult pool = EyeletLine(shape + "--pool 3x3/2 --pool-pad 1");
  ASSERT_EQ(flags.code, kExitOk) << flags.err;
  ASSERT_EQ(pool.code, kExitOk) << pool.err;
  EXPECT_EQ(pool.out, flags.out);
  const CliResult two = EyeletLine(shape + "--pool 2x2");
  ASSERT_EQ(two.code, kExitOk) << two.err;
  EXPECT_EQ(Field(two.out, "output"), "1x3x4x4");
  EXPECT_EQ(Field(two.out, "stride"), "2");
  const CliResult ceil = EyeletLine(shape + "--pool 2x2 --pool-ceil");
  ASSERT_EQ(ceil.code, kExitOk) << ceil.err;
  EXPECT_EQ(Field(ceil.out, "output"), "1x3x4x5");
  EXPECT_EQ(Field(ceil.out, "mode"), "ceil");
}

TEST(CliLayer, PooledConvMatchesGoldenMaxPool) {
  // --requant --relu --pool 3x3/2 on the golden backend: the output is MaxPool of the same
  // layer's unpooled int16 outputs (same seed, so the same data and requantization).
  TempDir dir;
  const std::string layer =
      "layer --seed 5 --batch 2 --in-channels 3 --out-channels 4 --height 11 --width 9 "
      "--kernel 3 --stride 1 --pad 1 --requant --relu";
  const CliResult plain = EyeletLine(layer + " --output " + dir.File("plain.npy"));
  const CliResult pooled =
      EyeletLine(layer + " --pool 3x3/2 --pool-pad 1 --output " + dir.File("pooled.npy"));
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  ASSERT_EQ(pooled.code, kExitOk) << pooled.err;
  EXPECT_EQ(Field(pooled.out, "output"), "2x4x6x5 (max pool of 2x4x11x9)");
  EXPECT_EQ(Field(pooled.out, "macs"), Field(plain.out, "macs"));
  EXPECT_EQ(Field(pooled.out, "post"), Field(plain.out, "post") + ", max pool 3x3/2 pad 1");
  PoolParams p;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const Tensor<int16_t> want = MaxPool(LoadTensorI16(dir.File("plain.npy")), p);
  EXPECT_EQ(ReadNpy(dir.File("pooled.npy")).dtype, kNpyInt16);
  const Tensor<int16_t> got = LoadTensorI16(dir.File("pooled.npy"));
  ASSERT_EQ(got.shape(), want.shape());
  EXPECT_EQ(got.data(), want.data());
  // Random shapes leave room for the window.
  for (int seed = 0; seed < 20; ++seed) {
    for (const char* type : {"conv", "fc"}) {
      const std::string pool = std::string(type) == "fc" ? "1x1" : "3x3/2";
      const CliResult r = Eyelet(
          {"layer", "--type", type, "--seed", std::to_string(seed), "--requant", "--pool", pool});
      EXPECT_EQ(r.code, kExitOk) << type << " seed " << seed << ": " << r.err;
    }
  }
}

TEST(CliLayer, MalformedInputIsAnErrorAndWritesNothing) {
  TempDir dir;
  {
    std::ofstream bad(dir.File("x.npy"), std::ios::binary);
    bad << "\x93NUMPY\x01\x00\x20\x00{'descr': '<f8', 'fortran_order': False}";
  }
  const CliResult r =
      Eyelet({"layer", "--input", dir.File("x.npy"), "--output", dir.File("y.npy")});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "eyelet: error: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, dir.File("x.npy"))) << r.err;
  EXPECT_FALSE(fs::exists(dir.File("y.npy")));
  EXPECT_FALSE(fs::exists(dir.File("y.npy.tmp")));
}

TEST(CliLayer, JobErrorsExitThree) {
  TempDir dir;
  SaveTensor(dir.File("x.npy"), RandomTensor(Shape{1, 3, 5, 5}, -8, 8, 6), "int16");
  // The file says C = 3, the flag says 4.
  CliResult r = Eyelet({"layer", "--input", dir.File("x.npy"), "--in-channels", "4"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "input channels C = 3")) << r.err;
  // Values beyond --data-bits 8.
  SaveTensor(dir.File("big.npy"), RandomTensor(Shape{1, 1, 4, 4}, 200, 300, 7), "int16");
  r = Eyelet({"layer", "--type", "pool", "--input", dir.File("big.npy"), "--data-bits", "8"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "8-bit")) << r.err;
  // Groups that do not divide the channels.
  r = Eyelet({"layer", "--in-channels", "5", "--groups", "2"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "groups")) << r.err;
  // Missing file.
  r = Eyelet({"layer", "--weights", dir.File("missing.npy")});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "cannot open")) << r.err;
}

TEST(CliLayer, GoldenBackendReportsNoTiming) {
  // The golden device runs the descriptors and is checked like any device, but has no timing
  // model: no cycles, passes, utilization, NoC or GLB lines.
  const CliResult r = Eyelet({"layer", "--seed", "2", "--backend", "golden"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "layer"), "golden backend, small 6x7 PE array")) << r.out;
  EXPECT_EQ(Field(r.out, "result").rfind("PASS (all ", 0), 0u) << r.out;
  EXPECT_EQ(Field(r.out, "timing").rfind("none", 0), 0u) << r.out;
  EXPECT_EQ(Field(r.out, "mapping").rfind("e=", 0), 0u) << r.out;
  EXPECT_EQ(Field(r.out, "cycles"), "");
  EXPECT_EQ(Field(r.out, "util"), "");
}

TEST(CliLayer, SameSeedSameLayerOnEveryBackend) {
  // One seed draws one layer, one mapping and one set of data whatever the backend; the
  // outputs agree with each other and with the golden model.
  for (const char* type : {"conv", "fc", "pool"}) {
    SCOPED_TRACE(type);
    const std::string layer = std::string("layer --config tiny --seed 3 --type ") + type +
                              (std::string(type) == "pool" ? "" : " --bias --requant --relu");
    const CliResult g = EyeletLine(layer + " --backend golden");
    const CliResult a = EyeletLine(layer + " --backend rtl");
    ASSERT_EQ(g.code, kExitOk) << g.out << g.err;
    ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
    for (const char* key : {"input", "weights", "output", "macs", "post", "mapping", "tiling",
                            "pes", "pe macs", "dram", "checksum", "result"}) {
      EXPECT_EQ(Field(a.out, key), Field(g.out, key)) << key;
    }
  }
}

// --- eyelet layer --backend rtl

// The leading number of a field ("1234 (MACs ...)" -> 1234), or -1.
int64_t LeadingNumber(const std::string& field) {
  try {
    return std::stoll(field);
  } catch (const std::exception&) {
    return -1;
  }
}

void ExpectArrayFigures(const CliResult& r, int total_pes) {
  EXPECT_EQ(Field(r.out, "result").rfind("PASS (all ", 0), 0u) << r.out << r.err;
  EXPECT_GT(LeadingNumber(Field(r.out, "cycles")), 0) << r.out;
  EXPECT_GT(LeadingNumber(Field(r.out, "passes")), 0) << r.out;
  const std::string util = Field(r.out, "util");
  EXPECT_NE(util.find("% (layer MACs / (" + std::to_string(total_pes) + " PEs x array cycles))"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "dram"), "the minimum")) << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "tiling"), "per GLB chunk")) << r.out;
  const double percent = std::stod(util);
  EXPECT_GT(percent, 0.0) << util;
  EXPECT_LE(percent, 100.0) << util;
  EXPECT_NE(Field(r.out, "pes").find(" of " + std::to_string(total_pes) + " active"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Field(r.out, "mapping").rfind("e=", 0), 0u) << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "pe macs"), "zero-gated")) << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "noc"), "psum out")) << r.out;
  EXPECT_EQ(Field(r.out, "checksum").size(), 18u) << r.out;
}

TEST(CliLayerRtl, RandomLayerPassesOnTinyAndSmall) {
  for (const auto& [config, pes] : {std::pair<const char*, int>{"tiny", 12}, {"small", 42}}) {
    for (const char* seed : {"1", "2"}) {
      SCOPED_TRACE(std::string(config) + " seed " + seed);
      const CliResult r = EyeletLine(std::string("layer --type conv --backend rtl --config ") +
                                     config + " --seed " + seed);
      ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
      EXPECT_TRUE(r.err.empty()) << r.err;
      EXPECT_TRUE(Contains(Field(r.out, "layer"), std::string("rtl backend, ") + config)) << r.out;
      ExpectArrayFigures(r, pes);
    }
  }
}

TEST(CliLayerRtl, DefaultRandomDrawsAlwaysMap) {
  // Shape flags left out: every seed draws a layer the array runs (kernel <= 5, small sizes).
  for (int seed = 0; seed < 12; ++seed) {
    const CliResult r =
        Eyelet({"layer", "--backend", "rtl", "--config", "tiny", "--seed", std::to_string(seed)});
    ASSERT_EQ(r.code, kExitOk) << "seed " << seed << ": " << r.out << r.err;
    EXPECT_EQ(Field(r.out, "result").rfind("PASS", 0), 0u) << r.out;
  }
}

TEST(CliLayerRtl, FixedShapeHasTheGoldenChecksum) {
  const std::string layer =
      "layer --seed 11 --batch 2 --in-channels 4 --out-channels 6 --height 9 --width 7 "
      "--kernel 3 --stride 2 --pad 1 --groups 2";
  const CliResult g = EyeletLine(layer);
  const CliResult a = EyeletLine(layer + " --backend rtl --config small");
  ASSERT_EQ(g.code, kExitOk) << g.err;
  ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
  EXPECT_EQ(Field(a.out, "checksum"), Field(g.out, "checksum"));
  for (const char* key : {"input", "weights", "output", "macs", "groups"}) {
    EXPECT_EQ(Field(a.out, key), Field(g.out, key)) << key;
  }
  ExpectArrayFigures(a, 42);
}

TEST(CliLayerRtl, NpyRoundTripMatchesGolden) {
  TempDir dir;
  const Tensor<int16_t> x = RandomTensor(Shape{1, 3, 8, 9}, -32768, 32767, 21);
  const Tensor<int16_t> w = RandomTensor(Shape{5, 3, 4, 2}, -32768, 32767, 22);
  SaveTensor(dir.File("x.npy"), x, "int16");
  SaveTensor(dir.File("w.npy"), w, "int16");
  const CliResult r = Eyelet({"layer", "--backend", "rtl", "--config", "tiny", "--input",
                              dir.File("x.npy"), "--weights", dir.File("w.npy"), "--pad", "1",
                              "--stride", "1", "--output", dir.File("y.npy")});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  ConvParams p;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const Tensor<int32_t> expected = ConvAcc(x, w, p);
  const Tensor<int32_t> y = LoadTensorI32(dir.File("y.npy"));
  ASSERT_EQ(y.shape(), expected.shape());
  EXPECT_EQ(y.data(), expected.data());
  EXPECT_EQ(Field(r.out, "checksum"), Hex64(Checksum(expected)));
}

TEST(CliLayerRtl, GivenMappingIsUsed) {
  // 8 output rows, 4 filters: two strips of e = 4, two filters per PE on two chains.
  const CliResult r = EyeletLine(
      "layer --backend rtl --config tiny --in-channels 2 --out-channels 4 --height 10 --width 6 "
      "--kernel 3 --stride 1 --pad 0 --groups 1 --mapping 4,2,2,1,1");
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(Field(r.out, "mapping").rfind("e=4 p=2 q=2 r=1 t=1", 0), 0u) << r.out;
  EXPECT_EQ(Field(r.out, "result").rfind("PASS", 0), 0u) << r.out;
}

TEST(CliLayerRtl, OneLayerOnEyeriss) {
  const CliResult r = EyeletLine(
      "layer --backend rtl --config eyeriss --batch 1 --in-channels 3 --out-channels 8 "
      "--height 16 --width 16 --kernel 3 --stride 1 --pad 1 --groups 1 --seed 4");
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "layer"), "eyeriss 12x14")) << r.out;
  ExpectArrayFigures(r, 168);
}

TEST(CliLayerRtl, TraceIsWritten) {
  TempDir dir;
  const std::string trace = dir.File("layer.fst");
  const std::string layer =
      "layer --backend rtl --config tiny --in-channels 1 --out-channels 2 --height 5 --width 5 "
      "--kernel 3";
  const CliResult r = EyeletLine(layer + " --trace " + trace);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  ASSERT_TRUE(fs::exists(trace));
  const auto whole = fs::file_size(trace);
  EXPECT_GT(whole, 0u);
  EXPECT_TRUE(Contains(Field(r.out, "trace"),
                       trace + ": the whole run, scope all, " + std::to_string(whole) + " bytes"))
      << r.out;
  EXPECT_TRUE(Contains(Field(r.out, "trace"), "untraced")) << r.out;
}

// A stuck bit in one PE (the fault-injection build) is located at that PE (it tops its chain
// here) and the pass that made the first wrong output is traced on its own.
TEST(CliLayerRtl, InjectedFaultIsLocatedAndTraced) {
  TempDir dir;
  const std::string layer =
      "layer --backend rtl --config small --in-channels 4 --out-channels 8 --height 8 "
      "--width 8 --kernel 1 --seed 3 --json " +
      dir.File("r.json") + " --trace-on-fail " + dir.path().string() + " --fault ";
  const CliResult r = EyeletLine(layer + "1,3,20");
  ASSERT_EQ(r.code, kExitMismatch) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "located"), "PE (1, 3) top of chain")) << r.out;
  EXPECT_TRUE(Contains(r.out, "scope walker,pe[0][3],pe[1][3]")) << r.out;
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.fst")));
  EXPECT_TRUE(fs::exists(dir.File("layer_fail.gtkw")));
  const Json j = ReadJson(dir.File("r.json"));
  EXPECT_EQ(j["located"]["pe_row"], 1);
  EXPECT_EQ(j["located"]["pe_col"], 3);
  // A PE the mapping leaves idle changes nothing.
  EXPECT_EQ(EyeletLine(layer + "5,2,20").code, kExitOk);
  EXPECT_EQ(EyeletLine(layer + "9,0,1").code, kExitUsage);  // outside the 6 x 7 array
}

// From one sweep line to the PE: a failing layer is located (at the top of the psum chain the
// faulty PE is in), and its rerun alone (--index) traces that pass by default.
TEST(CliSweepRtl, InjectedFaultIsLocatedAndTheRerunTracesItsPass) {
  TempDir dir;
  const std::string sweep = "sweep --backend rtl --config small --seed 2 --fault 1,3,20";
  const CliResult all = EyeletLine(sweep + " --count 3");
  ASSERT_EQ(all.code, kExitMismatch) << all.out << all.err;
  EXPECT_TRUE(Contains(all.out, "located first wrong output")) << all.out;
  EXPECT_TRUE(Contains(all.out, "--index 0 --fault 1,3,20")) << all.out;
  const CliResult one = EyeletLine(sweep + " --index 0 --trace-on-fail " + dir.path().string());
  ASSERT_EQ(one.code, kExitMismatch) << one.out << one.err;
  // The stuck PE (1, 3) is inside a chain of rows 0..2: the psums leave at its top, (2, 3).
  EXPECT_TRUE(Contains(one.out, "PE (2, 3) top of chain rows 0..2")) << one.out;
  EXPECT_TRUE(Contains(one.out, "scope walker,pe[0][3],pe[1][3]")) << one.out;
  EXPECT_TRUE(fs::exists(dir.File("sweep_layer0_fail.fst")));
  EXPECT_TRUE(fs::exists(dir.File("sweep_layer0_fail.gtkw")));
  EXPECT_EQ(EyeletLine("sweep --backend rtl --config tiny --fault 1,1,1").code, kExitUsage);
}

// The window found for a pass comes from an untraced run; the traced rerun reaches the same
// cycles and dumps only that window (and only the scope given), so the file shrinks.
TEST(CliLayerRtl, TraceOfOnePassAndOneUnitIsSmaller) {
  TempDir dir;
  const std::string layer =
      "layer --backend rtl --config tiny --in-channels 4 --out-channels 8 --height 8 --width 8 "
      "--kernel 3 --pad 1 --seed 3 --trace ";
  const CliResult all = EyeletLine(layer + dir.File("all.fst"));
  ASSERT_EQ(all.code, kExitOk) << all.err;
  const CliResult pass = EyeletLine(layer + dir.File("pass.fst") + " --trace-pass 1");
  ASSERT_EQ(pass.code, kExitOk) << pass.err;
  const CliResult unit =
      EyeletLine(layer + dir.File("unit.fst") + " --trace-pass 1 --trace-scope walker,pe[1][2]");
  ASSERT_EQ(unit.code, kExitOk) << unit.err;
  EXPECT_EQ(Field(pass.out, "cycles"), Field(all.out, "cycles"));  // same run, traced or not
  EXPECT_TRUE(Contains(Field(pass.out, "trace"), "(pass 1 of ")) << pass.out;
  EXPECT_TRUE(Contains(Field(unit.out, "trace"), "scope walker,pe[1][2]")) << unit.out;
  const auto a = fs::file_size(dir.File("all.fst")), p = fs::file_size(dir.File("pass.fst")),
             u = fs::file_size(dir.File("unit.fst"));
  EXPECT_LT(p * 2, a);
  EXPECT_LT(u * 2, p);
  // Errors before anything runs: a window without --trace, a unit the array does not have,
  // windows given twice; after the first run: a pass the layer does not have.
  EXPECT_EQ(EyeletLine("layer --backend rtl --config tiny --trace-pass 1").code, kExitUsage);
  const CliResult pe = EyeletLine(layer + dir.File("x.fst") + " --trace-scope pe[3][0]");
  EXPECT_EQ(pe.code, kExitUsage);
  EXPECT_TRUE(Contains(pe.err, "rows 0..2")) << pe.err;
  EXPECT_EQ(EyeletLine(layer + dir.File("x.fst") + " --trace-scope alu").code, kExitUsage);
  EXPECT_EQ(EyeletLine(layer + dir.File("x.fst") + " --trace-pass 1 --trace-from 5").code,
            kExitUsage);
  const CliResult far = EyeletLine(layer + dir.File("x.fst") + " --trace-pass 100000");
  EXPECT_EQ(far.code, kExitUsage);
  EXPECT_TRUE(Contains(far.err, "passes")) << far.err;
}

TEST(CliLayerRtl, PooledConvPassesOnTiny) {
  // CONV + requantization + ReLU + max pooling 3x3/2 fused in hardware: every pooled output
  // equals the golden backend's, the output shape is the pooled one, --output is int16.
  TempDir dir;
  for (const std::string& layer :
       {std::string("layer --seed 3 --batch 1 --in-channels 4 --out-channels 6 --height 10 "
                    "--width 10 --kernel 3 --stride 1 --pad 1 --requant --relu --pool 3x3/2"),
        std::string("layer --seed 4 --batch 2 --in-channels 3 --out-channels 5 --height 9 "
                    "--width 11 --kernel 2 --stride 1 --pad 0 --bias --requant --leaky "
                    "--pool 2x3/1 --pool-pad 1 --pool-ceil"),
        std::string("layer --type fc --seed 6 --batch 3 --in-channels 40 --height 1 --width 1 "
                    "--out-channels 7 --requant --relu --pool 2x2/1 --pool-pad 1")}) {
    SCOPED_TRACE(layer);
    const CliResult g = EyeletLine(layer);
    const CliResult a =
        EyeletLine(layer + " --backend rtl --config tiny --output " + dir.File("y.npy"));
    ASSERT_EQ(g.code, kExitOk) << g.out << g.err;
    ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
    ExpectArrayFigures(a, 12);
    EXPECT_TRUE(Contains(Field(a.out, "post"), ", max pool ")) << a.out;
    EXPECT_EQ(Field(a.out, "post"), Field(g.out, "post"));
    EXPECT_EQ(Field(a.out, "output"), Field(g.out, "output"));
    EXPECT_TRUE(Contains(Field(a.out, "output"), "(max pool of ")) << a.out;
    EXPECT_EQ(Field(a.out, "checksum"), Field(g.out, "checksum"));
    EXPECT_FALSE(Field(a.out, "pooling").empty()) << a.out;
    const NpyArray y = ReadNpy(dir.File("y.npy"));
    EXPECT_EQ(y.dtype, kNpyInt16);
    EXPECT_EQ(Field(a.out, "wrote"),
              dir.File("y.npy") + " (int16 " +
                  Field(a.out, "output").substr(0, Field(a.out, "output").find(' ')) + ")");
  }
  EXPECT_EQ(Field(EyeletLine("layer --seed 3 --batch 1 --in-channels 4 --out-channels 6 "
                             "--height 10 --width 10 --kernel 3 --stride 1 --pad 1 --requant "
                             "--relu --pool 3x3/2 --backend rtl --config tiny")
                      .out,
                  "output"),
            "1x6x4x4 (max pool of 1x6x10x10)");
  // Random shapes from the seed, with the pooling fitted: all pass.
  for (const char* seed : {"1", "2", "3"}) {
    const CliResult r = EyeletLine(std::string("layer --backend rtl --config tiny --seed ") + seed +
                                   " --requant --relu --pool 3x3/2");
    ASSERT_EQ(r.code, kExitOk) << seed << ": " << r.out << r.err;
    ExpectArrayFigures(r, 12);
  }
}

TEST(CliLayerRtl, PoolLayerPassesOnTiny) {
  // A standalone POOL layer on the array (a 1x1 CONV of weight 1 with the pooling fused):
  // random draws pass, and fixed shapes give the golden backend's checksum and output.
  for (const char* seed : {"1", "2", "3", "4"}) {
    SCOPED_TRACE(std::string("seed ") + seed);
    const CliResult r =
        EyeletLine(std::string("layer --type pool --backend rtl --config tiny --seed ") + seed);
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(Field(r.out, "layer").rfind("pool (rtl backend, tiny", 0), 0u) << r.out;
    EXPECT_TRUE(Contains(Field(r.out, "as conv"), "the pooling fused")) << r.out;
    ExpectArrayFigures(r, 12);
  }
  TempDir dir;
  const Tensor<int16_t> x = RandomTensor(Shape{2, 3, 9, 11}, -32768, 32767, 8);
  SaveTensor(dir.File("x.npy"), x, "int16");
  for (const std::string pooling :
       {"--kernel 3 --stride 2 --pad 1", "--pool 2x3/1 --pool-ceil", "--pool 3x3"}) {
    SCOPED_TRACE(pooling);
    const std::string layer = "layer --type pool --input " + dir.File("x.npy") + " " + pooling;
    const CliResult g = EyeletLine(layer + " --output " + dir.File("g.npy"));
    const CliResult a =
        EyeletLine(layer + " --backend rtl --config tiny --output " + dir.File("a.npy"));
    ASSERT_EQ(g.code, kExitOk) << g.err;
    ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
    EXPECT_EQ(Field(a.out, "checksum"), Field(g.out, "checksum"));
    EXPECT_EQ(Field(a.out, "output"), Field(g.out, "output"));
    EXPECT_EQ(ReadNpy(dir.File("a.npy")).dtype, kNpyInt16);
    EXPECT_EQ(LoadTensorI16(dir.File("a.npy")).data(), LoadTensorI16(dir.File("g.npy")).data());
  }
}

TEST(CliLayerRtl, BadPoolingExitsNonZeroAndWritesNothing) {
  // Malformed --pool strings and --pool without --requant are usage errors; a window or
  // stride over 3 on the rtl backend is an error naming the hardware's limit. None writes
  // --output or --json.
  TempDir dir;
  const std::string files = " --output " + dir.File("y.npy") + " --json " + dir.File("r.json");
  const std::string rtl = "layer --backend rtl --config tiny --seed 2";
  struct Case {
    std::string line;
    int code;
    const char* expect;
  };
  for (const Case& c : std::vector<Case>{
           {rtl + " --requant --pool 3x", kExitUsage, "--pool '3x' must be a window KxK"},
           {rtl + " --requant --pool 0x0", kExitUsage, "--pool '0x0' must be a window KxK"},
           {rtl + " --pool 2x2", kExitUsage,
            "--pool pools the requantized int16 outputs; "
            "add --requant"},
           {rtl + " --requant --pool 4x4/2", kExitError,
            "the hardware pools windows up to 3x3 with strides up to 3"},
           {rtl + " --requant --pool 2x2/4", kExitError,
            "the hardware pools windows up to 3x3 with strides up to 3"},
           {rtl + " --type fc --requant --relu --pool 4x4/2", kExitError,
            "the hardware pools windows up to 3x3"},
           {rtl + " --type pool --pool 4x4/2", kExitError, "the hardware pools windows up to 3x3"},
           {rtl + " --type pool --kernel 5 --height 9 --width 9", kExitError,
            "the hardware pools windows up to 3x3"},
           {rtl + " --type pool --stride 4", kExitError, "strides up to 3"},
       }) {
    SCOPED_TRACE(c.line);
    const CliResult r = EyeletLine(c.line + files);
    EXPECT_EQ(r.code, c.code) << r.out << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_TRUE(Contains(r.err, c.expect)) << r.err;
    EXPECT_FALSE(fs::exists(dir.File("y.npy")));
    EXPECT_FALSE(fs::exists(dir.File("r.json")));
  }
  // The golden backend runs the same descriptors, so it has the same limit.
  const CliResult golden = EyeletLine("layer --seed 2 --requant --pool 4x4/2");
  EXPECT_EQ(golden.code, kExitError) << golden.err;
  EXPECT_TRUE(Contains(golden.err, "the hardware pools windows up to 3x3")) << golden.err;
}

// --- FC layers on the array: the CONV layer with R = H, S = W and E = F = 1

TEST(CliLayerRtl, FcRandomLayersPass) {
  // Shape flags left out: batch 1..8, flat K <= 300 or C x H x W inputs; every draw maps.
  int flat = 0, chw = 0;
  for (int seed = 0; seed < 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const CliResult r = Eyelet({"layer", "--type", "fc", "--backend", "rtl", "--config", "tiny",
                                "--seed", std::to_string(seed)});
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(Field(r.out, "layer").rfind("fc (rtl backend, tiny 3x4", 0), 0u) << r.out;
    ExpectArrayFigures(r, 12);
    const std::string input = Field(r.out, "input");
    (input.find("x1x1") == input.size() - 4 ? flat : chw) += 1;
    EXPECT_TRUE(Contains(Field(r.out, "output"), "x1x1")) << r.out;
    EXPECT_EQ(Field(r.out, "as conv").rfind("x " + input + " w ", 0), 0u) << r.out;
    EXPECT_TRUE(Contains(Field(r.out, "mapping"), " strips 1)")) << r.out;
  }
  EXPECT_GT(flat, 0);
  EXPECT_GT(chw, 0);
}

TEST(CliLayerRtl, FcFixedShapesHaveTheGoldenChecksum) {
  // A flat input, a C x H x W one, and one given as a 1 x 1 x K row (also flat).
  for (const std::string shape :
       {"--batch 8 --in-channels 300 --height 1 --width 1 --out-channels 40",
        "--batch 3 --in-channels 16 --height 5 --width 5 --out-channels 21",
        "--batch 1 --in-channels 1 --height 1 --width 700 --out-channels 9"}) {
    SCOPED_TRACE(shape);
    const std::string layer = "layer --type fc --seed 9 " + shape;
    const CliResult g = EyeletLine(layer);
    const CliResult a = EyeletLine(layer + " --backend rtl --config small");
    ASSERT_EQ(g.code, kExitOk) << g.err;
    ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
    EXPECT_EQ(Field(a.out, "checksum"), Field(g.out, "checksum"));
    for (const char* key : {"input", "weights", "output", "macs"}) {
      EXPECT_EQ(Field(a.out, key), Field(g.out, key)) << key;
    }
    ExpectArrayFigures(a, 42);
  }
}

TEST(CliLayerRtl, OutputPathFlagsMatchTheGoldenModel) {
  // Bias, requantization, ReLU / leaky ReLU drawn from the seed: the accelerator's int16
  // outputs have the golden backend's checksum, for CONV and FC; --output writes int16.
  TempDir dir;
  for (const std::string layer :
       {"layer --seed 3 --in-channels 8 --out-channels 16 --height 12 --width 12 --kernel 3 "
        "--pad 1 --bias --requant --relu",
        "layer --seed 4 --in-channels 5 --out-channels 9 --height 9 --width 7 --kernel 2 "
        "--stride 2 --requant --leaky",
        "layer --seed 5 --in-channels 6 --out-channels 7 --height 8 --width 8 --kernel 3 --bias",
        "layer --type fc --seed 6 --batch 4 --in-channels 300 --height 1 --width 1 "
        "--out-channels 20 --bias --requant"}) {
    SCOPED_TRACE(layer);
    const CliResult g = EyeletLine(layer);
    const CliResult a =
        EyeletLine(layer + " --backend rtl --config small --output " + dir.File("y.npy"));
    ASSERT_EQ(g.code, kExitOk) << g.err;
    ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
    EXPECT_FALSE(Field(g.out, "post").empty()) << g.out;
    EXPECT_EQ(Field(a.out, "post"), Field(g.out, "post"));
    EXPECT_EQ(Field(a.out, "checksum"), Field(g.out, "checksum"));
    const bool requant = layer.find("--requant") != std::string::npos;
    EXPECT_EQ(ReadNpy(dir.File("y.npy")).dtype, requant ? kNpyInt16 : kNpyInt32);
  }
}

TEST(CliLayerRtl, OutputPathFlagErrors) {
  EXPECT_EQ(EyeletLine("layer --relu").code, kExitUsage);
  EXPECT_EQ(EyeletLine("layer --requant --relu --leaky").code, kExitUsage);
  EXPECT_EQ(EyeletLine("layer --type pool --bias").code, kExitUsage);
}

TEST(CliLayerRtl, FcNpyRoundTripMatchesGolden) {
  // 2-D files, as PyTorch has them: x is N x K, w is M x K. Every output element is compared.
  TempDir dir;
  const Tensor<int16_t> x = RandomTensor(Shape{1, 1, 6, 450}, -32768, 32767, 31);
  const Tensor<int16_t> w = RandomTensor(Shape{1, 1, 37, 450}, -32768, 32767, 32);
  SaveTensor(dir.File("x.npy"), x, "int16", 2);
  SaveTensor(dir.File("w.npy"), w, "int16", 2);
  Tensor<int16_t> x_nk(Shape{6, 1, 1, 450}), w_mk(Shape{37, 1, 1, 450});
  x_nk.data() = x.data();
  w_mk.data() = w.data();
  const CliResult r =
      Eyelet({"layer", "--type", "fc", "--backend", "rtl", "--config", "tiny", "--input",
              dir.File("x.npy"), "--weights", dir.File("w.npy"), "--output", dir.File("y.npy")});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "as conv"), "x 6x450x1x1 w 37x450x1x1")) << r.out;
  const Tensor<int32_t> expected = FcAcc(x_nk, w_mk);
  const Tensor<int32_t> y = LoadTensorI32(dir.File("y.npy"));
  ASSERT_EQ(y.shape(), (Shape{6, 37, 1, 1}));
  for (size_t i = 0; i < expected.data().size(); ++i) {
    ASSERT_EQ(y.data()[i], expected.data()[i]) << "output " << i;
  }
  EXPECT_EQ(Field(r.out, "checksum"), Hex64(Checksum(expected)));
}

TEST(CliLayerRtl, FcGivenMappingAndJson) {
  TempDir dir;
  const std::string json = dir.File("fc.json");
  const CliResult r = EyeletLine(
      "layer --type fc --backend rtl --config small --batch 4 --in-channels 16 --height 5 "
      "--width 5 --out-channels 40 --mapping 1,4,1,1,5 --json " +
      json);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(Field(r.out, "mapping").rfind("e=1 p=4 q=1 r=1 t=5 n=4", 0), 0u) << r.out;
  EXPECT_EQ(Field(r.out, "result").rfind("PASS (all 160 outputs", 0), 0u) << r.out;
  const Json j = ReadJson(json);
  EXPECT_EQ(j.value("type", ""), "fc") << j;
  EXPECT_EQ(j.value("layer", ""), "fc x 4x16x5x5 w 40x1x1x400") << j;
  EXPECT_EQ(j.value("as_conv", "").rfind("x 4x16x5x5 w 40x16x5x5 ", 0), 0u) << j;
  EXPECT_EQ(j.value("pass", false), true) << j;
  EXPECT_EQ(j.value("mismatches", -1), 0) << j;
  // R = 5 rows per set, two chained sets: 10 rows > 6.
  const CliResult bad = EyeletLine(
      "layer --type fc --backend rtl --config small --batch 4 --in-channels 16 --height 5 "
      "--width 5 --out-channels 40 --mapping 1,4,1,2,5");
  EXPECT_EQ(bad.code, kExitError);
  EXPECT_TRUE(Contains(bad.err, "--mapping 1,4,1,2,5 does not fit")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "needs 10 rows > 6")) << bad.err;
}

TEST(CliLayerRtl, FcErrorsExitThreeNamingTheLimit) {
  // The descriptor holds K (channels) in 13 bits.
  CliResult r = EyeletLine(
      "layer --type fc --backend rtl --config small --in-channels 8192 --height 1 --width 1 "
      "--out-channels 3");
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(Contains(r.err, "eyelet: error: fc x ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "'cg' = 8192 does not fit its 13 bits")) << r.err;
  // S = W = 13 is wider than the 12-word ifmap spad.
  r = EyeletLine(
      "layer --type fc --backend rtl --config small --in-channels 2 --height 3 --width 13 "
      "--out-channels 3");
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "ifmap spad")) << r.err;
  // K of the input and of the weights differ.
  TempDir dir;
  SaveTensor(dir.File("x.npy"), RandomTensor(Shape{1, 1, 2, 30}, -9, 9, 1), "int16", 2);
  SaveTensor(dir.File("w.npy"), RandomTensor(Shape{1, 1, 4, 31}, -9, 9, 2), "int16", 2);
  r = Eyelet({"layer", "--type", "fc", "--backend", "rtl", "--config", "tiny", "--input",
              dir.File("x.npy"), "--weights", dir.File("w.npy")});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "K = C*H*W = 30")) << r.err;
}

TEST(CliLayerRtl, IllegalMappingExitsThreeNamingTheLimit) {
  // q = 5 channels of a 3-wide filter: 15 ifmap words > the 12-word spad.
  CliResult r = Eyelet({"layer", "--backend", "rtl", "--config", "tiny", "--in-channels", "5",
                        "--kernel", "3", "--mapping", "1,1,5,1,1"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(Contains(r.err, "eyelet: error: --mapping 1,1,5,1,1 does not fit")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ifmap spad: S*q = 15 words > 12")) << r.err;
  // e = 5 on a 4-column array.
  r = Eyelet({"layer", "--backend", "rtl", "--config", "tiny", "--height", "12", "--kernel", "3",
              "--mapping", "5,1,1,1,1"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "PE-set width e = 5 > 4 columns")) << r.err;
}

TEST(CliLayerRtl, UnmappableLayerExitsThree) {
  // S = 13 is wider than the 12-word ifmap spad: no mapping exists.
  const CliResult r = Eyelet({"layer", "--backend", "rtl", "--config", "small", "--height", "4",
                              "--width", "20", "--kernel-h", "3", "--kernel-w", "13"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(Contains(r.err, "cannot be mapped on 'small'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ifmap spad")) << r.err;
}

// --- eyelet pe

TEST(CliPe, RandomJobsPass) {
  const CliResult r = Eyelet({"pe", "--count", "3", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "3 passed, 0 failed")) << r.out;
  EXPECT_FALSE(Contains(r.out, "FAIL")) << r.out;
  EXPECT_TRUE(Contains(r.out, "MAC utilization")) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliPe, OneJobRerunsAloneAndTraces) {
  TempDir dir;
  const std::string trace = dir.File("job.fst");
  const CliResult r = Eyelet({"pe", "--seed", "5", "--job", "4", "--stall", "0", "--trace", trace});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "1 passed, 0 failed")) << r.out;
  ASSERT_TRUE(fs::exists(trace));
  EXPECT_GT(fs::file_size(trace), 0u);
}

TEST(CliPe, ManyJobsWithHeavyStallsPass) {
  const CliResult r = Eyelet({"pe", "--count", "40", "--seed", "9", "--stall", "0.9"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "40 passed, 0 failed")) << r.out;
}

// --- eyelet sweep

// The lines of `out` that report a layer ("  K  x ..."), without the leading spaces.
std::vector<std::string> LayerLines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start >= 2 && start != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(line[start]))) {
      lines.push_back(line.substr(start));
    }
  }
  return lines;
}

std::string LastLine(const std::string& out) {
  const size_t last = out.find_last_not_of('\n');
  if (last == std::string::npos) return "";
  const size_t newline = out.rfind('\n', last);
  const size_t first = newline == std::string::npos ? 0 : newline + 1;
  return out.substr(first, last + 1 - first);
}

TEST(CliSweep, RandomLayersPassOnTiny) {
  const CliResult r =
      Eyelet({"sweep", "--backend", "rtl", "--config", "tiny", "--count", "5", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "5 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
    EXPECT_TRUE(Contains(line, " cycles")) << line;
  }
  // Even layers take the mapper's choice, odd ones a random mapping (or the mapper's when none
  // of the draws was legal).
  EXPECT_TRUE(Contains(lines[0], "(mapper)")) << lines[0];
  EXPECT_TRUE(Contains(r.out, "(random)")) << r.out;
  EXPECT_FALSE(Contains(r.out, "rerun")) << r.out;
}

TEST(CliSweep, LayerKIsTheSameForAnyCountAndReruns) {
  const CliResult all = Eyelet({"sweep", "--config", "tiny", "--count", "4", "--seed", "7"});
  const CliResult fewer = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "7"});
  const CliResult one = Eyelet({"sweep", "--config", "tiny", "--seed", "7", "--index", "3"});
  ASSERT_EQ(all.code, kExitOk) << all.out << all.err;
  ASSERT_EQ(fewer.code, kExitOk) << fewer.out << fewer.err;
  ASSERT_EQ(one.code, kExitOk) << one.out << one.err;
  const std::vector<std::string> a = LayerLines(all.out), f = LayerLines(fewer.out),
                                 o = LayerLines(one.out);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(f.size(), 3u);
  ASSERT_EQ(o.size(), 1u);
  for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(a[i], f[i]);
  EXPECT_EQ(o[0], a[3]);
  EXPECT_EQ(LastLine(one.out), "1 passed, 0 failed");
  const CliResult other = Eyelet({"sweep", "--config", "tiny", "--count", "4", "--seed", "8"});
  EXPECT_NE(LayerLines(other.out), a);
}

TEST(CliSweep, OutputPathsPassOnTiny) {
  // --post: every layer through a random output path, every element compared; the layers are
  // those of the same sweep without --post.
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--types", "conv,fc", "--count", "10",
                              "--seed", "2", "--post"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "10 passed, 0 failed") << r.out;
  const CliResult plain =
      Eyelet({"sweep", "--config", "tiny", "--types", "conv,fc", "--count", "10", "--seed", "2"});
  const std::vector<std::string> lines = LayerLines(r.out), plain_lines = LayerLines(plain.out);
  ASSERT_EQ(lines.size(), 10u) << r.out;
  ASSERT_EQ(plain_lines.size(), 10u) << plain.out;
  int requantized = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(Contains(lines[i], "  PASS  ")) << lines[i];
    // The layer and its mapping, up to "(mapper)" or "(random)".
    const std::string layer = plain_lines[i].substr(0, plain_lines[i].find(")  ") + 1);
    EXPECT_EQ(lines[i].rfind(layer, 0), 0u) << lines[i] << "\n" << plain_lines[i];
    requantized += Contains(lines[i], "requantization to int16");
  }
  EXPECT_GE(requantized, 3) << r.out;
}

TEST(CliSweep, FcLayersPassOnTiny) {
  const CliResult r =
      Eyelet({"sweep", "--config", "tiny", "--types", "fc", "--count", "6", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "6 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  fc x ")) << line;
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
  }
  EXPECT_TRUE(Contains(lines[0], "(mapper)")) << lines[0];
  EXPECT_TRUE(Contains(r.out, "(random)")) << r.out;
}

TEST(CliSweep, ConvAndFcTogether) {
  const CliResult r =
      Eyelet({"sweep", "--config", "small", "--types", "conv,fc", "--count", "8", "--seed", "3"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "8 passed, 0 failed") << r.out;
  int fc = 0;
  for (const std::string& line : LayerLines(r.out)) fc += Contains(line, "  fc x ");
  EXPECT_GT(fc, 0) << r.out;
  EXPECT_LT(fc, 8) << r.out;
  // A conv-only sweep draws no type: its layers are those of the default --types conv.
  const CliResult conv = Eyelet({"sweep", "--config", "tiny", "--types", "conv", "--count", "2"});
  const CliResult def = Eyelet({"sweep", "--config", "tiny", "--count", "2"});
  EXPECT_EQ(conv.out, def.out);
}

TEST(CliSweep, PoolLayersPassOnTiny) {
  // Standalone POOL layers among CONV and FC ones, and with --post poolings fused into the
  // output paths of some of the others: every element compared with the golden model.
  const CliResult r = Eyelet({"sweep", "--backend", "rtl", "--config", "tiny", "--types",
                              "conv,fc,pool", "--post", "--count", "16", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "16 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 16u) << r.out;
  int pools = 0;
  int fused = 0;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
    pools += Contains(line, "  pool x ");
    fused += !Contains(line, "  pool x ") && Contains(line, ", max pool ");
  }
  EXPECT_GT(pools, 0) << r.out;
  EXPECT_GT(fused, 0) << r.out;
  // Pool layers alone.
  const CliResult only =
      Eyelet({"sweep", "--config", "tiny", "--types", "pool", "--count", "8", "--seed", "2"});
  EXPECT_EQ(only.code, kExitOk) << only.out << only.err;
  EXPECT_EQ(LastLine(only.out), "8 passed, 0 failed") << only.out;
  for (const std::string& line : LayerLines(only.out)) {
    EXPECT_EQ(line.find("pool x "), line.find_first_not_of("0123456789 ")) << line;
  }
}

TEST(CliSweep, ZeroLayers) {
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--count", "0"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(LastLine(r.out), "0 passed, 0 failed") << r.out;
}

TEST(CliSweep, SlowRandomMemoryAndJsonReport) {
  TempDir dir;
  const std::string json = dir.File("sweep.json");
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "2",
                              "--mem-latency", "40", "--mem-stall", "0.4", "--json", json});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "json      " + json) << r.out;
  const Json j = ReadJson(json);
  EXPECT_EQ(j.value("command", ""), "sweep") << j;
  EXPECT_EQ(j.value("backend", ""), "rtl") << j;
  EXPECT_EQ(j.value("config", ""), "tiny") << j;
  EXPECT_EQ(j.value("seed", -1), 2) << j;
  EXPECT_EQ(j.value("mem_latency", -1), 40) << j;
  EXPECT_DOUBLE_EQ(j.value("mem_stall", -1.0), 0.4) << j;
  EXPECT_EQ(j.value("passed", -1), 3) << j;
  EXPECT_EQ(j.value("failed", -1), 0) << j;
  ASSERT_TRUE(j.contains("layers") && j["layers"].is_array()) << j;
  ASSERT_EQ(j["layers"].size(), 3u) << j;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (size_t i = 0; i < 3; ++i) {
    const Json& l = j["layers"][i];
    EXPECT_EQ(l.value("index", -1), static_cast<int>(i)) << l;
    EXPECT_TRUE(l.value("pass", false)) << l;
    EXPECT_GT(l.value("dram_read_bytes", 0), 0) << l;
    // The cycles printed on the layer's line.
    EXPECT_TRUE(Contains(lines[i], "  " + std::to_string(l.value("cycles", -1)) + " cycles"))
        << lines[i] << "\n"
        << l;
  }
  // The same layers with a fast memory: same results, fewer cycles waiting for DRAM.
  const CliResult fast = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "2"});
  ASSERT_EQ(fast.code, kExitOk) << fast.out << fast.err;
  EXPECT_NE(LayerLines(fast.out), LayerLines(r.out));
}

TEST(CliSweep, BadMemoryFlagsAreUsageErrors) {
  EXPECT_EQ(Eyelet({"sweep", "--mem-latency", "0"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"sweep", "--mem-stall", "1.5"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"sweep", "--json", "/nonexistent/dir/x.json"}).code, kExitError);
}

TEST(CliLayerRtl, JsonReportHasTheCounters) {
  TempDir dir;
  const std::string json = dir.File("layer.json");
  const CliResult r =
      Eyelet({"layer", "--backend", "rtl", "--config", "tiny", "--seed", "3", "--json", json});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  const Json j = ReadJson(json);
  EXPECT_EQ(j.value("command", ""), "layer") << j;
  EXPECT_EQ(j.value("backend", ""), "rtl") << j;
  EXPECT_EQ(j.value("config", ""), "tiny") << j;
  EXPECT_EQ(j.value("pass", false), true) << j;
  EXPECT_EQ(j.value("checksum", ""), Field(r.out, "checksum")) << j;
  EXPECT_EQ(j.value("cycles", int64_t{-1}), LeadingNumber(Field(r.out, "cycles"))) << j << r.out;
  EXPECT_EQ(j.value("total_pes", -1), 12) << j;
  // The golden device writes the same report, with no timing.
  const CliResult g =
      Eyelet({"layer", "--backend", "golden", "--config", "tiny", "--seed", "3", "--json", json});
  ASSERT_EQ(g.code, kExitOk) << g.out << g.err;
  const Json gj = ReadJson(json);
  EXPECT_EQ(gj.value("backend", ""), "golden") << gj;
  EXPECT_EQ(gj.value("checksum", ""), j.value("checksum", "x")) << gj;
  EXPECT_EQ(gj.value("mapping", ""), j.value("mapping", "x")) << gj;
  EXPECT_EQ(gj.value("cycles", -1), 0) << gj;
}

TEST(CliInfo, ReportsTheBuildFromItsCsrs) {
  for (const char* backend : {"rtl", "golden"}) {
    SCOPED_TRACE(backend);
    const CliResult r = Eyelet({"info", "--config", "small", "--backend", backend});
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_EQ(Field(r.out, "device"), std::string(backend) + ":small");
    EXPECT_EQ(Field(r.out, "id"), "0x45594c54, CSR map 1.3");
    EXPECT_EQ(Field(r.out, "array"), "6 x 7 PEs");
    EXPECT_EQ(Field(r.out, "spads"), "ifmap 12, filter 224, psum 24 words per PE");
    EXPECT_EQ(Field(r.out, "widths"),
              "data 16 bits, psums 32 bits, AXI 64 bits, addresses 32 bits");
    EXPECT_EQ(Field(r.out, "glb"), "ifmap 8192, filter 4096 words, psum 4096 words x 7 banks");
    EXPECT_EQ(Field(r.out, "post"), "output-path table 512 entries (256 filters per chunk)");
    EXPECT_EQ(Field(r.out, "pool"),
              "line buffer 4096 words (max pooling, windows and strides up to 3)");
  }
  TempDir dir;
  const CliResult json =
      Eyelet({"info", "--config", "tiny", "--backend", "golden", "--json", dir.File("i.json")});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  const Json j = ReadJson(dir.File("i.json"));
  EXPECT_EQ(j.value("device", ""), "golden:tiny") << j;
  EXPECT_EQ(j.value("id", 0u), 0x45594c54u) << j;
  EXPECT_EQ(j.value("rows", 0), 3) << j;
  EXPECT_EQ(j.value("cols", 0), 4) << j;
  EXPECT_EQ(j.value("pool_words", 0), 4096) << j;
  const CliResult eyeriss = Eyelet({"info", "--config", "eyeriss"});
  ASSERT_EQ(eyeriss.code, kExitOk) << eyeriss.err;
  EXPECT_EQ(Field(eyeriss.out, "array"), "12 x 14 PEs");
  EXPECT_EQ(Eyelet({"info", "--config", "nope"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"info", "--backend", "board"}).code, kExitUsage);
}

// --- eyelet map: the cost model only, nothing simulated.

TEST(CliMap, AlexNetOnEyeriss) {
  const CliResult r = EyeletLine("map --net alexnet --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  for (const char* s :
       {"CONV1 ", "CONV2 ", "CONV3 ", "CONV4 ", "CONV5 ", " 154 ", " 135 ", " 156 "}) {
    EXPECT_TRUE(Contains(r.out, s)) << s << "\n" << r.out;
  }
}

TEST(CliMap, OneLayerWithJson) {
  TempDir dir;
  const std::string json = dir.File("map.json");
  const CliResult r =
      Eyelet({"map", "--layer", "--in-channels", "32", "--out-channels", "64", "--height", "13",
              "--width", "13", "--kernel", "3", "--pad", "1", "--json", json});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, " 7,8,1,2,4 ")) << r.out;  // the mapping in the README's bench
  const Json j = ReadJson(json);
  ASSERT_TRUE(j.contains("layers") && j["layers"].size() == 1u) << j;
  const Json& row = j["layers"][0];
  EXPECT_EQ(row.value("layer", ""), "layer") << row;
  EXPECT_EQ(row["ours"].value("e", 0), 7) << row;
  EXPECT_EQ(row["ours"].value("p", 0), 8) << row;
  EXPECT_EQ(row["shape"].value("c", 0), 32) << row;
  EXPECT_EQ(j["config"].value("name", ""), "eyeriss") << j;
}

TEST(CliMap, FcLayerMaps) {
  const CliResult r = EyeletLine(
      "map --layer --type fc --in-channels 64 --height 6 --width 6 --out-channels 10 --config "
      "small");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "w 10x64x6x6")) << r.out;
}

TEST(CliMap, FlatFcMapsAsOneByOneKernels) {
  // A 1 x 1 x K row is flat: K channels of 1 x 1, as the runtime runs it.
  CliResult r = EyeletLine(
      "map --layer --type fc --in-channels 1 --height 1 --width 500 --out-channels 10 --config "
      "small");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "w 10x500x1x1")) << r.out;
  // K = 8192 does not fit the descriptor's 13-bit channel field; 4096 -> 4096 maps.
  r = EyeletLine(
      "map --layer --type fc --in-channels 8192 --out-channels 4096 --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "'cg' = 8192 does not fit its 13 bits")) << r.err;
  r = EyeletLine(
      "map --layer --type fc --in-channels 4096 --out-channels 4096 --config eyeriss --batch 4");
  EXPECT_EQ(r.code, kExitOk) << r.err;
}

TEST(CliMap, UnmappableLayerExitsThreeNamingTheLimit) {
  const CliResult r = EyeletLine(
      "map --layer --in-channels 1 --out-channels 4 --height 100 --width 1000 --kernel 9 "
      "--config tiny");  // a band of one ofmap row: 9 rows x 1000 > the 8192-word ifmap area
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err,
                       "GLB ifmap area: 1 image(s) x 1 channel(s) x 9 row(s) (1 of 92 "
                       "strips) are 9000 words > 8192"))
      << r.err;
}

TEST(CliSweep, GoldenBackendRunsTheSameLayers) {
  // The golden device runs the very same layers, mappings and output paths as the rtl one
  // (each checked against golden.h); it has no cycles to print.
  const std::string sweep = "sweep --config tiny --types conv,fc,pool --post --count 8 --seed 4";
  const CliResult g = EyeletLine(sweep + " --backend golden");
  const CliResult a = EyeletLine(sweep + " --backend rtl");
  ASSERT_EQ(g.code, kExitOk) << g.out << g.err;
  ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
  EXPECT_EQ(LastLine(g.out), "8 passed, 0 failed") << g.out;
  const std::vector<std::string> gl = LayerLines(g.out), al = LayerLines(a.out);
  ASSERT_EQ(gl.size(), 8u) << g.out;
  ASSERT_EQ(al.size(), 8u) << a.out;
  for (size_t i = 0; i < gl.size(); ++i) {
    // Everything up to PASS: the layer, its mapping and its output path.
    EXPECT_EQ(gl[i].substr(0, gl[i].find("  PASS")), al[i].substr(0, al[i].find("  PASS")));
    EXPECT_FALSE(Contains(gl[i], " cycles (model")) << gl[i];
  }
  EXPECT_TRUE(Contains(g.out, "golden backend")) << g.out;
}

// --- Devices by name (eyelet/backend.h), as the tool opens them.

TEST(CliBackends, GoldenAndRtlAreRegistered) {
  const std::vector<std::string> names = BackendNames();
  // rtlfault (the fault-injection build) is linked too, but offered through --fault only.
  EXPECT_EQ(names, (std::vector<std::string>{"golden", "rtl", "rtlfault"}));
  EXPECT_EQ(BackendList(), "golden or rtl");
  EXPECT_EQ(OpenDevice("golden:tiny")->Name(), "golden:tiny");
  EXPECT_EQ(PeRunnerNames(), std::vector<std::string>{"rtl"});
}

TEST(CliBackends, UnknownBackendOrConfigNamesTheKnownOnes) {
  try {
    OpenDevice("fpga:small");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "unknown device 'fpga:small'")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "golden or rtl")) << e.what();
  }
  try {
    OpenDevice("golden");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "backend:config")) << e.what();
  }
  try {
    OpenDevice("golden:huge");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "tiny, small, eyeriss")) << e.what();
  }
  try {
    OpenPeRunner("golden");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "linked: rtl")) << e.what();
  }
  EXPECT_THROW(RegisterBackend("golden", nullptr), Error);
  EXPECT_THROW(RegisterBackend("bad name", nullptr), Error);
}

}  // namespace
}  // namespace eyelet
