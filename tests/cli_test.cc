// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` CLI, run in-process through RunCli: exit codes, messages, reproducibility and
// .npy round trips checked against the golden model.
#include "eyelet/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/npy.h"
#include "eyelet/tensor.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

CliResult Eyelet(std::vector<std::string> args) {
  args.insert(args.begin(), "eyelet");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCli(static_cast<int>(args.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// The value printed after `key` on its own line ("checksum  0x...").
std::string Field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + " ", 0) == 0) {
      const size_t start = line.find_first_not_of(' ', key.size());
      return start == std::string::npos ? "" : line.substr(start);
    }
  }
  return "";
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& ch : name) {
      if (ch == '/') ch = '_';
    }
    path_ = fs::temp_directory_path() / ("eyelet_cli_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

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
                           "--weights", "--output"}) {
    EXPECT_TRUE(Contains(r.out, flag)) << flag << "\n" << r.out;
  }
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
        BadArgs{"UnknownBackend", {"layer", "--backend", "fpga"}, "--backend must be golden"},
        BadArgs{"Positional", {"layer", "extra"}, "extra"},
        BadArgs{"NoAbbreviations", {"layer", "--strid", "2"}, "--strid"},
        BadArgs{"StallTooHigh", {"pe", "--stall", "0.95"}, "--stall 0.95 must be between"},
        BadArgs{"StallNotANumber", {"pe", "--stall", "lots"}, "--stall"},
        BadArgs{"CountNegative", {"pe", "--count=-1"}, "--count -1"},
        BadArgs{"PeUnknownFlag", {"pe", "--rows", "3"}, "--rows"}),
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

TEST(CliLayer, RtlBackendPointsToPeBench) {
  const CliResult r = Eyelet({"layer", "--backend", "rtl"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Contains(r.err, "eyelet: error: the rtl backend for whole layers")) << r.err;
  EXPECT_TRUE(Contains(r.err, "eyelet pe")) << r.err;
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

}  // namespace
}  // namespace eyelet
