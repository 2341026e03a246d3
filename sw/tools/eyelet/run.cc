// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet run MODEL.onnx`: a whole ONNX network, quantized, on a device as one descriptor
// chain, beside the float reference (network.h), with a per-layer table and accuracy.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/error.h"
#include "eyelet/idx.h"
#include "eyelet/interrupt.h"
#include "eyelet/net_run.h"
#include "eyelet/npy.h"
#include "eyelet/onnx_import.h"
#include "eyelet/quantize.h"
#include "flags.h"
#include "report.h"

namespace eyelet {
namespace cli {
namespace {

const char kRunSummary[] = "run an ONNX network, quantized, on a device vs the float model";
const char kRunDetails[] =
    "Imports MODEL.onnx (Conv, Gemm, MatMul+Add, Relu, LeakyRelu, MaxPool, AveragePool,\n"
    "GlobalAveragePool, BatchNormalization, Flatten/Reshape, Identity, Dropout, Softmax last;\n"
    "anything else is rejected before anything runs, exit 3), quantizes it (per-channel\n"
    "weights, per-tensor activations calibrated on --calib or the dataset's training images)\n"
    "or loads a quantized network (--quantized DIR), and runs the images through --backend as\n"
    "ONE descriptor chain per batch. Prints a table per layer (nodes, op, output shape,\n"
    "mapping, cycles measured and by the cost model, PE utilization, DRAM bytes, zero-gated\n"
    "MACs, PASS/FAIL against the golden model with --check) and a summary: float top-1,\n"
    "quantized top-1 on the golden model, top-1 on the device, their agreement, cycles and\n"
    "simulated time per image at 200 MHz. Exit 1 when --check finds a mismatch.";

constexpr double kClockMhz = 200.0;  // the clock the per-image time is quoted at (Eyeriss's)

struct RunOptions {
  std::string model;
  std::string input, labels, dataset, split = "test";
  int count = 0;
  int batch = 8;
  std::string calib;
  int calib_count = 1000;
  CalibOptions calib_options;
  int bits = 8;
  std::string save_quantized, quantized;
  std::string backend = "golden";
  std::string port;  // uart: the board's serial port and baud rate (0: the default)
  int baud = 0;
  std::string config;
  bool check = false;
  std::string output, json;
  bool progress = false;
  TraceOptions trace;
  std::string trace_on_fail;       // --trace-on-fail DIR
  std::vector<std::string> fault;  // --fault: the fault-injection build's plusargs
  std::string report;  // --report DIR (report.h)
};

po::options_description RunDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("model", po::value<std::string>()->value_name("MODEL.onnx"),
       "the network (also the first word without an option)")
      ("input", po::value<std::string>()->value_name("X.npy"),
       "float32 images as the model expects them (N x C x H x W)")
      ("dataset", po::value<std::string>()->value_name("fashion-mnist"),
       "images and labels from Debian's dataset-fashion-mnist (pixel / 255)")
      ("split", po::value<std::string>()->value_name("test|train")->default_value("test"),
       "--dataset: which split")
      ("labels", po::value<std::string>()->value_name("Y.npy"),
       "--input: int32 (or int8/int16) class labels, N of them")
      ("count", po::value<int>()->value_name("N"), "the first N images (default all)")
      ("batch", po::value<int>()->value_name("B")->default_value(8), "images per chain run")
      ("calib", po::value<std::string>()->value_name("FILE.npy"),
       "float32 calibration images (default: the dataset's training images, or the input)")
      ("calib-count", po::value<int>()->value_name("N")->default_value(1000),
       "calibration images taken from the dataset's training split")
      ("calib-method", po::value<std::string>()->value_name("max|percentile"),
       "activation range: largest |x|, or a percentile (default: percentile at 8 bits, max "
       "at 16, the best measured)")
      ("percentile", po::value<double>()->value_name("P")->default_value(99.9),
       "--calib-method percentile: the percentile of |x|")
      ("bits", po::value<int>()->value_name("8|16")->default_value(8),
       "weights and activations (values in the 16-bit datapath)")
      ("save-quantized", po::value<std::string>()->value_name("DIR"),
       "write the quantized network (.npy tensors + manifest.json)")
      ("quantized", po::value<std::string>()->value_name("DIR"),
       "load a quantized network instead of calibrating")
      ("backend", po::value<std::string>()->value_name("golden|rtl")->default_value("golden"),
       "device: the golden-model device or the Verilated accelerator")
      ("config", po::value<std::string>()->value_name("NAME")->default_value("eyeriss"),
       ("hardware config, one of " + ConfigList()).c_str())
      ("check", po::bool_switch(), "compare every layer with the golden model, element by element")
      ("output", po::value<std::string>()->value_name("LOGITS.npy"),
       "write the outputs (float32, N x classes, dequantized)")
      ("json", po::value<std::string>()->value_name("FILE"), "also write the report as JSON")
      ("progress", po::bool_switch(), "a progress line on stderr (default: when it is a terminal)")
      ("trace-on-fail", po::value<std::string>()->value_name("DIR"),
       "rtl, --check: rerun up to the first batch with a wrong layer\n"
       "output, tracing the pass and units it is blamed on, into\n"
       "DIR/run_fail.fst")
      ("fault", po::value<std::string>()->value_name("FAULT"),
       "rtl, --config small: the fault-injection build with one fault\n"
       "(R,C,B | pe:R,C,B | dma:ADDR,B | gin:K,B; see eyelet layer --help)");
  // clang-format on
  AddTraceOptions(d, true);
  AddBoardOptions(d);
  AddReportOption(d);
  return d;
}

RunOptions ParseRun(const po::variables_map& vm) {
  RunOptions o;
  if (!vm.count("model")) throw UsageError("give the model: eyelet run MODEL.onnx");
  o.model = vm["model"].as<std::string>();
  if (vm.count("input")) o.input = vm["input"].as<std::string>();
  if (vm.count("dataset")) o.dataset = vm["dataset"].as<std::string>();
  if (o.input.empty() == o.dataset.empty()) {
    throw UsageError(
        "give the images with exactly one of --input X.npy or --dataset fashion-mnist");
  }
  if (!o.dataset.empty() && o.dataset != "fashion-mnist") {
    throw UsageError("--dataset must be fashion-mnist, not '" + o.dataset + "'");
  }
  o.split = vm["split"].as<std::string>();
  if (o.split != "test" && o.split != "train") {
    throw UsageError("--split must be test or train, not '" + o.split + "'");
  }
  if (vm.count("labels")) {
    if (!o.dataset.empty())
      throw UsageError("--labels applies to --input (the dataset has its own)");
    o.labels = vm["labels"].as<std::string>();
  }
  if (vm.count("count")) {
    o.count = vm["count"].as<int>();
    if (o.count < 1) throw UsageError("--count " + std::to_string(o.count) + " must be at least 1");
  }
  o.batch = vm["batch"].as<int>();
  if (o.batch < 1 || o.batch > 4096) {
    throw UsageError("--batch " + std::to_string(o.batch) + " must be 1..4096");
  }
  if (vm.count("calib")) o.calib = vm["calib"].as<std::string>();
  o.calib_count = vm["calib-count"].as<int>();
  if (o.calib_count < 1) throw UsageError("--calib-count must be at least 1");
  o.bits = vm["bits"].as<int>();
  if (o.bits != 8 && o.bits != 16) throw UsageError("--bits must be 8 or 16");
  o.calib_options = DefaultCalib(o.bits);
  if (vm.count("calib-method")) {
    o.calib_options.method = ParseCalibMethod(vm["calib-method"].as<std::string>());
  }
  o.calib_options.percentile = vm["percentile"].as<double>();
  if (!(o.calib_options.percentile > 0 && o.calib_options.percentile <= 100)) {
    throw UsageError("--percentile must be in (0, 100]");
  }
  if (vm.count("save-quantized")) o.save_quantized = vm["save-quantized"].as<std::string>();
  if (vm.count("quantized")) {
    o.quantized = vm["quantized"].as<std::string>();
    RejectFlags(vm,
                {"calib", "calib-count", "calib-method", "percentile", "bits", "save-quantized"},
                "does not apply with --quantized (the network is quantized and saved already)");
  }
  o.backend = BackendFlag(vm);
  BoardFlags(vm, o.backend, &o.port, &o.baud);
  o.config = ConfigFlag(vm);
  o.check = vm["check"].as<bool>();
  if (vm.count("output")) o.output = vm["output"].as<std::string>();
  if (vm.count("json")) o.json = vm["json"].as<std::string>();
  o.progress = vm["progress"].as<bool>() || isatty(2);
  o.trace = TraceFlags(vm, o.backend, o.config);
  o.fault = FaultFlag(vm, o.backend, o.config);
  if (vm.count("trace-on-fail")) {
    if (o.backend != "rtl") throw UsageError("--trace-on-fail applies to --backend rtl only");
    if (!o.check) throw UsageError("--trace-on-fail needs --check (it traces a wrong layer)");
    if (o.trace.On()) throw UsageError("--trace-on-fail traces by itself; leave out --trace");
    o.trace_on_fail = vm["trace-on-fail"].as<std::string>();
    if (!std::filesystem::is_directory(o.trace_on_fail)) {
      throw UsageError("--trace-on-fail " + o.trace_on_fail + ": not a directory; create it");
    }
  }
  o.report = ReportFlag(vm);
  CheckReport(o.report, o.backend, o.trace.On());
  for (const std::string* p : {&o.output, &o.json}) {
    if (!p->empty()) CheckParentDir(*p);
  }
  return o;
}

std::vector<int> LoadLabels(const std::string& path) {
  const Tensor<int32_t> t = LoadTensorI32(path);
  return std::vector<int>(t.data().begin(), t.data().end());
}

FTensor FirstImages(const FTensor& x, int count) {
  if (x.dims.empty() || count <= 0 || count >= x.dims[0]) return x;
  FTensor y;
  y.dims = x.dims;
  y.dims[0] = count;
  y.data.assign(x.data.begin(), x.data.begin() + (x.Size() / x.dims[0]) * count);
  return y;
}

// What the first layer with a wrong output (the others follow from its outputs) points at:
// its index, and the report ExplainMismatch makes of its first wrong batch; nullopt when every
// layer agrees.
struct NetFailure {
  int layer = 0;
  MismatchReport report;
};
std::optional<NetFailure> ExplainNetFailure(const NetRunResult& r, const ArrayConfig& hw) {
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const NetLayerStats& l = r.layers[i];
    if (!l.first_fail) continue;
    const NetMismatch& f = *l.first_fail;
    ArrayStats st;
    st.mapping = f.mapping;
    st.tiling = f.tiling;
    NetFailure nf;
    nf.layer = static_cast<int>(i);
    nf.report = ExplainMismatch(f.layer, st, hw, f.want, f.got, &f.weights, &f.profile, f.x_addr,
                                f.w_addr, f.desc, f.desc);
    return nf;
  }
  return std::nullopt;
}

// Reruns images 0.. up to the end of the first failing batch on a new device (the simulation
// is deterministic from reset: the same clock cycles come out) with a trace of the pass and
// units the failure is blamed on, into DIR/run_fail.fst. Returns the lines to print.
std::string TraceNetFailure(const RunOptions& o, const std::string& spec, const QuantNet& q,
                            const FTensor& images, const NetRunOptions& ro, const ArrayConfig& hw,
                            const NetRunResult& r, const NetFailure& nf) {
  const NetLayerStats& l = r.layers[static_cast<size_t>(nf.layer)];
  const NetMismatch& f = *l.first_fail;
  const FailTrace plan = PlanFailTrace(nf.report, hw);
  TraceOptions t;
  t.path = o.trace_on_fail + "/run_fail.fst";
  t.pass = static_cast<int>(plan.pass);
  t.pass_from = static_cast<int>(plan.pass_from);
  t.scope = plan.scope;
  const TracedWindow w =
      WindowOf(t, f.profile, f.desc, f.desc,
               "layer " + std::to_string(nf.layer) + " '" + l.name + "' in images " +
                   std::to_string(f.image_base) + ".." +
                   std::to_string(f.image_base + f.images - 1));
  DeviceOptions d = TracedDevice(t, {});
  d.plusargs = o.fault;
  d.trace_from = w.from;
  d.trace_to = w.to;
  NetRunOptions quiet = ro;
  quiet.progress = nullptr;
  const auto t0 = std::chrono::steady_clock::now();
  {
    const std::unique_ptr<Device> device = OpenDevice(spec, d);
    RunQuantNet(*device, q, FirstImages(images, f.image_base + f.images), quiet);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(t.path, ec);
  std::ostringstream line;
  line << "trace     " << t.path << ": " << w.what << ", scope " << t.scope << ", "
       << (ec ? std::string("size unknown") : std::to_string(bytes) + " bytes") << "; rerun of "
       << f.image_base + f.images << " images " << std::fixed << std::setprecision(2) << secs
       << " s\n"
       << "          open it: gtkwave " << t.path << " " << o.trace_on_fail << "/run_fail.gtkw\n";
  return line.str();
}

double Top1(const std::vector<int>& predicted, const std::vector<int>& labels) {
  if (labels.empty() || predicted.empty()) return std::nan("");
  int64_t ok = 0;
  const size_t n = std::min(predicted.size(), labels.size());
  for (size_t i = 0; i < n; ++i) ok += predicted[i] == labels[i];
  return 100.0 * static_cast<double>(ok) / static_cast<double>(n);
}

int Agree(const std::vector<int>& a, const std::vector<int>& b) {
  int same = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) same += a[i] == b[i];
  return same;
}

std::string Pct(double v) {
  if (std::isnan(v)) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v << " %";
  return s.str();
}

// The golden model's predictions for `x` (the integer network, RunGolden) in batches.
std::vector<int> GoldenPredictions(const QuantNet& q, const FTensor& x, int batch) {
  const Tensor<int16_t> all = QuantizeInput(q, x);
  const Shape s = all.shape();
  const int64_t per = s.Size() / s.n;
  std::vector<int> pred;
  for (int base = 0; base < s.n; base += batch) {
    ThrowIfInterrupted("in the golden model's batches");
    const int nb = std::min(batch, s.n - base);
    Tensor<int16_t> xb(Shape{nb, s.c, s.h, s.w});
    std::copy_n(all.data().begin() + base * per, nb * per, xb.data().begin());
    const FTensor out = DequantizeOutput(q, RunGolden(q, xb).back());
    FTensor rows = out;
    rows.dims = {nb, out.Size() / nb};
    const std::vector<int> p = ArgMaxRows(rows);
    pred.insert(pred.end(), p.begin(), p.end());
  }
  return pred;
}

void PrintLayerTable(const NetRunResult& r, std::ostream& out) {
  out << std::left << std::setw(4) << "#" << std::setw(30) << "layer (nodes)" << std::setw(22)
      << "ops" << std::setw(11) << "out" << std::setw(20) << "mapping e,p,q,r,t n" << std::right
      << std::setw(11) << "cycles" << std::setw(11) << "model" << std::setw(7) << "util"
      << std::setw(12) << "DRAM B" << std::setw(7) << "zero"
      << "  check\n";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const NetLayerStats& l = r.layers[i];
    auto cut = [](std::string s, size_t w) { return s.size() < w ? s : s.substr(0, w - 2) + "~"; };
    std::ostringstream util, zero;
    if (l.measured) {
      util << std::fixed << std::setprecision(1) << 100 * l.Utilization() << "%";
      zero << std::fixed << std::setprecision(1) << 100 * l.ZeroShare() << "%";
    } else {
      util << "-";
      zero << "-";
    }
    const std::string check = !r.checked ? "-"
                              : l.mismatches == 0
                                  ? "PASS"
                                  : "FAIL " + std::to_string(l.mismatches) + " of " +
                                        std::to_string(l.checked) + ": " + l.first_mismatch;
    out << std::left << std::setw(4) << i << std::setw(30) << cut(l.name, 30) << std::setw(22)
        << cut(l.op_types, 22) << std::setw(11) << cut(l.out_shape, 11) << std::setw(20)
        << cut(l.mapping + (l.descs > 1 ? " +pool" : ""), 20) << std::right << std::setw(11)
        << (l.measured ? std::to_string(l.cycles) : "-") << std::setw(11) << l.model_cycles
        << std::setw(7) << util.str() << std::setw(12)
        << (l.measured ? l.dram_bytes : static_cast<uint64_t>(l.model_dram_bytes)) << std::setw(7)
        << zero.str() << "  " << check << "\n";
  }
}

