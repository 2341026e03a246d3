// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "flags.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "eyelet/backend.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/file_io.h"

namespace eyelet {
namespace cli {

po::variables_map ParseFlags(const std::vector<std::string>& args,
                             const po::options_description& desc, const char* positional) {
  // Words without a --name land in a hidden option so the error can name them.
  constexpr const char* kStray = "unexpected-argument";
  po::options_description all;
  all.add(desc).add_options()(kStray, po::value<std::vector<std::string>>(), "");
  po::positional_options_description bare;
  if (positional != nullptr) bare.add(positional, 1);
  bare.add(kStray, -1);
  po::variables_map vm;
  try {
    // No abbreviations: `--str` must not silently mean `--stride`.
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(bare).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (vm.count(kStray)) {
    throw UsageError("unexpected argument '" + vm[kStray].as<std::vector<std::string>>()[0] +
                     "'; every value follows its --option");
  }
  return vm;
}

uint64_t SeedFlag(const po::variables_map& vm) {
  const int64_t seed = vm["seed"].as<int64_t>();
  if (seed < 0) {
    throw UsageError("--seed " + std::to_string(seed) + " must not be negative");
  }
  return static_cast<uint64_t>(seed);
}

void IntFlag(const po::variables_map& vm, const std::string& name, int lo, int hi,
             std::optional<int>* field) {
  if (!vm.count(name)) return;
  const int v = vm[name].as<int>();
  if (v < lo || v > hi) {
    throw UsageError("--" + name + " " + std::to_string(v) + " must be between " +
                     std::to_string(lo) + " and " + std::to_string(hi));
  }
  *field = v;
}

void RejectFlags(const po::variables_map& vm, const std::vector<std::string>& names,
                 const std::string& why) {
  for (const std::string& name : names) {
    if (vm.count(name) && !vm[name].defaulted()) throw UsageError("--" + name + " " + why);
  }
}

std::string ConfigList() {
  std::string list;
  for (const ArrayConfig& c : BuiltConfigs()) {
    if (!list.empty()) list += ", ";
    list += c.name + " (" + std::to_string(c.rows) + "x" + std::to_string(c.cols) + ")";
  }
  for (const ArrayConfig& c : BoardConfigs()) {
    list += ", " + c.name + " (" + std::to_string(c.rows) + "x" + std::to_string(c.cols) +
            ", the iCEBreaker's: golden and uart)";
  }
  return list;
}

std::string ConfigFlag(const po::variables_map& vm) {
  const std::string name =
      vm.count("config") ? vm["config"].as<std::string>() : kDefaultArrayConfig;
  return ConfigByName(name).name;
}

std::string BackendFlag(const po::variables_map& vm) {
  const std::string backend = vm["backend"].as<std::string>();
  for (const std::string& name : BackendNames()) {
    if (name == backend && name != "rtlfault") return backend;  // that one via --fault only
  }
  throw UsageError("--backend must be " + BackendList() + ", not '" + backend + "'");
}

void AddBoardOptions(po::options_description& d) {
  // clang-format off
  d.add_options()
      ("port", po::value<std::string>()->value_name("DEV"),
       "uart: the board's serial port, e.g. /dev/ttyUSB1")
      ("baud", po::value<int>()->value_name("N"),
       "uart: the serial line's baud rate (default 1000000, the\n"
       "iCEBreaker bitstream's)");
  // clang-format on
}

void BoardFlags(const po::variables_map& vm, const std::string& backend, std::string* port,
                int* baud) {
  if (!vm.count("port") && !vm.count("baud")) return;
  if (backend != "uart") throw UsageError("--port and --baud apply to --backend uart only");
  if (vm.count("port")) *port = vm["port"].as<std::string>();
  if (vm.count("baud")) *baud = vm["baud"].as<int>();
}

RsMapping MappingFlag(const std::string& text) {
  const std::string what = "--mapping '" + text +
                           "' must be five positive integers e,p,q,r,t (PE-set width, filters "
                           "per PE, channels per PE, sets chained on channels, chains on "
                           "filters), e.g. 4,2,1,1,2";
  std::vector<int> v;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty() || item.size() > 5 ||
        item.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(what);
    }
    v.push_back(std::stoi(item));
    if (v.back() < 1) throw UsageError(what);
  }
  if (v.size() != 5 || text.back() == ',') throw UsageError(what);
  RsMapping m;
  m.e = v[0];
  m.p = v[1];
  m.q = v[2];
  m.r = v[3];
  m.t = v[4];
  return m;
}

std::string MappingArg(const RsMapping& m) {
  std::ostringstream os;
  os << m.e << "," << m.p << "," << m.q << "," << m.r << "," << m.t;
  return os.str();
}

PoolParams PoolFlag(const std::string& text) {
  const std::string what = "--pool '" + text +
                           "' must be a window KxK of positive sizes with an optional stride /S, "
                           "e.g. 3x3/2 (3x3 alone has stride 3)";
  auto number = [&](const std::string& item) {
    if (item.empty() || item.size() > 5 ||
        item.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(what);
    }
    const int v = std::stoi(item);
    if (v < 1 || v > kMaxDimFlag) throw UsageError(what);
    return v;
  };
  const size_t slash = text.find('/');
  const std::string window = text.substr(0, slash);
  const size_t x = window.find('x');
  if (x == std::string::npos) throw UsageError(what);
  PoolParams p;
  p.kernel_h = number(window.substr(0, x));
  p.kernel_w = number(window.substr(x + 1));
  if (slash == std::string::npos) {
    p.stride_h = p.kernel_h;
    p.stride_w = p.kernel_w;
  } else {
    p.stride_h = p.stride_w = number(text.substr(slash + 1));
  }
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;
  p.ceil_mode = false;
  return p;
}

void AddShapeOptions(po::options_description& d) {
  // clang-format off
  d.add_options()
      ("in-channels", po::value<int>()->value_name("C"), "input channels C")
      ("out-channels", po::value<int>()->value_name("M"), "output channels M (conv, fc)")
      ("height", po::value<int>()->value_name("H"), "input height H")
      ("width", po::value<int>()->value_name("W"), "input width W")
      ("kernel", po::value<int>()->value_name("K"),
       "kernel R = S (conv) or pooling window K x K (pool)")
      ("kernel-h", po::value<int>()->value_name("R"), "kernel height R")
      ("kernel-w", po::value<int>()->value_name("S"), "kernel width S")
      ("stride", po::value<int>()->value_name("U"), "stride on both axes")
      ("pad", po::value<int>()->value_name("P"), "padding on all four sides")
      ("groups", po::value<int>()->value_name("G"), "conv groups; must divide C and M");
  // clang-format on
}

void ShapeFlags(const po::variables_map& vm, LayerSpec* o) {
  IntFlag(vm, "in-channels", 1, kMaxDimFlag, &o->in_channels);
  IntFlag(vm, "out-channels", 1, kMaxDimFlag, &o->out_channels);
  IntFlag(vm, "height", 1, kMaxDimFlag, &o->height);
  IntFlag(vm, "width", 1, kMaxDimFlag, &o->width);
  if (vm.count("kernel") && (vm.count("kernel-h") || vm.count("kernel-w"))) {
    throw UsageError("give --kernel, or --kernel-h and --kernel-w, not both");
  }
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o->kernel_h);
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o->kernel_w);
  IntFlag(vm, "kernel-h", 1, kMaxDimFlag, &o->kernel_h);
  IntFlag(vm, "kernel-w", 1, kMaxDimFlag, &o->kernel_w);
  IntFlag(vm, "stride", 1, kMaxDimFlag, &o->stride);
  IntFlag(vm, "pad", 0, kMaxDimFlag, &o->pad);
  IntFlag(vm, "groups", 1, kMaxDimFlag, &o->groups);
}

