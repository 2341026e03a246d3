// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// ONNX's own operator tests (Debian libonnx-testdata) through the importer and the float
// reference: every model under data/node/, data/pytorch-converted/ and data/pytorch-operator/
// is imported with every graph input but the first bound to its test_data_set_K/input_K.pb,
// run on input_0.pb, and compared with output_0.pb in every test data set. Each model is
// either run correctly or rejected with an eyelet::Error before anything runs: never a crash
// (anything else thrown counts as one and fails) and never a wrong answer.
//
// Tolerance: |got - want| <= 1e-4 + 1e-4 * |want| per element (kOnnxAbsTol, kOnnxRelTol in
// network.h); NaN matches NaN, an infinity itself. The float reference sums in double, ONNX's
// expected outputs come from NumPy in float32 or float64, and folding a BatchNormalization
// into the weights rounds once more: differences stay near 1e-6.
//
// kMustRun lists the tests of supported operators: they fail the test when rejected. The
// supported-operator tests rejected on purpose are listed with the reason in kMayReject.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/network.h"
#include "eyelet/onnx_import.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;

const char* const kDataDir = "/usr/share/libonnx-testdata/data";

// Tests of supported operators and attributes that must import and run.
const std::set<std::string> kMustRun = {
    // node/
    "test_basic_conv_with_padding",
    "test_basic_conv_without_padding",
    "test_conv_with_autopad_same",
    "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_strides_no_padding",
    "test_conv_with_strides_padding",
    "test_maxpool_2d_ceil",
    "test_maxpool_2d_default",
    "test_maxpool_2d_pads",
    "test_maxpool_2d_precomputed_pads",
    "test_maxpool_2d_precomputed_same_upper",
    "test_maxpool_2d_precomputed_strides",
    "test_maxpool_2d_same_lower",
    "test_maxpool_2d_same_upper",
    "test_maxpool_2d_strides",
    "test_averagepool_2d_ceil",
    "test_averagepool_2d_default",
    "test_averagepool_2d_pads",
    "test_averagepool_2d_pads_count_include_pad",
    "test_averagepool_2d_precomputed_pads",
    "test_averagepool_2d_precomputed_pads_count_include_pad",
    "test_averagepool_2d_precomputed_same_upper",
    "test_averagepool_2d_precomputed_strides",
    "test_averagepool_2d_same_lower",
    "test_averagepool_2d_same_upper",
    "test_averagepool_2d_strides",
    "test_globalaveragepool",
    "test_globalaveragepool_precomputed",
    "test_gemm_alpha",
    "test_gemm_beta",
    "test_gemm_default_no_bias",
    "test_gemm_default_scalar_bias",
    "test_gemm_default_single_elem_vector_bias",
    "test_gemm_default_vector_bias",
    "test_gemm_default_zero_bias",
    "test_gemm_transposeB",
    "test_matmul_2d",
    "test_relu",
    "test_leakyrelu",
    "test_leakyrelu_default",
    "test_leakyrelu_example",
    "test_batchnorm_epsilon",
    "test_batchnorm_example",
    "test_flatten_axis0",
    "test_flatten_axis1",
    "test_flatten_axis2",
    "test_flatten_axis3",
    "test_flatten_default_axis",
    "test_flatten_negative_axis1",
    "test_flatten_negative_axis2",
    "test_flatten_negative_axis3",
    "test_flatten_negative_axis4",
    "test_softmax_axis_0",
    "test_softmax_axis_1",
    "test_softmax_axis_2",
    "test_softmax_default_axis",
    "test_softmax_example",
    "test_softmax_large_number",
    "test_softmax_negative_axis",
    "test_identity",
    "test_dropout_default",
    "test_dropout_default_ratio",
    "test_dropout_default_old",
    "test_dropout_random_old",
    "test_reshape_reduced_dims",
    // pytorch-converted/
    "test_Conv2d",
    "test_Conv2d_depthwise",
    "test_Conv2d_depthwise_padded",
    "test_Conv2d_depthwise_strided",
    "test_Conv2d_depthwise_with_multiplier",
    "test_Conv2d_groups",
    "test_Conv2d_groups_thnn",
    "test_Conv2d_no_bias",
    "test_Conv2d_padding",
    "test_Conv2d_strided",
    "test_Linear",
    "test_Linear_no_bias",
    "test_AvgPool2d",
    "test_AvgPool2d_stride",
    "test_MaxPool2d",
    "test_BatchNorm1d_3d_input_eval",
    "test_BatchNorm2d_eval",
    "test_BatchNorm2d_momentum_eval",
    "test_LeakyReLU",
    "test_LeakyReLU_with_negval",
    "test_ReLU",
    "test_Softmax",
    "test_softmax_lastdim",
    "test_softmax_functional_dim3",
    // pytorch-operator/
    "test_operator_conv",
    "test_operator_flatten",
    "test_operator_view",
    "test_operator_mm",
};

