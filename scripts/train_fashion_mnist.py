#!/usr/bin/python3
# Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#
# Trains the Fashion-MNIST demo CNN (issue 13) on the CPU and exports it to ONNX:
#   models/fashion_cnn.onnx                   the model (opset 13, dynamic batch axis)
#   models/fashion_cnn.md                     its model card (written from this run's numbers)
#   tests/data/fashion_first8_images.npy      float32 8 x 1 x 28 x 28: test images 0..7, pixel/255
#   tests/data/fashion_cnn_first8_logits.npy  float32 8 x 10: the torch model's logits for them
#
# Run with Debian's Python, which has python3-torch and python3-onnx (needed only to retrain;
# nothing at run time needs Python):
#   /usr/bin/python3 scripts/train_fashion_mnist.py
#
# Input format: float32 N x 1 x 28 x 28, each pixel divided by 255 and nothing else (no
# mean/std normalization): the C++ side (eyelet/idx.h, LoadFashionMnist) scales by 1/255 only.
# Output: logits N x 10 (no Softmax node); the predicted class is the argmax.
#
# Deterministic: fixed seed, one thread, torch.use_deterministic_algorithms, and the batch
# order drawn from a seeded generator, so a rerun with the same torch version writes the same
# weights.
import argparse
import gzip
import os
import platform
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch_eval  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = "/usr/share/datasets/fashion-mnist"  # Debian dataset-fashion-mnist
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]


def read_idx(path, magic):
    """One gzip IDX file (big-endian header: magic, then one u32 per dimension) as uint8."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    got = int.from_bytes(raw[0:4], "big")
    if got != magic:
        sys.exit(f"{path}: magic 0x{got:08x}, expected 0x{magic:08x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def load_split(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 0x801)
    # pixel/255 only: the scaling LoadFashionMnist applies in C++.
    x = (images.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    return x, labels.astype(np.int64)


class FashionCnn(nn.Module):
    """conv-bn-relu-pool, conv-relu, stride-2 conv-relu, fc-relu-dropout, fc: 28x28 -> 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)  # 16 x 14 x 14
        x = F.relu(self.conv2(x))                             # 32 x 14 x 14
        x = F.relu(self.conv3(x))                             # 32 x 7 x 7
        # view, not flatten: the export carries the Shape/Gather/Unsqueeze/Concat/Reshape
        # subgraph a dynamic batch gives, which the importer must fold.
        x = x.view(x.size(0), -1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)                                    # logits


def evaluate(fn, x, y, batch=1000):
    correct = 0
    for i in range(0, len(x), batch):
        logits = fn(x[i:i + batch])
        correct += int((np.asarray(logits).argmax(axis=1) == y[i:i + batch]).sum())
    return correct / len(x)


def torch_logits(model):
    def fn(xb):
        with torch.no_grad():
            return model(torch.from_numpy(xb)).numpy()
    return fn


