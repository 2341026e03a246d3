// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet info`: a device's hardware configuration, read from its CSRs.
#include <cstdio>
#include <memory>
#include <string>

#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

const char kInfoSummary[] = "print a device's hardware configuration, read from its CSRs";
const char kInfoDetails[] =
    "Opens the device (--backend rtl: the Verilated accelerator of --config; golden: the\n"
    "golden-model device with the same configuration; uart --port DEV: a board through its\n"
    "UART bridge; rtl-uart: that board system Verilated) and prints what its read-only CSRs\n"
    "report: ID and CSR map version, PE array, scratchpad depths, data, psum, AXI and\n"
    "address widths, global-buffer areas, output-path table, pooling line buffer, and the\n"
    "DRAM window the driver uses. The driver\n"
    "maps layers from these registers, so one driver serves every build.";

po::options_description InfoDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("config", po::value<std::string>()->value_name("NAME")->default_value(kDefaultArrayConfig),
       ("hardware config, one of " + ConfigList()).c_str())
      ("backend", po::value<std::string>()->value_name("NAME")->default_value("rtl"),
       "rtl (the Verilated accelerator), golden (the golden-model\n"
       "device), rtl-uart (the Verilated board system), uart (a\n"
       "board, with --port)")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "also write the configuration as JSON");
  // clang-format on
  AddBoardOptions(d);
  return d;
}

int InfoCommand(const po::variables_map& vm, std::ostream& out) {
  InfoOptions o;
  o.config = ConfigFlag(vm);
  o.backend = BackendFlag(vm);
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  BoardFlags(vm, o.backend, &o.port, &o.baud);
  return RunInfo(o, out);
}

}  // namespace

const Command kInfoCommand = {"info", kInfoSummary, kInfoDetails, InfoDescription, InfoCommand};

}  // namespace cli

int RunInfo(const InfoOptions& o, std::ostream& out) {
  using namespace cli;
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.json_path);
  DeviceOptions d;
  d.port = o.port;
  d.baud = o.baud;
  const std::unique_ptr<Device> dev = OpenDevice(o.backend + ":" + hw.name, d);
  const HwInfo info = dev->ReadHwInfo();
  char id[16];
  std::snprintf(id, sizeof(id), "0x%08x", info.id);
  out << "device    " << dev->Name() << "\n"
      << "id        " << id << ", CSR map " << (info.version >> 16) << "."
      << (info.version & 0xffff) << "\n"
      << "array     " << info.rows << " x " << info.cols << " PEs\n"
      << "spads     ifmap " << info.ifmap_depth << ", filter " << info.filter_depth << ", psum "
      << info.psum_depth << " words per PE\n"
      << "gin       filter " << info.filter_gin_words
      << " words a beat (channels of a 1 x 1 filter), ifmap 1 word a beat\n"
      << "widths    data " << info.data_bits << " bits, psums " << info.acc_bits << " bits, AXI "
      << info.axi_bytes * 8 << " bits, addresses " << info.addr_bits << " bits\n"
      << "glb       ifmap " << info.glb_ifmap_words << ", filter " << info.glb_filter_words
      << " words, psum " << info.glb_psum_words << " words x " << info.cols << " banks\n"
      << "post      output-path table " << info.pp_words << " entries (" << info.pp_words / 2
      << " filters per chunk)\n"
      << "pool      line buffer " << info.pool_words
      << " words (max pooling, windows and strides up to " << kPoolMaxWindow << ")\n"
      << "dram      " << dev->MemSize() << " bytes at 0x" << std::hex << dev->MemBase() << std::dec
      << "\n";
  if (!o.json_path.empty()) {
    Json j;
    j["device"] = dev->Name();
    j["id"] = info.id;
    j["version"] = info.version;
    j["rows"] = info.rows;
    j["cols"] = info.cols;
    j["ifmap_spad"] = info.ifmap_depth;
    j["filter_spad"] = info.filter_depth;
    j["filter_gin_words"] = info.filter_gin_words;
    j["psum_spad"] = info.psum_depth;
    j["data_bits"] = info.data_bits;
    j["acc_bits"] = info.acc_bits;
    j["axi_bits"] = info.axi_bytes * 8;
    j["addr_bits"] = info.addr_bits;
    j["glb_ifmap_words"] = info.glb_ifmap_words;
    j["glb_filter_words"] = info.glb_filter_words;
    j["glb_psum_words"] = info.glb_psum_words;
    j["pp_words"] = info.pp_words;
    j["pool_words"] = info.pool_words;
    WriteJsonReport(o.json_path, j);
    out << "json      " << o.json_path << "\n";
  }
  return kExitOk;
}

}  // namespace eyelet
