// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// .npy reader/writer: round trips, the exact bytes of the format, malformed files, and files
// NumPy wrote (tests/data, made by tests/data/make_npy_fixtures.py).
#include "eyelet/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy image with the given version, header text (used verbatim) and data bytes.
std::string MakeNpy(const std::string& header, const std::string& data, int major = 1) {
  std::string s = std::string("\x93NUMPY", 6);
  s += static_cast<char>(major);
  s += '\0';
  const size_t len = header.size();
  s += static_cast<char>(len & 0xff);
  s += static_cast<char>((len >> 8) & 0xff);
  if (major >= 2) {
    s += static_cast<char>((len >> 16) & 0xff);
    s += static_cast<char>((len >> 24) & 0xff);
  }
  return s + header + data;
}

std::string Int16Bytes(const std::vector<int16_t>& v) {
  std::string s;
  for (int16_t x : v) {
    s += static_cast<char>(static_cast<uint16_t>(x) & 0xff);
    s += static_cast<char>(static_cast<uint16_t>(x) >> 8);
  }
  return s;
}

// The right-aligned dims {2, 3, 4, 5} for a rank, as an NCHW shape.
Shape ShapeForRank(int rank) {
  int dims[4] = {1, 1, 1, 1};
  const int full[4] = {2, 3, 4, 5};
  for (int i = 4 - rank; i < 4; ++i) dims[i] = full[i];
  return Shape{dims[0], dims[1], dims[2], dims[3]};
}

std::vector<int64_t> NpyShapeForRank(int rank) {
  std::vector<int64_t> shape;
  const int full[4] = {2, 3, 4, 5};
  for (int i = 4 - rank; i < 4; ++i) shape.push_back(full[i]);
  return shape;
}

// --- Round trips over dtype x rank.

class NpyRoundTrip : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

template <typename T>
void FillPattern(Tensor<T>& t, double lo, double hi) {
  std::vector<T>& d = t.data();
  for (size_t i = 0; i < d.size(); ++i) {
    // Deterministic spread over [lo, hi], hitting both ends.
    double v = i == 0 ? lo : i == 1 ? hi : lo + std::fmod(i * 7919.0, hi - lo + 1);
    d[i] = static_cast<T>(std::floor(v));
  }
}

