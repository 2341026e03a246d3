// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// From an imported float network (network.h) to the integer network the accelerator runs:
//
//  1. Lowering (LowerNetwork): every op becomes a step of the array, in float still. A Conv or
//     Gemm is a CONV/FC step; an AveragePool or GlobalAveragePool a depthwise CONV step with
//     the constant weight 1/(kh*kw); a per-channel affine step (kAffine) is folded into the
//     CONV/FC step before it when that one has no activation yet, else it becomes a grouped
//     1 x 1 CONV step of its own. Relu, LeakyRelu and MaxPool join the output path of the step
//     before them (max commutes with both activations, so either order); a MaxPool with nothing
//     to join (the input, or a step that pools already) is a standalone pool step, and one whose
//     window or stride is over the pooling unit's 3 is split into non-overlapping windows of
//     at most 3 when its kernel equals its stride and factors so (4 = 2 x 2, 6 = 2 x 3, 9 =
//     3 x 3), else rejected. Flatten is free (the FC reads the NCHW buffer as N x K). A Softmax
//     at the end runs on the host. Anything else is an UnsupportedError naming the node.
//  2. Calibration (Calibrate): the float steps run on calibration images; each step's output
//     range gives its activation scale. Method kMax takes the largest |x|; kPercentile the
//     given percentile of |x| over all calibration outputs (clipping rare outliers).
//  3. Quantization (Quantize): symmetric everywhere, real = q * scale.
//       - activations per tensor: s = range / (2^(bits-1) - 1), values in [-2^(bits-1)+1,
//         2^(bits-1)-1] carried in the 16-bit datapath (at 8 bits a requantized value may
//         exceed the 8-bit range before saturating at 16 bits: it is not clipped to 8);
//       - weights per output channel: s_w[m] = max |w[m]| / q[m] with q[m] = 2^(bits-1) - 1,
//         or fewer steps when the channel's worst case (every input at its rail 2^(bits-1),
//         times q[m] * sum |w[m]| / max |w[m]|, plus its bias) would pass 2^31 - 2^16 in the
//         32-bit accumulator: so no accumulator ever wraps. At 8 bits that binds only for huge
//         fan-ins or biases; at 16 bits the weights keep as many bits as fit (16-bit
//         activations with about 9 to 15-bit weights);
//       - biases in AccW: round(b[m] / (s_in * s_w[m]));
//       - requantization per output channel: s_in * s_w[m] / s_out = mult * 2^-shift with mult
//         a positive int32 in [2^29, 2^30) and shift in [0, 62] (golden.h RequantizeOne);
//       - leaky ReLU's alpha as a 16-bit mult and shift (alpha = mult * 2^-14);
//       - the last step, when it has no activation or pooling, is not requantized: its int32
//         accumulators (plus bias) are the logits, dequantized with s_in * s_w[m].
//
// A QuantNet can be saved (.npy tensors plus manifest.json) and loaded again, so a run needs no
// recalibration.
#ifndef EYELET_QUANTIZE_H_
#define EYELET_QUANTIZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/network.h"
#include "eyelet/runtime.h"
#include "eyelet/tensor.h"