void CheckParentDir(const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    throw FileError(path + ": directory " + dir.string() + " does not exist; create it first");
  }
}

void WriteJsonReport(const std::string& path, const Json& doc) {
  WriteFileAtomically(path, doc.dump(2) + "\n");
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * fraction);
  return buf;
}

Tensor<int16_t> Narrow(const Tensor<int32_t>& y) {
  Tensor<int16_t> narrow(y.shape());
  std::transform(y.data().begin(), y.data().end(), narrow.data().begin(),
                 [](int32_t v) { return static_cast<int16_t>(v); });
  return narrow;
}

std::string SignedPercent(int64_t model, uint64_t measured) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%+.1f%%",
                measured == 0
                    ? 0.0
                    : 100.0 * (static_cast<double>(model) - static_cast<double>(measured)) /
                          static_cast<double>(measured));
  return buf;
}

std::string ShortMapping(const RsMapping& m) {
  std::ostringstream os;
  os << "e=" << m.e << " p=" << m.p << " q=" << m.q << " r=" << m.r << " t=" << m.t;
  return os.str();
}

std::string DescribeOutputPath(const OutputPath& p) {
  std::string s;
  if (!p.bias.empty()) s = "bias";
  if (p.Requantizes()) s += std::string(s.empty() ? "" : ", ") + "requantization to int16";
  if (p.relu) s += ", ReLU";
  if (p.leaky) {
    s += ", leaky ReLU (slope " + std::to_string(p.leaky_mult) + " / 2^" +
         std::to_string(p.leaky_shift) + ")";
  }
  if (p.pool) s += ", max pool " + PoolText(p.pool_params);
  return s;
}

