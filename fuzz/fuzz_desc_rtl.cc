// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target, differential: descriptor words through the walker's checker
// (rtl/ey_desc_check.sv, Verilated with the `small` config's parameters, tb/desc_check_bench.h)
// and through the driver's CheckDesc and ComputeDescValues (sw/include/eyelet/desc_rules.h).
// Both are generated from rtl/desc_checks.def; any disagreement is a bug in the generator, in
// a width the checker registers a value at, or in the C++ arithmetic. Checked on every input:
//   - the same error code (the first failing rule's);
//   - for a descriptor that passes, the same value on every output of the checker (the
//     kDescValueFields with `port`, which the walker's loops read), cut to the port's width.
// A failing descriptor's values are not compared: the walker runs nothing with them, and a
// zero field can wrap a value differently at 64 bits and at the register's width.
//
// Not checked here: which rule failed, and the failing descriptor's index in a chain. The
// checker reports only a code (several rules share one), and it sees one descriptor: the
// chain index (STATUS, DeviceError::desc_index) is counted by the load sequencer
// (rtl/ey_load_seq.sv, idx_q) around it. tests/driver_rtl_test.cc (DriverErrors.*) checks the
// index on the whole accelerator.
//
// Input, byte 0 the mode:
//   (byte 0 & 3) == 0, raw: kDescWords little-endian 64-bit words follow (missing bytes zero),
//     fed to the checker as they are (bits outside every field too) and to CheckDesc through
//     UnpackDesc;
//   otherwise, structured: byte 1 picks a base (DescBases in desc_seeds.h: legal descriptors
//     of the seed layers on `small`, then two near-misses), then up to kMaxEdits edits
//     until the bytes run out, each one byte A and then:
//       A < 0xc0: field kDescFields[A % 49] gets a new value by op byte B % 12:
//         0 zero, 1 one, 2 the field's maximum, 3 value - 1, 4 value + 1, 5 value * 2,
//         6 value / 2, 7 / 8 / 9 the next 1 / 2 / 8 bytes, 10 2^addr_bits - 8 * (next byte) (an
//         address near the end of the checker's 32-bit space), 11 the value of field (next byte);
//       A >= 0xc0: word (A - 0xc0) % kDescWords is XORed with the next 8 bytes (bits outside
//         every field too).
//     Values are cut to the field's width; a missing byte reads as zero.
// Seeds: fuzz/corpus/desc_rtl/ (fuzz/make_seeds.cc). FUZZ_DESC_RTL_STATS=1 prints how often
// each rule failed, and how many inputs passed, at exit (run over a corpus with -runs=0);
// FUZZ_DESC_RTL_VERBOSE=1 prints both sides' verdict on each input.
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "desc_check_bench.h"
#include "desc_seeds.h"
#include "eyelet/desc_codec.h"
#include "eyelet/desc_rules.h"
#include "eyelet/mapping.h"

