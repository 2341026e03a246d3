#!/usr/bin/python3
# Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#
# Runs an exported .onnx file in PyTorch, node by node, from the file's own graph and
# initializers: an independent check that the file (not the torch module it came from) computes
# what the training script measured. Debian has no onnxruntime, and onnx 1.12 no reference
# evaluator, so this small interpreter covers the operators the Eyelet importer accepts, with
# ONNX semantics (opset 13). Training tools only: nothing at run time needs Python.
#
# Used by scripts/train_fashion_mnist.py and scripts/make_onnx_fixtures.py; by hand:
#   /usr/bin/python3 scripts/onnx_torch_eval.py model.onnx input.npy   (prints the output)
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads_2d(pads):
    # ONNX [top, left, bottom, right] -> F.pad's (left, right, top, bottom).
    return (pads[1], pads[3], pads[0], pads[2])


def _max_pool(x, a):
    k = a["kernel_shape"]
    s = a.get("strides", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    ceil_mode = bool(a.get("ceil_mode", 0))
    if p[0] == p[2] and p[1] == p[3]:
        return F.max_pool2d(x, k, s, (p[0], p[1]), ceil_mode=ceil_mode)
    x = F.pad(x, _pads_2d(p), value=float("-inf"))
    return F.max_pool2d(x, k, s, 0, ceil_mode=ceil_mode)


def _avg_pool(x, a):
    k = a["kernel_shape"]
    s = a.get("strides", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    if p[0] != p[2] or p[1] != p[3]:
        raise NotImplementedError("AveragePool with asymmetric pads")
    return F.avg_pool2d(x, k, s, (p[0], p[1]), ceil_mode=bool(a.get("ceil_mode", 0)),
                        count_include_pad=bool(a.get("count_include_pad", 0)))


def _conv(x, w, b, a):
    p = a.get("pads", [0, 0, 0, 0])
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("Conv auto_pad")
    x = F.pad(x, _pads_2d(p))
    return F.conv2d(x, w, b, a.get("strides", [1, 1]), 0, a.get("dilations", [1, 1]),
                    a.get("group", 1))


def _gemm(a_, b_, c_, at):
    if at.get("transA", 0):
        a_ = a_.t()
    if at.get("transB", 0):
        b_ = b_.t()
    y = at.get("alpha", 1.0) * (a_ @ b_)
    if c_ is not None:
        y = y + at.get("beta", 1.0) * c_
    return y


def run(model, x):
    """Runs `model` (onnx.ModelProto) on the float32 array `x`; returns the output array."""
    g = model.graph
    env = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in g.initializer}
    inputs = [i.name for i in g.input if i.name not in env]
    assert len(inputs) == 1, inputs
    env[inputs[0]] = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    with torch.no_grad():
        for n in g.node:
            a = _attrs(n)
            i = [env[name] if name else None for name in n.input]
            op = n.op_type
            if op == "Constant":
                y = torch.from_numpy(onnx.numpy_helper.to_array(a["value"]).copy())
            elif op == "Identity" or op == "Dropout":
                y = i[0]
            elif op == "Conv":
                y = _conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
            elif op == "Relu":
                y = F.relu(i[0])
            elif op == "LeakyRelu":
                y = F.leaky_relu(i[0], a.get("alpha", 0.01))
            elif op == "MaxPool":
                y = _max_pool(i[0], a)
            elif op == "AveragePool":
                y = _avg_pool(i[0], a)
            elif op == "GlobalAveragePool":
                y = i[0].mean(dim=(2, 3), keepdim=True)
            elif op == "BatchNormalization":
                y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0,
                                 a.get("epsilon", 1e-5))
            elif op == "Pad":
                mode = a.get("mode", b"constant")
                assert mode in (b"constant", "constant"), mode
                pads = i[1].tolist()
                value = float(i[2]) if len(i) > 2 and i[2] is not None else 0.0
                r = len(pads) // 2
                assert pads[0] == pads[1] == pads[r] == pads[r + 1] == 0, pads
                y = F.pad(i[0], (pads[3], pads[r + 3], pads[2], pads[r + 2]), value=value)
            elif op == "ConstantOfShape":
                v = onnx.numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(
                    1, np.float32)
                y = torch.from_numpy(np.full(i[0].tolist(), v.ravel()[0], dtype=v.dtype))
            elif op == "Slice":
                axes = i[3].tolist() if len(i) > 3 and i[3] is not None else list(
                    range(len(i[1])))
                steps = i[4].tolist() if len(i) > 4 and i[4] is not None else [1] * len(axes)
                index = [slice(None)] * i[0].dim()
                for ax, st, en, sp in zip(axes, i[1].tolist(), i[2].tolist(), steps):
                    size = i[0].shape[ax]
                    # numpy's slice clamps like ONNX, except INT64_MIN/MAX used as "to the end".
                    en = None if (sp < 0 and en < -size) or (sp > 0 and en > size) else en
                    index[ax] = slice(st, en, sp)
                y = torch.from_numpy(np.ascontiguousarray(i[0].numpy()[tuple(index)]))
            elif op == "Transpose":
                y = i[0].permute(a.get("perm", list(reversed(range(i[0].dim()))))).contiguous()
            elif op == "Cast":
                y = torch.from_numpy(i[0].numpy().astype(
                    onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]))
            elif op == "Shape":
                y = torch.tensor(list(i[0].shape), dtype=torch.int64)
            elif op == "Gather":
                y = torch.index_select(i[0], a.get("axis", 0), i[1].reshape(-1)).reshape(
                    tuple(i[1].shape) + tuple(i[0].shape[1:]))
            elif op == "Unsqueeze":
                y = i[0]
                for axis in sorted(i[1].tolist()):
                    y = y.unsqueeze(axis)
            elif op == "Concat":
                y = torch.cat(i, dim=a["axis"])
            elif op == "Reshape":
                shape = [d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1].tolist())]
                y = i[0].reshape(shape)
            elif op == "Flatten":
                axis = a.get("axis", 1)
                y = i[0].reshape(int(np.prod(i[0].shape[:axis])), -1)
            elif op == "Gemm":
                y = _gemm(i[0], i[1], i[2] if len(i) > 2 else None, a)
            elif op == "MatMul":
                y = i[0] @ i[1]
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "Softmax":
                y = torch.softmax(i[0], dim=a.get("axis", -1))
            else:
                raise NotImplementedError(op)
            env[n.output[0]] = y
    return env[g.output[0].name].numpy()


def main():
    model = onnx.load(sys.argv[1])
    np.set_printoptions(precision=6, suppress=True)
    print(run(model, np.load(sys.argv[2])))


if __name__ == "__main__":
    main()
