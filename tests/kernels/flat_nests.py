"""Elementwise nests over whole arrays, which run as one loop over the element number
(`passes/flat_nests.py`), and nests that must keep their levels, written as numerical Python code
writes them. `tests/test_flat_nests.py` checks the decision per kernel and runs each against
Python; `CASES` gives each kernel's random arguments (shapes passed in), `FLAT` whether its
elementwise nest is flat."""

from collections.abc import Callable

import numpy as np

from translator import In, InOut, Out, f32, f64, kernel, prange


@kernel
def shifted(a: In[f64[:, :]], t: f64):
    """go_fast's last line: the whole array plus a scalar, returned as a new array."""
    return a + t


@kernel
def affine(alpha: f64, y: InOut[f64[:, :]], beta: f64):
    """`y = alpha * y + beta` in place, written as two `prange` loops over y's shape."""
    for i in prange(y.shape[0]):
        for j in prange(y.shape[1]):
            y[i, j] = alpha * y[i, j] + beta


@kernel
def axpby(alpha: f64, x: In[f64[:, :]], beta: f64, y: InOut[f64[:, :]]):
    """`y = alpha * x + beta * y` as loops over y's shape: nothing says x is not wider than y (Python
    reads `x[i, j]` of a wider x as well), so x's element is not y's number: the levels stay."""
    for i in prange(y.shape[0]):
        for j in prange(y.shape[1]):
            y[i, j] = alpha * x[i, j] + beta * y[i, j]


@kernel
def clipped_3d(u: In[f32[:, :, :]], lo: f32, hi: f32, out: Out[f32[:, :, :]]):
    """`np.clip` of a 3-D field, three levels."""
    out[:] = np.minimum(np.maximum(u, lo), hi)


@kernel
def transposed(b: In[f64[:, :]], out: Out[f64[:, :]]):
    """`out = 2 * b.T`: `b` read at `[j, i]`, not in the order of the levels."""
    for i in prange(out.shape[0]):
        for j in prange(out.shape[1]):
            out[i, j] = 2.0 * b[j, i]


@kernel
def shifted_columns(a: In[f64[:, :]], out: Out[f64[:, :]]):
    """A slice: `out[:, 1:] = a[:, :-1]`, columns from 1 and a read one column to the left."""
    out[:, 1:] = a[:, :-1] * 0.5


@kernel
def left_block(a: In[f64[:, :]], out: Out[f64[:, :]]):
    """An array of another shape: `a` wider than `out`, read at `[i, j]` over `out`'s shape."""
    for i in prange(out.shape[0]):
        for j in prange(out.shape[1]):
            out[i, j] = a[i, j] + 1.0


@kernel
def plus_row(A: In[f64[:, :]], v: In[f64[:]]):
    """Broadcasting a row over the rows of A: `v` read at `[j]` only."""
    return A + v


@kernel
def ramp(out: Out[f64[:, :]], s: f64):
    """The levels' variables as values: `out[i, j] = s * i + j`."""
    for i in prange(out.shape[0]):
        for j in prange(out.shape[1]):
            out[i, j] = s * i + j


def _field(rng: np.random.Generator, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)


CASES: dict[object, Callable[[np.random.Generator, tuple[int, int]], tuple]] = {
    shifted: lambda rng, s: (_field(rng, s), 0.75),
    affine: lambda rng, s: (1.5, _field(rng, s), -0.5),
    axpby: lambda rng, s: (1.5, _field(rng, s), -0.5, _field(rng, s)),
    clipped_3d: lambda rng, s: (_field(rng, (3, *s), np.float32), np.float32(-0.5), np.float32(0.8),
                                np.zeros((3, *s), np.float32)),
    transposed: lambda rng, s: (_field(rng, s[::-1]), np.zeros(s)),
    shifted_columns: lambda rng, s: (_field(rng, s), _field(rng, s)),
    left_block: lambda rng, s: (_field(rng, (s[0], s[1] + 3)), np.zeros(s)),
    plus_row: lambda rng, s: (_field(rng, s), _field(rng, s[1:])),
    ramp: lambda rng, s: (np.zeros(s), 0.25),
}

FLAT = {"shifted": True, "affine": True, "axpby": False, "clipped_3d": True, "transposed": False,
        "shifted_columns": False, "left_block": False, "plus_row": False, "ramp": False}
