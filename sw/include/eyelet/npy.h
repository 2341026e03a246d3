// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// NumPy .npy tensor files, so feature maps, weights and outputs move between Eyelet and
// Python with plain np.save / np.load.
//
// Supported: format versions 1.0 and 2.0 (read and write) and 3.0 (read); C order only;
// little-endian dtypes int8 ('|i1'), int16 ('<i2'), int32 ('<i4') and float32 ('<f4').
//
// Reading is strict: anything np.save would not have written for such an array is a
// FileError that names the file, the problem and what to do (missing magic, unknown version,
// a header running past the end of the file, a header that is not a dict with exactly the
// keys 'descr', 'fortran_order' and 'shape', fortran_order True, big-endian or unsupported
// dtypes, negative or non-integer shape entries, data shorter than the shape needs).
// Bytes after the array data are an error too: np.save never writes them, so they mean a
// corrupt file or several arrays appended to one file.
//
// Writing goes to `path + ".tmp"` first and is renamed onto `path` only when complete, so a
// failed write never leaves a partial file at `path`. Version 1.0 is written unless the
// header needs more than 65535 bytes (then 2.0). The header is padded with spaces and ends
// with '\n' so that the data starts at a multiple of 64 bytes, as NumPy does.
#ifndef EYELET_NPY_H_
#define EYELET_NPY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/network.h"
#include "eyelet/tensor.h"

namespace eyelet {

// Canonical dtype strings (NumPy's 'descr'). Functions taking a dtype also accept the NumPy
// names "int8", "int16", "int32" and "float32".
inline constexpr const char* kNpyInt8 = "|i1";
inline constexpr const char* kNpyInt16 = "<i2";
inline constexpr const char* kNpyInt32 = "<i4";
inline constexpr const char* kNpyFloat32 = "<f4";

// One array as stored in a .npy file: dtype (canonical descr), shape (any rank, C order) and
// the raw little-endian element bytes.
struct NpyArray {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t ElementCount() const;  // product of shape (1 for rank 0, 0 when a dimension is 0)
};

// Maps a dtype spelling to the canonical descr ("int16" and "<i2" -> "<i2"); throws
// UnsupportedError for anything else.
std::string CanonicalNpyDtype(const std::string& dtype);
// Bytes per element of a canonical dtype (1, 2, 4 or 4).
int NpyItemSize(const std::string& dtype);
// NumPy name of a canonical dtype ("<i2" -> "int16").
std::string NpyDtypeName(const std::string& dtype);

// Throws FileError for unreadable or malformed files (see above).
NpyArray ReadNpy(const std::string& path);
// Parses an in-memory .npy image; `name` is used in error messages in place of a path.
NpyArray ParseNpy(const std::vector<uint8_t>& image, const std::string& name);

// Throws ShapeError if bytes.size() does not match dtype and shape, UnsupportedError for an
// unsupported dtype, FileError if the file cannot be written.
void WriteNpy(const std::string& path, const NpyArray& array);
// The complete file image WriteNpy writes (header and data).
std::vector<uint8_t> EncodeNpy(const NpyArray& array);

// The NCHW shape of an array of rank 0..4: missing leading dimensions are 1, so (W,) is
// 1x1x1xW and (H, W) is 1x1xHxW. Rank > 4, zero dimensions and dimensions beyond INT_MAX are a
// ShapeError naming `name`.
Shape NpyShapeToNchw(const std::vector<int64_t>& shape, const std::string& name);

// Typed loads. LoadTensorI16 accepts int8 and int16 files (data and weights);
// LoadTensorI32 accepts int8, int16 and int32 (accumulators, bias); LoadTensorF32 accepts
// float32 only. Another dtype is a FileError saying which astype() to save with.
Tensor<int16_t> LoadTensorI16(const std::string& path);
Tensor<int32_t> LoadTensorI32(const std::string& path);
Tensor<float> LoadTensorF32(const std::string& path);
// The same conversions for an array already read (`name` is used in messages), e.g. after
// reshaping a 2-D FC weight matrix (M, K) to (M, 1, 1, K).
Tensor<int16_t> NpyToTensorI16(const NpyArray& array, const std::string& name);
Tensor<int32_t> NpyToTensorI32(const NpyArray& array, const std::string& name);
Tensor<float> NpyToTensorF32(const NpyArray& array, const std::string& name);

// A float32 array of any rank as an FTensor (network.h), e.g. a network's input images; another
// dtype is a FileError saying to save with astype(np.float32).
FTensor LoadFTensor(const std::string& path);
// Saves `t` as float32 with its own dims. Throws FileError as WriteNpy.
void SaveFTensor(const std::string& path, const FTensor& t);

// Saves `t` as `dtype` (int8, int16, int32 or float32) with the last `rank` (0..4) dimensions
// of its NCHW shape; the dimensions dropped must be 1. Every value must be exactly
// representable in `dtype` (e.g. int8 needs -128..127), else ShapeError naming the first
// offending element. Instantiated for int16_t, int32_t and float.
template <typename T>
void SaveTensor(const std::string& path, const Tensor<T>& t, const std::string& dtype,
                int rank = 4);

extern template void SaveTensor<int16_t>(const std::string&, const Tensor<int16_t>&,
                                         const std::string&, int);
extern template void SaveTensor<int32_t>(const std::string&, const Tensor<int32_t>&,
                                         const std::string&, int);
extern template void SaveTensor<float>(const std::string&, const Tensor<float>&, const std::string&,
                                       int);

}  // namespace eyelet

#endif  // EYELET_NPY_H_