// Supported-operator tests Eyelet rejects on purpose, and why.
const std::map<std::string, std::string> kMayReject = {
    {"test_maxpool_2d_dilations", "dilations (the array runs dilation 1)"},
    {"test_Conv2d_dilated", "dilations (the array runs dilation 1)"},
    {"test_MaxPool2d_stride_padding_dilation", "dilations (the array runs dilation 1)"},
    {"test_maxpool_2d_uint8", "a uint8 input (Eyelet imports float networks)"},
    {"test_gemm_transposeA", "transA=1 (the data must be rows of A)"},
    {"test_gemm_all_attributes", "transA=1 (the data must be rows of A)"},
    {"test_gemm_default_matrix_bias", "a bias that differs from row to row"},
    {"test_batchnorm_epsilon_training_mode", "training mode"},
    {"test_batchnorm_example_training_mode", "training mode"},
};

struct Outcome {
  int run = 0;
  int rejected = 0;
  int crashed = 0;
  std::map<std::string, int> unsupported_ops;  // "operator X is not supported": X -> tests
  std::map<std::string, int> reasons;          // "<op type>: <problem>" -> tests
  std::set<std::string> ran;
};

// The problem part of a rejection, without the model path, the node's name and what to do:
// "Conv: dilations [2, 2] are not supported (the array runs dilation 1)".
std::string Reason(const std::string& what, const std::string& op_type) {
  std::string r = what;
  const size_t paren = r.find("(" + op_type + "): ");
  if (paren != std::string::npos) {
    r = r.substr(paren + op_type.size() + 4);
  } else if (r.find(".onnx: ") != std::string::npos) {
    r = r.substr(r.find(".onnx: ") + 7);
  } else if (r.find(".pb: ") != std::string::npos) {
    r = r.substr(r.find(".pb: ") + 5);
  }
  r = r.substr(0, r.find(';'));
  // Quoted value names differ from test to test: keep the sentence.
  std::string out;
  bool quoted = false;
  for (char ch : r) {
    if (ch == '\'') {
      if (!quoted) out += "'.'";
      quoted = !quoted;
    } else if (!quoted) {
      out += ch;
    }
  }
  return (op_type.empty() ? std::string("(graph)") : op_type) + ": " + out;
}

// `op_type` is the ImportError's ("" for a graph-level one), or "(file or shape)" for the
// other eyelet::Errors.
void NoteRejection(Outcome* out, const std::string& test, const std::string& what,
                   const std::string& op_type) {
  ++out->rejected;
  if (std::getenv("EY_ONNX_SUITE_VERBOSE")) std::cout << "REJECT " << test << ": " << what << "\n";
  const std::string marker = "operator " + op_type + " is not supported";
  if (!op_type.empty() && what.find(marker) != std::string::npos) {
    ++out->unsupported_ops[op_type];
  } else {
    ++out->reasons[Reason(what, op_type)];
  }
}

bool Close(float got, float want) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(static_cast<double>(got) - want) <= kOnnxAbsTol + kOnnxRelTol * std::fabs(want);
}

// The first mismatch between `got` and `want`, or "" when they agree.
std::string Compare(const FTensor& got, const FTensor& want) {
  if (got.Size() != want.Size() ||
      (got.dims != want.dims && !(got.dims.empty() && want.Size() == 1))) {
    return "shape " + got.ShapeString() + ", expected " + want.ShapeString();
  }
  for (size_t i = 0; i < want.data.size(); ++i) {
    if (!Close(got.data[i], want.data[i])) {
      std::ostringstream s;
      s << "element " << i << " is " << got.data[i] << ", expected " << want.data[i];
      return s.str();
    }
  }
  return "";
}

