#!/usr/bin/python3
# Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#
# Writes tests/data/onnx/mixed_ops.onnx: an untrained ("unseen") model with random weights that
# exercises, as PyTorch 1.13 exports them, the operators the importer supports beyond those of
# the Fashion-MNIST demo model, and one input and its torch output:
#   tests/data/onnx/mixed_ops_input.npy   float32 1 x 3 x 16 x 16, uniform in [-1, 1)
#   tests/data/onnx/mixed_ops_output.npy  float32 1 x 10, the torch module's output (softmax)
#
# Layers (per image, 3 x 16 x 16 in):
#   ZeroPad2d((1,0,1,0))        Pad, top and left only                      3 x 17 x 17
#   Conv 3x3 pad 1, 3 -> 8      with the Pad: top/left 2, bottom/right 1     8 x 17 x 17
#   BatchNorm2d                 a BatchNormalization node (see below)
#   LeakyReLU(0.1)
#   depthwise Conv 3x3 pad 1    groups 8                                     8 x 17 x 17
#   ReLU, AvgPool2d(2)          AveragePool, floor: the last row/col unused  8 x 8 x 8
#   BatchNorm2d                 after a pool: no Conv before it to fold into
#   Conv 1x1, 8 -> 16, ReLU                                                  16 x 8 x 8
#   MaxPool2d(3, 2, 1, ceil)    ceil_mode: the last window is 1 column + pad 16 x 5 x 5
#   AdaptiveAvgPool2d(1)        GlobalAveragePool                            16 x 1 x 1
#   torch.flatten(x, 1)         Flatten                                      16
#   Linear 16 -> 10, Softmax(1) Gemm, Softmax axis 1                         10
# Exported from eval mode with TrainingMode.PRESERVE, so the exporter keeps the
# BatchNormalization nodes (its eval peephole would fold the first into its Conv) and the
# importer's folding is what gets tested.
# Dynamic batch axis on input and output; opset 13; weights and BatchNorm statistics drawn
# from a fixed seed.
#
# Run with Debian's Python (python3-torch 1.13, python3-onnx 1.12), for regeneration only:
#   /usr/bin/python3 scripts/make_onnx_fixtures.py
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch_eval  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "onnx")
SEED = 1313


class MixedOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 0, 1, 0))  # left 1, right 0, top 1, bottom 0
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = nn.LeakyReLU(0.1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.act2 = nn.ReLU()
        self.avg = nn.AvgPool2d(2)
        self.bn2 = nn.BatchNorm2d(8)
        self.pw = nn.Conv2d(8, 16, 1)
        self.act3 = nn.ReLU()
        self.max = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(self.pad(x))))
        x = self.avg(self.act2(self.dw(x)))
        x = self.max(self.act3(self.pw(self.bn2(x))))
        x = torch.flatten(self.gap(x), 1)
        return self.softmax(self.fc(x))


def main():
    torch.manual_seed(SEED)
    model = MixedOps()
    # BatchNorm statistics and affine parameters away from the identity, so folding them wrong
    # shows in the output.
    with torch.no_grad():
        for bn in (model.bn1, model.bn2):
            n = bn.num_features
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            assert bn.running_mean.numel() == n
        # Larger classifier weights, so the softmax output is far from uniform.
        model.fc.weight.uniform_(-2.0, 2.0)
    model.eval()

    x = (torch.rand(1, 3, 16, 16) * 2 - 1).float()
    with torch.no_grad():
        y = model(x)

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "mixed_ops.onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                      output_names=["probs"],
                      dynamic_axes={"input": {0: "N"}, "probs": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = [n.op_type for n in m.graph.node]
    for want in ("Pad", "Conv", "BatchNormalization", "LeakyRelu", "Relu", "AveragePool",
                 "MaxPool", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"):
        assert want in ops, f"{want} missing from the export: {ops}"

    got = onnx_torch_eval.run(m, x.numpy())
    diff = float(np.abs(got - y.numpy()).max())
    assert diff < 1e-6, diff
    # The batch axis is dynamic: a batch of 3 runs through the file too.
    x3 = torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        assert np.abs(onnx_torch_eval.run(m, x3.numpy()) - model(x3).numpy()).max() < 1e-6

    np.save(os.path.join(OUT, "mixed_ops_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "mixed_ops_output.npy"), y.numpy().astype(np.float32))
    print(f"wrote {path} ({os.path.getsize(path):,} bytes), nodes: {', '.join(ops)}")
    print(f"output {y.numpy().ravel()} (file vs torch max diff {diff:.1e})")


if __name__ == "__main__":
    main()
