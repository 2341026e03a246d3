// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// SaveQuantNet / LoadQuantNet (quantize.h): manifest.json plus one .npy per tensor.
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eyelet/error.h"
#include "eyelet/file_io.h"
#include "eyelet/npy.h"
#include "eyelet/quantize.h"

namespace eyelet {

namespace {

using nlohmann::json;

constexpr int kManifestVersion = 1;

const char* KindName(FloatStep::Kind k) {
  switch (k) {
    case FloatStep::kConv:
      return "conv";
    case FloatStep::kFc:
      return "fc";
    case FloatStep::kPool:
      return "pool";
  }
  return "?";
}

FloatStep::Kind KindFromName(const std::string& s, const std::string& where) {
  if (s == "conv") return FloatStep::kConv;
  if (s == "fc") return FloatStep::kFc;
  if (s == "pool") return FloatStep::kPool;
  throw FileError(where + ": kind '" + s + "' is not conv, fc or pool");
}

json PoolJson(const PoolParams& p) {
  return {{"kernel", {p.kernel_h, p.kernel_w}},
          {"stride", {p.stride_h, p.stride_w}},
          {"pads", {p.pad_top, p.pad_left, p.pad_bottom, p.pad_right}},
          {"ceil_mode", p.ceil_mode}};
}

json ConvJson(const ConvParams& c) {
  return {{"stride", {c.stride_h, c.stride_w}},
          {"pads", {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right}},
          {"groups", c.groups}};
}

void MakeDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    throw FileError("cannot create directory '" + dir + "': " + std::strerror(errno));
  }
}

void SaveI32(const std::string& path, const std::vector<int32_t>& v) {
  NpyArray a;
  a.dtype = kNpyInt32;
  a.shape = {static_cast<int64_t>(v.size())};
  a.bytes.resize(v.size() * 4);
  std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
  WriteNpy(path, a);
}

std::vector<int32_t> LoadI32(const std::string& path, size_t count) {
  const NpyArray a = ReadNpy(path);
  if (a.dtype != kNpyInt32 || a.shape.size() != 1 || static_cast<size_t>(a.shape[0]) != count) {
    throw FileError(path + ": expected an int32 vector of " + std::to_string(count) + " values");
  }
  std::vector<int32_t> v(count);
  std::memcpy(v.data(), a.bytes.data(), count * 4);
  return v;
}

// An integer field: a JSON integer that fits an int. Converting a float such as 1e300 to int
// is undefined behaviour, and a larger integer would arrive as a different number.
int IntField(const json& j, const std::string& where) {
  const bool fits = j.is_number_unsigned() ? j.get<uint64_t>() <= INT_MAX
                                           : j.is_number_integer() && j.get<int64_t>() >= INT_MIN &&
                                                 j.get<int64_t>() <= INT_MAX;
  if (!fits) throw FileError(where + " must be an integer of at most 2^31-1, not " + j.dump());
  return static_cast<int>(j.get<int64_t>());
}

// A list of integer dimensions, each a JSON integer below 2^63.
std::vector<int64_t> DimsField(const json& j, const std::string& where) {
  if (!j.is_array()) throw FileError(where + " must be a list of integers, not " + j.dump());
  std::vector<int64_t> dims;
  for (const json& d : j) {
    if (!d.is_number_integer() || (d.is_number_unsigned() && d.get<uint64_t>() > INT64_MAX)) {
      throw FileError(where + " must be a list of integers below 2^63, not " + j.dump());
    }
    dims.push_back(d.get<int64_t>());
  }
  return dims;
}

}  // namespace

void SaveQuantNet(const QuantNet& net, const std::string& dir) {
  MakeDir(dir);
  json m;
  m["format"] = "eyelet-quantized-network";
  m["version"] = kManifestVersion;
  m["name"] = net.name;
  m["bits"] = net.bits;
  m["calibration"] = {{"method", CalibMethodName(net.calib.method)},
                      {"percentile", net.calib.percentile}};
  m["input_dims"] = net.input_dims;
  m["input_scale"] = net.input_scale;
  m["softmax"] = net.softmax;
  m["softmax_axis"] = net.softmax_axis;
  json steps = json::array();
  for (size_t i = 0; i < net.steps.size(); ++i) {
    const QuantStep& s = net.steps[i];
    const std::string stem = "step" + std::to_string(i);
    json j = {{"kind", KindName(s.kind)},
              {"name", s.name},
              {"op_types", s.op_types},
              {"in_dims", s.in_dims},
              {"out_dims", s.out_dims},
              {"conv", ConvJson(s.conv)},
              {"in_scale", s.in_scale},
              {"out_scale", s.out_scale},
              {"acc_scale", s.acc_scale},
              {"relu", s.path.relu},
              {"leaky", s.path.leaky},
              {"leaky_mult", s.path.leaky_mult},
              {"leaky_shift", s.path.leaky_shift},
              {"pool", s.path.pool},
              {"pool_params", PoolJson(s.path.pool_params)}};
    if (s.kind != FloatStep::kPool) {
      j["weights"] = stem + "_w.npy";
      SaveTensor(dir + "/" + stem + "_w.npy", s.w, kNpyInt16);
    }
    if (!s.path.bias.empty()) {
      j["bias"] = stem + "_bias.npy";
      SaveI32(dir + "/" + stem + "_bias.npy", s.path.bias);
    }
    if (s.Requantizes()) {
      j["requant_mult"] = stem + "_mult.npy";
      j["requant_shift"] = stem + "_shift.npy";
      SaveI32(dir + "/" + stem + "_mult.npy", s.path.requant.mult);
      SaveI32(dir + "/" + stem + "_shift.npy",
              std::vector<int32_t>(s.path.requant.shift.begin(), s.path.requant.shift.end()));
    }
    steps.push_back(j);
  }
  m["steps"] = steps;
  const std::string path = dir + "/manifest.json";
  WriteFileAtomically(path, m.dump(2) + "\n");
}

