// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Floating-point references for the layers in golden.h, used to compare quantized results
// against ONNX-style float models. Tensors hold float; every sum is accumulated in double and
// rounded to float once per output. Shapes, padding, groups and the max-pool ceil-mode rule
// are exactly those of golden.h (the shape functions are shared), so a float layer and its
// integer counterpart always produce tensors of the same shape.
//
// Quantization is symmetric and per tensor: real = q * scale.
//   Quantize:   q = sat_b(round(x / scale)), rounding half away from zero (2.5 -> 3,
//               -2.5 -> -3), sat_b clamping to [-2^(b-1), 2^(b-1)-1].
//   Dequantize: x = q * scale.
#ifndef EYELET_FLOAT_REF_H_
#define EYELET_FLOAT_REF_H_

#include <cstdint>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/tensor.h"

namespace eyelet {

// Convolution with zero padding; bias (if given) holds one value per output channel.
Tensor<float> ConvFloat(const Tensor<float>& x, const Tensor<float>& w, const ConvParams& p,
                        const std::vector<float>* bias = nullptr);

// Fully connected, shapes as FcAcc: x is N x K (C*H*W flattened), w has n = M and c*h*w = K;
// the result is N x M x 1 x 1.
Tensor<float> FcFloat(const Tensor<float>& x, const Tensor<float>& w,
                      const std::vector<float>* bias = nullptr);

// ONNX MaxPool: padded positions never win. A NaN anywhere in a window gives NaN.
// ReluFloat passes NaN through.
Tensor<float> MaxPoolFloat(const Tensor<float>& x, const PoolParams& p);

Tensor<float> ReluFloat(const Tensor<float>& x);

// Throws ShapeError for scale <= 0 or not finite, data_bits outside [2, 16], or a NaN element.
Tensor<int16_t> Quantize(const Tensor<float>& x, double scale, int data_bits = kDefaultDataBits);

Tensor<float> Dequantize(const Tensor<int16_t>& q, double scale);
Tensor<float> Dequantize(const Tensor<int32_t>& q, double scale);

}  // namespace eyelet

#endif  // EYELET_FLOAT_REF_H_
