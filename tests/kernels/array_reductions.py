"""Reductions of the IR's array tier (`ir.ArrayReduce`, lowered by `passes.lower_arrays`) as public
NumPy code writes them: a row-wise softmax, layer normalization with mean and variance, a
covariance matrix, row maxima inside a prange, whole-array statistics returned as scalars, argmax,
any/all, norms and masked sums. `tests/test_array_tier.py` runs each compiled and as plain Python;
`CASES` maps each kernel to its random arguments."""

from collections.abc import Callable

import numpy as np

from translator import In, Out, c128, f32, f64, i32, kernel, prange


@kernel
def softmax(x: In[f64[:, :]], out: Out[f64[:, :]]):
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    out[:, :] = e / e.sum(axis=1, keepdims=True)


@kernel
def layer_norm(x: In[f32[:, :]], gamma: In[f32[:]], beta: In[f32[:]], out: Out[f32[:, :]]):
    mean = np.mean(x, axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    out[:, :] = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta


@kernel
def covariance(data: In[f64[:, :]], cov: Out[f64[:, :]]):
    mean = np.mean(data, axis=0)
    centered = data - mean
    for i in prange(data.shape[1]):
        for j in range(data.shape[1]):
            cov[i, j] = np.sum(centered[:, i] * centered[:, j]) / (data.shape[0] - 1)


@kernel
def row_max(A: In[f64[:, :]], out: Out[f64[:]]):
    for i in prange(A.shape[0]):
        out[i] = A[i, :].max() - np.min(A[i, :])


@kernel
def statistics(x: In[f64[:]]) -> f64:
    return np.sum(x * x) + x.max() - np.min(x) + x.std(ddof=1) + np.prod(x[:4]) + np.linalg.norm(x)


@kernel
def int_sums(v: In[i32[:, :]], rows: Out[i32[:]]) -> f64:
    rows[:] = v.sum(axis=1) * 10 + v.argmin(axis=1)
    return v.mean() + np.argmax(v) + np.any(v > 8) + v.all()


@kernel
def normalize(x: In[f64[:, :]], out: Out[f64[:, :]]):
    out[:, :] = x / x.sum() + np.var(x, axis=(0, 1)) - np.average(x, axis=0)


@kernel
def positive_sum(x: In[f64[:]]) -> f64:
    return x[x > 0].sum()


@kernel
def nan_max(x: In[f64[:]], out: Out[f64[:]]):
    out[0] = np.max(x)
    out[1] = np.argmax(x)
    for i in prange(1):
        out[2] = x.min()


@kernel
def complex_moments(z: In[c128[:]], out: Out[c128[:]]):
    out[0] = np.sum(z)
    out[1] = z.mean() * np.vdot(z, z)
    for i in prange(2, out.shape[0]):
        out[i] = np.prod(z[:i]) + np.dot(z, z)


@kernel
def value_range(x: In[f64[:]], y: In[f32[:]], out: Out[f64[:]]):
    out[0] = np.max(x)
    out[1] = np.min(x)
    out[2] = y.max()
    out[3] = y.min()


@kernel
def running_extremes(x: In[f64[:]], y: In[f32[:]], out: Out[f64[:]]):
    """The loop form of `value_range`: Python's `max`/`min` folded over a prange, NaN skipped."""
    hi = -np.inf
    lo = np.inf
    hi32 = f32(-np.inf)
    lo32 = f32(np.inf)
    for i in prange(x.shape[0]):
        hi = max(hi, x[i])
        lo = min(lo, x[i])
    for i in prange(y.shape[0]):
        hi32 = max(hi32, y[i] * 2)
        lo32 = min(lo32, y[i])
    out[0] = hi
    out[1] = lo
    out[2] = hi32
    out[3] = lo32


def _infinities(rng: np.random.Generator) -> np.ndarray:
    """-inf and +inf at random, a NaN among them."""
    x = np.where(rng.random(9) < 0.5, -np.inf, np.inf)
    x[4] = np.nan
    return x


EXTREMES: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "all -inf": lambda rng: np.full(7, -np.inf),
    "all +inf": lambda rng: np.full(7, np.inf),
    "-inf and finite": lambda rng: np.concatenate([np.full(5, -np.inf), rng.standard_normal(3)]),
    "infinities and NaN": _infinities,
    "random": lambda rng: rng.standard_normal(9),
}
"""Data whose max or min is an infinity (OpenMP's threads start from the largest finite value), for
`value_range` and `running_extremes`, in float64 and float32."""


@kernel
def scaled_steps(x: In[f64[:]], A: In[f64[:, :]], y: In[f64[:]], steps: Out[f64[:]], chained: Out[f64[:]]):
    """A whole reduction inside a statement the frontend still lowers itself (`np.diff`): computed
    once before its loops; a product of a product (`(A @ y) @ A`), the tier's throughout."""
    steps[:] = np.diff(x) / np.sum(np.abs(x)) + x[1:] * x.max()
    chained[:] = (A @ y) @ A


def _with_nan(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal(9)
    x[5] = np.nan
    return x, np.zeros(3)


CASES = {
    softmax: lambda rng: (rng.standard_normal((5, 7)), np.zeros((5, 7))),
    layer_norm: lambda rng: (rng.standard_normal((4, 6)).astype(np.float32), rng.standard_normal(6).astype(np.float32),
                             rng.standard_normal(6).astype(np.float32), np.zeros((4, 6), np.float32)),
    covariance: lambda rng: (rng.standard_normal((8, 4)), np.zeros((4, 4))),
    row_max: lambda rng: (rng.standard_normal((5, 6)), np.zeros(5)),
    statistics: lambda rng: (rng.standard_normal(11),),
    int_sums: lambda rng: (rng.integers(-9, 10, (4, 5)).astype(np.int32), np.zeros(4, np.int32)),
    normalize: lambda rng: (rng.uniform(0.5, 2.0, (3, 4)), np.zeros((3, 4))),
    positive_sum: lambda rng: (rng.standard_normal(10),),
    nan_max: _with_nan,
    value_range: lambda rng: (rng.standard_normal(8), rng.standard_normal(5).astype(np.float32), np.zeros(4)),
    running_extremes: lambda rng: (rng.standard_normal(8), rng.standard_normal(5).astype(np.float32), np.zeros(4)),
    complex_moments: lambda rng: (rng.standard_normal(6) + 1j * rng.standard_normal(6), np.zeros(5, complex)),
    scaled_steps: lambda rng: (rng.standard_normal(9), rng.standard_normal((4, 6)), rng.standard_normal(6), np.zeros(8),
                               np.zeros(6)),
}