QuantNet LoadQuantNet(const std::string& dir) {
  const std::string path = dir + "/manifest.json";
  std::ifstream f(path);
  if (!f) {
    throw FileError("cannot read '" + path + "'; give the directory --save-quantized wrote");
  }
  QuantNet net;
  try {
    const json m = json::parse(f);
    if (m.at("format") != "eyelet-quantized-network" || m.at("version") != kManifestVersion) {
      throw FileError(path + ": not an eyelet quantized-network manifest of version " +
                      std::to_string(kManifestVersion));
    }
    net.name = m.at("name").get<std::string>();
    net.bits = IntField(m.at("bits"), path + ": 'bits'");
    if (net.bits != 8 && net.bits != 16) throw FileError(path + ": bits must be 8 or 16");
    try {
      net.calib.method = ParseCalibMethod(m.at("calibration").at("method").get<std::string>());
    } catch (const UsageError& e) {  // the flag's error: here the file is wrong
      throw FileError(path + ": " + e.what());
    }
    net.calib.percentile = m.at("calibration").at("percentile").get<double>();
    net.input_dims = DimsField(m.at("input_dims"), path + ": 'input_dims'");
    net.input_scale = m.at("input_scale").get<double>();
    net.softmax = m.at("softmax").get<bool>();
    net.softmax_axis = IntField(m.at("softmax_axis"), path + ": 'softmax_axis'");
    for (const json& j : m.at("steps")) {
      QuantStep s;
      const std::string where = path + ": step " + std::to_string(net.steps.size());
      s.kind = KindFromName(j.at("kind").get<std::string>(), where);
      s.name = j.at("name").get<std::string>();
      s.op_types = j.at("op_types").get<std::string>();
      const auto int_field = [&](const json& v, const std::string& name) {
        return IntField(v, where + ": '" + name + "'");
      };
      s.in_dims = DimsField(j.at("in_dims"), where + ": 'in_dims'");
      s.out_dims = DimsField(j.at("out_dims"), where + ": 'out_dims'");
      const json& c = j.at("conv");
      s.conv.stride_h = int_field(c.at("stride").at(0), "stride");
      s.conv.stride_w = int_field(c.at("stride").at(1), "stride");
      s.conv.pad_top = int_field(c.at("pads").at(0), "pads");
      s.conv.pad_left = int_field(c.at("pads").at(1), "pads");
      s.conv.pad_bottom = int_field(c.at("pads").at(2), "pads");
      s.conv.pad_right = int_field(c.at("pads").at(3), "pads");
      s.conv.groups = int_field(c.at("groups"), "groups");
      s.in_scale = j.at("in_scale");
      s.out_scale = j.at("out_scale");
      s.acc_scale = j.at("acc_scale").get<std::vector<double>>();
      s.path.relu = j.at("relu");
      s.path.leaky = j.at("leaky");
      const int leaky_mult = int_field(j.at("leaky_mult"), "leaky_mult");
      if (leaky_mult < INT16_MIN || leaky_mult > INT16_MAX) {
        throw FileError(where + ": 'leaky_mult' " + std::to_string(leaky_mult) +
                        " is not an int16");
      }
      s.path.leaky_mult = static_cast<int16_t>(leaky_mult);
      s.path.leaky_shift = int_field(j.at("leaky_shift"), "leaky_shift");
      s.path.pool = j.at("pool");
      const json& p = j.at("pool_params");
      s.path.pool_params.kernel_h = int_field(p.at("kernel").at(0), "kernel");
      s.path.pool_params.kernel_w = int_field(p.at("kernel").at(1), "kernel");
      s.path.pool_params.stride_h = int_field(p.at("stride").at(0), "stride");
      s.path.pool_params.stride_w = int_field(p.at("stride").at(1), "stride");
      s.path.pool_params.pad_top = int_field(p.at("pads").at(0), "pads");
      s.path.pool_params.pad_left = int_field(p.at("pads").at(1), "pads");
      s.path.pool_params.pad_bottom = int_field(p.at("pads").at(2), "pads");
      s.path.pool_params.pad_right = int_field(p.at("pads").at(3), "pads");
      s.path.pool_params.ceil_mode = p.at("ceil_mode");
      size_t channels = 1;
      if (s.kind != FloatStep::kPool) {
        s.w = LoadTensorI16(dir + "/" + j.at("weights").get<std::string>());
        channels = static_cast<size_t>(s.w.shape().n);
      }
      if (s.kind != FloatStep::kPool && s.acc_scale.size() != channels) {
        throw FileError(where + ": acc_scale has " + std::to_string(s.acc_scale.size()) +
                        " values for " + std::to_string(channels) + " output channels");
      }
      if (j.contains("bias")) {
        s.path.bias = LoadI32(dir + "/" + j.at("bias").get<std::string>(), channels);
      }
      if (j.contains("requant_mult")) {
        const size_t n = s.kind == FloatStep::kPool ? 1 : channels;
        s.path.requant.mult = LoadI32(dir + "/" + j.at("requant_mult").get<std::string>(), n);
        const std::vector<int32_t> sh =
            LoadI32(dir + "/" + j.at("requant_shift").get<std::string>(), n);
        s.path.requant.shift.assign(sh.begin(), sh.end());
      }
      net.steps.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    throw FileError(path + ": malformed manifest: " + e.what());
  }
  if (net.steps.empty()) throw FileError(path + ": the manifest has no steps");
  return net;
}

}  // namespace eyelet
