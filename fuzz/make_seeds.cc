// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Writes the generated seed inputs of fuzz/corpus/ (the others are copies of test fixtures):
//   desc/: the descriptors MakeConvDesc builds for a few layers on each built config (plain,
//          with bias, requantization and ReLU, and pooled; desc_seeds.h), as fuzz_desc reads
//          them: the config's index, then the packed words;
//   desc_rtl/: fuzz_desc_rtl's bases on `small`, raw and structured, and near-misses a
//          field edit or two from them;
//   idx/:  small images and labels files, plain and gzip.
// Usage: fuzz_make_seeds fuzz/corpus (the directories must exist).
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "desc_seeds.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/mapping.h"

namespace {

using namespace eyelet;

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0) {
    throw FileError("cannot write " + path);
  }
}

void WriteGzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb9");
  if (f == nullptr || gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) !=
                          static_cast<int>(bytes.size()) ||
      gzclose(f) != Z_OK) {
    throw FileError("cannot write " + path);
  }
}

std::vector<uint8_t> WordBytes(const std::vector<uint64_t>& words) {
  std::vector<uint8_t> bytes;
  for (uint64_t word : words) {
    for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<uint8_t>(word >> (8 * b)));
  }
  return bytes;
}

void DescSeeds(const std::string& dir) {
  int count = 0;
  for (size_t ci = 0; ci < BuiltConfigs().size(); ++ci) {
    const ArrayConfig& hw = BuiltConfigs()[ci];
    for (const SeedLayer& s : SeedLayers()) {
      try {
        std::vector<uint8_t> bytes = {static_cast<uint8_t>(ci)};
        for (uint8_t b : WordBytes(PackDesc(SeedDesc(s.layer, hw)))) bytes.push_back(b);
        WriteFile(dir + "/" + hw.name + "_" + s.name, bytes);
        ++count;
      } catch (const Error& e) {
        std::fprintf(stderr, "skipped %s %s: %s\n", hw.name.c_str(), s.name.c_str(), e.what());
      }
    }
  }
  std::printf("%d descriptor seeds in %s\n", count, dir.c_str());
}

size_t FieldIndex(const std::string& name) {
  for (size_t i = 0; i < std::size(kDescFields); ++i) {
    if (name == kDescFields[i].name) return i;
  }
  throw Error("no descriptor field " + name);
}

// fuzz_desc_rtl's inputs (its header gives the format): each base of DescBases(small) as raw
// words and as a structured input without edits, then near-misses, one or two edits from a
// legal base, each aimed at a rule or at bits no field uses.
void DescRtlSeeds(const std::string& dir) {
  const std::vector<Desc> bases = DescBases(ConfigByName("small"));
  int count = 0;
  for (size_t i = 0; i < bases.size(); ++i) {
    std::vector<uint8_t> raw = {0};
    for (uint8_t b : WordBytes(PackDesc(bases[i]))) raw.push_back(b);
    WriteFile(dir + "/raw_base" + std::to_string(i), raw);
    WriteFile(dir + "/base" + std::to_string(i), {1, static_cast<uint8_t>(i)});
    count += 2;
  }
  // Edits: field, op (fuzz_desc_rtl.cc's Edit), value bytes.
  const auto field = [](const char* name) { return static_cast<uint8_t>(FieldIndex(name)); };
  struct NearMiss {
    const char* name;
    uint8_t base;
    std::vector<uint8_t> edits;
  };
  const std::vector<NearMiss> misses = {
      {"magic_minus_one", 0, {field("magic"), 3}},
      {"relu_without_requant", 0, {field("post"), 7, 4}},
      {"lk_shift_63", 1, {field("lk_shift"), 7, 63}},
      {"pool_pt_eq_kh", 2, {field("pool_pt"), 11, field("pool_kh")}},
      {"pool_eo_plus_one", 2, {field("pool_eo"), 4}},
      {"nb_over_n", 0, {field("nb"), 4}},
      {"tv_plus_one", 9, {field("tv"), 4}},
      {"ks_times_two", 17, {field("ks"), 5}},
      {"eo_plus_one", 9, {field("eo"), 4}},
      {"e_times_two", 9, {field("e"), 5}},
      {"mbc_max", 6, {field("mbc"), 2}},
      {"x_addr_at_end", 0, {field("x_addr"), 10, 1}},
      {"y_addr_unaligned", 0, {field("y_addr"), 4}},
      {"pp_addr_at_end", 1, {field("pp_addr"), 10, 2}},
      {"nb_sb_one_less", static_cast<uint8_t>(bases.size() - 2), {field("nb"), 8, 218, 0}},
      {"pad_bits_of_word0", 0, {0xc0, 0, 0, 0, 0x10, 0xff, 0xff, 0xff, 0xff}},
      {"pad_bits_of_word5_and_kr_minus_one", 4,
       {0xc0 + 5, 0, 0, 0, 0, 0, 0, 0, 0xc0, field("kr"), 3}},
  };
  for (const NearMiss& m : misses) {
    std::vector<uint8_t> bytes = {1, m.base};
    bytes.insert(bytes.end(), m.edits.begin(), m.edits.end());
    WriteFile(dir + "/" + m.name, bytes);
    ++count;
  }
  std::printf("%d differential descriptor seeds in %s\n", count, dir.c_str());
}

std::vector<uint8_t> Idx(uint32_t magic, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> out;
  const auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
  };
  be32(magic);
  size_t n = 1;
  for (uint32_t d : dims) {
    be32(d);
    n *= d;
  }
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(i * 37 % 256));
  return out;
}

void IdxSeeds(const std::string& dir) {
  WriteFile(dir + "/images_2x3x4", Idx(0x803, {2, 3, 4}));
  WriteGzip(dir + "/images_3x2x2.gz", Idx(0x803, {3, 2, 2}));
  WriteFile(dir + "/labels_5", Idx(0x801, {5}));
  WriteGzip(dir + "/labels_3.gz", Idx(0x801, {3}));
  std::printf("4 IDX seeds in %s\n", dir.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (fuzz/corpus)\n", argv[0]);
    return 2;
  }
  try {
    DescSeeds(std::string(argv[1]) + "/desc");
    DescRtlSeeds(std::string(argv[1]) + "/desc_rtl");
    IdxSeeds(std::string(argv[1]) + "/idx");
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
