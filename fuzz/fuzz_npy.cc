// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the .npy reader (ParseNpy) and the conversions a caller applies next.
// A malformed file may only raise the documented errors (FileError from the parse; ShapeError or
// FileError from the conversions); an accepted one must survive a write and read back equal.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/npy.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();  // an invariant broken: libFuzzer reports the input
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eyelet;
  const std::vector<uint8_t> image(data, data + size);
  NpyArray a;
  try {
    a = ParseNpy(image, "fuzz.npy");
  } catch (const FileError&) {
    return 0;
  }
  // Accepted: the data is exactly the shape's bytes, and the writer reproduces the array.
  Check(static_cast<uint64_t>(a.ElementCount()) * NpyItemSize(a.dtype) == a.bytes.size());
  const NpyArray back = ParseNpy(EncodeNpy(a), "fuzz.npy (written back)");
  Check(back.dtype == a.dtype && back.shape == a.shape && back.bytes == a.bytes);
  try {
    NpyShapeToNchw(a.shape, "fuzz.npy");
  } catch (const ShapeError&) {
  }
  try {
    NpyToTensorI16(a, "fuzz.npy");
  } catch (const FileError&) {
  } catch (const ShapeError&) {
  }
  try {
    NpyToTensorI32(a, "fuzz.npy");
  } catch (const FileError&) {
  } catch (const ShapeError&) {
  }
  try {
    NpyToTensorF32(a, "fuzz.npy");
  } catch (const FileError&) {
  } catch (const ShapeError&) {
  }
  return 0;
}
