// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet map`: the mapper's choice and predicted cost of CONV layers (eyelet/map_report.h),
// nothing simulated.
#include <optional>
#include <string>
#include <vector>

#include "eyelet/cli.h"
#include "eyelet/error.h"
#include "eyelet/map_report.h"
#include "eyelet/nets.h"
#include "eyelet/runtime.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

const char kMapSummary[] = "predict the mapping and cost of CONV layers, beside Eyeriss's";
const char kMapDetails[] =
    "Maps every CONV layer of a built-in network (--net) or one layer given by shape flags\n"
    "(--layer) onto the PE array of --config and prints one row per layer: the mapper's\n"
    "choice (e,p,q,r,t; n images per pass; DRAM tiling nb images x mc filters x cc\n"
    "channels x sb ofmap strips per GLB chunk), active PEs, predicted cycles (the array's,\n"
    "plus DRAM transfers that do not overlap with them) and DRAM traffic against its\n"
    "minimum. Nothing is simulated.\n"
    "\n"
    "Where Eyeriss published a mapping of the layer (--net alexnet, batch 4 in the paper),\n"
    "it is evaluated by the same model beside ours, and a second table shows its active\n"
    "PEs, spad use, GLB use computed the Eyeriss way beside the paper's figures, whether it\n"
    "fits Eyeriss's own limits and why our RTL could not run it. A layer our mapper cannot\n"
    "map shows the limit that fails; with --layer that is an error (exit 3).";

// "alexnet, vgg16", for the help text.
std::string NetList() {
  std::string list;
  for (const Net& n : BuiltNets()) list += (list.empty() ? "" : ", ") + n.name;
  return list;
}

po::options_description MapDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("net", po::value<std::string>()->value_name("NAME"),
       ("the CONV layers of a built-in network: " + NetList()).c_str())
      ("layer", po::bool_switch(), "one layer, from the shape flags below")
      ("type", po::value<std::string>()->value_name("conv|fc")->default_value("conv"),
       "--layer: conv, or fc (C x H x W inputs, M outputs)")
      ("batch", po::value<int>()->value_name("N")->default_value(1), "images N");
  AddShapeOptions(d);
  d.add_options()
      ("config", po::value<std::string>()->value_name("NAME")->default_value("eyeriss"),
       ("hardware config, one of " + ConfigList()).c_str())
      ("json", po::value<std::string>()->value_name("FILE"), "also write the rows as JSON");
  // clang-format on
  return d;
}

// --layer: the layer the shape flags describe (nothing is drawn at random).
ConvLayer MapLayerFlags(const po::variables_map& vm, int batch) {
  LayerSpec s;
  ShapeFlags(vm, &s);
  const std::string type = vm["type"].as<std::string>();
  ConvLayer l;
  if (type == "fc") {
    RejectFlags(vm, {"kernel", "kernel-h", "kernel-w", "stride", "pad", "groups"},
                "does not apply to --type fc");
    if (!s.in_channels || !s.out_channels) {
      throw UsageError(
          "--layer --type fc needs --in-channels and --out-channels (--height and "
          "--width default to 1)");
    }
    // The CONV layer the runtime runs the FC layer as (K channels of 1 x 1, or past the
    // channel field R = H, S = W).
    const Shape x{batch, *s.in_channels, s.height.value_or(1), s.width.value_or(1)};
    return FcToConvLayer(x, Shape{*s.out_channels, x.c, x.h, x.w});
  }
  if (type != "conv") throw UsageError("--type must be conv or fc, not '" + type + "'");
  if (!s.in_channels || !s.out_channels || !s.height || !s.width || !s.kernel_h || !s.kernel_w) {
    throw UsageError(
        "--layer needs --in-channels, --out-channels, --height, --width and "
        "--kernel (or --kernel-h and --kernel-w)");
  }
  const int groups = s.groups.value_or(1);
  l.x = Shape{batch, *s.in_channels, *s.height, *s.width};
  l.w = Shape{*s.out_channels, *s.in_channels / groups, *s.kernel_h, *s.kernel_w};
  if (*s.in_channels % groups != 0) l.w.c = 0;  // let ConvOutputShape report the groups error
  l.conv.stride_h = l.conv.stride_w = s.stride.value_or(1);
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = s.pad.value_or(0);
  l.conv.groups = groups;
  return l;
}

MapOptions MapOptionsFrom(const po::variables_map& vm) {
  MapOptions o;
  const bool layer = vm["layer"].as<bool>();
  if ((vm.count("net") > 0) == layer) {
    throw UsageError("give either --net NAME or --layer with shape flags");
  }
  std::optional<int> batch;
  IntFlag(vm, "batch", 1, kMaxDimFlag, &batch);
  o.batch = *batch;
  if (layer) {
    o.layer = MapLayerFlags(vm, o.batch);
  } else {
    o.net = NetByName(vm["net"].as<std::string>()).name;  // UsageError listing the nets
    RejectFlags(vm,
                {"in-channels", "out-channels", "height", "width", "kernel", "kernel-h", "kernel-w",
                 "stride", "pad", "groups"},
                "applies to --layer only");
    if (!vm["type"].defaulted()) throw UsageError("--type applies to --layer only");
  }
  o.config = ConfigByName(vm["config"].as<std::string>()).name;
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  return o;
}

int MapCommand(const po::variables_map& vm, std::ostream& out) {
  return RunMap(MapOptionsFrom(vm), out);
}

}  // namespace

const Command kMapCommand = {"map", kMapSummary, kMapDetails, MapDescription, MapCommand};

}  // namespace cli

int RunMap(const MapOptions& o, std::ostream& out) {
  using namespace cli;
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.json_path);
  std::vector<MapRow> rows;
  std::string title;
  if (o.layer) {
    o.layer->Out();  // validates the shape first
    rows.push_back(MapLayer("layer", *o.layer, hw));
    if (!rows[0].error.empty()) throw UnsupportedError(rows[0].error);
    title = "layer " + o.layer->ToString();
  } else {
    const Net& net = NetByName(o.net);
    rows = MapNet(net, hw, o.batch);
    title = net.name + ": " + net.description + ", batch " + std::to_string(o.batch);
  }
  out << FormatMapTable(title, rows, hw);
  if (!o.json_path.empty()) {
    WriteJsonReport(o.json_path, Json::parse(MapTableJson(title, rows, hw)));
    out << "\njson      " << o.json_path << "\n";
  }
  return kExitOk;
}

}  // namespace eyelet
