// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet layer --backend rtl`, in-process: random and fixed layers on the Verilated
// accelerator (tiny, small, eyeriss) checked against the golden model, given mappings, output
// paths, pooling, FC, JSON reports and the errors that name a hardware limit.
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
#include "eyelet/cli.h"
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

// --- FC layers on the array: the CONV layer of K = C*H*W channels of 1 x 1 and E = F = 1

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
    // N x C x H x W runs as N x K x 1 x 1 (K within the 13-bit channel field here).
    int n = 0, c = 0, h = 0, w = 0;
    ASSERT_EQ(std::sscanf(input.c_str(), "%dx%dx%dx%d", &n, &c, &h, &w), 4) << input;
    const std::string flat_x =
        std::to_string(n) + "x" + std::to_string(c * h * w) + "x1x1";
    EXPECT_EQ(Field(r.out, "as conv").rfind("x " + flat_x + " w ", 0), 0u) << r.out;
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
  EXPECT_EQ(j.value("as_conv", "").rfind("x 4x400x1x1 w 40x400x1x1 ", 0), 0u) << j;
  EXPECT_EQ(j.value("pass", false), true) << j;
  EXPECT_EQ(j.value("mismatches", -1), 0) << j;
  // Seven chained sets of one row: 7 rows > 6.
  const CliResult bad = EyeletLine(
      "layer --type fc --backend rtl --config small --batch 4 --in-channels 16 --height 5 "
      "--width 5 --out-channels 40 --mapping 1,4,1,7,5");
  EXPECT_EQ(bad.code, kExitError);
  EXPECT_TRUE(Contains(bad.err, "--mapping 1,4,1,7,5 does not fit")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "needs 7 rows > 6")) << bad.err;
}

TEST(CliLayerRtl, ModelLineOfAGroupedLayerWithAnOutputPath) {
  // Three groups, three output chunks, each loading its output-path table entries: a chunk's
  // entries wait for the store of the chunk two back (the table half it writes), not for the
  // previous chunk's, which has not begun. The model once waited for that one too and
  // predicted +42.6 %. The layer prints the model beside the RTL's cycles, and the JSON has
  // both.
  TempDir dir;
  const std::string json = dir.File("grouped.json");
  const CliResult r = EyeletLine(
      "layer --backend rtl --config small --batch 3 --in-channels 3 --height 1 --width 9 "
      "--out-channels 12 --kernel-h 5 --kernel-w 3 --pad 2 --groups 3 --bias --requant --relu "
      "--mapping 1,1,1,1,4 --json " + json);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(Field(r.out, "model"), "from the RTL")) << r.out;
  const Json j = ReadJson(json);
  const double cycles = j.value("cycles", 0.0), model = j.value("model_cycles", 0.0);
  ASSERT_GT(cycles, 0.0) << j;
  EXPECT_NEAR(model, cycles, 0.15 * cycles) << j;
  EXPECT_GT(j.value("model_array_cycles", 0), 0) << j;
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
  // 64 x 10 x 13 = 8,320 features keep their shape (past the channel field), and S = W = 13
  // is wider than the 12-word ifmap spad.
  r = EyeletLine(
      "layer --type fc --backend rtl --config small --in-channels 64 --height 10 --width 13 "
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

}  // namespace
}  // namespace eyelet
