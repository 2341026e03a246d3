// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet bench`: a built-in network's CONV layers, from the cost model or simulated on the
// Verilated accelerator, beside the Eyeriss chip's measured table (eyelet/bench.h).
#include "eyelet/bench.h"

#include <sstream>
#include <string>
#include <vector>

#include "eyelet/cli.h"
#include "eyelet/error.h"
#include "eyelet/file_io.h"
#include "eyelet/nets.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

const char kBenchSummary[] = "benchmark a built-in network beside Eyeriss's measured figures";
const char kBenchDetails[] =
    "Runs every CONV layer of a built-in network (--net) on --config and prints, per layer\n"
    "and in total: the mapping, cycles, PE utilization over the array's cycles and end to\n"
    "end (DRAM waits included), DRAM traffic and its multiple of the minimum, and the\n"
    "normalized energy (ALU 1, RF 1, NoC 2, GLB 6, DRAM 200 per 16-bit access, the Eyeriss\n"
    "tutorial's costs) by level and by data type; beside each row, the Eyeriss chip's\n"
    "measured figures (JSSC 2017, data/eyeriss/eyeriss_<net>_measured.csv).\n"
    "\n"
    "Each row says where its figures come from: 'model', the calibrated cost model (the\n"
    "default, fast), or 'rtl', the layer run on the Verilated accelerator through the\n"
    "driver with random data and every output compared with the golden model (--rtl all or\n"
    "--rtl CONV1,CONV3; full-size AlexNet CONV1-5 at batch 1 take about 4 minutes on one\n"
    "core). Exit 1 when a simulated layer's output differs from the golden model.";

po::options_description BenchDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("net", po::value<std::string>()->value_name("NAME"),
       "the network: alexnet or vgg16 (its CONV layers)")
      ("batch", po::value<int>()->value_name("N"),
       "images; default: the batch of Eyeriss's measurement (alexnet 4, vgg16 3)")
      ("config", po::value<std::string>()->value_name("NAME")->default_value("eyeriss"),
       ("hardware config, one of " + ConfigList()).c_str())
      ("rtl", po::value<std::string>()->value_name("all|none|LIST")->default_value("none"),
       "layers simulated on the Verilated accelerator (LIST: names, comma-separated)")
      ("json", po::value<std::string>()->value_name("FILE"), "also write every row as JSON")
      ("svg", po::value<std::string>()->value_name("FILE"),
       "also draw utilization, DRAM traffic and energy per layer, ours vs Eyeriss")
      ("eyeriss-dir", po::value<std::string>()->value_name("DIR"),
       "where eyeriss_<net>_measured.csv is (default: the repository's data/eyeriss)");
  // clang-format on
  return d;
}

// UsageError unless `name` is a layer of `net`.
void CheckLayerName(const Net& net, const std::string& name) {
  std::string list;
  for (const NetLayer& l : net.layers) {
    if (l.name == name) return;
    list += (list.empty() ? "" : ", ") + l.name;
  }
  throw UsageError("--rtl: " + net.name + " has no layer '" + name + "'; give all, none or " +
                   "some of " + list);
}

// --rtl: "none", "all" or layer names of `net`, comma-separated.
std::vector<std::string> RtlLayers(const std::string& text, const Net& net) {
  std::vector<std::string> names;
  if (text == "none") return names;
  if (text == "all") {
    for (const NetLayer& l : net.layers) names.push_back(l.name);
    return names;
  }
  std::stringstream ss(text);
  std::string name;
  while (std::getline(ss, name, ',')) {
    CheckLayerName(net, name);
    names.push_back(name);
  }
  return names;
}

int BenchCommand(const po::variables_map& vm, std::ostream& out) {
  BenchOptions o;
  if (!vm.count("net")) throw UsageError("--net is required (alexnet or vgg16)");
  const Net& net = NetByName(vm["net"].as<std::string>());  // UsageError listing the nets
  o.net = net.name;
  IntFlag(vm, "batch", 1, kMaxDimFlag, &o.batch);
  o.config = ConfigFlag(vm);
  o.rtl = RtlLayers(vm["rtl"].as<std::string>(), net);
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  if (vm.count("svg")) o.svg_path = vm["svg"].as<std::string>();
  if (vm.count("eyeriss-dir")) o.eyeriss_dir = vm["eyeriss-dir"].as<std::string>();
  return RunBench(o, out);
}

}  // namespace

const Command kBenchCommand = {"bench", kBenchSummary, kBenchDetails, BenchDescription,
                               BenchCommand};

}  // namespace cli

int RunBench(const BenchOptions& o, std::ostream& out) {
  using namespace cli;
  const Net& net = NetByName(o.net);
  const ArrayConfig& hw = ConfigByName(o.config);
  for (const std::string& name : o.rtl) CheckLayerName(net, name);
  CheckParentDir(o.json_path);
  CheckParentDir(o.svg_path);
  const EyerissTable eyeriss = ReadEyerissMeasured(EyerissMeasuredPath(net.name, o.eyeriss_dir));
  const int batch = o.batch.value_or(eyeriss.batch);
  const BenchReport r = BenchNet(net, hw, batch, o.rtl, "rtl", eyeriss, &out);
  out << FormatBench(r);
  if (!o.json_path.empty()) {
    WriteFileAtomically(o.json_path, BenchJson(r));
    out << "json      " << o.json_path << "\n";
  }
  if (!o.svg_path.empty()) {
    WriteFileAtomically(o.svg_path, BenchSvg(r));
    out << "svg       " << o.svg_path << "\n";
  }
  return r.AllPass() ? kExitOk : kExitMismatch;
}

}  // namespace eyelet
