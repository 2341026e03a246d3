// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// IDX reader and Fashion-MNIST loader: raw and gzip files this test writes (with zlib's gz*
// API), every kind of malformed file, and, when dataset-fashion-mnist is installed, the real
// test split against numbers NumPy computed from the same files.
#include "eyelet/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/npy.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

using test::TempDir;

void WriteRaw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

void WriteGzip(const std::string& path, const Bytes& bytes) {
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr) << path;
  if (!bytes.empty()) {
    EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(f), Z_OK) << path;
}

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void PutBe32(Bytes& b, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
}

// An IDX file: magic, the sizes, then `data`.
Bytes Idx(uint32_t magic, const std::vector<uint32_t>& dims, const Bytes& data) {
  Bytes b;
  PutBe32(b, magic);
  for (uint32_t d : dims) PutBe32(b, d);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// n bytes following (i * 37 + 11) mod 256.
Bytes Pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
  return b;
}

Bytes ImagesFile(uint32_t count, uint32_t rows, uint32_t cols) {
  return Idx(0x803, {count, rows, cols}, Pattern(size_t{count} * rows * cols));
}

Bytes LabelsFile(const Bytes& labels) {
  return Idx(0x801, {static_cast<uint32_t>(labels.size())}, labels);
}

// Calls f, which must throw FileError whose message contains every one of `needles`.
void ExpectFileError(const std::function<void()>& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "no FileError thrown";
  } catch (const FileError& e) {
    const std::string what = e.what();
    for (const std::string& n : needles) {
      EXPECT_NE(what.find(n), std::string::npos)
          << "message \"" << what << "\" lacks \"" << n << "\"";
    }
  }
}

// --- Well-formed files ----------------------------------------------------------------------

TEST(IdxRead, RawAndGzipImagesReadTheSame) {
  TempDir dir;
  const Bytes file = ImagesFile(3, 4, 5);
  WriteRaw(dir.File("raw"), file);
  WriteGzip(dir.File("gz"), file);
  ASSERT_NE(ReadFile(dir.File("gz")), file) << "the gzip file must be compressed";
  for (const char* name : {"raw", "gz"}) {
    SCOPED_TRACE(name);
    const IdxImages im = ReadIdxImages(dir.File(name));
    EXPECT_EQ(im.count, 3);
    EXPECT_EQ(im.rows, 4);
    EXPECT_EQ(im.cols, 5);
    EXPECT_EQ(im.pixels, Pattern(60));
  }
}

TEST(IdxRead, RawAndGzipLabelsReadTheSame) {
  TempDir dir;
  const Bytes labels = {9, 0, 3, 3, 7, 255};
  WriteRaw(dir.File("raw"), LabelsFile(labels));
  WriteGzip(dir.File("gz"), LabelsFile(labels));
  EXPECT_EQ(ReadIdxLabels(dir.File("raw")), labels);
  EXPECT_EQ(ReadIdxLabels(dir.File("gz")), labels);
}

TEST(IdxRead, ZeroImagesAndZeroLabelsAreEmptySets) {
  TempDir dir;
  WriteGzip(dir.File("images"), ImagesFile(0, 28, 28));
  WriteRaw(dir.File("labels"), LabelsFile({}));
  const IdxImages im = ReadIdxImages(dir.File("images"));
  EXPECT_EQ(im.count, 0);
  EXPECT_EQ(im.rows, 28);
  EXPECT_TRUE(im.pixels.empty());
  EXPECT_TRUE(ReadIdxLabels(dir.File("labels")).empty());
}

TEST(IdxRead, LargerThanOneZlibChunk) {
  // 2.5 MiB of pixels: the reader's 1 MiB reads must join up.
  TempDir dir;
  const Bytes file = ImagesFile(50, 256, 205);
  WriteGzip(dir.File("gz"), file);
  const IdxImages im = ReadIdxImages(dir.File("gz"));
  EXPECT_EQ(im.count, 50);
  EXPECT_EQ(im.pixels, Pattern(size_t{50} * 256 * 205));
}

// --- Malformed files ------------------------------------------------------------------------

enum class Reader { kImages, kLabels };

struct MalformedCase {
  const char* name;
  Reader reader;
  std::function<Bytes()> file;  // the bytes on disk, written as they are
  std::vector<std::string> needles;
};