namespace {

using namespace eyelet;

constexpr int kMaxEdits = 16;
constexpr size_t kNumFields = std::size(kDescFields);

uint64_t FieldMax(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

uint64_t GetField(const uint64_t* words, const DescField& f) {
  return words[f.word] >> f.lsb & FieldMax(f.bits);
}

void SetField(uint64_t* words, const DescField& f, uint64_t v) {
  const uint64_t mask = FieldMax(f.bits) << f.lsb;
  words[f.word] = (words[f.word] & ~mask) | (v << f.lsb & mask);
}

// The input's bytes in order; zero once they run out.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool Empty() const { return pos_ >= size_; }
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t NextLe(int bytes) {
    uint64_t v = 0;
    for (int b = 0; b < bytes; ++b) v |= uint64_t{Next()} << (8 * b);
    return v;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct State {
  DescCheckBench bench;
  HwInfo hw = DescCheckBench::Hw();
  std::vector<std::array<uint64_t, kDescWords>> bases;
  std::array<uint64_t, kNumDescRules> fired{};
  uint64_t passed = 0;
  bool verbose = std::getenv("FUZZ_DESC_RTL_VERBOSE") != nullptr;
};

void PrintStats();

// One bench for the process (libFuzzer calls the target once per input), never destroyed: the
// statistics printed at exit read it.
State& Get() {
  static State* const state = [] {
    auto* s = new State;
    // The bases are mapped for `small` by the mapper; the bench is built with EY_DC_PARAMS.
    // Both must be the same hardware, or the bases would not be what they claim.
    const ArrayConfig& small = ConfigByName("small");
    const HwInfo& hw = s->hw;
    if (small.rows != hw.rows || small.cols != hw.cols || small.ifmap_depth != hw.ifmap_depth ||
        small.filter_depth != hw.filter_depth || small.psum_depth != hw.psum_depth ||
        small.glb_ifmap_words != hw.glb_ifmap_words ||
        small.glb_filter_words != hw.glb_filter_words ||
        small.glb_psum_words != hw.glb_psum_words || small.pp_words != hw.pp_words ||
        small.pool_words != hw.pool_words) {
      std::fprintf(stderr, "fuzz_desc_rtl: the checker's build is not the `small` config\n");
      std::abort();
    }
    for (const Desc& d : DescBases(small)) {
      std::array<uint64_t, kDescWords> w{};
      const std::vector<uint64_t> packed = PackDesc(d);
      std::memcpy(w.data(), packed.data(), sizeof(w));
      s->bases.push_back(w);
    }
    if (std::getenv("FUZZ_DESC_RTL_STATS") != nullptr) std::atexit(PrintStats);
    return s;
  }();
  return *state;
}

void PrintStats() {
  const State& s = Get();
  int reached = 0;
  for (int r = 0; r < kNumDescRules; ++r) {
    const uint64_t n = s.fired[static_cast<size_t>(r)];
    reached += n > 0;
    std::fprintf(stderr, "%10" PRIu64 "  %s: %s\n", n, ErrCodeName(kDescRules[r].code),
                 kDescRules[r].text);
  }
  std::fprintf(stderr, "%10" PRIu64 "  passed\nrules reached: %d of %d\n", s.passed, reached,
               kNumDescRules);
}

void Edit(uint64_t* words, Bytes& in, int addr_bits) {
  const uint8_t a = in.Next();
  if (a >= 0xc0) {
    words[(a - 0xc0) % kDescWords] ^= in.NextLe(8);
    return;
  }
  const DescField& f = kDescFields[a % kNumFields];
  const uint64_t now = GetField(words, f);
  uint64_t v = 0;
  switch (in.Next() % 12) {
    case 0: v = 0; break;
    case 1: v = 1; break;
    case 2: v = FieldMax(f.bits); break;
    case 3: v = now - 1; break;
    case 4: v = now + 1; break;
    case 5: v = now * 2; break;
    case 6: v = now / 2; break;
    case 7: v = in.NextLe(1); break;
    case 8: v = in.NextLe(2); break;
    case 9: v = in.NextLe(8); break;
    case 10: v = (uint64_t{1} << addr_bits) - 8 * uint64_t{in.Next()}; break;
    default: v = GetField(words, kDescFields[in.Next() % kNumFields]); break;
  }
  SetField(words, f, v);
}

[[noreturn]] void Disagree(const std::string& what, const uint64_t* words, const Desc& d,
                           const HwInfo& hw) {
  std::fprintf(stderr, "fuzz_desc_rtl: the RTL checker and CheckDesc disagree: %s\n",
               what.c_str());
  const std::string rule = FailedDescRule(d, hw);
  std::fprintf(stderr, "  CheckDesc's failing rule: %s\n  words:",
               rule.empty() ? "none (passes)" : rule.c_str());
  for (int k = 0; k < kDescWords; ++k) std::fprintf(stderr, " 0x%016" PRIx64, words[k]);
  std::fprintf(stderr, "\n  %s\n", DescribeDesc(d).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State& s = Get();
  Bytes in(data, size);
  uint64_t words[kDescWords] = {};
  const uint8_t mode = in.Next();
  if ((mode & 3) == 0) {
    for (uint64_t& w : words) w = in.NextLe(8);
  } else {
    const auto& base = s.bases[in.Next() % s.bases.size()];
    std::memcpy(words, base.data(), sizeof(words));
    for (int k = 0; k < kMaxEdits && !in.Empty(); ++k) Edit(words, in, s.hw.addr_bits);
  }

  const Desc d = UnpackDesc(words);
  const int rule = FirstFailingDescRule(d, s.hw);
  const ErrCode want = CheckDesc(d, s.hw);
  const DescCheckBench::Result got = s.bench.CheckWords(words);
  if (s.verbose) {
    std::fprintf(stderr, "RTL %s, CheckDesc %s\n", ErrCodeName(static_cast<ErrCode>(got.err)),
                 rule < 0 ? "passes" : FailedDescRule(d, s.hw).c_str());
  }
  if (got.err != static_cast<uint8_t>(want)) {
    Disagree(std::string("RTL code ") + std::to_string(got.err) + " (" +
                 ErrCodeName(static_cast<ErrCode>(got.err)) + "), CheckDesc code " +
                 std::to_string(static_cast<int>(want)) + " (" + ErrCodeName(want) + ")",
             words, d, s.hw);
  }
  if (rule >= 0) {
    ++s.fired[static_cast<size_t>(rule)];
    return 0;
  }
  ++s.passed;
  const DescValues values = ComputeDescValues(d, s.hw);
  size_t port = 0;
  for (const DescValueField& f : kDescValueFields) {
    if (!f.port) continue;
    const uint64_t want_v = values.*(f.member) & FieldMax(f.bits);
    if (port >= got.values.size() || got.values[port] != want_v) {
      Disagree(std::string("value ") + f.name + ": RTL " +
                   (port < got.values.size() ? std::to_string(got.values[port]) : "missing") +
                   ", ComputeDescValues " + std::to_string(want_v),
               words, d, s.hw);
    }
    ++port;
  }
  if (port != got.values.size()) {
    Disagree("the checker has " + std::to_string(got.values.size()) + " value outputs, " +
                 "kDescValueFields " + std::to_string(port),
             words, d, s.hw);
  }
  return 0;
}