TEST_P(NpyRoundTrip, WriteReadCompare) {
  const std::string dtype = std::get<0>(GetParam());
  const int rank = std::get<1>(GetParam());
  TempDir dir;
  const std::string path = dir.File("t.npy");
  const Shape shape = ShapeForRank(rank);

  if (dtype == "int8" || dtype == "int16") {
    Tensor<int16_t> t(shape);
    if (dtype == "int8") {
      FillPattern(t, -128, 127);
    } else {
      FillPattern(t, -32768, 32767);
    }
    SaveTensor(path, t, dtype, rank);
    Tensor<int16_t> back = LoadTensorI16(path);
    ASSERT_EQ(back.shape(), shape);
    for (int64_t i = 0; i < t.size(); ++i) ASSERT_EQ(back.data()[i], t.data()[i]) << i;
  } else if (dtype == "int32") {
    Tensor<int32_t> t(shape);
    FillPattern(t, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    SaveTensor(path, t, dtype, rank);
    Tensor<int32_t> back = LoadTensorI32(path);
    ASSERT_EQ(back.shape(), shape);
    for (int64_t i = 0; i < t.size(); ++i) ASSERT_EQ(back.data()[i], t.data()[i]) << i;
  } else {
    Tensor<float> t(shape);
    for (size_t i = 0; i < t.data().size(); ++i) {
      t.data()[i] = static_cast<float>((static_cast<double>(i) - 50.0) * 0.37);
    }
    t.data()[0] = std::numeric_limits<float>::max();
    if (t.size() > 1) t.data()[1] = std::numeric_limits<float>::denorm_min();
    SaveTensor(path, t, dtype, rank);
    Tensor<float> back = LoadTensorF32(path);
    ASSERT_EQ(back.shape(), shape);
    for (int64_t i = 0; i < t.size(); ++i) ASSERT_EQ(back.data()[i], t.data()[i]) << i;
  }

  NpyArray raw = ReadNpy(path);
  EXPECT_EQ(raw.dtype, CanonicalNpyDtype(dtype));
  EXPECT_EQ(raw.shape, NpyShapeForRank(rank));
  EXPECT_EQ(static_cast<int64_t>(raw.bytes.size()), shape.Size() * NpyItemSize(dtype));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

INSTANTIATE_TEST_SUITE_P(DtypesAndRanks, NpyRoundTrip,
                         ::testing::Combine(::testing::Values("int8", "int16", "int32", "float32"),
                                            ::testing::Values(0, 1, 2, 3, 4)),
                         [](const ::testing::TestParamInfo<NpyRoundTrip::ParamType>& info) {
                           return std::get<0>(info.param) + "Rank" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST(Npy, ExactHeaderBytesForInt16) {
  TempDir dir;
  const std::string path = dir.File("a.npy");
  Tensor<int16_t> t(Shape{1, 1, 2, 3});
  t.data() = {0, 1, -1, 256, -32768, 32767};
  SaveTensor(path, t, kNpyInt16, 2);
  const std::vector<uint8_t> b = ReadBytes(path);

  const std::string dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }";
  ASSERT_EQ(b.size(), 128u + 12u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 6), std::string("\x93NUMPY", 6));
  EXPECT_EQ(b[6], 1);  // version 1.0
  EXPECT_EQ(b[7], 0);
  const size_t header_len = b[8] | (b[9] << 8);
  EXPECT_EQ(header_len, 118u);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(std::string(b.begin() + 10, b.begin() + 10 + dict.size()), dict);
  for (size_t i = 10 + dict.size(); i < 127; ++i) EXPECT_EQ(b[i], ' ') << i;
  EXPECT_EQ(b[127], '\n');
  const std::vector<uint8_t> data(b.begin() + 128, b.end());
  const std::vector<uint8_t> expected = {0x00, 0x00, 0x01, 0x00, 0xff, 0xff,
                                         0x00, 0x01, 0x00, 0x80, 0xff, 0x7f};
  EXPECT_EQ(data, expected);
}

TEST(Npy, HeaderAlignmentForEveryRank) {
  for (int rank = 0; rank <= 4; ++rank) {
    NpyArray a{kNpyInt8, NpyShapeForRank(rank), {}};
    a.bytes.assign(static_cast<size_t>(a.ElementCount()), 7);
    const std::vector<uint8_t> image = EncodeNpy(a);
    const size_t data_offset = 10 + (image[8] | (image[9] << 8));
    EXPECT_EQ(data_offset % 64, 0u) << rank;
    EXPECT_EQ(image[data_offset - 1], '\n') << rank;
    EXPECT_EQ(image.size() - data_offset, a.bytes.size()) << rank;
  }
  const std::vector<uint8_t> scalar = EncodeNpy(NpyArray{kNpyInt32, {}, {1, 0, 0, 0}});
  const std::string text(scalar.begin() + 10, scalar.end());
  EXPECT_NE(text.find("'shape': (), }"), std::string::npos);
  const std::vector<uint8_t> vec = EncodeNpy(NpyArray{kNpyInt32, {1}, {1, 0, 0, 0}});
  EXPECT_NE(std::string(vec.begin() + 10, vec.end()).find("'shape': (1,), }"), std::string::npos);
}

TEST(Npy, LargeHeaderUsesVersion2) {
  NpyArray a{kNpyInt8, std::vector<int64_t>(30000, 1), {42}};
  const std::vector<uint8_t> image = EncodeNpy(a);
  EXPECT_EQ(image[6], 2);
  const size_t header_len = image[8] | (image[9] << 8) | (image[10] << 16) | (image[11] << 24);
  EXPECT_GT(header_len, 65535u);
  EXPECT_EQ((12 + header_len) % 64, 0u);
  NpyArray back = ParseNpy(image, "big-header");
  EXPECT_EQ(back.shape.size(), 30000u);
  ASSERT_EQ(back.bytes.size(), 1u);
  EXPECT_EQ(back.bytes[0], 42);
}

TEST(Npy, ReadsHeaderVariants) {
  TempDir dir;
  const std::string data = Int16Bytes({1, -2, 3, -4, 5, -6});
  const std::vector<std::string> headers = {
      "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }          \n",
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i2'}\n",
      "{\"descr\":\"<i2\",\"fortran_order\":False,\"shape\":(2,3)}",
      "  {  'fortran_order' :False ,\n 'descr' : '<i2' , 'shape' : ( 2 , 3 , ) , }  \n",
      "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }\n",
  };
  for (int major = 1; major <= 3; ++major) {
    for (const std::string& h : headers) {
      const std::string path = dir.File("v.npy");
      WriteBytes(path, MakeNpy(h, data, major));
      Tensor<int16_t> t = LoadTensorI16(path);
      EXPECT_EQ(t.shape(), (Shape{1, 1, 2, 3})) << h;
      EXPECT_EQ(t.data(), (std::vector<int16_t>{1, -2, 3, -4, 5, -6})) << h;
    }
  }
  const std::string path = dir.File("s.npy");
  WriteBytes(path, MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (6,), }\n", data));
  EXPECT_EQ(LoadTensorI16(path).shape(), (Shape{1, 1, 1, 6}));
  WriteBytes(
      path, MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (), }\n", Int16Bytes({-7})));
  Tensor<int16_t> scalar = LoadTensorI16(path);
  EXPECT_EQ(scalar.shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(scalar.data()[0], -7);
  // NumPy writes int8 as '|i1'; '<i1' is the same type.
  WriteBytes(path, MakeNpy("{'descr': '<i1', 'fortran_order': False, 'shape': (2,), }\n",
                           std::string("\x80\x7f", 2)));
  EXPECT_EQ(LoadTensorI16(path).data(), (std::vector<int16_t>{-128, 127}));
  EXPECT_EQ(ReadNpy(path).dtype, kNpyInt8);
}

TEST(Npy, LoadWidensNarrowerIntegers) {
  TempDir dir;
  const std::string path = dir.File("w.npy");
  Tensor<int16_t> t(Shape{1, 2, 1, 2});
  t.data() = {-128, 0, 5, 127};
  SaveTensor(path, t, "int8");
  EXPECT_EQ(ReadNpy(path).dtype, kNpyInt8);
  EXPECT_EQ(LoadTensorI16(path).data(), t.data());
  EXPECT_EQ(LoadTensorI32(path).data(), (std::vector<int32_t>{-128, 0, 5, 127}));
  SaveTensor(path, t, "int16");
  EXPECT_EQ(LoadTensorI32(path).data(), (std::vector<int32_t>{-128, 0, 5, 127}));
}

TEST(Npy, LoadRejectsWrongDtypeWithAstypeHint) {
  TempDir dir;
  const std::string path = dir.File("acc.npy");
  Tensor<int32_t> acc(Shape{1, 1, 1, 3}, 70000);
  SaveTensor(path, acc, kNpyInt32);
  try {
    LoadTensorI16(path);
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("astype(np.int16)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LoadTensorF32(path), FileError);
  Tensor<float> f(Shape{1, 1, 1, 2}, 0.5f);
  SaveTensor(path, f, kNpyFloat32);
  EXPECT_THROW(LoadTensorI16(path), FileError);
  EXPECT_THROW(LoadTensorI32(path), FileError);
}

// --- Malformed files: each throws FileError naming the file and the problem.

struct BadFile {
  const char* name;
  std::string bytes;
  const char* expect;  // substring of the message
};

class NpyMalformed : public ::testing::TestWithParam<BadFile> {};

TEST_P(NpyMalformed, ThrowsFileError) {
  const BadFile& bad = GetParam();
  TempDir dir;
  const std::string path = dir.File(std::string(bad.name) + ".npy");
  WriteBytes(path, bad.bytes);
  try {
    ReadNpy(path);
    FAIL() << "expected FileError for " << bad.name;
  } catch (const FileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(bad.expect), std::string::npos) << msg;
  }
  EXPECT_THROW(LoadTensorI16(path), FileError);
}

const std::string kGood2x3 = "'descr': '<i2', 'fortran_order': False, 'shape': (2, 3)";
const std::string kData2x3 = Int16Bytes({1, 2, 3, 4, 5, 6});

INSTANTIATE_TEST_SUITE_P(
    Cases, NpyMalformed,
    ::testing::Values(
        BadFile{"Empty", "", "magic"}, BadFile{"NotNpy", "hello, world, this is text", "magic"},
        BadFile{"ShortMagic", std::string("\x93NUM", 4), "magic"},
        BadFile{"NoVersion", std::string("\x93NUMPY", 6), "version"},
        BadFile{"Version4", MakeNpy("{" + kGood2x3 + "}", kData2x3, 4), "version 4.0"},
        BadFile{"Version1Minor1",
                std::string("\x93NUMPY\x01\x01\x10\x00", 10) + "{" + kGood2x3 + "}", "1.1"},
        BadFile{"ShortLengthField", std::string("\x93NUMPY\x01\x00\x10", 9), "length field"},
        BadFile{"HeaderPastEnd", std::string("\x93NUMPY\x01\x00\xff\xff", 10) + "{" + kGood2x3,
                "runs past the end"},
        BadFile{"HeaderPastEndV2", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12),
                "runs past the end"},
        BadFile{"NotADict", MakeNpy("[1, 2, 3]\n", kData2x3), "not a Python dict"},
        BadFile{"UnclosedDict", MakeNpy("{" + kGood2x3, kData2x3), "expected ',' or '}'"},
        BadFile{"MissingShape", MakeNpy("{'descr': '<i2', 'fortran_order': False}\n", kData2x3),
                "no 'shape' key"},
        BadFile{"MissingDescr", MakeNpy("{'fortran_order': False, 'shape': (6,)}\n", kData2x3),
                "no 'descr' key"},
        BadFile{"MissingFortranOrder", MakeNpy("{'descr': '<i2', 'shape': (6,)}\n", kData2x3),
                "no 'fortran_order' key"},
        BadFile{"ExtraKey", MakeNpy("{" + kGood2x3 + ", 'extra': 1}\n", kData2x3),
                "unexpected key 'extra'"},
        BadFile{"DuplicateKey", MakeNpy("{" + kGood2x3 + ", 'shape': (6,)}\n", kData2x3),
                "appears twice"},
        BadFile{"UnterminatedString", MakeNpy("{'descr: '<i2'}", kData2x3), "expected ':'"},
        BadFile{"FortranOrder",
                MakeNpy("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3)}\n", kData2x3),
                "Fortran order"},
        BadFile{"FortranOrderNotBool",
                MakeNpy("{'descr': '<i2', 'fortran_order': 0, 'shape': (2, 3)}\n", kData2x3),
                "True or False"},
        BadFile{"BigEndian",
                MakeNpy("{'descr': '>i2', 'fortran_order': False, 'shape': (2, 3)}\n", kData2x3),
                "big-endian"},
        BadFile{"Float64",
                MakeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}\n",
                        std::string(24, '\0')),
                "float64"},
        BadFile{"Uint16",
                MakeNpy("{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3)}\n", kData2x3),
                "uint16"},
        // Found by fuzz/fuzz_npy: the item size times 8 overflowed an int in the message.
        BadFile{"HugeItemSize",
                MakeNpy("{'descr': '<i2147483647', 'fortran_order': False, 'shape': (2, 3)}\n",
                        kData2x3),
                "(an unsupported type)"},
        BadFile{"ItemSizeNotANumber",
                MakeNpy("{'descr': '<f4x', 'fortran_order': False, 'shape': (2, 3)}\n", kData2x3),
                "(an unsupported type)"},
        BadFile{
            "Structured",
            MakeNpy("{'descr': [('x', '<i2')], 'fortran_order': False, 'shape': (6,)}\n", kData2x3),
            "structured"},
        BadFile{"NegativeDim",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (-2, 3)}\n", kData2x3),
                "negative"},
        BadFile{"FractionalDim",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (2.5, 3)}\n", kData2x3),
                "not a non-negative integer"},
        BadFile{"StringDim",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': ('2', 3)}\n", kData2x3),
                "not a non-negative integer"},
        BadFile{"ShapeNotTuple",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (6)}\n", kData2x3),
                "not a tuple"},
        BadFile{"ShapeIsList",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': [2, 3]}\n", kData2x3),
                "must be a tuple"},
        BadFile{"HugeDim",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, "
                        "'shape': (99999999999999999999999,)}\n",
                        kData2x3),
                "too large"},
        BadFile{"HugeProduct",
                MakeNpy("{'descr': '<i2', 'fortran_order': False, "
                        "'shape': (4611686018427387904, 4611686018427387904)}\n",
                        kData2x3),
                "truncated"},
        BadFile{"ShortData", MakeNpy("{" + kGood2x3 + "}\n", kData2x3.substr(0, 11)), "truncated"},
        BadFile{"NoData", MakeNpy("{" + kGood2x3 + "}\n", ""), "needs 12 bytes"},
        BadFile{"TrailingBytes", MakeNpy("{" + kGood2x3 + "}\n", kData2x3 + "xyz"),
                "3 bytes follow"},
        BadFile{"GarbageAfterDict", MakeNpy("{" + kGood2x3 + "} junk\n", kData2x3),
                "after the closing"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

TEST(Npy, MissingFileAndDirectory) {
  TempDir dir;
  const std::string missing = dir.File("nope.npy");
  try {
    ReadNpy(missing);
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
  EXPECT_THROW(ReadNpy(dir.path().string()), FileError);
}

TEST(Npy, EveryTruncationIsAFileError) {
  NpyArray a{kNpyInt16, {3, 5}, std::vector<uint8_t>(30, 1)};
  const std::vector<uint8_t> image = EncodeNpy(a);
  ASSERT_NO_THROW(ParseNpy(image, "whole"));
  for (size_t n = 0; n < image.size(); ++n) {
    std::vector<uint8_t> cut(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(ParseNpy(cut, "cut"), FileError) << n;
  }
}

TEST(Npy, CorruptedHeaderBytesNeverCrash) {
  NpyArray a{kNpyInt16, {3, 5}, std::vector<uint8_t>(30, 1)};
  const std::vector<uint8_t> image = EncodeNpy(a);
  int parsed = 0;
  int rejected = 0;
  uint32_t state = 12345;
  for (int trial = 0; trial < 4000; ++trial) {
    std::vector<uint8_t> bad = image;
    for (int k = 0; k < 3; ++k) {
      state = state * 1664525u + 1013904223u;
      const size_t pos = (state >> 8) % 128;  // magic, version, length and header text
      state = state * 1664525u + 1013904223u;
      bad[pos] = static_cast<uint8_t>(state >> 24);
    }
    try {
      NpyArray got = ParseNpy(bad, "fuzz");
      EXPECT_EQ(static_cast<int64_t>(got.bytes.size()),
                got.ElementCount() * NpyItemSize(got.dtype));
      ++parsed;
    } catch (const FileError&) {
      ++rejected;
    }
  }
  EXPECT_EQ(parsed + rejected, 4000);
  EXPECT_GT(rejected, 0);
}

// --- Writing.

TEST(Npy, SaveInt8RejectsOverflow) {
  TempDir dir;
  const std::string path = dir.File("o.npy");
  for (int16_t bad : {int16_t{128}, int16_t{-129}, int16_t{32767}}) {
    Tensor<int16_t> t(Shape{1, 1, 2, 2}, 1);
    t.at(0, 0, 1, 0) = bad;
    try {
      SaveTensor(path, t, "int8");
      FAIL() << "expected ShapeError for " << bad;
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(bad)), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("[0,0,1,0]"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
  }
  Tensor<int32_t> wide(Shape{1, 1, 1, 1}, 40000);
  EXPECT_THROW(SaveTensor(path, wide, "int16"), ShapeError);
  Tensor<float> frac(Shape{1, 1, 1, 1}, 0.5f);
  EXPECT_THROW(SaveTensor(path, frac, "int32"), ShapeError);
  Tensor<int32_t> unrepresentable(Shape{1, 1, 1, 1}, (1 << 24) + 1);
  EXPECT_THROW(SaveTensor(path, unrepresentable, "float32"), ShapeError);
  EXPECT_FALSE(fs::exists(path));
}

TEST(Npy, RankAboveFourIsAShapeError) {
  TempDir dir;
  const std::string path = dir.File("r5.npy");
  WriteNpy(path, NpyArray{kNpyInt16, {1, 2, 1, 1, 2}, std::vector<uint8_t>(8, 0)});
  EXPECT_EQ(ReadNpy(path).shape.size(), 5u);  // valid .npy, just not an NCHW tensor
  try {
    LoadTensorI16(path);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  Tensor<int16_t> t(Shape{2, 1, 1, 3});
  EXPECT_THROW(SaveTensor(path, t, "int16", 5), ShapeError);
  EXPECT_THROW(SaveTensor(path, t, "int16", 3), ShapeError);  // would drop n = 2
}

TEST(Npy, EmptyArrayReadsButIsNotATensor) {
  TempDir dir;
  const std::string path = dir.File("e.npy");
  WriteNpy(path, NpyArray{kNpyInt32, {0, 3}, {}});
  NpyArray a = ReadNpy(path);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(a.bytes.empty());
  EXPECT_THROW(LoadTensorI32(path), ShapeError);
}

// Found writing fuzz/fuzz_npy: an empty array may have other dimensions up to 2^62, and their
// product overflowed int64 (UBSan) before the 0 was reached.
TEST(Npy, EmptyArrayWithHugeDimensionsHasZeroElements) {
  const std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, "
      "4611686018427387904, 0), }\n";
  const std::string image = MakeNpy(header, "");
  const NpyArray a = ParseNpy(std::vector<uint8_t>(image.begin(), image.end()), "huge.npy");
  EXPECT_EQ(a.ElementCount(), 0);
  EXPECT_TRUE(a.bytes.empty());
}

// An empty float array loads and saves as an empty FTensor (memcpy of no bytes from an empty
// vector's null data() is undefined behaviour: UBSan's nonnull-attribute check).
TEST(Npy, EmptyFloatArrayLoadsAndSavesAsAnEmptyFTensor) {
  TempDir dir;
  const std::string path = dir.File("e.npy");
  WriteNpy(path, NpyArray{kNpyFloat32, {0, 3}, {}});
  const FTensor t = LoadFTensor(path);
  EXPECT_EQ(t.dims, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(t.data.empty());
  SaveFTensor(path, t);
  EXPECT_EQ(ReadNpy(path).shape, (std::vector<int64_t>{0, 3}));
}

TEST(Npy, WriteIsAtomic) {
  TempDir dir;
  const std::string path = dir.File("keep.npy");
  Tensor<int16_t> t(Shape{1, 1, 1, 4}, 9);
  SaveTensor(path, t, "int16");
  const std::vector<uint8_t> before = ReadBytes(path);
  // An inconsistent array fails before the file is touched.
  EXPECT_THROW(WriteNpy(path, NpyArray{kNpyInt16, {4}, {1, 2, 3}}), ShapeError);
  EXPECT_THROW(WriteNpy(path, NpyArray{"<f8", {1}, std::vector<uint8_t>(8, 0)}), UnsupportedError);
  Tensor<int16_t> big(Shape{1, 1, 1, 4}, 300);
  EXPECT_THROW(SaveTensor(path, big, "int8"), ShapeError);
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  // A directory that does not exist: FileError, nothing created.
  const std::string nowhere = dir.File("no/such/dir/x.npy");
  EXPECT_THROW(SaveTensor(nowhere, t, "int16"), FileError);
  EXPECT_FALSE(fs::exists(dir.File("no")));
  // A directory in the way: FileError, and the temporary file is cleaned up.
  const std::string subdir = dir.File("sub");
  fs::create_directory(subdir);
  EXPECT_THROW(SaveTensor(subdir, t, "int16"), FileError);
  EXPECT_FALSE(fs::exists(subdir + ".tmp"));
}

TEST(Npy, DtypeNames) {
  EXPECT_EQ(CanonicalNpyDtype("int8"), "|i1");
  EXPECT_EQ(CanonicalNpyDtype("<i2"), "<i2");
  EXPECT_EQ(CanonicalNpyDtype("int32"), "<i4");
  EXPECT_EQ(CanonicalNpyDtype("float32"), "<f4");
  EXPECT_EQ(NpyItemSize("|i1"), 1);
  EXPECT_EQ(NpyItemSize("int16"), 2);
  EXPECT_EQ(NpyDtypeName("<f4"), "float32");
  EXPECT_THROW(CanonicalNpyDtype("float64"), UnsupportedError);
}

TEST(Npy, NchwMapping) {
  EXPECT_EQ(NpyShapeToNchw({}, "x"), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(NpyShapeToNchw({7}, "x"), (Shape{1, 1, 1, 7}));
  EXPECT_EQ(NpyShapeToNchw({6, 7}, "x"), (Shape{1, 1, 6, 7}));
  EXPECT_EQ(NpyShapeToNchw({5, 6, 7}, "x"), (Shape{1, 5, 6, 7}));
  EXPECT_EQ(NpyShapeToNchw({4, 5, 6, 7}, "x"), (Shape{4, 5, 6, 7}));
  EXPECT_THROW(NpyShapeToNchw({1, 1, 1, 1, 1}, "x"), ShapeError);
  EXPECT_THROW(NpyShapeToNchw({int64_t{1} << 31}, "x"), ShapeError);
}

// --- Files NumPy wrote (tests/data/make_npy_fixtures.py, np.save of NumPy 1.24): the reader
// against bytes it did not write, the writer against NumPy's bytes. The element values follow
// the script's formulas of the flat C-order index i.

std::string Fixture(const std::string& name) { return std::string(EY_TEST_DATA_DIR) + "/" + name; }

int16_t FixtureI16(int64_t i) { return static_cast<int16_t>((i * 12345 + 678) % 65536 - 32768); }
int32_t FixtureI32(int64_t i) { return static_cast<int32_t>((i - 12) * 178956970); }
float FixtureF32(int64_t i) { return static_cast<float>((static_cast<double>(i) - 5.5) / 4); }
int FixtureI8(int64_t i) { return static_cast<int>(i * 60 - 128); }

// Checks every element of `t` against `want(flat index)`, walking (n, c, h, w).
template <typename T, typename F>
::testing::AssertionResult FollowsFormula(const Tensor<T>& t, F want) {
  const Shape& s = t.shape();
  int64_t i = 0;
  for (int n = 0; n < s.n; ++n) {
    for (int c = 0; c < s.c; ++c) {
      for (int h = 0; h < s.h; ++h) {
        for (int w = 0; w < s.w; ++w, ++i) {
          if (t.at(n, c, h, w) != want(i)) {
            return ::testing::AssertionFailure()
                   << "at (" << n << ", " << c << ", " << h << ", " << w << "): got "
                   << +t.at(n, c, h, w) << ", expected " << +want(i);
          }
        }
      }
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(NpyFixtures, ReadsNumpyInt16InCOrder) {
  const Tensor<int16_t> t = LoadTensorI16(Fixture("int16_2x3x4x5.npy"));
  EXPECT_EQ(t.shape(), (Shape{2, 3, 4, 5}));
  EXPECT_TRUE(FollowsFormula(t, FixtureI16));
  EXPECT_EQ(t.at(0, 0, 0, 0), -32090);  // 678 - 32768
  const NpyArray a = ReadNpy(Fixture("int16_2x3x4x5.npy"));
  EXPECT_EQ(a.dtype, kNpyInt16);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4, 5}));
}

TEST(NpyFixtures, ReadsNumpyInt32AtBothEndsOfTheRange) {
  const Tensor<int32_t> t = LoadTensorI32(Fixture("int32_1x2x3x4.npy"));
  EXPECT_EQ(t.shape(), (Shape{1, 2, 3, 4}));
  EXPECT_TRUE(FollowsFormula(t, FixtureI32));
  EXPECT_EQ(t.at(0, 0, 0, 0), -2147483640);
  EXPECT_EQ(t.at(0, 1, 2, 3), 1968526670);
}

TEST(NpyFixtures, ReadsNumpyFloat32) {
  const Tensor<float> t = LoadTensorF32(Fixture("float32_2x1x2x3.npy"));
  EXPECT_EQ(t.shape(), (Shape{2, 1, 2, 3}));
  EXPECT_TRUE(FollowsFormula(t, FixtureF32));
  EXPECT_EQ(t.at(1, 0, 1, 2), 1.375f);
}

TEST(NpyFixtures, ReadsNumpyTwoDimensionalAsOnePlane) {
  const Tensor<int16_t> t = LoadTensorI16(Fixture("int16_3x4.npy"));
  EXPECT_EQ(t.shape(), (Shape{1, 1, 3, 4}));
  EXPECT_TRUE(FollowsFormula(t, FixtureI16));
}

TEST(NpyFixtures, ReadsNumpyInt8AndWidensIt) {
  EXPECT_EQ(ReadNpy(Fixture("int8_5.npy")).dtype, kNpyInt8);
  const Tensor<int16_t> t16 = LoadTensorI16(Fixture("int8_5.npy"));
  EXPECT_EQ(t16.shape(), (Shape{1, 1, 1, 5}));
  EXPECT_TRUE(FollowsFormula(t16, FixtureI8));
  EXPECT_EQ(LoadTensorI32(Fixture("int8_5.npy")).data(),
            (std::vector<int32_t>{-128, -68, -8, 52, 112}));
}

TEST(NpyFixtures, ReadsNumpyZeroDimensionalArrays) {
  EXPECT_TRUE(ReadNpy(Fixture("int16_scalar.npy")).shape.empty());
  const Tensor<int16_t> s16 = LoadTensorI16(Fixture("int16_scalar.npy"));
  EXPECT_EQ(s16.shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(s16.data(), (std::vector<int16_t>{-7}));
  const Tensor<int32_t> s32 = LoadTensorI32(Fixture("int32_scalar.npy"));
  EXPECT_EQ(s32.shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(s32.data(), (std::vector<int32_t>{std::numeric_limits<int32_t>::min()}));
}

// The reader takes C order only (npy.h): NumPy's Fortran-order file is refused by name.
TEST(NpyFixtures, RefusesNumpyFortranOrder) {
  const std::string path = Fixture("int16_2x3_fortran.npy");
  try {
    ReadNpy(path);
    FAIL() << "read a Fortran-order file";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Fortran order"), std::string::npos) << e.what();
  }
}

// The reader takes little-endian data only (npy.h): NumPy's '>i2' and '>f4' files are refused
// with the astype() that fixes them.
TEST(NpyFixtures, RefusesNumpyBigEndian) {
  for (const char* name : {"int16_2x3_big_endian.npy", "float32_2x3_big_endian.npy"}) {
    const std::string path = Fixture(name);
    try {
      ReadNpy(path);
      ADD_FAILURE() << "read " << name;
    } catch (const FileError& e) {
      EXPECT_NE(std::string(e.what()).find("big-endian"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("newbyteorder"), std::string::npos) << e.what();
    }
  }
}

// What np.save writes for the arrays the reader takes, the writer writes byte for byte:
// magic, version 1.0, the header dict's spelling, the padding to 64 bytes and the data.
TEST(NpyFixtures, WriterMatchesNumpyByteForByte) {
  for (const char* name : {"int16_2x3x4x5.npy", "int32_1x2x3x4.npy", "float32_2x1x2x3.npy",
                           "int16_3x4.npy", "int8_5.npy", "int16_scalar.npy", "int32_scalar.npy"}) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> numpy = ReadBytes(Fixture(name));
    ASSERT_FALSE(numpy.empty());
    EXPECT_EQ(EncodeNpy(ReadNpy(Fixture(name))), numpy);
  }
  // And from a tensor built from the formula, not read back.
  TempDir dir;
  Tensor<int16_t> t(Shape{2, 3, 4, 5});
  for (size_t i = 0; i < t.data().size(); ++i) t.data()[i] = FixtureI16(static_cast<int64_t>(i));
  SaveTensor(dir.File("t.npy"), t, "int16");
  EXPECT_EQ(ReadBytes(dir.File("t.npy")), ReadBytes(Fixture("int16_2x3x4x5.npy")));
  Tensor<int16_t> plane(Shape{1, 1, 3, 4});
  for (size_t i = 0; i < plane.data().size(); ++i) {
    plane.data()[i] = FixtureI16(static_cast<int64_t>(i));
  }
  SaveTensor(dir.File("p.npy"), plane, "int16", 2);
  EXPECT_EQ(ReadBytes(dir.File("p.npy")), ReadBytes(Fixture("int16_3x4.npy")));
}

}  // namespace
}  // namespace eyelet