// The gzip file the gz* API writes for `b`.
Bytes Gzipped(const Bytes& b) {
  const std::string path =
      (fs::temp_directory_path() / ("eyelet_idx_" + std::to_string(::getpid()) + "_gzipped.gz"))
          .string();
  WriteGzip(path, b);
  Bytes out = ReadFile(path);
  fs::remove(path);
  return out;
}

Bytes Cut(Bytes b, size_t keep) {
  b.resize(keep);
  return b;
}

// One case a few lines, as the table reads best.
// clang-format off
std::vector<MalformedCase> MalformedCases() {
  return {
      {"empty", Reader::kImages, [] { return Bytes{}; }, {"not an IDX file", "0 bytes"}},
      {"shorter_than_magic", Reader::kLabels, [] { return Bytes{0, 0, 8}; },
       {"not an IDX file", "3 bytes"}},
      {"text_file", Reader::kImages,
       [] {
         const std::string s = "hello, world\n";
         return Bytes(s.begin(), s.end());
       },
       {"magic number 0x68656c6c", "expected 0x00000803", "not an IDX file of unsigned bytes"}},
      {"int32_elements", Reader::kImages, [] { return Idx(0xc03, {1, 1, 1}, {0, 0, 0, 1}); },
       {"magic number 0x00000c03", "not an IDX file of unsigned bytes"}},
      {"labels_read_as_images", Reader::kImages, [] { return LabelsFile({1, 2, 3}); },
       {"0x00000801", "expected 0x00000803", "1 dimension(s), not 3", "labels file"}},
      {"images_read_as_labels", Reader::kLabels, [] { return ImagesFile(2, 2, 2); },
       {"0x00000803", "expected 0x00000801", "3 dimension(s), not 1", "images file"}},
      {"truncated_header", Reader::kImages, [] { return Cut(ImagesFile(2, 3, 3), 11); },
       {"truncated header", "11 bytes", "need 16"}},
      {"labels_header_without_count", Reader::kLabels, [] { return Bytes{0, 0, 8, 1}; },
       {"truncated header", "4 bytes", "need 8"}},
      {"truncated_data", Reader::kImages, [] { return Cut(ImagesFile(3, 4, 5), 16 + 59); },
       {"3 x 4 x 5", "= 60 data bytes", "59 follow", "truncated"}},
      {"truncated_data_gzip", Reader::kLabels,
       [] { return Gzipped(Cut(LabelsFile(Pattern(100)), 8 + 10)); },
       {"100 (labels) = 100 data bytes", "10 follow", "truncated"}},
      {"bytes_after_data", Reader::kImages,
       [] {
         Bytes b = ImagesFile(2, 2, 2);
         b.push_back(0);
         return b;
       },
       {"= 8 data bytes", "9 follow", "bytes after the data"}},
      {"labels_count_beyond_file", Reader::kLabels,
       [] { return Idx(0x801, {0xffffffffu}, Pattern(10)); },
       {"4294967295", "10 follow", "truncated"}},
      {"dims_product_overflows", Reader::kImages,
       [] { return Idx(0x803, {0xffffffffu, 0xffffffffu, 0xffffffffu}, Pattern(16)); },
       {"4294967295 x 4294967295 x 4294967295", "over 2^64 data bytes", "16 follow"}},
      {"count_times_size_overflows_32_bits", Reader::kImages,
       [] { return Idx(0x803, {0x10000u, 0x10000u, 1}, Pattern(16)); },
       {"65536 x 65536 x 1", "= 4294967296 data bytes", "16 follow"}},
      {"zero_rows", Reader::kImages, [] { return Idx(0x803, {0xffffffffu, 0, 28}, {}); },
       {"4294967295 x 0 x 28", "image size of 0"}},
      {"zero_cols", Reader::kImages, [] { return Idx(0x803, {5, 28, 0}, {}); },
       {"5 x 28 x 0", "image size of 0"}},
      // Found by fuzz/fuzz_idx: with no images nothing bounded the columns (read as an int < 0).
      {"no_images_of_huge_cols", Reader::kImages,
       [] { return Idx(0x803, {0, 10, 0x84030006u}, {}); },
       {"0 x 10 x 2214789126", "image size of more than 2^31-1"}},
      {"gzip_stream_cut_short", Reader::kImages,
       [] {
         const Bytes z = Gzipped(ImagesFile(10, 28, 28));
         return Cut(z, z.size() / 2);
       },
       {"gzip data is corrupt or truncated", "unexpected end of file"}},
      {"gzip_stream_without_trailer", Reader::kLabels,
       [] {
         const Bytes z = Gzipped(LabelsFile(Pattern(1000)));
         return Cut(z, z.size() - 8);  // the CRC-32 and length
       },
       {"gzip data is corrupt or truncated"}},
      {"gzip_crc_wrong", Reader::kLabels,
       [] {
         Bytes z = Gzipped(LabelsFile(Pattern(1000)));
         z[z.size() - 8] ^= 0x5a;
         return z;
       },
       {"gzip data is corrupt or truncated", "incorrect data check"}},
      {"gzip_data_garbled", Reader::kImages,
       [] {
         Bytes z = Gzipped(ImagesFile(10, 28, 28));
         for (size_t i = 12; i < 40; ++i) z[i] = 0xff;
         return z;
       },
       {"gzip data is corrupt or truncated"}},
  };
}
// clang-format on

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

