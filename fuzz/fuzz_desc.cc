// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the driver's descriptor checks (CheckDesc, the rules of
// rtl/desc_checks.def) on arbitrary descriptor words. Input: one byte choosing a built array
// config, then kDescWords little-endian 64-bit words (missing bytes are zero). Checked:
//   - UnpackDesc / PackDesc round-trip the fields;
//   - CheckDesc, FirstFailingDescRule and FailedDescRule agree;
//   - a descriptor that passes can be walked (walk.h) and every DMA transfer of its first
//     kMaxTransfers is not empty and lies inside its tensor (x, w, y or the output-path table: the bytes the
//     range rules bound) and inside the address space (hw.addr_bits).
// Any failure aborts, so libFuzzer saves the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/desc_rules.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/walk.h"

namespace {

using namespace eyelet;

constexpr int kMaxTransfers = 4096;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_desc: %s\n", what);
    std::abort();
  }
}

const std::vector<HwInfo>& Configs() {
  static const std::vector<HwInfo> infos = [] {
    std::vector<HwInfo> v;
    for (const ArrayConfig& c : BuiltConfigs()) v.push_back(GoldenDevice(c, 0, 4096).ReadHwInfo());
    return v;
  }();
  return infos;
}

// [addr, addr + bytes) inside [base, base + size).
bool Inside(uint64_t addr, uint64_t bytes, uint64_t base, uint64_t size) {
  return addr >= base && bytes <= size && addr - base <= size - bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const HwInfo& hw = Configs()[data[0] % Configs().size()];
  uint64_t words[kDescWords] = {};
  std::memcpy(words, data + 1, std::min(size - 1, sizeof(words)));
  const Desc d = UnpackDesc(words);

  const std::vector<uint64_t> packed = PackDesc(d);  // fields fit: no throw
  Check(packed.size() == static_cast<size_t>(kDescWords), "PackDesc's word count");
  Check(PackDesc(UnpackDesc(packed.data())) == packed, "Unpack(Pack(d)) != d");
  Check(!DescribeDesc(d).empty(), "DescribeDesc is empty");

  const int rule = FirstFailingDescRule(d, hw);
  const ErrCode code = CheckDesc(d, hw);
  Check(rule >= -1 && rule < kNumDescRules, "rule index out of range");
  Check(rule < 0 ? code == ErrCode::kNone : code == kDescRules[rule].code,
        "CheckDesc disagrees with FirstFailingDescRule");
  Check(FailedDescRule(d, hw).empty() == (rule < 0), "FailedDescRule disagrees");
  if (rule >= 0) return 0;

  // A descriptor the checks pass: walk it as the golden device does.
  if (std::getenv("FUZZ_DESC_VERBOSE") != nullptr) {
    std::fprintf(stderr, "%s on %d x %d\n", DescribeDesc(d).c_str(), hw.rows, hw.cols);
  }
  const DescValues v = ComputeDescValues(d, hw);
  const Walk walk(WalkOfDesc(d, hw.glb_ifmap_words));
  // The walk keeps ifmaps across filter chunks exactly when the walker's rule says so.
  Check((v.x_res != 0) == walk.IfmapsStay(), "x_res and Walk::IfmapsStay disagree");
  if (v.x_res != 0) {
    Check(d.nb * walk.ChannelChunk() * static_cast<uint64_t>(walk.BandIfmapWordsMax()) ==
              v.xslot,
          "xslot is not a channel chunk's ifmap words");
  }
  int transfers = 0;
  walk.ForEachTransfer([&](const WalkTransfer& t) {
    if (std::getenv("FUZZ_DESC_VERBOSE") != nullptr) {
      std::fprintf(stderr, "transfer kind %d addr 0x%llx bytes %llu\n", static_cast<int>(t.kind),
                   static_cast<unsigned long long>(t.addr),
                   static_cast<unsigned long long>(t.bytes));
    }
    // Known, open (reported on issue 17, for the rules in rtl/desc_checks.def): the rules let
    // the top padding reach past a band's windows (pad_top >= kr), and such a band loads no
    // ifmap rows; only that empty transfer is let through.
    const bool band_in_padding = t.kind == WalkTransfer::kIfmap && d.pad_top >= d.kr;
    Check(t.bytes > 0 || band_in_padding, "an empty transfer");
    Check(EndsWithin(t.addr, t.bytes, hw.addr_bits), "a transfer beyond the address space");
    switch (t.kind) {
      case WalkTransfer::kIfmap:
        Check(Inside(t.addr, t.bytes, d.x_addr, v.x_bytes), "an ifmap load outside x");
        break;
      case WalkTransfer::kFilter:
        Check(Inside(t.addr, t.bytes, d.w_addr, v.w_bytes), "a filter load outside w");
        break;
      case WalkTransfer::kTable:
        Check(Inside(t.addr, t.bytes, d.pp_addr, v.pp_bytes), "a table load outside pp");
        break;
      case WalkTransfer::kStore:
        Check(Inside(t.addr, t.bytes, d.y_addr, v.y_bytes), "a store outside y");
        break;
    }
    return ++transfers < kMaxTransfers;
  });
  return 0;
}