void PrintArrayStats(std::ostream& out, const ConvLayer& layer, const RsMapping& m,
                     const ArrayStats& st) {
  const double util = st.ArrayCycles() == 0 || st.total_pes == 0
                          ? 0.0
                          : static_cast<double>(layer.Macs()) /
                                (static_cast<double>(st.total_pes) * st.ArrayCycles());
  const double stall = st.cycles == 0 ? 0.0 : static_cast<double>(st.dma_stall) / st.cycles;
  const uint64_t dram = st.dram_rd_bytes + st.dram_wr_bytes;
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.2fx",
                st.dram_min_bytes == 0 ? 0.0 : static_cast<double>(dram) / st.dram_min_bytes);
  out << "mapping   " << m.ToString() << "\n"
      << "tiling    " << st.tiling.nb << " images x " << st.tiling.mc << " filters x "
      << st.tiling.cc << " channels x " << BandStrips(m, st.tiling) << " strips per GLB chunk\n";
  if (st.Timed()) {
    out << "cycles    " << st.cycles << " busy: array " << st.ArrayCycles() << ", waiting for DRAM "
        << st.dma_stall << " (" << Percent(stall) << ")\n"
        << "passes    " << st.passes << "\n"
        << "util      " << Percent(util) << " (layer MACs / (" << st.total_pes
        << " PEs x array cycles))\n";
  } else {
    out << "timing    none (the device has no timing model: no cycles, passes, NoC or GLB "
           "counts)\n";
  }
  out << "pes       " << st.active_pes << " of " << st.total_pes << " active\n"
      << "pe macs   " << st.macs << " done, " << st.skipped << " zero-gated\n";
  if (st.Timed()) {
    out << "noc       filter " << st.filt_words << ", ifmap " << st.if_words << ", psum in "
        << st.pin_words << ", psum out " << st.gon_words << " words\n"
        << "glb       " << st.glb_reads << " words read, " << st.glb_writes << " written\n"
        << "spads     ifmap " << st.spad_if_writes << " written, " << st.spad_if_reads
        << " read; filter " << st.spad_flt_writes << " written; ln " << st.ln_words
        << " psums up\n";
  }
  out << "dram      " << st.dram_rd_bytes << " bytes read, " << st.dram_wr_bytes << " written; "
      << ratio << " the minimum " << st.dram_min_bytes << " (each tensor moved once)\n";
}

void AddArrayStats(Json& j, const ArrayStats& st) {
  j["cycles"] = st.cycles;
  j["array_cycles"] = st.ArrayCycles();
  j["dma_stall_cycles"] = st.dma_stall;
  j["passes"] = st.passes;
  j["utilization"] = st.Utilization();
  j["active_pes"] = st.active_pes;
  j["total_pes"] = st.total_pes;
  j["macs"] = st.macs;
  j["macs_zero_gated"] = st.skipped;
  j["noc_filter_words"] = st.filt_words;
  j["noc_ifmap_words"] = st.if_words;
  j["noc_psum_in_words"] = st.pin_words;
  j["noc_psum_out_words"] = st.gon_words;
  j["glb_reads"] = st.glb_reads;
  j["glb_writes"] = st.glb_writes;
  j["spad_ifmap_writes"] = st.spad_if_writes;
  j["spad_ifmap_reads"] = st.spad_if_reads;
  j["spad_filter_writes"] = st.spad_flt_writes;
  j["ln_psum_words"] = st.ln_words;
  j["dram_read_bytes"] = st.dram_rd_bytes;
  j["dram_write_bytes"] = st.dram_wr_bytes;
  j["dram_weight_bytes"] = st.dram_flt_bytes;
  j["dram_min_bytes"] = st.dram_min_bytes;
  j["tiling_images"] = st.tiling.nb;
  j["tiling_filters"] = st.tiling.mc;
  j["tiling_channels"] = st.tiling.cc;
}

