#!/usr/bin/python3
# Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#
# Writes the .npy fixtures of tests/npy_test.cc with NumPy's own np.save, so the reader is
# checked against files it did not write and the writer against NumPy's bytes.
# Run with the system Python that has NumPy (1.24 when these were written):
#   /usr/bin/python3 tests/data/make_npy_fixtures.py
# The element values follow formulas of the flat C-order index i that npy_test.cc repeats:
#   int16:   (i * 12345 + 678) % 65536 - 32768
#   int32:   (i - 12) * 178956970
#   float32: (i - 5.5) / 4          (quarters: exact in float32)
#   int8:    i * 60 - 128
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def i16(n):
    return ((np.arange(n, dtype=np.int64) * 12345 + 678) % 65536 - 32768).astype(np.int16)


def i32(n):
    return ((np.arange(n, dtype=np.int64) - 12) * 178956970).astype(np.int32)


def f32(n):
    return ((np.arange(n, dtype=np.float64) - 5.5) / 4).astype(np.float32)


def i8(n):
    return (np.arange(n, dtype=np.int64) * 60 - 128).astype(np.int8)


def save(name, arr):
    np.save(os.path.join(HERE, name), arr)


def main():
    save("int16_2x3x4x5.npy", i16(120).reshape(2, 3, 4, 5))
    save("int32_1x2x3x4.npy", i32(24).reshape(1, 2, 3, 4))
    save("float32_2x1x2x3.npy", f32(12).reshape(2, 1, 2, 3))
    save("int16_3x4.npy", i16(12).reshape(3, 4))
    save("int8_5.npy", i8(5))
    save("int16_scalar.npy", np.array(-7, dtype=np.int16))  # 0-d
    save("int32_scalar.npy", np.array(-2147483648, dtype=np.int32))  # 0-d
    # Files the reader must refuse, naming the problem: Fortran order and big-endian data.
    save("int16_2x3_fortran.npy", np.asfortranarray(i16(6).reshape(2, 3)))
    save("int16_2x3_big_endian.npy", i16(6).reshape(2, 3).astype(">i2"))
    save("float32_2x3_big_endian.npy", f32(6).reshape(2, 3).astype(">f4"))


if __name__ == "__main__":
    main()
