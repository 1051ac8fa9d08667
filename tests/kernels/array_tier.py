"""Array statements as public NumPy code writes them, all through the IR's array tier
(`ir.ArrayAssign`, `passes.lower_arrays`): outer products with `None` axes, first differences,
stencils, triangular row updates, transposes, standardization, promotion between dtypes and NumPy's
elementwise functions, arrays the kernel makes, masked assignments. `tests/test_array_tier.py` runs each compiled and as plain Python; `CASES`
maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, b1, c128, f32, f64, i32, i64, kernel, prange


@kernel
def outer(x: In[f64[:]], y: In[f64[:]], out: Out[f64[:, :]]):
    out[:, :] = x[:, None] * y[None, :] + 1.0


@kernel
def first_differences(x: In[f64[:]], d: Out[f64[:]]):
    d[:] = x[1:] - x[:-1]


@kernel
def smooth(steps: int, a: InOut[f32[:]], b: InOut[f32[:]]):
    for t in range(steps):
        b[1:-1] = 0.33333 * (a[:-2] + a[1:-1] + a[2:])
        a[1:-1] = 0.33333 * (b[:-2] + b[1:-1] + b[2:])


@kernel
def lower_rank_update(alpha: f64, beta: f64, A: In[f64[:, :]], C: InOut[f64[:, :]]):
    for i in prange(C.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[:i + 1, k] * A[i, k]


@kernel
def symmetric_part(A: In[f64[:, :]], S: Out[f64[:, :]]):
    S[:, :] = 0.5 * (A + A.T)


@kernel
def standardize(data: InOut[f64[:, :]], mean: In[f64[:]], std: In[f64[:]]):
    data -= mean[None, :]
    data /= std


@kernel
def mixed_types(v: In[i32[:]], w: In[f32[:]], out: Out[f64[:]], halves: Out[f32[:]]):
    out[:] = v / 2 + w
    halves[:] = w * 0.5 - v[0]


@kernel
def magnitudes(z: In[f64[:, :]], out: Out[f64[:, :]]):
    out[:, :] = np.sqrt(np.abs(z)) + np.maximum(z, 0.0) - abs(z[0, :])


@kernel
def shifted_rows(x: InOut[f64[:, :]]):
    for i in prange(x.shape[0]):
        x[i, 1:] = x[i, :-1] + x[i, 1:] * x[i, 0]


@kernel
def flags_and_parts(z: In[c128[:]], flags: In[b1[:]], x: In[f64[:]], kept: Out[b1[:]], parts: Out[f64[:]]):
    kept[:] = np.logical_and(~flags, x > 0) | (z.real > z.imag)
    parts[:] = z.imag * x.copy() - np.copy(z).real


@kernel
def clip(x: InOut[f64[:, :]], y: InOut[f32[:]], lo: In[f32[:]], limit: f64):
    x[x < 0] = 0.0
    x[x > limit] -= limit
    y[(lo > 0) & ~(y > lo)] = 1.5
    keep = lo < 0.5
    y[keep] += 1.0


@kernel
def half_differences(x: In[f64[:, :]]):
    d = x[:, 1:] - x[:, :-1]
    for i in prange(x.shape[0]):
        half = x[i, :] * 0.5
        d[i, :] += half[1:]
    return d


@kernel
def permuted(x: In[f64[:]], perm: In[i64[:]], A: In[f64[:, :]], rows: In[i32[:]], y: Out[f64[:]],
             z: Out[f64[:, :]]) -> f64:
    """Gathers (`ir.Gather`): a permutation and its reverse, rows picked by an index array (negative
    ones count from the end), a gather in a reduction and one bound to a new array."""
    y[:] = x[perm] * 2.0 + x[perm[::-1]]
    for i in prange(z.shape[0]):
        z[i, :] = A[rows[i], perm % A.shape[1]] - np.sum(x[perm[:3]])
    picked = x[perm]
    return np.sum(picked * picked) + x[perm].max()


def _scale_row(a, X, i):
    X[i, :] = a * X[i, :] + 1.0


def _centered_norm(X, i, v):
    X[i, :] -= np.mean(X[i, :])
    return np.sqrt(np.sum(X[i, :] * X[i, :])) + np.sum(v[v > X[i, 0]]) + X[i, 1:].max() + X[i, :] @ X[i, :]


@kernel
def row_helpers(A: InOut[f64[:, :]], v: In[f64[:]], norms: Out[f64[:]]):
    """Array statements, reductions, a masked read and a product in device functions: the tier's
    loops, serial inside the function."""
    for i in prange(A.shape[0]):
        _scale_row(2.0, A, i)
        norms[i] = _centered_norm(A, i, v)


CASES = {
    outer: lambda rng: (rng.standard_normal(7), rng.standard_normal(5), np.zeros((7, 5))),
    first_differences: lambda rng: (rng.standard_normal(9), np.zeros(8)),
    smooth: lambda rng: (3, rng.standard_normal(40).astype(np.float32), rng.standard_normal(40).astype(np.float32)),
    lower_rank_update: lambda rng: (1.5, 0.5, rng.standard_normal((6, 4)), rng.standard_normal((6, 6))),
    symmetric_part: lambda rng: (rng.standard_normal((5, 5)), np.zeros((5, 5))),
    standardize: lambda rng: (rng.standard_normal((6, 4)), rng.standard_normal(4), rng.uniform(0.5, 2.0, 4)),
    mixed_types: lambda rng: (rng.integers(-50, 50, 10).astype(np.int32), rng.standard_normal(10).astype(np.float32),
                              np.zeros(10), np.zeros(10, np.float32)),
    magnitudes: lambda rng: (rng.standard_normal((4, 6)), np.zeros((4, 6))),
    shifted_rows: lambda rng: (rng.standard_normal((5, 7)),),
    half_differences: lambda rng: (rng.standard_normal((4, 6)),),
    clip: lambda rng: (rng.standard_normal((5, 6)), rng.standard_normal(8).astype(np.float32),
                       rng.standard_normal(8).astype(np.float32), 0.75),
    flags_and_parts: lambda rng: (rng.standard_normal(9) + 1j * rng.standard_normal(9), rng.random(9) < 0.5,
                                  rng.standard_normal(9), np.zeros(9, bool), np.zeros(9)),
    row_helpers: lambda rng: (rng.standard_normal((5, 6)), 3 * rng.random(9), np.zeros(5)),
    permuted: lambda rng: (rng.standard_normal(7), rng.permutation(7), rng.standard_normal((5, 4)),
                           rng.integers(-5, 5, 6).astype(np.int32), np.zeros(7), np.zeros((6, 7))),
}