void AddTraceOptions(po::options_description& d, bool layers) {
  // clang-format off
  d.add_options()
      ("trace", po::value<std::string>()->value_name("FILE.fst"),
       "rtl: write an FST waveform (all of the run unless a window\n"
       "is given)")
      ("trace-from", po::value<uint64_t>()->value_name("CYCLE"),
       "--trace: first clock cycle dumped")
      ("trace-to", po::value<uint64_t>()->value_name("CYCLE"), "--trace: last clock cycle dumped")
      ("trace-pass", po::value<int>()->value_name("P"),
       "--trace: only processing pass P (from 0) of the layer");
  if (layers) {
    d.add_options()
        ("trace-layer", po::value<int>()->value_name("K"),
         "--trace: only layer K (from 0) of the network (with --trace-pass: its pass P)");
  }
  d.add_options()
      ("trace-scope", po::value<std::string>()->value_name("UNITS"),
       "--trace: only these units: walker, dma, csr, core, ctrl, glb,\n"
       "array, pe[R][C], pe[*][C], pe[R][*], all or a hierarchy path,\n"
       "each with an optional :LEVELS, comma-separated");
  // clang-format on
}

TraceOptions TraceFlags(const po::variables_map& vm, const std::string& backend,
                        const std::string& config) {
  TraceOptions t;
  const std::vector<std::string> window = {"trace-from", "trace-to", "trace-pass", "trace-layer",
                                           "trace-scope"};
  if (backend == "golden") {
    RejectFlags(vm, {"trace"},
                "applies to --backend rtl only (the golden device has no waveforms)");
  }
  if (!vm.count("trace")) {
    RejectFlags(vm, window, "needs --trace FILE.fst");
    return t;
  }
  t.path = vm["trace"].as<std::string>();
  if (vm.count("trace-from")) t.from = vm["trace-from"].as<uint64_t>();
  if (vm.count("trace-to")) t.to = vm["trace-to"].as<uint64_t>();
  if (t.from > t.to) {
    throw UsageError("--trace-from " + std::to_string(t.from) + " is after --trace-to " +
                     std::to_string(t.to));
  }
  for (const char* name : {"trace-layer", "trace-pass"}) {
    if (!vm.count(name)) continue;
    const int v = vm[name].as<int>();
    if (v < 0) throw UsageError("--" + std::string(name) + " " + std::to_string(v) + " < 0");
    (std::string(name) == "trace-layer" ? t.layer : t.pass) = v;
  }
  if ((t.layer || t.pass) && (vm.count("trace-from") || vm.count("trace-to"))) {
    throw UsageError(
        "--trace-layer and --trace-pass pick the window themselves; leave out "
        "--trace-from and --trace-to");
  }
  if (vm.count("trace-scope")) {
    t.scope = vm["trace-scope"].as<std::string>();
    const ArrayConfig& hw = ConfigByName(config);
    ParseTraceScope(t.scope, hw.rows, hw.cols);  // UsageError naming what it takes
  }
  CheckParentDir(t.path);
  return t;
}

DeviceOptions TracedDevice(const TraceOptions& t, DeviceOptions d) {
  d.trace_path = t.path;
  d.trace_scope = t.scope;
  return d;
}