MODEL_CARD = """\
# fashion_cnn.onnx: the Fashion-MNIST demo model

A small CNN trained on Fashion-MNIST (Zalando, 60,000 training and 10,000 test images of
28 x 28 grey clothing pictures, 10 classes) for Eyelet's end-to-end demo (issue 13).
Written by `scripts/train_fashion_mnist.py`, which also wrote this card from its run.

## Input and output

- Input `input`: float32 N x 1 x 28 x 28, the IDX file's pixel bytes divided by 255
  (0.0 = black background, 1.0 = white). **No mean/std normalization**: Eyelet's C++ loader
  (`eyelet/idx.h`, `LoadFashionMnist`) scales by 1/255 only, and so did training.
- Output `logits`: float32 N x 10, raw logits (no Softmax node); the prediction is the argmax.
- The batch axis N is dynamic (`dynamic_axes` on input and output).
- Classes: {classes}.

## Architecture

| # | layer | output (per image) |
|---|---|---|
| 1 | Conv 3x3, pad 1, 1 -> 16, BatchNorm2d, ReLU | 16 x 28 x 28 |
| 2 | MaxPool 2x2, stride 2 | 16 x 14 x 14 |
| 3 | Conv 3x3, pad 1, 16 -> 32, ReLU | 32 x 14 x 14 |
| 4 | Conv 3x3, stride 2, pad 1, 32 -> 32, ReLU | 32 x 7 x 7 |
| 5 | flatten (`x.view(x.size(0), -1)`) | 1568 |
| 6 | Linear 1568 -> 64, ReLU, Dropout(0.2) | 64 |
| 7 | Linear 64 -> 10 | 10 (logits) |

{params:,} parameters. Exported in eval mode: the exporter folded the BatchNorm into the first
Conv and dropped the Dropout; the flatten is the Shape/Gather/Unsqueeze/Concat/Reshape subgraph
a dynamic batch gives, which the importer folds. ONNX nodes: {nodes}.

## Training

- Data: Debian's `dataset-fashion-mnist` (`{data_dir}`), read from the gzip IDX files with NumPy.
- {epochs} epochs, Adam (lr {lr}), batch {batch}, cross-entropy; no augmentation.
- Seed {seed} (`torch.manual_seed`, and the shuffling generator), one thread,
  `torch.use_deterministic_algorithms(True)`.
- Training time: {train_s:.0f} s on this machine's CPU ({cpu}).

## Accuracy (float, full 10,000-image test split)

| evaluated | top-1 |
|---|---|
| the torch module after training | {acc_torch:.2%} |
| the exported `fashion_cnn.onnx`, run node by node in torch (`scripts/onnx_torch_eval.py`) | {acc_onnx:.2%} |

The two ran the same images; their logits differ by at most {max_diff:.2e} on the first 1,000.
Per-epoch test top-1 of the torch module: {epoch_acc}.

`tests/data/fashion_first8_images.npy` (float32 8 x 1 x 28 x 28, test images 0..7, pixel/255)
and `tests/data/fashion_cnn_first8_logits.npy` (float32 8 x 10, the torch module's logits for
them) let the C++ float reference be checked against torch.

## Reproduce

Needs Debian's `python3-torch` and `python3-onnx` (and `python3-numpy`), for retraining only:
they are not in `scripts/install-deps.sh`, and nothing at run time needs Python.

    /usr/bin/python3 scripts/train_fashion_mnist.py --epochs {epochs} --seed {seed}

Versions of this run: torch {torch_v}, onnx {onnx_v}, NumPy {numpy_v}, Python {py_v};
ONNX opset 13, IR version {ir_v}; file size {size:,} bytes.
"""


def main():
    ap = argparse.ArgumentParser(description="Trains the Fashion-MNIST demo CNN, exports ONNX.")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--out-dir", default=ROOT, help="repository root to write under")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "test")
    print(f"train {x_train.shape}, test {x_test.shape}")

    model = FashionCnn()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    epoch_acc = []
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), args.batch):
            idx = order[i:i + args.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        acc = evaluate(torch_logits(model), x_test, y_test)
        epoch_acc.append(acc)
        print(f"epoch {epoch + 1}: loss {total / len(xt):.4f}, test top-1 {acc:.2%}, "
              f"{time.time() - t0:.0f} s", flush=True)
    train_s = time.time() - t0
    model.eval()

    onnx_path = os.path.join(args.out_dir, "models", "fashion_cnn.onnx")
    os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)

    acc_torch = epoch_acc[-1]
    acc_onnx = evaluate(lambda xb: onnx_torch_eval.run(m, xb), x_test, y_test)
    ref = torch_logits(model)(x_test[:1000])
    max_diff = float(np.abs(onnx_torch_eval.run(m, x_test[:1000]) - ref).max())
    print(f"float test top-1: torch {acc_torch:.2%}, exported onnx {acc_onnx:.2%} "
          f"(max logit diff {max_diff:.2e})")

    data_dir = os.path.join(args.out_dir, "tests", "data")
    os.makedirs(data_dir, exist_ok=True)
    np.save(os.path.join(data_dir, "fashion_first8_images.npy"), x_test[:8])
    np.save(os.path.join(data_dir, "fashion_cnn_first8_logits.npy"),
            ref[:8].astype(np.float32))

    card = MODEL_CARD.format(
        classes=", ".join(f"{k} {c}" for k, c in enumerate(CLASSES)),
        params=sum(p.numel() for p in model.parameters()),
        nodes=", ".join(n.op_type for n in m.graph.node), data_dir=args.data_dir,
        epochs=args.epochs, lr=args.lr, batch=args.batch, seed=args.seed, train_s=train_s,
        cpu=platform.machine(), acc_torch=acc_torch, acc_onnx=acc_onnx, max_diff=max_diff,
        epoch_acc=", ".join(f"{a:.2%}" for a in epoch_acc), torch_v=torch.__version__,
        onnx_v=onnx.__version__, numpy_v=np.__version__, py_v=platform.python_version(),
        ir_v=m.ir_version, size=os.path.getsize(onnx_path))
    with open(os.path.join(args.out_dir, "models", "fashion_cnn.md"), "w") as f:
        f.write(card)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path):,} bytes) and its model card")


if __name__ == "__main__":
    main()
