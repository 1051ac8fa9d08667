"""Kernels whose calls need device memory of their own (tests/test_pool.py): a row smoothing whose
right side reads the row it assigns (NumPy evaluates it first, so the compiled kernel keeps it in a
temporary buffer, one row per iteration) and a row normalisation with a named temporary. Only the
tests of the cache of freed device blocks call them, so its counters see their calls alone.
"""

import numpy as np

from translator import InOut, f64, kernel, prange


@kernel
def smooth_rows(x: InOut[f64[:, :]]):
    """One step of a three-point moving average along each row; the ends keep their values."""
    for i in prange(x.shape[0]):
        x[i, 1:-1] = (x[i, :-2] + x[i, 1:-1] + x[i, 2:]) / 3.0


@kernel
def center_rows(x: InOut[f64[:, :]], scale: f64):
    """Each row minus its mean, times `scale`."""
    for i in prange(x.shape[0]):
        row = x[i, :] * scale
        x[i, :] = row - np.sum(row) / x.shape[1]
