// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Layer descriptors (rtl/desc.def) as they lie in DRAM: packing into 64-bit words, unpacking,
// building one from a mapped layer, and the checks the walker (rtl/ey_walker.sv) applies
// before it runs one. CheckDescAddr and CheckDesc are the contract with the RTL: the walker
// raises the same code for the same descriptor, the first failing check winning.
#ifndef EYELET_DESC_CODEC_H_
#define EYELET_DESC_CODEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/error_codes.h"
#include "eyelet/mapping.h"

namespace eyelet {

// The format's values (kDescMagic, kDescVersion, kDescKindConv), the post bits (kPostBias,
// kPostRequant, kPostRelu, kPostLeaky, kPostTableBits), the output-path table entry (kPpEntryBytes,
// kPpBiasShift, ...) and kPoolMaxWindow come from rtl/desc.def through the generated
// eyelet/desc.h.
constexpr uint64_t kDescBytes = kDescWords * 8;

// The kDescWords little-endian words of `d`. Throws Error naming the first field whose value
// does not fit its width.
std::vector<uint64_t> PackDesc(const Desc& d);
// The fields of kDescWords words (bits outside every field are ignored).
Desc UnpackDesc(const uint64_t* words);

// Checks the walker makes before fetching a descriptor at `addr`: DESC_ALIGN when addr is not
// a multiple of 8, DESC_RANGE when addr + kDescBytes > 2^hw.addr_bits; else kNone.
ErrCode CheckDescAddr(uint64_t addr, const HwInfo& hw);

// Checks the walker makes on a fetched descriptor: the rules of rtl/desc_checks.def in order
// (the first that holds wins; the walker's checker is generated from the same table). Returns
// the failing rule's code, or kNone. `d` holds values that fit their fields (as UnpackDesc
// returns them).
ErrCode CheckDesc(const Desc& d, const HwInfo& hw);
// The failing rule as "DESC_GLB: nb * cc * hbmw > GLB_IFMAP_WORDS", or "" when `d` passes.
std::string FailedDescRule(const Desc& d, const HwInfo& hw);

// "DESC_GLB" and so on; "UNKNOWN" for a code errors.def does not list.
const char* ErrCodeName(ErrCode code);
// "DESC_GLB (a chunk overflows a global-buffer area ...)": the name and meaning.
std::string ErrCodeText(ErrCode code);
// What to do about descriptor error `code`, for the driver's message (Device::RunChain), or an
// empty string where the meaning says it (the mapping and GLB codes: map with ChooseMapping).
std::string ErrCodeAdvice(ErrCode code);

// Every field on one line, addresses in hex: "magic=0xe1e7 version=4 kind=1 next=0x0 ...".
std::string DescribeDesc(const Desc& d);

// The CONV descriptor of `layer` (per-group sizes, as MakeLayerCfg) with a completed mapping
// `m` and the tiling `tiling` of ChooseTiling: nb = tiling.nb, mb = m.mb,
// mbc = ceil(tiling.mc / (t*p)), cb = m.cb, cbc = ceil(tiling.cc / (r*q)),
// sb = BandStrips(m, tiling); eo and fo are the layer's output size (before pooling). A pooled
// layer (layer.pooled) gets its pooling window, stride and top/left padding in pool_kh ..
// pool_pl and its pooled size (ConvLayer::PooledOut) in pool_eo, pool_fo; pool_kh stays 0
// otherwise. Throws UnsupportedError naming the first field that does not fit its width.
Desc MakeConvDesc(const ConvLayer& layer, const RsMapping& m, const Tiling& tiling, uint64_t x_addr,
                  uint64_t w_addr, uint64_t y_addr, uint64_t next);

}  // namespace eyelet

#endif  // EYELET_DESC_CODEC_H_