TracedWindow WindowOf(const TraceOptions& t, const ChainProfile& p, int first, int last,
                      const std::string& layer_name) {
  TracedWindow w;
  if (!t.layer && !t.pass) {
    w.from = t.from;
    w.to = t.to;
    w.what = t.from == 0 && t.to == UINT64_MAX
                 ? "the whole run"
                 : "clock cycles " + std::to_string(t.from) + ".." +
                       (t.to == UINT64_MAX ? std::string("end") : std::to_string(t.to));
    return w;
  }
  // A boundary is seen by the first poll after it: up to a poll and its CSR reads later.
  const uint64_t slack = p.poll_cycles + 64;
  auto before = [&](uint64_t clock) {
    return clock > p.start_clock + slack ? clock - slack : p.start_clock;
  };
  const size_t f = static_cast<size_t>(first), l = static_cast<size_t>(last);
  if (l >= p.desc_clock.size()) {
    throw Error("the untraced run saw " + std::to_string(p.desc_clock.size()) +
                " descriptors complete, not " + std::to_string(last + 1));
  }
  uint64_t from = f == 0 ? p.start_clock : before(p.desc_clock[f - 1]);
  uint64_t to = p.desc_clock[l];
  w.what = layer_name;
  if (t.pass) {
    const uint64_t passes_before = f == 0 ? 0 : p.at_desc[f - 1].passes;
    const uint64_t passes = p.at_desc[l].passes - passes_before;
    if (static_cast<uint64_t>(*t.pass) >= passes) {
      throw UsageError("--trace-pass " + std::to_string(*t.pass) + ": " + layer_name + " has " +
                       std::to_string(passes) + " passes (0.." + std::to_string(passes - 1) + ")");
    }
    const size_t g = static_cast<size_t>(passes_before) + static_cast<size_t>(*t.pass);
    const size_t g0 = t.pass_from >= 0 && t.pass_from < *t.pass
                          ? static_cast<size_t>(passes_before) + static_cast<size_t>(t.pass_from)
                          : g;
    if (g0 > 0 && g0 - 1 < p.pass_clock.size()) {
      from = std::max(from, before(p.pass_clock[g0 - 1]));
    }
    // CNT_PASSES counts the filter stream's pass ends: at count P the filters of pass P are all
    // sent, and its ifmaps and psums still stream. Pass P is over once pass P + 1's filters
    // are all in the PEs (they wait for P's MACs), so the window ends at count P + 2.
    if (g + 1 < p.pass_clock.size()) to = std::min(to, p.pass_clock[g + 1]);
    w.what = (g0 == g ? "pass " : "passes " + std::to_string(g0 - passes_before) + "..") +
             std::to_string(*t.pass) + " of " + std::to_string(passes) + " of " + layer_name;
  }
  w.from = from;
  w.to = to;
  w.what = "clock cycles " + std::to_string(from) + ".." + std::to_string(to) + " (" + w.what + ")";
  return w;
}

void PrintTrace(std::ostream& out, const TraceOptions& t, const TracedWindow& w, double traced_s,
                double untraced_s, uint64_t traced_cycles, uint64_t untraced_cycles) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(t.path, ec);
  char times[160];
  std::snprintf(times, sizeof(times), "traced run %.2f s, untraced %.2f s (%.2fx)", traced_s,
                untraced_s, untraced_s > 0 ? traced_s / untraced_s : 0.0);
  out << "trace     " << t.path << ": " << w.what << ", scope "
      << (t.scope.empty() ? "all" : t.scope) << ", "
      << (ec ? std::string("size unknown") : std::to_string(bytes) + " bytes") << "; " << times
      << "\n";
  if (traced_cycles != untraced_cycles) {
    out << "          warning: the traced run took " << traced_cycles << " busy cycles, the "
        << "untraced one " << untraced_cycles << ", so the window may be off\n";
  }
}