int RunRun(const po::variables_map& vm, std::ostream& out) {
  const RunOptions o = ParseRun(vm);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  // Everything that can be rejected is, before anything runs.
  const Network net = ImportOnnx(o.model);
  const LoweredNet lowered = LowerNetwork(net);

  FTensor images;
  std::vector<int> labels;
  if (!o.dataset.empty()) {
    Dataset d = LoadFashionMnist(o.split, o.count);
    images = std::move(d.images);
    labels = std::move(d.labels);
  } else {
    images = FirstImages(LoadFTensor(o.input), o.count);
    if (!o.labels.empty()) {
      labels = LoadLabels(o.labels);
      if (labels.size() < static_cast<size_t>(images.dims[0])) {
        throw ShapeError(o.labels + ": " + std::to_string(labels.size()) + " labels for " +
                         std::to_string(images.dims[0]) + " images");
      }
      labels.resize(static_cast<size_t>(images.dims[0]));
    }
  }
  const int n = static_cast<int>(images.dims.at(0));

  QuantNet q;
  std::string calib_text;
  if (!o.quantized.empty()) {
    q = LoadQuantNet(o.quantized);
    if (q.input_dims != lowered.input_dims || q.steps.size() != lowered.steps.size()) {
      throw FileError(o.quantized + ": the quantized network (" + std::to_string(q.steps.size()) +
                      " layers, input " + DimsString(q.input_dims) + ") is not " + o.model +
                      "'s (" + std::to_string(lowered.steps.size()) + " layers, input " +
                      DimsString(lowered.input_dims) + ")");
    }
    calib_text = "loaded from " + o.quantized;
  } else {
    FTensor calib;
    if (!o.calib.empty()) {
      calib = LoadFTensor(o.calib);
      calib_text = o.calib;
    } else if (!o.dataset.empty()) {
      calib = LoadFashionMnist("train", o.calib_count).images;
      calib_text = "first " + std::to_string(calib.dims[0]) + " fashion-mnist training images";
    } else {
      calib = images;
      calib_text = "the input images";
    }
    q = Quantize(lowered, Calibrate(lowered, calib, o.calib_options), o.bits, o.calib_options);
    calib_text += std::string(", ") + CalibMethodName(o.calib_options.method) +
                  (o.calib_options.method == CalibMethod::kPercentile
                       ? " " + std::to_string(o.calib_options.percentile).substr(0, 6)
                       : "");
  }

  // The float reference.
  std::vector<int> float_pred;
  for (int base = 0; base < n; base += 256) {
    ThrowIfInterrupted("in the float reference's batches");
    const int nb = std::min(256, n - base);
    FTensor xb;
    xb.dims = images.dims;
    xb.dims[0] = nb;
    const int64_t per = images.Size() / n;
    xb.data.assign(images.data.begin() + base * per, images.data.begin() + (base + nb) * per);
    FTensor y = RunFloat(net, xb);
    y.dims = {nb, y.Size() / nb};
    const std::vector<int> p = ArgMaxRows(y);
    float_pred.insert(float_pred.end(), p.begin(), p.end());
  }

  NetRunOptions ro;
  ro.batch = o.batch;
  ro.check = o.check;
  if (o.progress) {
    ro.progress = [](const NetProgress& p) {
      const std::string cycles =
          p.cycles ? ", " + std::to_string(p.cycles) + " cycles simulated" : std::string();
      std::fprintf(stderr, "\r%d/%d images%s, %.1f s, %.1f images/s   ", p.images_done,
                   p.images_total, cycles.c_str(), p.seconds,
                   p.seconds > 0 ? p.images_done / p.seconds : 0.0);
      if (p.images_done == p.images_total) std::fprintf(stderr, "\n");
    };
  }
  const std::string spec = DeviceSpec(o.backend, o.config, o.fault);
  DeviceOptions base;
  base.plusargs = o.fault;
  base.port = o.port;
  base.baud = o.baud;
  std::string device_name;
  std::string trace_line;
  NetRunResult r;
  if (!o.trace.On()) {
    DeviceOptions d = base;
    if (!o.report.empty()) d.activity_path = ActivityFst(o.report);
    const std::unique_ptr<Device> device = OpenDevice(spec, d);
    device_name = device->Name();
    const auto t0 = std::chrono::steady_clock::now();
    r = RunQuantNet(*device, q, images, ro);
    if (!o.report.empty()) {
      trace_line = ReportActivity(
          *device, o.report,
          o.model + ", " + std::to_string(q.steps.size()) + " layers, " + std::to_string(n) +
              " images in batches of " + std::to_string(o.batch) + ", on " + device_name,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  } else {  // untraced first: the window of --trace-layer/--trace-pass, and the time to compare
    if (o.trace.layer && *o.trace.layer >= static_cast<int>(q.steps.size())) {
      throw UsageError("--trace-layer " + std::to_string(*o.trace.layer) + ": the network has " +
                       std::to_string(q.steps.size()) + " layers (0.." +
                       std::to_string(q.steps.size() - 1) + ")");
    }
    const auto t0 = std::chrono::steady_clock::now();
    NetRunResult first;
    {
      const std::unique_ptr<Device> device = OpenDevice(spec, base);
      first = RunQuantNet(*device, q, images, ro);
    }
    const auto t1 = std::chrono::steady_clock::now();
    const int k = o.trace.layer.value_or(0);
    const NetLayerStats& l = first.layers[static_cast<size_t>(k)];
    const TracedWindow w =
        WindowOf(o.trace, first.first_chain, l.first_desc, l.first_desc + l.descs - 1,
                 "layer " + std::to_string(k) + " '" + l.name + "' in the first batch");
    DeviceOptions d = TracedDevice(o.trace, base);
    d.trace_from = w.from;
    d.trace_to = w.to;
    {
      const std::unique_ptr<Device> device = OpenDevice(spec, d);
      device_name = device->Name();
      r = RunQuantNet(*device, q, images, ro);
    }
    const auto t2 = std::chrono::steady_clock::now();
    std::ostringstream line;
    PrintTrace(line, o.trace, w, std::chrono::duration<double>(t2 - t1).count(),
               std::chrono::duration<double>(t1 - t0).count(), r.total.cycles, first.total.cycles);
    trace_line = line.str();
  }
  const std::vector<int> golden_pred =
      o.backend == "golden" ? r.predicted : GoldenPredictions(q, images, o.batch);

  out << "model     " << o.model << " (" << net.ops.size() << " operators, opset " << net.opset
      << ") -> " << q.steps.size() << " layers, " << r.descs_per_chain
      << " descriptors per chain\n";
  out << "quantized " << q.bits << " bits, calibration " << calib_text << "\n";
  out << "device    " << device_name << ", " << n << " images in " << r.chains
      << " chain runs of up to " << o.batch << "\n\n";
  PrintLayerTable(r, out);
  const double float_top1 = Top1(float_pred, labels);
  const double golden_top1 = Top1(golden_pred, labels);
  const double device_top1 = Top1(r.predicted, labels);
  out << "\nfloat top-1           " << Pct(float_top1) << "  (" << n << " images)\n";
  out << "quantized top-1       " << Pct(golden_top1) << "  (golden model)\n";
  if (o.backend != "golden") {
    out << "device top-1          " << Pct(device_top1) << "  (" << device_name << ")\n";
    out << "device = golden       " << Agree(r.predicted, golden_pred) << " of " << n
        << " predictions\n";
  }
  out << "quantized = float     " << Agree(golden_pred, float_pred) << " of " << n
      << " predictions\n";
  const bool timed = r.total.cycles > 0;
  if (timed) {
    const double per_image = static_cast<double>(r.total.cycles) / n;
    out << "cycles                " << r.total.cycles << " (" << std::fixed << std::setprecision(0)
        << per_image << " per image, " << std::setprecision(1) << per_image / kClockMhz
        << " us per image at " << kClockMhz << " MHz)\n";
  }
  out << "host time             " << std::fixed << std::setprecision(2) << elapsed() << " s\n";
  out << trace_line;
  if (r.checked) {
    out << "check                 " << (r.Pass() ? "PASS" : "FAIL")
        << " (every layer's outputs vs the golden model)\n";
  }
  const ArrayConfig& hw = ConfigByName(o.config);
  const std::optional<NetFailure> failure =
      o.backend == "rtl" ? ExplainNetFailure(r, hw) : std::nullopt;
  if (failure) {
    const NetLayerStats& l = r.layers[static_cast<size_t>(failure->layer)];
    const NetMismatch& f = *l.first_fail;
    out << "first wrong layer     " << failure->layer << " '" << l.name << "' (" << l.op_types
        << "), in the batch of images " << f.image_base << ".." << f.image_base + f.images - 1
        << " (n below counts in it" << (f.desc != l.first_desc ? "; its standalone pooling" : "")
        << ")\n";
    PrintMismatch(out, failure->report, "");
    if (!o.trace_on_fail.empty() && failure->report.has_loc) {
      out << TraceNetFailure(o, spec, q, images, ro, hw, r, *failure);
    }
  }

  // Files only once everything has run.
  if (!o.save_quantized.empty() && o.quantized.empty()) SaveQuantNet(q, o.save_quantized);
  if (!o.output.empty()) SaveFTensor(o.output, r.output);
  if (!o.json.empty()) {
    Json doc;
    doc["model"] = o.model;
    doc["device"] = device_name;
    doc["images"] = n;
    doc["bits"] = q.bits;
    doc["calibration"] = calib_text;
    Json layers = Json::array();
    for (const NetLayerStats& l : r.layers) {
      Json j = {{"name", l.name},
                {"ops", l.op_types},
                {"kind", l.kind},
                {"out", l.out_shape},
                {"mapping", l.mapping},
                {"descriptors", l.descs},
                {"active_pes", l.active_pes},
                {"model_cycles", l.model_cycles},
                {"model_dram_bytes", l.model_dram_bytes}};
      if (l.measured) {
        j["cycles"] = l.cycles;
        j["dma_stall"] = l.dma_stall;
        j["utilization"] = l.Utilization();
        j["dram_bytes"] = l.dram_bytes;
        j["zero_gated_share"] = l.ZeroShare();
      }
      if (r.checked) {
        j["checked"] = l.checked;
        j["mismatches"] = l.mismatches;
        if (l.mismatches) j["first_mismatch"] = l.first_mismatch;
      }
      if (failure && &l == &r.layers[static_cast<size_t>(failure->layer)]) {
        AddMismatchJson(j, failure->report);
      }
      layers.push_back(j);
    }
    doc["layers"] = layers;
    auto num = [](double v) { return std::isnan(v) ? Json(nullptr) : Json(v); };
    doc["float_top1"] = num(float_top1);
    doc["quantized_top1"] = num(golden_top1);
    doc["device_top1"] = num(device_top1);
    doc["device_agrees_golden"] = Agree(r.predicted, golden_pred);
    doc["cycles"] = r.total.cycles;
    doc["check"] = r.checked ? Json(r.Pass()) : Json(nullptr);
    WriteJsonReport(o.json, doc);
  }
  return r.checked && !r.Pass() ? kExitMismatch : kExitOk;
}

}  // namespace

const Command kRunCommand = {"run", kRunSummary, kRunDetails, RunDescription, RunRun, "model"};

}  // namespace cli
}  // namespace eyelet
