// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the quantized-network manifest reader (LoadQuantNet, quant_io.cc). The input
// is manifest.json; it sits in a scratch directory beside a fixed set of valid tensors it may
// name (w2.npy: int16 2 x 1 x 3 x 3 weights; v2.npy, v1.npy: int32 vectors of 2 and 1 values,
// for bias and requantization tables; f2.npy: float32, the wrong dtype). LoadQuantNet documents
// FileError and ShapeError; anything else escaping is a finding. A loaded network must hold
// what its reader checks: at least one step, and tables the length of the step's channels.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "eyelet/error.h"
#include "eyelet/npy.h"
#include "eyelet/quantize.h"

namespace {

using namespace eyelet;

const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr ? tmp : "/tmp") + "/eyelet_fuzz_manifest." +
           std::to_string(getpid());
  }();
  return dir;
}

void RemoveScratch() {
  std::error_code ec;
  std::filesystem::remove_all(ScratchDir(), ec);
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_manifest: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::filesystem::create_directories(ScratchDir());
  std::atexit(RemoveScratch);
  Tensor<int16_t> w(Shape{2, 1, 3, 3});
  for (size_t i = 0; i < w.data().size(); ++i) w.data()[i] = static_cast<int16_t>(i - 9);
  SaveTensor(ScratchDir() + "/w2.npy", w, kNpyInt16);
  Tensor<int32_t> v2(Shape{1, 1, 1, 2});
  v2.data() = {1 << 20, 3};
  SaveTensor(ScratchDir() + "/v2.npy", v2, kNpyInt32, 1);
  Tensor<int32_t> v1(Shape{1, 1, 1, 1});
  v1.data() = {12};
  SaveTensor(ScratchDir() + "/v1.npy", v1, kNpyInt32, 1);
  Tensor<float> f2(Shape{1, 1, 1, 2});
  SaveTensor(ScratchDir() + "/f2.npy", f2, kNpyFloat32, 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string manifest = ScratchDir() + "/manifest.json";
  std::FILE* f = std::fopen(manifest.c_str(), "wb");
  if (f == nullptr || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror("fuzz_manifest: cannot write the manifest");
    std::exit(1);
  }
  try {
    const QuantNet net = LoadQuantNet(ScratchDir());
    Check(!net.steps.empty(), "a network with no steps");
    Check(net.bits == 8 || net.bits == 16, "bits not 8 or 16");
    for (const QuantStep& s : net.steps) {
      const size_t channels = s.kind == FloatStep::kPool ? 1 : static_cast<size_t>(s.w.shape().n);
      Check(s.kind == FloatStep::kPool || s.acc_scale.size() == channels, "acc_scale's length");
      Check(s.path.bias.empty() || s.path.bias.size() == channels, "bias's length");
      Check(s.path.requant.mult.size() == s.path.requant.shift.size(), "mult and shift differ");
    }
  } catch (const FileError&) {
  } catch (const ShapeError&) {
  }
  return 0;
}
