// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// What the `eyelet` commands share: the command table entry each command file defines, flag
// parsing helpers over Boost.Program_options, and the few text and JSON formats several
// commands print. Internal to the tool (sw/tools/eyelet/).
#ifndef EYELET_TOOLS_EYELET_FLAGS_H_
#define EYELET_TOOLS_EYELET_FLAGS_H_

#include <boost/program_options.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eyelet/array_stats.h"
#include "eyelet/backend.h"
#include "eyelet/blame.h"
#include "eyelet/cli.h"
#include "eyelet/device.h"
#include "eyelet/layer_check.h"
#include "eyelet/locate.h"
#include "eyelet/mapping.h"

namespace eyelet {
namespace cli {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;  // keys in the order written

// One `eyelet` command: its help texts, its flags and what runs once they are parsed.
struct Command {
  const char* name;
  const char* summary;
  const char* details;
  po::options_description (*describe)();
  int (*run)(const po::variables_map& vm, std::ostream& out);  // after parsing and --help
  // The option one bare word stands for (`eyelet run MODEL.onnx`), or null: none.
  const char* positional = nullptr;
};

// Defined by layer.cc, pe.cc, sweep.cc, info.cc, map.cc, run.cc and bench.cc.
extern const Command kLayerCommand;
extern const Command kPeCommand;
extern const Command kSweepCommand;
extern const Command kInfoCommand;
extern const Command kMapCommand;
extern const Command kBenchCommand;
extern const Command kRunCommand;

constexpr int kMaxDimFlag = 1 << 16;  // sanity bound on every shape flag
constexpr double kMaxStall = 0.9;

// Parses `args` against `desc`, without abbreviations; words without a --name are errors.
// Throws UsageError.
// `positional`, when given, names the option a single bare word sets.
po::variables_map ParseFlags(const std::vector<std::string>& args,
                             const po::options_description& desc, const char* positional = nullptr);
// --seed, not negative.
uint64_t SeedFlag(const po::variables_map& vm);
// Copies an optional integer flag into `field` after checking its range.
void IntFlag(const po::variables_map& vm, const std::string& name, int lo, int hi,
             std::optional<int>* field);
// UsageError "--name why" for the first of `names` given.
void RejectFlags(const po::variables_map& vm, const std::vector<std::string>& names,
                 const std::string& why);
// "tiny (3x4), small (6x7), eyeriss (12x14)", for help texts.
std::string ConfigList();
// --config: a built hardware config (ConfigByName throws UsageError naming them all).
std::string ConfigFlag(const po::variables_map& vm);
// --backend: a registered backend, else UsageError "--backend must be golden or rtl, not 'x'".
std::string BackendFlag(const po::variables_map& vm);
// --port DEV and --baud N, the uart backend's board (its serial port and line rate).
void AddBoardOptions(po::options_description& d);
// Copies --port and --baud; UsageError when they are given with another backend than uart.
void BoardFlags(const po::variables_map& vm, const std::string& backend, std::string* port,
                int* baud);
// --mapping e,p,q,r,t: five positive integers.
RsMapping MappingFlag(const std::string& text);
std::string MappingArg(const RsMapping& m);
// --pool KxK[/S]: a max-pooling window and a stride on both axes (the window's own size when
// /S is left out); no padding, floor mode.
PoolParams PoolFlag(const std::string& text);
// The layer shape flags `layer` and `map` share (batch aside, whose help differs), and their
// values into `spec` after checking their ranges.
void AddShapeOptions(po::options_description& d);
void ShapeFlags(const po::variables_map& vm, LayerSpec* spec);

// How often a run that finds a trace window polls the device's counters (cycles).
constexpr uint64_t kTracePollCycles = 64;

// --trace FILE.fst and its window flags (eyelet/cli.h TraceOptions); `layers`: the command runs
// networks, so --trace-layer applies.
void AddTraceOptions(po::options_description& d, bool layers);
// The trace flags, checked: the window flags need --trace, golden has no waveforms, the scope
// parses for `config`'s array, --trace-from <= --trace-to. Throws UsageError.
TraceOptions TraceFlags(const po::variables_map& vm, const std::string& backend,
                        const std::string& config);
// The device options of a traced run.
DeviceOptions TracedDevice(const TraceOptions& t, DeviceOptions d);

// A traced clock window and what it holds.
struct TracedWindow {
  uint64_t from = 0;
  uint64_t to = UINT64_MAX;
  std::string what;  // "cycles 1200..3400 (pass 3 of layer 1)"
};
// The window of descriptors [first, last] in an untraced run's profile, or of pass `pass` of
// them (their first pass is 0), widened at the start by a poll and the CSR reads so the first
// cycle is inside; `t.from`/`t.to` when neither --trace-layer nor --trace-pass is given.
// Throws UsageError for a pass the descriptors do not have.
TracedWindow WindowOf(const TraceOptions& t, const ChainProfile& p, int first, int last,
                      const std::string& layer_name);
// "trace     FILE: WHAT, scope S, N bytes; traced run X s, untraced Y s (Z x)".
// `untraced_cycles` and `traced_cycles` are the two runs' busy cycles: a difference (which a
// deterministic simulation never gives) is reported, as the window would then be off.
void PrintTrace(std::ostream& out, const TraceOptions& t, const TracedWindow& w, double traced_s,
                double untraced_s, uint64_t traced_cycles, uint64_t untraced_cycles);

// Where the first output of `got` that differs from `want` was produced (eyelet/locate.h), for
// a layer run on the array as `run_layer` (the CONV layer it ran as: FcToConvLayer's for FC,
// PoolToConvLayer's for a pooling) with the mapping and tiling in `st`: "first wrong output
// (n, c, h, w) = (...): expected E, got G; run R, pass P of the layer, PE (row, col) ...". A
// pooled output is placed at the first CONV output of its window. Empty when they agree or
// the shapes differ; `loc` gets the location when there is one.
std::string LocateFirstMismatch(const ConvLayer& run_layer, const ArrayStats& st,
                                const ArrayConfig& hw, const Tensor<int32_t>& want,
                                const Tensor<int32_t>& got, OutputLocation* loc);
// --fault (rtl, config small): the fault-injection build's plusargs for one fault: R,C,B or
// pe:R,C,B, a stuck-at-1 bit B on PE (R, C)'s psum output (rtl/ey_pe.sv); dma:ADDR,B, bit B of
// DRAM byte ADDR flipped as the DMA read engine delivers it (rtl/ey_dma_rd.sv); gin:K,B, bit B
// of the K-th ifmap GIN word flipped (rtl/ey_ifmap_gen.sv). Empty when not given. Throws
// UsageError.
std::vector<std::string> FaultFlag(const po::variables_map& vm, const std::string& backend,
                                   const std::string& config);
// The device to open: "rtlfault:CONFIG" with `fault` plusargs, else "BACKEND:CONFIG".
std::string DeviceSpec(const std::string& backend, const std::string& config,
                       const std::vector<std::string>& fault);

// What the tool says about a layer's wrong outputs: where the first one was produced (with the
// clock window of its pass, when the run was profiled), and the one unit all of them point at
// (eyelet/blame.h, for CONV outputs before pooling).
struct MismatchReport {
  std::string located;  // LocateFirstMismatch's text, then "; pass P ran in clock cycles A..B"
  bool has_loc = false;
  OutputLocation loc;
  std::optional<TracedWindow> window;  // the pass's clock window (needs the profile)
  std::optional<Blame> blame;
  std::string dram;  // the blamed ifmap element's or filter's DRAM bytes, when known
};
// `weights` (the layer's M x C/G x R x S, or null) let the blame resolve an ifmap channel when
// the outputs are raw accumulators; `profile` (or null) is the run's ChainProfile; `x_addr` and
// `w_addr` (0: unknown) where the run's input and weights lay in DRAM; the layer is descriptors
// first_desc..last_desc of the profiled chain (-1: its last).
MismatchReport ExplainMismatch(const ConvLayer& run_layer, const ArrayStats& st,
                               const ArrayConfig& hw, const Tensor<int32_t>& want,
                               const Tensor<int32_t>& got, const Tensor<int16_t>* weights,
                               const ChainProfile* profile, uint64_t x_addr, uint64_t w_addr,
                               int first_desc = 0, int last_desc = -1);
// "located   ..." and "blame     ..." lines, each after `indent` and its label.
void PrintMismatch(std::ostream& out, const MismatchReport& r, const std::string& indent);
// The same as JSON members "located" and "blame".
void AddMismatchJson(Json& j, const MismatchReport& r);

// Runs and checks `c` on a new device of `spec` opened with `base`. Without a trace, once;
// with one, an untraced run first (it times the run and, polling the counters, finds the
// window of --trace-pass) and then the traced one; `trace_line` gets PrintTrace's lines.
// `profile`, when given, gets the (last) run's ChainProfile: an untraced run is then polled too.
LayerCheck CheckLayerTraced(const std::string& spec, const DeviceOptions& base,
                            const TraceOptions& trace, const ArrayConfig& hw, const LayerCase& c,
                            const Tensor<int32_t>& want, const RsMapping* m, const OutputPath* path,
                            std::string* trace_line, ChainProfile* profile = nullptr);
// The pass and scope to trace for wrong outputs `r` explains (the unit blamed): the pass
// of the first wrong output and its PE column (a PE); the pass the element was delivered in,
// with the pass controller (an ifmap word delivered wrong); from the first pass of the run
// before the element's first use to that use, the time its load can happen in (loads overlap
// the previous run's compute), with the DMA (an ifmap word loaded wrong); with the DMA and the
// pass controller (a filter).
struct FailTrace {
  int64_t pass = 0;
  int64_t pass_from = -1;  // >= 0: passes pass_from..pass
  std::string scope;
};
FailTrace PlanFailTrace(const MismatchReport& r, const ArrayConfig& hw);
// After `check` found wrong outputs: reruns `c` with a trace of `plan`'s pass and scope into
// `fst` (and its .gtkw). Returns the lines to print: the trace line and the command to open it.
std::string TraceFailedPass(const std::string& spec, const DeviceOptions& base,
                            const ArrayConfig& hw, const LayerCase& c, const Tensor<int32_t>& want,
                            const RsMapping* m, const OutputPath* path, const FailTrace& plan,
                            const std::string& fst);

// The trace scope of the walker and the PE column `col` (every row of the array).
std::string PeColumnScope(int col);

// Fails before the work, not after it, when `path` (to be written) is in a missing directory.
void CheckParentDir(const std::string& path);
// Writes `doc` (two-space indented, ending in a newline) to `path` in one go, after the work,
// so a failed run leaves no partial report behind. Throws FileError.
void WriteJsonReport(const std::string& path, const Json& doc);

// "0x0123456789abcdef".
std::string Hex64(uint64_t v);
// "12.3%".
std::string Percent(double fraction);
// How far `model` is from `measured`, as "+1.2%".
std::string SignedPercent(int64_t model, uint64_t measured);
// int16 outputs held widened in `y` (a requantized layer's, a pooling's), as int16.
Tensor<int16_t> Narrow(const Tensor<int32_t>& y);
// "e=4 p=2 q=1 r=1 t=2": the free parameters of a mapping.
std::string ShortMapping(const RsMapping& m);
// "bias, requantization to int16, ReLU, max pool 3x3/2".
std::string DescribeOutputPath(const OutputPath& p);

// The device's figures for one layer as `key  value` lines (those that need time only from a
// device with timing).
void PrintArrayStats(std::ostream& out, const ConvLayer& layer, const RsMapping& m,
                     const ArrayStats& st);
// The same figures as members of a JSON object.
void AddArrayStats(Json& j, const ArrayStats& st);

}  // namespace cli
}  // namespace eyelet

#endif  // EYELET_TOOLS_EYELET_FLAGS_H_
