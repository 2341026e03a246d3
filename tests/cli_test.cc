// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` CLI, run in-process through RunCli: the command table, usage errors (exit 2),
// and `eyelet layer` on the golden backend: reproducibility, shape flags, .npy round trips
// checked against the golden model, job errors (exit 3). The RTL backend's layers are in
// cli_layer_rtl_test.cc, sweeps in cli_sweep_test.cc, pe/info/map/backends in
// cli_tools_test.cc, traces and fault location in cli_debug_test.cc, `run` in cli_run_test.cc.
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
using test::RandomTensor;
using test::ReadJson;
using test::TempDir;

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
                "unknown hardware config 'huge'; built configs are: tiny, small, eyeriss, up5k"},
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
                "--backend must be golden, rtl, rtl-uart or uart, not 'fpga'"},
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

}  // namespace
}  // namespace eyelet
