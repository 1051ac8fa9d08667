"""Kernels for the language extensions (launch keywords, device numbers, atomics); each runs compiled
and as plain Python in `tests/test_language.py`. `CASES` maps each kernel to its random arguments.
"""

import math

import numpy as np

from translator import In, InOut, Out, atomic_add, atomic_max, atomic_min, atomic_sub, f32, f64, i32, i64, kernel, prange

BINS = 16
WINDOW = 7


@kernel
def launch_keywords(x: In[f64[:]], out: Out[f64[:]], teams: int, threads: int):
    for i in prange(x.shape[0], num_teams=teams, thread_limit=threads * 2, schedule="dynamic, 4"):
        out[i] = x[i] * 2 + 1


@kernel
def schedule_only(x: In[f64[:, :]], out: Out[f64[:, :]]):
    for i in prange(x.shape[0], schedule="static"):
        for j in prange(x.shape[1]):
            out[i, j] = x[i, j] - i


@kernel(device=0)
def on_device_zero(x: In[f32[:]], y: InOut[f32[:]], steps: int):
    for t in range(steps):
        for i in prange(x.shape[0], thread_limit=64):
            y[i] = y[i] * 0.5 + x[i]


@kernel
def histogram_atomics(x: In[f64[:]], hist: InOut[i64[:]], grid: InOut[i32[:, :]], lo: InOut[f64[:]],
                      hi: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        b = min(max(int((x[i] + 4.0) * 2), 0), BINS - 1)
        atomic_add(hist, b, 1)
        atomic_sub(hist, -1, 2)
        atomic_add(grid, (b % 4, i % 3), i)
        atomic_min(lo, b % 2, x[i] * 3)
        atomic_max(hi, 0, f32(x[i]))
        atomic_max(hi, 1, -f32(x[i]))


def square(x):
    return x * x


def hypot2(a, b):
    return math.sqrt(square(a) + square(b))


def clamp(v, lo: float, hi: float):
    if v < lo:
        return lo
    elif v > hi:
        return hi
    return v


def wrap_sum(a, b):
    total = a
    for _ in range(3):
        total = total + b
    return total


def row_total(m, row):
    total = 0.0
    for k in range(m.shape[1]):
        total += m[row, k]
    return total


def scale_row(m, row, factor):
    for k in range(m.shape[1]):
        m[row, k] = m[row, k] * factor
    return m[row, -1]


def first_two(v):
    return v[0] + v[1]


def fill(v, start):
    for k in range(v.shape[0]):
        v[k] = start + k


@kernel
def array_arguments(x: In[f64[:, :]], y: InOut[f64[:, :]], sums: Out[f64[:]], last: Out[f64[:]]):
    for i in prange(x.shape[0]):
        window = np.zeros(3, np.float32)
        fill(window, i % 5)
        window[i % 3] = 2.5
        sums[i] = row_total(x, i) + row_total(y, i) + first_two(window)
        last[i] = scale_row(y, i, 0.5)


@kernel
def device_functions(x: In[f64[:]], y: In[f32[:]], n: In[i64[:]], m: In[i32[:]], out: Out[f64[:, :]],
                     out32: Out[f32[:]], outi: Out[i32[:]]):
    for i in prange(x.shape[0]):
        out[i, 0] = hypot2(x[i], 2)
        out[i, 1] = square(y[i]) + square(n[i]) + square(3)
        out[i, 2] = clamp(x[i], -0.5, 0.5)
        out[i, 3] = square(n[i] // 7) - hypot2(1, 1)
        out32[i] = square(y[i]) * 0.5 + clamp(y[i], -1, 1)
        outi[i] = wrap_sum(m[i], m[i] * 1000)


@kernel
def local_arrays(x: In[f64[:, :]], out: Out[f64[:, :]], counts: InOut[i32[:, :]]):
    for i in prange(x.shape[0]):
        window = np.zeros(WINDOW, np.float64)
        tally = np.zeros((2, 3), dtype=np.int32)
        scratch = np.empty(WINDOW, f32)
        for k in range(len(window)):
            window[k] = x[i, k] * (k + 1)
            scratch[-1 - k] = f32(x[i, k])
            tally[k % 2, k % 3] += 1
        for k in range(window.shape[0]):
            out[i, k] = window[k] + scratch[k] + window[-1]
        for a in range(2):
            for b in range(tally.shape[1]):
                counts[i, a * 3 + b] = tally[a, b]


@kernel
def one_line_body(g: f64[:, :], dt: f64): return g + dt * np.sqrt(g * g)


N = 1000
CASES = {
    one_line_body: lambda r: (r.standard_normal((40, 7)), float(r.uniform(0.5, 2.0))),
    launch_keywords: lambda r: (r.standard_normal(N), np.zeros(N), int(r.integers(1, 8)), int(r.integers(16, 64))),
    schedule_only: lambda r: (r.standard_normal((30, 17)), np.zeros((30, 17))),
    on_device_zero: lambda r: (r.standard_normal(N).astype(np.float32), r.standard_normal(N).astype(np.float32),
                               int(r.integers(1, 4))),
    histogram_atomics: lambda r: (r.standard_normal(N), np.zeros(BINS + 1, np.int64), np.zeros((4, 3), np.int32),
                                  np.full(2, np.inf), np.full(2, -np.inf, np.float32)),
    device_functions: lambda r: (r.standard_normal(N), r.standard_normal(N).astype(np.float32),
                                 r.integers(-1000, 1000, N), r.integers(-2**31, 2**31 - 1, N).astype(np.int32),
                                 np.zeros((N, 4)), np.zeros(N, np.float32), np.zeros(N, np.int32)),
    array_arguments: lambda r: (r.standard_normal((N, 9)), r.standard_normal((N, 9)), np.zeros(N), np.zeros(N)),
    local_arrays: lambda r: (r.standard_normal((N, WINDOW)), np.zeros((N, WINDOW)), np.zeros((N, 6), np.int32)),
}