std::string LocateFirstMismatch(const ConvLayer& run_layer, const ArrayStats& st,
                                const ArrayConfig& hw, const Tensor<int32_t>& want,
                                const Tensor<int32_t>& got, OutputLocation* loc) {
  if (want.shape() != got.shape()) return "";
  int64_t i = 0;
  while (i < want.size() && want.data()[i] == got.data()[i]) ++i;
  if (i == want.size()) return "";
  const Shape& s = want.shape();
  const int w = static_cast<int>(i % s.w), h = static_cast<int>((i / s.w) % s.h);
  const int c = static_cast<int>((i / (int64_t{s.w} * s.h)) % s.c);
  const int n = static_cast<int>(i / (int64_t{s.w} * s.h * s.c));
  OutputCoord o{n, c, h, w};
  const Shape out = run_layer.Out();
  if (s.c != out.c) {  // a standalone pooling: plane (n, c) is image n*C + c of its 1x1 CONV
    o.n = n * s.c + c;
    o.m = 0;
  }
  if (s.h != out.h || s.w != out.w) {  // pooled: the window's first CONV output
    const PoolWindow win = PooledWindow(run_layer, h, w);
    o.y = win.y0;
    o.x = win.x0;
  }
  std::ostringstream text;
  text << "first wrong output (n, c, h, w) = (" << n << ", " << c << ", " << h << ", " << w
       << "): expected " << want.data()[i] << ", got " << got.data()[i];
  if (s.h != out.h || s.w != out.w) text << " (pooled: placed at its window's first output)";
  try {
    RsMapping m = st.mapping;
    CompleteMapping(run_layer, hw, m);
    const OutputLocation l = LocateOutput(run_layer, m, st.tiling, hw, o);
    if (loc != nullptr) *loc = l;
    text << "; produced in " << l.ToString();
  } catch (const Error& e) {
    text << "; not located (" << e.what() << ")";
  }
  return text.str();
}

MismatchReport ExplainMismatch(const ConvLayer& run_layer, const ArrayStats& st,
                               const ArrayConfig& hw, const Tensor<int32_t>& want,
                               const Tensor<int32_t>& got, const Tensor<int16_t>* weights,
                               const ChainProfile* profile, uint64_t x_addr, uint64_t w_addr,
                               int first_desc, int last_desc) {
  MismatchReport r;
  r.located = LocateFirstMismatch(run_layer, st, hw, want, got, &r.loc);
  if (r.located.empty()) return r;
  r.has_loc = r.located.find("; produced in ") != std::string::npos;
  if (!r.has_loc) return r;
  if (profile != nullptr && !profile->desc_clock.empty()) {
    TraceOptions t;
    t.pass = static_cast<int>(r.loc.pass);
    try {
      r.window = WindowOf(t, *profile, first_desc,
                          last_desc < 0 ? static_cast<int>(profile->desc_clock.size()) - 1
                                        : last_desc,
                          "the layer");
      r.located += "; pass " + std::to_string(r.loc.pass) + " ran in clock cycles " +
                   std::to_string(r.window->from) + ".." + std::to_string(r.window->to);
    } catch (const Error&) {  // the profile saw fewer passes: leave the window out
    }
  }
  try {
    RsMapping m = st.mapping;
    CompleteMapping(run_layer, hw, m);
    r.blame = BlameOutputs(run_layer, m, st.tiling, hw, want, got, weights,
                           !run_layer.OutTable());
  } catch (const Error&) {  // not placeable: the located text says why
  }
  if (!r.blame) return r;
  const Blame& b = *r.blame;
  const Shape& x = run_layer.x;
  const Shape& w = run_layer.w;
  if ((b.unit == Blame::Unit::kIfmapLoad || b.unit == Blame::Unit::kIfmapPass) && b.c >= 0 && !b.padding &&
      x_addr != 0) {
    const uint64_t at =
        x_addr + 2 * ((((uint64_t{static_cast<uint32_t>(b.n)} * x.c + b.c) * x.h + b.h) * x.w) +
                      b.w);
    r.dram = "the element is DRAM bytes " + Hex64(at) + ".." + Hex64(at + 1) +
             " (the ifmap starts at " + Hex64(x_addr) + ")";
  } else if (b.unit == Blame::Unit::kFilter && w_addr != 0) {
    const uint64_t bytes = 2 * uint64_t{static_cast<uint32_t>(w.c * w.h * w.w)};
    const uint64_t at = w_addr + bytes * static_cast<uint32_t>(b.m);
    r.dram = "its weights are DRAM bytes " + Hex64(at) + ".." + Hex64(at + bytes - 1);
  }
  return r;
}

void PrintMismatch(std::ostream& out, const MismatchReport& r, const std::string& indent) {
  if (r.located.empty()) return;
  out << indent << "located   " << r.located << "\n";
  if (r.blame) {
    out << indent << "blame     " << r.blame->ToString() << (r.dram.empty() ? "" : "; " + r.dram)
        << "\n";
  }
}

