"""Device functions of another module (marked with `device_functions()`) that can fail as NumPy
does, for `tests/kernels/device_failures.py`: their errors name this file's lines."""

import numpy as np

from translator import device_functions

device_functions()


def row_dot(indptr, indices, data, x, row):
    s = 0.0
    for k in range(indptr[row], indptr[row + 1]):
        s += data[k] * x[indices[k]]
    return s


def prefix_total(x, n):
    s = 0.0
    for k in range(n):
        s += x[k]
    return s


def first_peak(x, start):
    return np.argmax(x[start:])


def window_max(x, lo, hi):
    return np.max(x[lo:hi])
