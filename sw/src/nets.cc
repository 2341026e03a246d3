// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/nets.h"

#include "eyelet/error.h"

namespace eyelet {

ConvLayer NetLayer::Conv(int batch) const {
  ConvLayer l;
  l.x = Shape{batch, c * groups, h - 2 * pad, w - 2 * pad};
  l.w = Shape{m, c, r, s};
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
  l.conv.groups = groups;
  return l;
}

const std::vector<Net>& BuiltNets() {
  // name, H, W, C, M, G, R, S, U, pad, MACs per image[, Eyeriss: {m, n, e, p, q, r, t},
  // active PEs, GLB ifmap kB, GLB psum kB, filter spad words, processing ms].
  static const std::vector<Net> nets = {
      {"alexnet",
       "AlexNet CONV1-5 (two groups, 227 x 227)",
       {
           {"CONV1", 227, 227, 3, 96, 1, 11, 11, 4, 0, 105415200,
            EyerissPublished{{96, 1, 7, 16, 1, 1, 2}, 154, 15.5, 72.2, 176, 16.5}},
           {"CONV2", 31, 31, 48, 256, 2, 5, 5, 1, 2, 223948800,
            EyerissPublished{{64, 1, 27, 16, 2, 1, 1}, 135, 3.8, 91.1, 160, 39.2}},
           {"CONV3", 15, 15, 256, 384, 1, 3, 3, 1, 1, 149520384,
            EyerissPublished{{64, 4, 13, 16, 4, 1, 4}, 156, 7.0, 84.5, 192, 21.8}},
           {"CONV4", 15, 15, 192, 384, 2, 3, 3, 1, 1, 112140288,
            EyerissPublished{{64, 4, 13, 16, 3, 2, 2}, 156, 10.5, 84.5, 144, 16.0}},
           {"CONV5", 15, 15, 192, 256, 2, 3, 3, 1, 1, 74760192,
            EyerissPublished{{64, 4, 13, 16, 3, 2, 2}, 156, 10.5, 84.5, 144, 10.0}},
       }},
      {"vgg16",
       "VGG-16 CONV1-1 to CONV5-3 (224 x 224)",
       {
           {"CONV1-1", 226, 226, 3, 64, 1, 3, 3, 1, 1, 86704128, std::nullopt},
           {"CONV1-2", 226, 226, 64, 64, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV2-1", 114, 114, 64, 128, 1, 3, 3, 1, 1, 924844032, std::nullopt},
           {"CONV2-2", 114, 114, 128, 128, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV3-1", 58, 58, 128, 256, 1, 3, 3, 1, 1, 924844032, std::nullopt},
           {"CONV3-2", 58, 58, 256, 256, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV3-3", 58, 58, 256, 256, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV4-1", 30, 30, 256, 512, 1, 3, 3, 1, 1, 924844032, std::nullopt},
           {"CONV4-2", 30, 30, 512, 512, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV4-3", 30, 30, 512, 512, 1, 3, 3, 1, 1, 1849688064, std::nullopt},
           {"CONV5-1", 16, 16, 512, 512, 1, 3, 3, 1, 1, 462422016, std::nullopt},
           {"CONV5-2", 16, 16, 512, 512, 1, 3, 3, 1, 1, 462422016, std::nullopt},
           {"CONV5-3", 16, 16, 512, 512, 1, 3, 3, 1, 1, 462422016, std::nullopt},
       }},
  };
  return nets;
}

const Net& NetByName(const std::string& name) {
  std::string names;
  for (const Net& n : BuiltNets()) {
    if (n.name == name) return n;
    names += (names.empty() ? "" : ", ") + n.name;
  }
  throw UsageError("unknown net '" + name + "'; built-in nets are: " + names);
}

}  // namespace eyelet
