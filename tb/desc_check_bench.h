// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Unit bench for the descriptor checker (rtl/ey_desc_check.sv, generated from
// rtl/desc_checks.def), built with the `small` config's parameters (HwInfo()), the parallel
// checker in the tests and the sequential one (SeqCheck = 1, EY_DC_SEQ) in fuzz_desc_rtl.
// Check() drives a descriptor through the checker's three cycles as the walker does and returns the error code
// and the registered values, so a test can hold them against the driver's CheckDesc and
// ComputeDescValues, which are generated from the same table.
#ifndef EYELET_TB_DESC_CHECK_BENCH_H_
#define EYELET_TB_DESC_CHECK_BENCH_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"

namespace eyelet {

class DescCheckBench {
 public:
  struct Result {
    uint8_t err = 0;
    std::vector<uint64_t> values;  // the value outputs: kDescValueFields with port set, in order
  };

  DescCheckBench();
  ~DescCheckBench();
  DescCheckBench(const DescCheckBench&) = delete;
  DescCheckBench& operator=(const DescCheckBench&) = delete;

  // The hardware parameters the model was built with, as the CSRs would report them.
  static HwInfo Hw();
  Result Check(const Desc& d);
  // The same on kDescWords raw words as the walker fetches them, bits outside every field
  // included (the fuzzer's raw inputs).
  Result CheckWords(const uint64_t* words);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyelet

#endif  // EYELET_TB_DESC_CHECK_BENCH_H_
