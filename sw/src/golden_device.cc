// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/golden_device.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/hex.h"
#include "eyelet/walk.h"

namespace eyelet {

using internal::Hex;

namespace {

constexpr int kAxiDataBytes = 8;

void CheckFits(int v, int lo, int hi, const char* what, const std::string& config) {
  if (v < lo || v > hi) {
    throw UnsupportedError("golden device for '" + config + "': " + what + " = " +
                           std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
  }
}

}  // namespace

GoldenDevice::GoldenDevice(const ArrayConfig& hw, uint64_t mem_base, uint64_t mem_size,
                           int addr_bits)
    : hw_(hw), mem_base_(mem_base) {
  CheckFits(hw.rows, 1, 0xffff, "rows (HW_ARRAY)", hw.name);
  CheckFits(hw.cols, 1, 0xffff, "cols (HW_ARRAY)", hw.name);
  CheckFits(hw.ifmap_depth, 1, 0xff, "ifmap_depth (HW_SPAD)", hw.name);
  CheckFits(hw.psum_depth, 1, 0xff, "psum_depth (HW_SPAD)", hw.name);
  CheckFits(hw.filter_depth, 1, 0xffff, "filter_depth (HW_SPAD)", hw.name);
  CheckFits(hw.data_bits, 16, 16, "data_bits (DRAM tensors are int16)", hw.name);
  CheckFits(hw.acc_bits, 16, 32, "acc_bits", hw.name);
  CheckFits(hw.glb_ifmap_words, 1, 0x7fffffff, "glb_ifmap_words", hw.name);
  CheckFits(hw.glb_filter_words, 1, 0x7fffffff, "glb_filter_words", hw.name);
  CheckFits(hw.glb_psum_words, 1, 0x7fffffff, "glb_psum_words", hw.name);
  CheckFits(hw.pp_words, 2, 0x7fffffff, "pp_words", hw.name);
  CheckFits(hw.pool_words, 1, 0x7fffffff, "pool_words", hw.name);
  CheckFits(addr_bits, 1, 64, "addr_bits", hw.name);
  const bool below = addr_bits == 64 ? mem_size == 0 || mem_size - 1 <= ~mem_base
                                     : mem_base >> addr_bits == 0 &&
                                           mem_size <= (uint64_t{1} << addr_bits) - mem_base;
  if (!below) {
    throw UnsupportedError("golden device: DRAM window " + Hex(mem_base) + " + " + Hex(mem_size) +
                           " does not lie below 2^" + std::to_string(addr_bits));
  }
  mem_.assign(mem_size, 0);
  info_.id = kCsrIdValue;
  info_.version = kCsrVersionValue;
  info_.rows = hw.rows;
  info_.cols = hw.cols;
  info_.ifmap_depth = hw.ifmap_depth;
  info_.filter_depth = hw.filter_depth;
  info_.psum_depth = hw.psum_depth;
  info_.data_bits = hw.data_bits;
  info_.acc_bits = hw.acc_bits;
  info_.axi_bytes = kAxiDataBytes;
  info_.filter_gin_words = hw.filter_gin_words;
  info_.addr_bits = addr_bits;
  info_.glb_ifmap_words = hw.glb_ifmap_words;
  info_.glb_filter_words = hw.glb_filter_words;
  info_.glb_psum_words = hw.glb_psum_words;
  info_.pp_words = hw.pp_words;
  info_.pool_words = hw.pool_words;
}

uint32_t GoldenDevice::ReadCsr(uint32_t offset) {
  const auto u = [](int v) { return static_cast<uint32_t>(v); };
  switch (offset) {
    case kCsrId:
      return info_.id;
    case kCsrVersion:
      return info_.version;
    case kCsrHwArray:
      return u(info_.rows) << kHwArrayRowsShift | u(info_.cols) << kHwArrayColsShift;
    case kCsrHwSpad:
      return u(info_.ifmap_depth) << kHwSpadIfmapShift | u(info_.psum_depth) << kHwSpadPsumShift |
             u(info_.filter_depth) << kHwSpadFilterShift;
    case kCsrHwWidths:
      return u(info_.data_bits) << kHwWidthsDataWShift | u(info_.acc_bits) << kHwWidthsAccWShift |
             u(info_.axi_bytes) << kHwWidthsAxiBytesShift |
             u(info_.filter_gin_words) << kHwWidthsFiltGinShift;
    case kCsrHwGlbIfmap:
      return u(info_.glb_ifmap_words);
    case kCsrHwGlbFilter:
      return u(info_.glb_filter_words);
    case kCsrHwGlbPsum:
      return u(info_.glb_psum_words);
    case kCsrHwPp:
      return u(info_.pp_words);
    case kCsrHwPool:
      return u(info_.pool_words);
    case kCsrCtrl:
      return irq_en_ ? kCtrlIrqEnable : 0;
    case kCsrStatus:
      return (busy_ ? kStatusBusy : 0) | (done_ ? kStatusDone : 0) |
             uint32_t{err_code_} << kStatusCodeShift | uint32_t{err_desc_} << kStatusDescShift;
    case kCsrIrq:
      return irq_;
    case kCsrHwAddr:
      return u(info_.addr_bits);
    case kCsrDescBaseLo:
      return static_cast<uint32_t>(desc_base_);
    case kCsrDescBaseHi:
      return static_cast<uint32_t>(desc_base_ >> 32);
    default:
      break;
  }
  for (const CounterReg& c : kCounterRegs) {
    if (c.offset == offset) return static_cast<uint32_t>(cnt_.*(c.member));
  }
  throw DeviceError(
      Name() + ": SLVERR at offset " + Hex(offset) + " (read of an offset outside the CSR map)",
      ErrCode::kNone, -1);
}

void GoldenDevice::WriteCsr(uint32_t offset, uint32_t value) {
  switch (offset) {
    case kCsrCtrl:
      irq_en_ = (value & kCtrlIrqEnable) != 0;
      if (value & kCtrlSoftReset) {
        busy_ = done_ = false;
        irq_ = 0;
        err_code_ = 0;
        err_desc_ = 0;
      } else if ((value & kCtrlStart) && !busy_) {
        RunChainNow();
      }
      return;
    case kCsrIrq:
      irq_ &= ~(value & (kIrqDone | kIrqError));
      return;
    case kCsrDescBaseLo:
      desc_base_ = (desc_base_ & ~0xffffffffull) | value;
      return;
    case kCsrDescBaseHi:
      desc_base_ = (desc_base_ & 0xffffffffull) | uint64_t{value} << 32;
      return;
    default:
      break;
  }
  const bool mapped = std::any_of(std::begin(kCsrs), std::end(kCsrs),
                                  [offset](const CsrInfo& c) { return c.offset == offset; });
  throw DeviceError(Name() + ": SLVERR at offset " + Hex(offset) + " (write of " + Hex(value) +
                        (mapped ? " to a read-only register)" : " outside the CSR map)"),
                    ErrCode::kNone, -1);
}

bool GoldenDevice::InWindow(uint64_t addr, uint64_t bytes) const {
  return addr >= mem_base_ && bytes <= mem_.size() && addr - mem_base_ <= mem_.size() - bytes;
}

void GoldenDevice::WriteMem(uint64_t addr, const void* data, size_t bytes) {
  if (!InWindow(addr, bytes)) {
    throw Error(Name() + ": host write of " + std::to_string(bytes) + " bytes at " + Hex(addr) +
                " leaves the DRAM window " + Hex(mem_base_) + " + " + Hex(mem_.size()));
  }
  if (bytes != 0) std::memcpy(mem_.data() + (addr - mem_base_), data, bytes);
}

void GoldenDevice::ReadMem(uint64_t addr, void* data, size_t bytes) {
  if (!InWindow(addr, bytes)) {
    throw Error(Name() + ": host read of " + std::to_string(bytes) + " bytes at " + Hex(addr) +
                " leaves the DRAM window " + Hex(mem_base_) + " + " + Hex(mem_.size()));
  }
  if (bytes != 0) std::memcpy(data, mem_.data() + (addr - mem_base_), bytes);
}

bool GoldenDevice::WaitIrq(uint64_t /*timeout_cycles*/) { return irq_en_ && irq_ != 0; }

void GoldenDevice::RunChainNow() {
  cnt_ = DeviceCounters{};
  done_ = false;
  err_code_ = 0;
  err_desc_ = 0;
  busy_ = true;
  uint64_t addr = desc_base_;
  for (int i = 0; i < kMaxChain; ++i) {
    Desc d;
    const ErrCode code = RunDesc(addr, d);
    if (code != ErrCode::kNone) {
      busy_ = false;
      err_code_ = static_cast<uint8_t>(code);
      err_desc_ = static_cast<uint16_t>(i);
      irq_ |= kIrqError;
      return;
    }
    ++cnt_.descs;
    if (d.next == 0) {
      busy_ = false;
      done_ = true;
      irq_ |= kIrqDone;
      return;
    }
    addr = d.next;
  }
  // An endless chain: busy until a soft reset.
}

ErrCode GoldenDevice::RunDesc(uint64_t addr, Desc& d) {
  ErrCode code = CheckDescAddr(addr, info_);
  if (code != ErrCode::kNone) return code;
  if (!InWindow(addr, kDescBytes)) return ErrCode::kAxiRdDecerr;
  const std::vector<uint64_t> words = Read<uint64_t>(addr, kDescWords);
  cnt_.dram_rd_bytes += kDescBytes;
  d = UnpackDesc(words.data());
  code = CheckDesc(d, info_);
  if (code != ErrCode::kNone) return code;
  code = Transfers(d);
  if (code != ErrCode::kNone) return code;
  Compute(d);
  return ErrCode::kNone;
}

ErrCode GoldenDevice::Transfers(const Desc& d) {
  ErrCode code = ErrCode::kNone;
  Walk(WalkOfDesc(d, info_.glb_ifmap_words)).ForEachTransfer([&](const WalkTransfer& t) {
    if (!InWindow(t.addr, t.bytes)) {
      code = t.IsWrite() ? ErrCode::kAxiWrDecerr : ErrCode::kAxiRdDecerr;
      return false;
    }
    (t.IsWrite() ? cnt_.dram_wr_bytes : cnt_.dram_rd_bytes) += t.bytes;
    if (t.kind == WalkTransfer::kFilter) cnt_.dram_flt_bytes += t.bytes;
    return true;
  });
  return code;
}

void GoldenDevice::OutputPath(const Desc& d, const std::vector<int32_t>& y) {
  const int n = static_cast<int>(d.n), channels = static_cast<int>(d.groups * d.mg);
  const int eo = static_cast<int>(d.eo), fo = static_cast<int>(d.fo);
  // Table entry m: bias, mult, shift (its low 6 bits, as the RTL reads it), unused.
  const std::vector<int32_t> table =
      Read<int32_t>(d.pp_addr, static_cast<size_t>(channels) * kPpEntryBytes / 4);
  Tensor<int32_t> acc(Shape{n, channels, eo, fo});
  acc.data() = y;
  if ((d.post & kPostBias) != 0) {
    std::vector<int32_t> bias(static_cast<size_t>(channels));
    for (size_t m = 0; m < bias.size(); ++m) bias[m] = table[4 * m];
    AddBias(acc, bias, hw_.acc_bits);
  }
  if ((d.post & kPostRequant) == 0) {
    Write(d.y_addr, acc.data());
    return;
  }
  Tensor<int16_t> out(acc.shape());
  const size_t plane = static_cast<size_t>(eo) * fo;
  for (size_t i = 0; i < out.data().size(); ++i) {
    const size_t m = (i / plane) % static_cast<size_t>(channels);
    out.data()[i] = static_cast<int16_t>(RequantizeWrapping(
        acc.data()[i], table[4 * m + 1], table[4 * m + 2] & 0x3f, hw_.data_bits));
  }
  if ((d.post & kPostRelu) != 0) out = Relu(out);
  if ((d.post & kPostLeaky) != 0) {
    out = LeakyRelu(out, static_cast<int16_t>(d.lk_mult), static_cast<int>(d.lk_shift),
                    hw_.data_bits);
  }
  if (d.pool_kh == 0) {
    Write(d.y_addr, out.data());
    return;
  }
  // Max pooling into pool_eo x pool_fo: the bottom and right padding that gives at least that
  // many windows (CheckDesc keeps it below the window), and only the first pool_eo x pool_fo
  // outputs are the layer's.
  const int peo = static_cast<int>(d.pool_eo), pfo = static_cast<int>(d.pool_fo);
  PoolParams pp;
  pp.kernel_h = static_cast<int>(d.pool_kh);
  pp.kernel_w = static_cast<int>(d.pool_kw);
  pp.stride_h = static_cast<int>(d.pool_sh);
  pp.stride_w = static_cast<int>(d.pool_sw);
  pp.pad_top = static_cast<int>(d.pool_pt);
  pp.pad_left = static_cast<int>(d.pool_pl);
  pp.pad_bottom = std::max(0, (peo - 1) * pp.stride_h + pp.kernel_h - eo - pp.pad_top);
  pp.pad_right = std::max(0, (pfo - 1) * pp.stride_w + pp.kernel_w - fo - pp.pad_left);
  const Tensor<int16_t> pooled = MaxPool(out, pp);
  std::vector<int16_t> words;
  words.reserve(static_cast<size_t>(n) * channels * peo * pfo);
  for (int i = 0; i < n; ++i) {
    for (int m = 0; m < channels; ++m) {
      for (int r = 0; r < peo; ++r) {
        const int16_t* row = &pooled.at(i, m, r, 0);
        words.insert(words.end(), row, row + pfo);
      }
    }
  }
  Write(d.y_addr, words);
}

void GoldenDevice::Compute(const Desc& d) {
  const int n = static_cast<int>(d.n), groups = static_cast<int>(d.groups);
  const int cg = static_cast<int>(d.cg), mg = static_cast<int>(d.mg);
  const int h = static_cast<int>(d.h), w = static_cast<int>(d.w);
  const int kr = static_cast<int>(d.kr), ks = static_cast<int>(d.ks);
  const int eo = static_cast<int>(d.eo), fo = static_cast<int>(d.fo);
  const int uh = static_cast<int>(d.uh), uw = static_cast<int>(d.uw);
  const int pt = static_cast<int>(d.pad_top), pl = static_cast<int>(d.pad_left);

  Tensor<int16_t> x(Shape{n, groups * cg, h, w});
  const Walk walk(WalkOfDesc(d, info_.glb_ifmap_words));
  if (walk.Bands() == 1) {
    x.data() = Read<int16_t>(d.x_addr, static_cast<size_t>(x.size()));
  } else {
    // Several bands load only the rows their windows reach: the others may lie outside the
    // DRAM window, and no output reads them (they stay zero here).
    std::vector<bool> loaded(static_cast<size_t>(h), false);
    for (int64_t b = 0; b < walk.Bands(); ++b) {
      const RowBand band = walk.Band(b);
      std::fill_n(loaded.begin() + band.lo, band.in_rows, true);
    }
    for (int i = 0; i < n; ++i) {
      for (int c = 0; c < groups * cg; ++c) {
        for (int row = 0; row < h; ++row) {
          if (!loaded[static_cast<size_t>(row)]) continue;
          const uint64_t first = ((static_cast<uint64_t>(i) * groups * cg + c) * h + row) * w;
          const std::vector<int16_t> words =
              Read<int16_t>(d.x_addr + first * 2, static_cast<size_t>(w));
          std::copy(words.begin(), words.end(), &x.at(i, c, row, 0));
        }
      }
    }
  }
  Tensor<int16_t> wt(Shape{groups * mg, cg, kr, ks});
  wt.data() = Read<int16_t>(d.w_addr, static_cast<size_t>(wt.size()));
  // Bottom and right zero padding so that at least eo x fo outputs exist; a larger ifmap
  // gives more, and only the first eo x fo are the layer's.
  ConvParams cp;
  cp.stride_h = uh;
  cp.stride_w = uw;
  cp.pad_top = pt;
  cp.pad_left = pl;
  cp.pad_bottom = std::max(0, (eo - 1) * uh + kr - h - pt);
  cp.pad_right = std::max(0, (fo - 1) * uw + ks - w - pl);
  cp.groups = groups;
  const Tensor<int32_t> full = ConvAcc(x, wt, cp, hw_.data_bits, hw_.acc_bits);
  std::vector<int32_t> y;
  y.reserve(static_cast<size_t>(n) * groups * mg * eo * fo);
  for (int i = 0; i < n; ++i) {
    for (int m = 0; m < groups * mg; ++m) {
      for (int e = 0; e < eo; ++e) {
        const int32_t* row = &full.at(i, m, e, 0);
        y.insert(y.end(), row, row + fo);
      }
    }
  }
  if ((d.post & kPostTableBits) == 0) {
    Write(d.y_addr, y);
  } else {
    OutputPath(d, y);
  }

  // MACs by ifmap operand: each ifmap tap of an output position serves the mg filters of its
  // group.
  uint64_t zero_taps = 0;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < groups * cg; ++c) {
      for (int e = 0; e < eo; ++e) {
        for (int r = 0; r < kr; ++r) {
          const int row = e * uh - pt + r;
          if (row < 0 || row >= h) {
            zero_taps += static_cast<uint64_t>(fo) * ks;
            continue;
          }
          for (int f = 0; f < fo; ++f) {
            for (int s = 0; s < ks; ++s) {
              const int col = f * uw - pl + s;
              zero_taps += col < 0 || col >= w || x.at(i, c, row, col) == 0;
            }
          }
        }
      }
    }
  }
  const uint64_t all = d.n * d.groups * d.mg * d.eo * d.fo * d.cg * d.kr * d.ks;
  cnt_.skipped += zero_taps * d.mg;
  cnt_.macs += all - zero_taps * d.mg;
}

}  // namespace eyelet