class IdxMalformedFile : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(IdxMalformedFile, IsAFileErrorNamingTheFileAndTheProblem) {
  const MalformedCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.File(c.name);
  WriteRaw(path, c.file());
  std::vector<std::string> needles = c.needles;
  needles.push_back(path);
  if (c.reader == Reader::kImages) {
    ExpectFileError([&] { ReadIdxImages(path); }, needles);
  } else {
    ExpectFileError([&] { ReadIdxLabels(path); }, needles);
  }
}

INSTANTIATE_TEST_SUITE_P(Idx, IdxMalformedFile, ::testing::ValuesIn(MalformedCases()),
                         [](const ::testing::TestParamInfo<MalformedCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(IdxRead, MissingFileAndDirectoryAreFileErrors) {
  TempDir dir;
  const std::string missing = dir.File("no_such_file.gz");
  ExpectFileError([&] { ReadIdxImages(missing); }, {"cannot open", missing, "No such file"});
  ExpectFileError([&] { ReadIdxLabels(dir.path().string()); },
                  {dir.path().string(), "is a directory"});
}

// --- LoadFashionMnist on files this test writes ---------------------------------------------

// A fake Fashion-MNIST directory: `n` test images of 3 x 2 and their labels.
void WriteFakeTestSplit(const TempDir& dir, uint32_t n_images, const Bytes& labels,
                        bool gzip = true) {
  const std::string ext = gzip ? ".gz" : "";
  const auto write = gzip ? WriteGzip : WriteRaw;
  write(dir.File("t10k-images-idx3-ubyte" + ext), ImagesFile(n_images, 3, 2));
  write(dir.File("t10k-labels-idx1-ubyte" + ext), LabelsFile(labels));
}

TEST(IdxFashionMnist, ScalesPixelsBy1Over255Only) {
  TempDir dir;
  WriteFakeTestSplit(dir, 4, {9, 0, 5, 1});
  const Dataset d = LoadFashionMnist("test", 0, dir.path().string());
  EXPECT_EQ(d.images.dims, (std::vector<int64_t>{4, 1, 3, 2}));
  EXPECT_EQ(d.labels, (std::vector<int>{9, 0, 5, 1}));
  const Bytes pixels = Pattern(24);
  ASSERT_EQ(d.images.data.size(), pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    // The float32 division NumPy's x.astype(np.float32) / np.float32(255) does.
    EXPECT_EQ(d.images.data[i], static_cast<float>(pixels[i]) / 255.0f) << "pixel " << i;
  }
}

TEST(IdxFashionMnist, CountTakesTheFirstImagesAndAtMostTheSplit) {
  TempDir dir;
  WriteFakeTestSplit(dir, 4, {9, 0, 5, 1}, /*gzip=*/false);  // uncompressed names work too
  const Dataset two = LoadFashionMnist("test", 2, dir.path().string());
  EXPECT_EQ(two.images.dims, (std::vector<int64_t>{2, 1, 3, 2}));
  EXPECT_EQ(two.images.data.size(), 12u);
  EXPECT_EQ(two.labels, (std::vector<int>{9, 0}));
  EXPECT_EQ(LoadFashionMnist("test", 100, dir.path().string()).labels.size(), 4u);
  EXPECT_EQ(LoadFashionMnist("test", -1, dir.path().string()).labels.size(), 4u);
}

TEST(IdxFashionMnist, ImageAndLabelCountsMustAgree) {
  TempDir dir;
  WriteFakeTestSplit(dir, 4, {9, 0, 5});
  ExpectFileError([&] { LoadFashionMnist("test", 0, dir.path().string()); },
                  {"t10k-images-idx3-ubyte.gz holds 4 images", "t10k-labels-idx1-ubyte.gz 3 labels",
                   "same split"});
}

TEST(IdxFashionMnist, LabelAboveNineIsAFileError) {
  TempDir dir;
  WriteFakeTestSplit(dir, 3, {1, 10, 2});
  ExpectFileError([&] { LoadFashionMnist("test", 0, dir.path().string()); },
                  {"t10k-labels-idx1-ubyte.gz", "label 10 of image 1", "0..9"});
}

TEST(IdxFashionMnist, MissingFilesSayWhichPackageToInstall) {
  TempDir dir;
  ExpectFileError([&] { LoadFashionMnist("train", 0, dir.path().string()); },
                  {dir.File("train-images-idx3-ubyte.gz"), "not found", "dataset-fashion-mnist",
                   "scripts/install-deps.sh"});
}

TEST(IdxFashionMnist, UnknownSplitIsAnError) {
  try {
    LoadFashionMnist("validation", 0, "/nonexistent");
    ADD_FAILURE() << "no Error thrown";
  } catch (const FileError& e) {
    ADD_FAILURE() << "a FileError for a bad argument: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'validation'"), std::string::npos) << e.what();
  }
}

