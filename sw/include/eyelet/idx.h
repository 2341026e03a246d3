// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// IDX files (LeCun's MNIST format, also Fashion-MNIST's) and the Fashion-MNIST dataset as the
// demo network's input.
//
// An IDX file is a big-endian header, then the data: the magic number 0x000008DD (two zero
// bytes, 0x08 for unsigned bytes, DD dimensions), one u32 size per dimension, then the product
// of the sizes in bytes, C order. Images are 0x00000803 (count, rows, cols), labels 0x00000801
// (count). A file is read whole, gunzipped when it is gzip (as the datasets ship), else as is.
//
// Reading is strict and bounded: a wrong magic, a truncated header, a gzip stream that is
// corrupt or ends early, a zero row or column size, or data bytes that are not exactly the
// product of the sizes (checked against the bytes actually present, so a huge declared size
// never allocates) is a FileError naming the file and the problem. Files above 1 GiB
// uncompressed are refused.
#ifndef EYELET_IDX_H_
#define EYELET_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/network.h"

namespace eyelet {

// The images of one IDX file: `count` images of rows x cols bytes, row-major, image after image.
struct IdxImages {
  int count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols
};

// Throw FileError naming the file and the problem.
IdxImages ReadIdxImages(const std::string& path);
std::vector<uint8_t> ReadIdxLabels(const std::string& path);

// Where Debian's dataset-fashion-mnist package puts the files.
constexpr const char kFashionMnistDir[] = "/usr/share/datasets/fashion-mnist";

// A labelled set of images as the networks take them.
struct Dataset {
  FTensor images;           // N x 1 x rows x cols (28 x 28 for Fashion-MNIST), pixel / 255
  std::vector<int> labels;  // N class indices, 0..9
};

// Fashion-MNIST's `split` ("train": 60,000 images, "test": 10,000), the first `count` images of
// it (all of them when count <= 0 or count exceeds the split). Reads
// `dir`/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz, or the same names without .gz.
// Pixels are scaled by 1/255 and nothing else (no mean/std normalization), as the demo model
// (models/fashion_cnn.md) was trained. Throws FileError when a file is missing (saying to
// install dataset-fashion-mnist, which scripts/install-deps.sh does), malformed, or when the
// image and label files disagree on the count or a label is above 9; Error for another split.
Dataset LoadFashionMnist(const std::string& split, int count = 0,
                         const std::string& dir = kFashionMnistDir);

}  // namespace eyelet

#endif  // EYELET_IDX_H_