// Names of the graph inputs input_K.pb binds: those that are not initializers.
std::vector<std::string> FedInputs(const fs::path& model) {
  std::ifstream f(model, std::ios::binary);
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&f)) return {};
  std::set<std::string> inits;
  for (const onnx::TensorProto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> names;
  for (const onnx::ValueInfoProto& vi : m.graph().input()) {
    if (!inits.count(vi.name())) names.push_back(vi.name());
  }
  return names;
}

void RunOne(const fs::path& dir, Outcome* out) {
  const std::string test = dir.filename().string();
  const fs::path model = dir / "model.onnx";
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) {
      sets.push_back(e.path());
    }
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return;
  const std::vector<std::string> fed = FedInputs(model);
  std::string op_type = "model";
  try {
    for (const fs::path& set : sets) {
      ImportOptions options;
      for (size_t k = 1; k < fed.size(); ++k) {
        const fs::path pb = set / ("input_" + std::to_string(k) + ".pb");
        if (fs::exists(pb)) options.constants[fed[k]] = ReadTensorProtoFile(pb.string());
      }
      const Network net = ImportOnnx(model.string(), options);
      const FTensor x = ReadTensorProtoFile((set / "input_0.pb").string());
      const FTensor want = ReadTensorProtoFile((set / "output_0.pb").string());
      const FTensor got = RunFloat(net, x);
      const std::string diff = Compare(got, want);
      EXPECT_EQ(diff, "") << test << " (" << set.filename().string() << ") gives a wrong answer";
    }
    ++out->run;
    out->ran.insert(test);
    if (std::getenv("EY_ONNX_SUITE_VERBOSE")) std::cout << "RUN " << test << "\n";
  } catch (const ImportError& e) {
    NoteRejection(out, test, e.what(), e.op_type());
    EXPECT_FALSE(kMustRun.count(test)) << test << " must run but was rejected: " << e.what();
  } catch (const Error& e) {
    NoteRejection(out, test, e.what(), "(file or shape)");
    EXPECT_FALSE(kMustRun.count(test)) << test << " must run but was rejected: " << e.what();
  } catch (const std::exception& e) {
    ++out->crashed;
    ADD_FAILURE() << test << " threw a non-eyelet exception: " << e.what();
  } catch (...) {
    ++out->crashed;
    ADD_FAILURE() << test << " threw something that is not an exception";
  }
}

TEST(OnnxSuite, EveryNodeTestRunsCorrectlyOrIsRejectedCleanly) {
  if (!fs::is_directory(kDataDir)) GTEST_SKIP() << kDataDir << " is missing (libonnx-testdata)";
  Outcome out;
  for (const char* sub : {"node", "pytorch-converted", "pytorch-operator"}) {
    const fs::path root = fs::path(kDataDir) / sub;
    if (!fs::is_directory(root)) continue;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root)) {
      if (fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) RunOne(d, &out);
  }
  std::cout << out.run << " run, " << out.rejected << " rejected, " << out.crashed << " crashed\n";
  std::cout << "rejected for an unsupported operator:";
  int unsupported = 0;
  for (const auto& [op, count] : out.unsupported_ops) {
    std::cout << " " << op << "(" << count << ")";
    unsupported += count;
  }
  std::cout << " -- " << unsupported << " tests\nother rejections (tests: reason):\n";
  for (const auto& [reason, count] : out.reasons) {
    std::cout << "  " << count << ": " << reason << "\n";
  }
  for (const std::string& t : kMustRun) {
    EXPECT_TRUE(out.ran.count(t)) << t << " is on the must-run list but did not run (missing?)";
  }
  for (const auto& [t, why] : kMayReject) {
    EXPECT_FALSE(out.ran.count(t)) << t << " ran although it is listed as rejected for " << why;
  }
  EXPECT_EQ(out.crashed, 0);
  EXPECT_GE(out.run, static_cast<int>(kMustRun.size()));
}

}  // namespace
}  // namespace eyelet
