"""Kernels with whole-array statements between loops, N-D slices, broadcasting, reductions along an
axis and matrix products; each runs compiled and as plain Python in `tests/test_arrays.py`. `CASES`
maps each kernel to its random arguments (negatives and NaNs included)."""

import numpy as np

from translator import In, InOut, Out, b1, f32, f64, i32, i64, kernel, prange


@kernel
def scale_then_update(alpha: f64, beta: f64, A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]):
    C *= beta
    for i in prange(C.shape[0]):
        for k in range(A.shape[1]):
            C[i, :] += alpha * A[i, k] * B[k, :]


@kernel
def copy_and_center(x: In[f64[:, :]], mean: In[f64[:]], y: Out[f64[:, :]], z: Out[f64[:, :]]):
    y[:] = x
    y -= mean
    z[:, :] = x - mean[None, :] * 0.5


@kernel
def stencil_steps(steps: int, A: InOut[f32[:, :]], B: InOut[f32[:, :]]):
    for t in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


@kernel
def interior_out(A: In[f64[:, :]], B: Out[f64[:, :]]):
    B[1:-1, 2:] = A[:-2, :-2] * 2.0 - A[2:, 2:]


@kernel
def axis_reductions(data: In[f64[:, :]], sums: Out[f64[:]], means: Out[f64[:]], highs: Out[f64[:]],
                    lows: Out[f64[:]]):
    sums[:] = np.sum(data, axis=0)
    means[:] = np.mean(data[:18, :], axis=1)
    highs[:] = np.max(data, axis=0)
    lows[:] = np.min(data.T, axis=1)


@kernel
def whole_reductions(a: In[f64[:, :]], v: In[i32[:]], out: Out[f64[:]]) -> f64:
    total = np.sum(a)
    high = np.max(a)
    low = np.min(a[1:, :])
    count = np.sum(v)
    top = np.max(v)
    out[:] = a[0, :] / total
    return total + high - low + count * 0.5 + top


@kernel
def products(A: In[f64[:, :]], x: In[f64[:]], y: In[f64[:]], B: In[f64[:, :]], r: Out[f64[:]], s: Out[f64[:]],
             C: Out[f64[:, :]]) -> f64:
    r[:] = A @ x
    s[:] = y @ A + A.T @ y
    C[:, :] = A @ B
    return x @ x + np.dot(A[0, :], x)


@kernel
def rows_and_columns(A: In[i64[:, :]], out: InOut[i64[:, :]], col: Out[i64[:]]):
    for i in prange(A.shape[0]):
        out[i] = A[i] * 3 - out[i] // 2
    col[:] = np.sum(A[:, 1:] * A[:, :-1], axis=1) % 7


@kernel
def sums_of_expressions(a: In[f32[:]], b: In[f32[:]], out: Out[f32[:]]) -> f32:
    out[:] = np.sqrt(np.abs(a)) + np.maximum(a, b) * (a > b)
    return np.sum(a * b) / np.sum(np.abs(b))


@kernel
def mismatched(a: In[f64[:]], b: In[f64[:]], m: In[f64[:, :]], y: Out[f64[:]], s: Out[f64[:]]):
    y[:] = a + b[1:]
    s[:] = np.sum(m, axis=0)


@kernel
def differences(x: In[f64[:]]):
    d = x[1:] - x[:-1]
    return d


@kernel
def mismatched_in_loops(c: InOut[f64[:, :]], a: In[f64[:]]):
    for i in prange(c.shape[0]):
        c[i, :i + 1] += a[:i + 1]
    for i in range(c.shape[0]):
        c[i, i:] -= 2.0 * a[i:]


@kernel
def covariance_like(float_n: f64, data: InOut[f64[:, :]]):
    m = data.shape[1]
    mean = np.sum(data, axis=0) / float_n
    data -= mean
    c = np.zeros((m, m))
    for i in prange(m):
        for j in range(i, m):
            c[i, j] = data[:, i] @ data[:, j] / (float_n - 1.0)
            c[j, i] = c[i, j]
    return c


@kernel
def new_arrays(x: In[f32[:]], v: In[i32[:]], a: In[f64[:, :]]):
    d = x[1:] - x[:-1]
    w = v * 2 + 1
    s = np.copy(x)
    s *= 2
    centered = x - np.mean(x)
    t = a.T * 0.5
    return d, w, s, centered, t, np.sqrt(np.abs(x)) @ x


@kernel
def returned_expression(a: In[f64[:, :]]):
    trace = 0.0
    for i in prange(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


@kernel
def masks_and_spreads(data: In[f64[:, :]], flags: In[b1[:]], x: InOut[f32[:]]):
    spread = np.std(data, axis=0)
    spread[spread <= 0.9] = 1.0
    x[(x < -0.5) | (x > 1.0)] *= 2
    x[flags] = 0.5
    for i in prange(1):
        x[flags] = x[i + 1]
    total_var = np.var(data)
    identity = np.eye(data.shape[1], data.shape[0], dtype=np.int32)
    return spread, np.var(data[:, 1:], axis=1), identity, total_var


def _with_nans(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    a = rng.standard_normal(shape)
    a[rng.random(shape) < 0.05] = np.nan
    return a


CASES = {
    scale_then_update: lambda r: (1.5, -0.7, r.standard_normal((30, 20)), r.standard_normal((20, 25)),
                                  r.standard_normal((30, 25))),
    copy_and_center: lambda r: (r.standard_normal((40, 9)), r.standard_normal(9), np.zeros((40, 9)), np.zeros((40, 9))),
    stencil_steps: lambda r: (3, r.standard_normal((33, 27)).astype(np.float32), r.standard_normal((33, 27)).astype(np.float32)),
    interior_out: lambda r: (r.standard_normal((21, 17)), r.standard_normal((21, 17))),
    axis_reductions: lambda r: (_with_nans(r, (24, 18)), np.zeros(18), np.zeros(18), np.zeros(18), np.zeros(18)),
    whole_reductions: lambda r: (r.standard_normal((50, 30)), r.integers(-100, 100, 77).astype(np.int32),
                                 np.zeros(30)),
    products: lambda r: (r.standard_normal((16, 16)), r.standard_normal(16), r.standard_normal(16),
                         r.standard_normal((16, 12)), np.zeros(16), np.zeros(16), np.zeros((16, 12))),
    rows_and_columns: lambda r: (r.integers(-50, 50, (13, 8)), r.integers(-50, 50, (13, 8)), np.zeros(13, np.int64)),
    sums_of_expressions: lambda r: (r.standard_normal(300).astype(np.float32), r.standard_normal(300).astype(np.float32),
                                    np.zeros(300, np.float32)),
    covariance_like: lambda r: (32.0, r.random((32, 28))),
    new_arrays: lambda r: (r.standard_normal(50).astype(np.float32), r.integers(-9, 9, 50).astype(np.int32),
                           r.standard_normal((7, 5))),
    returned_expression: lambda r: (r.random((30, 30)),),
    masks_and_spreads: lambda r: (r.standard_normal((20, 9)), r.random(40) < 0.3, r.standard_normal(40).astype(np.float32)),
}