namespace eyelet {

// One step of the array, in float (LowerNetwork).
struct FloatStep {
  enum Kind { kConv, kFc, kPool };
  Kind kind = kConv;
  std::string name;                        // the node names it covers, joined with '+'
  std::string op_types;                    // their op types, joined with '+'
  std::vector<int> ops;                    // indices into Network::ops
  std::vector<int64_t> in_dims, out_dims;  // batch 1, NCHW (in_dims is N x K for kFc)
  FTensor w;                               // kConv: M x C/g x R x S; kFc: M x K
  std::vector<float> bias;                 // M, or empty
  ConvParams conv;                         // kConv
  bool relu = false;
  bool leaky = false;
  float alpha = 0.0f;
  bool pool = false;  // max pooling after the activation (kPool: the step itself)
  PoolParams pool_params;
};

struct LoweredNet {
  std::string name;
  std::vector<int64_t> input_dims;  // batch 1
  std::vector<FloatStep> steps;
  bool softmax = false;  // the network ends with a Softmax over its classes, run on the host
  int softmax_axis = 1;
};

// Throws UnsupportedError naming the node ("node 'x' (Op): ...; what to do") as described above.
LoweredNet LowerNetwork(const Network& net);

// The float steps on `x` (N x dims of input_dims), ONNX semantics (network.h's RunFloatOp for
// the ops), one output per step. Used for calibration and to compare quantized outputs with.
std::vector<FTensor> RunSteps(const LoweredNet& net, const FTensor& x);

enum class CalibMethod { kMax, kPercentile };
struct CalibOptions {
  CalibMethod method = CalibMethod::kPercentile;
  // Of |x|, kPercentile. 99.9 was the best of those measured on the demo model (8 bits, 1,000
  // training images, all 10,000 test images: agreement with float's predictions / top-1):
  // max 9,961 / 90.98 %, 99 9,971 / 91.00 %, 99.5 9,977 / 91.03 %, 99.9 9,980 / 91.05 %,
  // 99.99 9,968 / 91.01 %, 99.999 9,968 / 91.04 % (float 91.03 %; README).
  double percentile = 99.9;
};
// The calibration chosen by measurement for `bits` (demo model, 1,000 training images, all
// 10,000 test images): at 8 bits the 99.9th percentile (above); at 16 bits max, where clipping
// only loses (agreement with float's predictions: max 9,999, 99.99 9,994, 99.9 9,961).
CalibOptions DefaultCalib(int bits);
// "max" or "percentile"; throws UsageError for other names.
CalibMethod ParseCalibMethod(const std::string& name);
const char* CalibMethodName(CalibMethod m);

// Activation ranges: [0] is the input's, [i + 1] step i's output. Throws ShapeError when the
// images do not have the network's input shape.
std::vector<double> Calibrate(const LoweredNet& net, const FTensor& images,
                              const CalibOptions& options);

// One step of the array, quantized.
struct QuantStep {
  FloatStep::Kind kind = FloatStep::kConv;
  std::string name, op_types;
  std::vector<int64_t> in_dims, out_dims;  // batch 1
  Tensor<int16_t> w;  // kConv: M x C/g x R x S; kFc: M x K x 1 x 1; kPool: unused
  ConvParams conv;
  OutputPath path;                // bias, requantization, activation, pooling
  double in_scale = 1.0;          // s_in
  double out_scale = 1.0;         // s_out; 0 for the last step when it keeps accumulators
  std::vector<double> acc_scale;  // s_in * s_w[m]: the scale of its accumulators
  bool Requantizes() const { return path.Requantizes(); }
};

struct QuantNet {
  std::string name;
  int bits = 8;
  CalibOptions calib;
  std::vector<int64_t> input_dims;  // batch 1
  double input_scale = 1.0;
  std::vector<QuantStep> steps;
  bool softmax = false;
  int softmax_axis = 1;
};

// Throws ShapeError when `ranges` does not have steps + 1 entries, UnsupportedError for bits
// outside {8, 16} or a scale the output path cannot express.
QuantNet Quantize(const LoweredNet& net, const std::vector<double>& ranges, int bits,
                  const CalibOptions& calib);

// The float images as the accelerator's int16 input (round half away from zero, saturated to
// the net's bits).
Tensor<int16_t> QuantizeInput(const QuantNet& net, const FTensor& images);
// The last step's outputs (int32, N x M x E x F) as float (N x classes for an FC network),
// with the host's Softmax applied when the network ends with one.
FTensor DequantizeOutput(const QuantNet& net, const Tensor<int32_t>& y);

// The integer golden model of the whole network (golden.h's ConvAcc, FcAcc, MaxPool and
// ApplyOutputPath), one output per step: what every device must produce, bit for bit.
std::vector<Tensor<int32_t>> RunGolden(const QuantNet& net, const Tensor<int16_t>& x);

// Saves the network as `dir`/manifest.json plus one .npy per weight tensor and table (the
// directory is created; existing files are overwritten). Throws FileError.
void SaveQuantNet(const QuantNet& net, const std::string& dir);
// Loads what SaveQuantNet wrote. Throws FileError for a missing or malformed manifest or
// tensor (naming the file and the field), ShapeError for tensors whose shapes disagree.
QuantNet LoadQuantNet(const std::string& dir);

}  // namespace eyelet

#endif  // EYELET_QUANTIZE_H_
