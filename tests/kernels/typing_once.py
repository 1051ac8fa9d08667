"""Kernels whose arrays take the dtype typing gives their values (docs/design.md, "Tiers and
typing"): the frontend names those dtypes and types nothing. Each runs compiled and as plain Python
in `tests/test_typing_once.py`; `CASES` maps each kernel to its random arguments.
"""

import numpy as np

from translator import In, f32, f64, i64, kernel, prange


@kernel
def follows_made_dtypes(x: In[f32[:]]):
    """A float32 array made from a value, and arrays made with its dtype (`zeros_like`, `dtype=`,
    `.dtype.type`, `.astype`): all float32, as NumPy's."""
    scaled = x * 2 - 1
    acc = np.zeros_like(scaled)
    half = np.empty(x.shape[0], dtype=scaled.dtype)
    for i in prange(x.shape[0]):
        acc[i] = scaled[i] + scaled.dtype.type(1)
        half[i] = scaled[i] * 0.5
    again = acc.astype(scaled.dtype) + half
    return acc, half, again


@kernel
def kept_where_positive(x: In[f32[:]], shift: f32):
    """A boolean array made from a comparison is a mask where it indexes (`x[keep]`), and `~` of
    it is logical not; the sum of a cumulative sum of int32 counts is int64 (a scan's type)."""
    keep = x > shift
    dropped = ~keep
    total = np.sum(x[keep])
    counts = np.cumsum(x.astype(np.int32))
    return keep, dropped, total, counts


@kernel
def stepped_levels(codes: In[i64[:]], n: i64):
    """`np.linspace(..., dtype=levels.dtype)` of an integer array the kernel makes: NumPy floors."""
    levels = codes * 2
    steps = np.linspace(-3.0, 3.0, n, dtype=levels.dtype)
    return levels, steps


@kernel
def scaled_by_peak(x: In[f32[:]]):
    """Typing finds locals and arrays together: `peak` reads the array `centered` (float32), and
    `ratio` is made from `peak`."""
    centered = x - np.mean(x)
    peak = centered[0]
    for i in range(x.shape[0]):
        peak = max(peak, abs(centered[i]))
    ratio = centered / peak
    return ratio


@kernel
def zeroed_where_missing(x: In[f64[:]], A: In[f64[:, :]]):
    """Boolean arrays made from predicates and reductions (`np.isnan`, `np.any(..., axis=1)`) are masks
    where they index, as their dtype is bool."""
    missing = np.isnan(x)
    positive_rows = np.any(A > 0, axis=1)
    cleaned = x.copy()
    cleaned[missing] = 0.0
    flags = A[:, 0].copy()
    flags[positive_rows] = 1.0
    return missing, cleaned, flags, np.sum(x[~missing])


N = 37

CASES = {
    follows_made_dtypes: lambda r: (r.standard_normal(N).astype(np.float32),),
    kept_where_positive: lambda r: (r.standard_normal(N).astype(np.float32) * 4, np.float32(0.25)),
    stepped_levels: lambda r: (r.integers(-9, 9, N), 11),
    scaled_by_peak: lambda r: (r.standard_normal(N).astype(np.float32),),
    zeroed_where_missing: lambda r: (np.where(r.random(N) < 0.2, np.nan, r.standard_normal(N)),
                                     r.standard_normal((N, 3))),
}