void AddMismatchJson(Json& j, const MismatchReport& r) {
  if (r.located.empty()) return;
  Json l;
  l["text"] = r.located;
  if (r.has_loc) {
    const OutputLocation& loc = r.loc;
    l["pass"] = loc.pass;
    l["run"] = loc.run;
    l["group"] = loc.group;
    l["image_chunk"] = loc.image_chunk;
    l["band"] = loc.band;
    l["filter_chunk"] = loc.filter_chunk;
    l["channel_chunk"] = loc.channel_chunk;
    l["pe_row"] = loc.pe_row;
    l["pe_col"] = loc.pe_col;
    l["chain_rows"] = {loc.chain_row0, loc.chain_row0 + loc.chain_rows - 1};
    l["set_rows"] = {loc.set_row0, loc.set_row0 + loc.set_rows - 1};
    l["set_cols"] = {loc.set_col0, loc.set_col0 + loc.set_cols - 1};
  }
  if (r.window) l["pass_clock"] = {r.window->from, r.window->to};
  j["located"] = l;
  if (!r.blame) return;
  const Blame& b = *r.blame;
  Json k;
  k["unit"] = b.UnitName();
  k["text"] = b.ToString();
  k["wrong"] = b.wrong;
  k["pes"] = b.pes;
  k["passes"] = {b.first_pass, b.last_pass};
  k["distinct_passes"] = b.passes;
  if (b.unit == Blame::Unit::kPe) k["pe"] = {b.pe_row, b.pe_col};
  if (b.unit == Blame::Unit::kIfmapLoad || b.unit == Blame::Unit::kIfmapPass) {
    k["ifmap"] = {b.n, b.c, b.h, b.w};  // c -1: not resolved
    k["delta"] = b.delta;
    k["dependents"] = b.dependents;
    k["dependent_passes"] = b.dependent_passes;
    k["use_pass"] = b.use_pass;
  }
  if (b.unit == Blame::Unit::kFilter) k["filter"] = b.m;
  if (!r.dram.empty()) k["dram"] = r.dram;
  j["blame"] = k;
}

FailTrace PlanFailTrace(const MismatchReport& r, const ArrayConfig& hw) {
  FailTrace f;
  f.pass = r.loc.pass;
  f.scope = PeColumnScope(r.loc.pe_col);
  if (!r.blame) return f;
  const Blame& b = *r.blame;
  switch (b.unit) {
    case Blame::Unit::kIfmapPass:
      if (b.use_pass >= 0) f.pass = b.use_pass;
      f.scope += ",ctrl";
      break;
    case Blame::Unit::kIfmapLoad:  // loaded while the run before computes, or before its use
      f.pass = b.first_use_pass;
      f.pass_from = b.load_pass_from;
      f.scope = "walker,dma";
      break;
    case Blame::Unit::kFilter:
      f.scope = "walker,dma,ctrl";
      break;
    case Blame::Unit::kPe:  // pooled outputs: the first one's window may start elsewhere
      f.scope = PeColumnScope(b.pe_col);
      break;
    case Blame::Unit::kSpread:
      break;
  }
  return f;
}

std::string PeColumnScope(int col) {
  return "walker,pe[*][" + std::to_string(col) + "]";
}

std::vector<std::string> FaultFlag(const po::variables_map& vm, const std::string& backend,
                                   const std::string& config) {
  if (!vm.count("fault")) return {};
  const std::string f = vm["fault"].as<std::string>();
  if (backend != "rtl" || config != "small") {
    throw UsageError("--fault needs --backend rtl --config small (the one fault-injection build)");
  }
  const std::string kinds =
      "--fault '" + f + "' must be R,C,B or pe:R,C,B (bit B 0..31 of PE (R, C)'s psum output "
      "stuck at 1), dma:ADDR,B (bit B 0..7 of DRAM byte ADDR flipped as the DMA reads it) or "
      "gin:K,B (bit B 0..15 of the K-th ifmap GIN word flipped, K from 0 since reset)";
  const size_t colon = f.find(':');
  const std::string kind = colon == std::string::npos ? "pe" : f.substr(0, colon);
  const std::string args = colon == std::string::npos ? f : f.substr(colon + 1);
  long long a = -1, b = -1, c = -1;
  char tail = 0;
  if (kind == "pe") {
    if (std::sscanf(args.c_str(), "%lld,%lld,%lld%c", &a, &b, &c, &tail) != 3 || a < 0 || b < 0 ||
        c < 0 || c > 31) {
      throw UsageError(kinds);
    }
    const ArrayConfig& hw = ConfigByName(config);
    if (a >= hw.rows || b >= hw.cols) {
      throw UsageError("--fault: PE (" + std::to_string(a) + ", " + std::to_string(b) +
                       ") is outside the " + std::to_string(hw.rows) + " x " +
                       std::to_string(hw.cols) + " array");
    }
    return {"+ey_fault_row=" + std::to_string(a), "+ey_fault_col=" + std::to_string(b),
            "+ey_fault_bit=" + std::to_string(c)};
  }
  // %lli takes 0x hex and decimal.
  if (std::sscanf(args.c_str(), "%lli,%lld%c", &a, &b, &tail) != 2 || a < 0 || b < 0) {
    throw UsageError(kinds);
  }
  if (kind == "dma" && b <= 7) {
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%llx", a);
    return {"+ey_fault_dma_addr=" + std::string(hex), "+ey_fault_dma_bit=" + std::to_string(b)};
  }
  if (kind == "gin" && b <= 15) {
    return {"+ey_fault_gin_word=" + std::to_string(a), "+ey_fault_gin_bit=" + std::to_string(b)};
  }
  throw UsageError(kinds);
}

