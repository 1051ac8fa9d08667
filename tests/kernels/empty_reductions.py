"""Maxima, minima and their positions as public NumPy code writes them, over slices whose length
comes from the arguments, so a call can make them empty: NumPy raises `ValueError` then (a max has
no identity), and so must the compiled kernel (`ir.checks.require_elements`). `CASES` gives each
kernel non-empty random arguments; `EMPTY` arguments that make its first max/min/arg* reduce nothing."""

from collections.abc import Callable

import numpy as np

from translator import In, Out, b1, f64, i64, kernel, prange


@kernel
def peak_to_peak(x: In[f64[:]], n: i64) -> f64:
    return x[:n].max() - x[:n].min()


@kernel
def row_stats(x: In[f64[:, :]], spread: Out[f64[:]], first_low: Out[i64[:]]):
    for i in prange(x.shape[0]):
        spread[i] = np.max(x[i, :]) - np.min(x[i, :])
        first_low[i] = np.argmin(x[i, :])


@kernel
def column_peaks(A: In[f64[:, :]], out: Out[f64[:, :]]):
    out[:, :] = A / A.max(axis=0, keepdims=True)


@kernel
def best_index(scores: In[f64[:]], start: i64) -> i64:
    return start + np.argmax(scores[start:])


@kernel
def guarded_peak(x: In[f64[:]], n: i64) -> f64:
    return x[:n].max() if n > 0 else 0.0


@kernel
def eager_peak(x: In[f64[:]], n: i64) -> f64:
    return float(np.where(n > 0, x[:n].max(), 0.0))


@kernel
def any_set(flags: In[b1[:]], n: i64) -> b1:
    return flags[:n].max()


@kernel
def reversed_peak(x: In[f64[:]], n: i64) -> f64:
    return np.max(np.flip(x[:n]))


CASES: dict[object, Callable[[np.random.Generator], tuple]] = {
    peak_to_peak: lambda rng: (rng.standard_normal(9), 6),
    row_stats: lambda rng: (rng.standard_normal((5, 7)), np.zeros(5), np.zeros(5, np.int64)),
    column_peaks: lambda rng: (rng.random((4, 6)) + 0.5, np.zeros((4, 6))),
    best_index: lambda rng: (rng.standard_normal(10), 3),
    guarded_peak: lambda rng: (rng.standard_normal(8), 5),
    eager_peak: lambda rng: (rng.standard_normal(8), 5),
    any_set: lambda rng: (rng.random(8) < 0.3, 6),
    reversed_peak: lambda rng: (rng.standard_normal(8), 5),
}

MAXIMUM = "zero-size array to reduction operation maximum which has no identity"
EMPTY: dict[object, tuple[tuple, str, int]] = {
    peak_to_peak: ((np.ones(4), 0), MAXIMUM, 2),
    row_stats: ((np.ones((3, 0)), np.zeros(3), np.zeros(3, np.int64)), MAXIMUM, 3),
    column_peaks: ((np.ones((0, 2)), np.zeros((0, 2))), MAXIMUM, 2),
    best_index: ((np.ones(4), 4), "attempt to get argmax of an empty sequence", 2),
    eager_peak: ((np.ones(4), 0), MAXIMUM, 2),
    any_set: ((np.ones(4, bool), 0), MAXIMUM, 2),
    reversed_peak: ((np.ones(4), 0), MAXIMUM, 2),
}
"""Arguments with nothing to reduce, NumPy's message, and the line that raises (after `@kernel`)."""