// --- The real dataset (skipped when dataset-fashion-mnist is not installed) ------------------

bool HaveFashionMnist() {
  std::error_code ec;
  return fs::exists(fs::path(kFashionMnistDir) / "t10k-images-idx3-ubyte.gz", ec) &&
         fs::exists(fs::path(kFashionMnistDir) / "t10k-labels-idx1-ubyte.gz", ec);
}

TEST(IdxFashionMnist, RealTestSplitMatchesNumPy) {
  if (!HaveFashionMnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const std::string dir = kFashionMnistDir;
  const IdxImages im = ReadIdxImages(dir + "/t10k-images-idx3-ubyte.gz");
  const Bytes labels = ReadIdxLabels(dir + "/t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(im.count, 10000);
  EXPECT_EQ(im.rows, 28);
  EXPECT_EQ(im.cols, 28);
  ASSERT_EQ(im.pixels.size(), 7840000u);
  ASSERT_EQ(labels.size(), 10000u);

  // Expected values from NumPy over the same files (gzip.open(...).read(), np.frombuffer with
  // offset 16 / 8): first labels 9 2 1 1 6, np.bincount(labels) = [1000] * 10,
  // images.sum() = 573469082, FNV-1a 64 of the pixel bytes 0x1b11fc03671b2f71.
  EXPECT_EQ((Bytes(labels.begin(), labels.begin() + 5)), (Bytes{9, 2, 1, 1, 6}));
  std::array<int, 256> hist{};
  for (uint8_t l : labels) ++hist[l];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(hist[c], 1000) << "class " << c;
  uint64_t sum = 0, fnv = 0xcbf29ce484222325ull;
  for (uint8_t p : im.pixels) {
    sum += p;
    fnv = (fnv ^ p) * 1099511628211ull;
  }
  EXPECT_EQ(sum, 573469082u);
  EXPECT_EQ(fnv, 0x1b11fc03671b2f71ull);
}

TEST(IdxFashionMnist, RealTestSplitLoadsAsTheDemoModelsInput) {
  if (!HaveFashionMnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Dataset d = LoadFashionMnist("test");
  EXPECT_EQ(d.images.dims, (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(d.images.data.size(), 7840000u);
  EXPECT_EQ(d.labels.size(), 10000u);
  EXPECT_EQ(d.labels[0], 9);  // Ankle boot

  // The first 8 images as scripts/train_fashion_mnist.py gave them to the model (NumPy,
  // pixel / 255 in float32): bit for bit the same floats.
  const NpyArray ref = ReadNpy(std::string(EY_TEST_DATA_DIR) + "/fashion_first8_images.npy");
  ASSERT_EQ(ref.dtype, kNpyFloat32);
  ASSERT_EQ(ref.shape, (std::vector<int64_t>{8, 1, 28, 28}));
  const Dataset first8 = LoadFashionMnist("test", 8);
  ASSERT_EQ(first8.images.data.size() * sizeof(float), ref.bytes.size());
  EXPECT_EQ(std::memcmp(first8.images.data.data(), ref.bytes.data(), ref.bytes.size()), 0);
  EXPECT_TRUE(
      std::equal(first8.images.data.begin(), first8.images.data.end(), d.images.data.begin()));
}

}  // namespace
}  // namespace eyelet