std::string DeviceSpec(const std::string& backend, const std::string& config,
                       const std::vector<std::string>& fault) {
  return (fault.empty() ? backend : "rtlfault") + ":" + config;
}

LayerCheck CheckLayerTraced(const std::string& spec, const DeviceOptions& base,
                            const TraceOptions& trace, const ArrayConfig& hw, const LayerCase& c,
                            const Tensor<int32_t>& want, const RsMapping* m, const OutputPath* path,
                            std::string* trace_line, ChainProfile* profile_out) {
  if (!trace.On()) {
    const std::unique_ptr<Device> device = OpenDevice(spec, base);
    if (profile_out != nullptr) device->ProfileRuns(profile_out, kTracePollCycles);
    return CheckLayer(*device, hw, c, want, m, path);
  }
  ChainProfile profile;
  uint64_t untraced_cycles = 0;
  const auto t0 = std::chrono::steady_clock::now();
  {
    const std::unique_ptr<Device> device = OpenDevice(spec, base);
    device->ProfileRuns(&profile, kTracePollCycles);
    untraced_cycles = CheckLayer(*device, hw, c, want, m, path).stats.cycles;
  }
  const auto t1 = std::chrono::steady_clock::now();
  const TracedWindow w =
      WindowOf(trace, profile, 0, static_cast<int>(profile.desc_clock.size()) - 1, "the layer");
  DeviceOptions d = TracedDevice(trace, base);
  d.trace_from = w.from;
  d.trace_to = w.to;
  LayerCheck check;
  {  // the trace file is complete once the device is closed
    const std::unique_ptr<Device> device = OpenDevice(spec, d);
    device->ProfileRuns(&profile, kTracePollCycles);  // the same CSR traffic as the first run
    check = CheckLayer(*device, hw, c, want, m, path);
  }
  const auto t2 = std::chrono::steady_clock::now();
  std::ostringstream line;
  PrintTrace(line, trace, w, std::chrono::duration<double>(t2 - t1).count(),
             std::chrono::duration<double>(t1 - t0).count(), check.stats.cycles, untraced_cycles);
  *trace_line = line.str();
  if (profile_out != nullptr) *profile_out = profile;
  return check;
}

std::string TraceFailedPass(const std::string& spec, const DeviceOptions& base,
                            const ArrayConfig& hw, const LayerCase& c, const Tensor<int32_t>& want,
                            const RsMapping* m, const OutputPath* path, const FailTrace& plan,
                            const std::string& fst) {
  TraceOptions t;
  t.path = fst;
  t.pass = static_cast<int>(plan.pass);
  t.pass_from = static_cast<int>(plan.pass_from);
  t.scope = plan.scope;
  std::string line;
  CheckLayerTraced(spec, base, t, hw, c, want, m, path, &line);
  const std::string gtkw = fst.size() > 4 ? fst.substr(0, fst.size() - 4) + ".gtkw" : fst;
  return line + "          open it: gtkwave " + fst + " " + gtkw + "\n";
}

}  // namespace cli
}  // namespace eyelet
