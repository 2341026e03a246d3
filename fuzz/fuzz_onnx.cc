// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the ONNX importer (ImportOnnxBytes) on arbitrary bytes. onnx_import.h
// documents FileError (not a valid model), ImportError (an unsupported operator or graph form)
// and ShapeError (inconsistent or huge shapes); anything else escaping is a finding. An
// imported network that is small enough (every value at most kMaxElements) then runs on the
// float reference (RunFloat), which may raise ShapeError only.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/onnx_import.h"

namespace {

constexpr int64_t kMaxElements = 1 << 16;

int64_t Elements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d != 0 && n > kMaxElements / d)) return kMaxElements + 1;
    n *= d;
  }
  return n;
}

// Runs `net` on a batch of one zero image when every op's output stays small.
void RunIfSmall(const eyelet::Network& net) {
  using namespace eyelet;
  std::vector<int64_t> dims = net.input_dims;
  if (Elements(dims) > kMaxElements) return;
  for (const NetOp& op : net.ops) {
    dims = OpOutDims(op, dims);
    if (Elements(dims) > kMaxElements) return;
  }
  FTensor x;
  x.dims = net.input_dims;
  x.data.assign(static_cast<size_t>(Elements(x.dims)), 0.0f);
  RunFloat(net, x);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eyelet;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const Network net = ImportOnnxBytes(bytes, "fuzz.onnx");
    if (net.input_dims.empty()) std::abort();
    try {
      RunIfSmall(net);
    } catch (const ShapeError&) {
    }
  } catch (const FileError&) {
  } catch (const ImportError&) {
  } catch (const ShapeError&) {
  }
  return 0;
}
