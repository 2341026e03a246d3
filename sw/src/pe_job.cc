// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/pe_job.h"

#include <sstream>

#include "eyelet/golden.h"
#include "eyelet/tensor.h"

namespace eyelet {

std::vector<int32_t> PeReference(const PeJob& job, int data_bits, int acc_bits) {
  const int width = (job.f - 1) * job.u + job.s;
  const size_t x_words = static_cast<size_t>(job.rows) * job.q * width;
  const size_t w_words = static_cast<size_t>(job.p) * job.q * job.s;
  std::vector<int32_t> ref;
  for (int ps = 0; ps < job.passes; ++ps) {
    Tensor<int16_t> x(Shape{job.rows, job.q, 1, width});
    x.data().assign(job.ifmap.begin() + ps * x_words, job.ifmap.begin() + (ps + 1) * x_words);
    Tensor<int16_t> w(Shape{job.p, job.q, 1, job.s});
    w.data().assign(job.weight.begin() + ps * w_words, job.weight.begin() + (ps + 1) * w_words);
    ConvParams cp;
    cp.stride_w = job.u;
    const Tensor<int32_t> y = ConvAcc(x, w, cp, data_bits, acc_bits);  // rows x p x 1 x f
    ref.insert(ref.end(), y.data().begin(), y.data().end());
  }
  if (job.accumulate_in) {
    for (size_t i = 0; i < ref.size(); ++i) {
      ref[i] = WrapAcc(static_cast<int64_t>(ref[i]) + job.psum_in[i], acc_bits);
    }
  }
  return ref;
}

std::string CheckPeResult(const PeJob& j, const PeResult& res, const std::vector<int32_t>& ref) {
  std::ostringstream os;
  if (res.psum.size() != ref.size()) {
    os << "returned " << res.psum.size() << " psums, expected " << ref.size();
    return os.str();
  }
  size_t first = ref.size();
  size_t bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (res.psum[i] != ref[i]) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad > 0) {
    const size_t pf = static_cast<size_t>(j.p) * j.f;
    os << "psum[" << first << "] (row " << first / pf << ", filter " << (first / j.f) % j.p
       << ", x " << first % j.f << "): expected " << ref[first] << ", got " << res.psum[first]
       << " (" << bad << " of " << ref.size() << " psums differ)";
    return os.str();
  }
  const uint64_t ops = static_cast<uint64_t>(j.rows) * j.f * j.p * j.q * j.s;
  if (res.macs + res.skipped != ops) {
    os << "MAC counters: " << res.macs << " done + " << res.skipped << " skipped != " << ops
       << " MACs in the job";
  }
  return os.str();
}

std::string DescribePeJob(int index, const PeJob& j) {
  std::ostringstream os;
  os << "job " << index << " (s=" << j.s << " p=" << j.p << " q=" << j.q << " u=" << j.u
     << " f=" << j.f << " rows=" << j.rows << " acc_in=" << j.accumulate_in << ")";
  return os.str();
}

}  // namespace eyelet
