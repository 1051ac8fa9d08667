"""Device functions that fail where Python raises (docs/language.md, "Device functions"): an empty
max or argmax, operands of different lengths, an index out of range, `int()` of NaN, in a `prange`,
in a serial loop, nested, and imported from `_failing_helpers`. `CASES` gives each kernel random
arguments on which nothing fails; `FAILING` arguments that make it raise, the exception and where."""

from collections.abc import Callable

import numpy as np

from tests.kernels._failing_helpers import first_peak, prefix_total, row_dot, window_max
from translator import In, InOut, Out, f64, i64, kernel, prange


def window_range(x, lo, hi):
    top = window_max(x, lo, hi)
    return top - np.min(x[lo:hi])


def axpy_row(a, X, Y, i):
    Y[i, :] = a * X[i, :] + Y[i, :]


def hop(steps, k):
    return int(steps[k])


@kernel
def rolling_max(x: In[f64[:]], w: i64, out: Out[f64[:]]):
    for i in prange(out.shape[0]):
        out[i] = window_max(x, i, i + w)


@kernel
def rolling_range(x: In[f64[:]], w: i64, out: Out[f64[:]]):
    for i in prange(out.shape[0]):
        out[i] = window_range(x, i, i + w)


@kernel
def scaled_rows(a: f64, X: In[f64[:, :]], Y: InOut[f64[:, :]]):
    for i in prange(Y.shape[0]):
        axpy_row(a, X, Y, i)


@kernel
def csr_matvec(indptr: In[i64[:]], indices: In[i64[:]], data: In[f64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = row_dot(indptr, indices, data, x, i)


@kernel(boundscheck=False)
def csr_matvec_unchecked(indptr: In[i64[:]], indices: In[i64[:]], data: In[f64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = row_dot(indptr, indices, data, x, i)


@kernel
def prefix_totals(x: In[f64[:]], counts: In[i64[:]], out: Out[f64[:]]):
    for i in prange(out.shape[0]):
        out[i] = prefix_total(x, counts[i])


@kernel
def peaks_after(scores: In[f64[:]], starts: In[i64[:]], out: Out[i64[:]]):
    for i in prange(out.shape[0]):
        out[i] = starts[i] + first_peak(scores, starts[i])


@kernel
def peak_and_position(x: In[f64[:]], w: i64, out: Out[f64[:]]):
    for i in prange(out.shape[0]):
        out[i] = window_max(x, i, i + w) + first_peak(x, i)


@kernel
def hops(steps: In[f64[:]]) -> i64:
    k = 0
    count = 0
    while k < steps.shape[0]:
        k += hop(steps, k)
        count += 1
    return count


def _csr(rng: np.random.Generator, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = rng.integers(0, 4, rows)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    indices = rng.integers(0, cols, indptr[-1]).astype(np.int64)
    return indptr, indices, rng.standard_normal(indptr[-1])


CASES: dict[object, Callable[[np.random.Generator], tuple]] = {
    rolling_max: lambda rng: (rng.standard_normal(12), 3, np.zeros(10)),
    rolling_range: lambda rng: (rng.standard_normal(12), 3, np.zeros(10)),
    scaled_rows: lambda rng: (1.5, rng.standard_normal((4, 6)), rng.standard_normal((4, 6))),
    csr_matvec: lambda rng: (*_csr(rng, 6, 9), rng.standard_normal(9), np.zeros(6)),
    prefix_totals: lambda rng: (rng.standard_normal(8), rng.integers(0, 9, 5), np.zeros(5)),
    peaks_after: lambda rng: (rng.standard_normal(10), rng.integers(0, 10, 6), np.zeros(6, np.int64)),
    peak_and_position: lambda rng: (rng.standard_normal(12), 3, np.zeros(10)),
    hops: lambda rng: (rng.integers(1, 4, 20).astype(np.float64),),
}


MAXIMUM = "zero-size array to reduction operation maximum which has no identity"
FAILING: dict[str, tuple[object, Callable[[np.random.Generator], tuple], type, str]] = {
    "empty_max": (rolling_max, lambda rng: (rng.standard_normal(8), 3, np.zeros(10)), ValueError, MAXIMUM),
    "nested": (rolling_range, lambda rng: (rng.standard_normal(8), 3, np.zeros(10)), ValueError, MAXIMUM),
    "lengths": (scaled_rows, lambda rng: (1.5, rng.standard_normal((4, 5)), rng.standard_normal((4, 6))), ValueError,
                "operands could not be broadcast together"),
    "gather": (csr_matvec, lambda rng: (np.array([0, 2, 3]), np.array([1, 9, 0]), rng.standard_normal(3),
                                        rng.standard_normal(4), np.zeros(2)), IndexError,
               "index 9 is out of bounds for axis 0 with size 4"),
    "entry": (prefix_totals, lambda rng: (rng.standard_normal(8), np.array([3, 9, 2]), np.zeros(3)), IndexError,
              "index 8 is out of bounds for axis 0 with size 8"),
    "argmax": (peaks_after, lambda rng: (rng.standard_normal(6), np.array([1, 6, 2]), np.zeros(3, np.int64)),
               ValueError, "attempt to get argmax of an empty sequence"),
    "first_call": (peak_and_position, lambda rng: (rng.standard_normal(8), 3, np.zeros(10)), ValueError, MAXIMUM),
    "nan": (hops, lambda rng: (np.array([2.0, 3.0, np.nan, 1.0, 1.0]),), ValueError,
            "cannot convert float NaN to integer"),
}
"""Arguments on which Python raises inside a device function: the exception and the start of its message."""
