"""Row kernels that take the bare row form on nvptx (`passes/bare_rows.py`: a warp or a block per
row, the row's loops over lanes, team reductions as shuffles) and one that must not, written as
numerical Python writes them. `tests/test_bare_rows.py` checks the decision, the C, and runs each
kernel's nvptx build (through the offload runtime's host fallback) against Python; `ROWS` says
whether a kernel's row loop is bare on nvptx."""

import numpy as np

from translator import In, Out, f32, f64, i64, kernel, prange


@kernel
def softmax_rows(x: In[f32[:, :]], out: Out[f32[:, :]]):
    """Numerically stable softmax of each row."""
    for i in prange(x.shape[0]):
        top = np.max(x[i, :])
        out[i, :] = np.exp(x[i, :] - top)
        out[i, :] /= np.sum(out[i, :])


@kernel
def layer_norm(x: In[f64[:, :]], gamma: In[f64[:]], beta: In[f64[:]], out: Out[f64[:, :]], eps: f64):
    """Each row normalised to mean 0 and variance 1, then scaled and shifted."""
    for i in prange(x.shape[0]):
        mean = np.sum(x[i, :]) / x.shape[1]
        out[i, :] = x[i, :] - mean
        var = np.sum(out[i, :] * out[i, :]) / x.shape[1]
        out[i, :] = out[i, :] / np.sqrt(var + eps) * gamma + beta


@kernel
def row_span(x: In[f64[:, :]], out: Out[f64[:, :]]):
    """Each row scaled into [0, 1] by its minimum and maximum (NumPy's NaN: a row holding one is NaN)."""
    for i in prange(x.shape[0]):
        lo = np.min(x[i, :])
        hi = np.max(x[i, :])
        out[i, :] = (x[i, :] - lo) / (hi - lo)


@kernel
def centred_counts(c: In[i64[:, :]], out: Out[i64[:, :]]):
    """Integer rows less their maximum, plus their product's parity: integer max and `*` reductions."""
    for i in prange(c.shape[0]):
        top = np.max(c[i, :])
        odd = np.prod(c[i, :] % 2)
        out[i, :] = c[i, :] - top + odd


@kernel
def normalise_with_scale(x: In[f64[:, :]], out: Out[f64[:, :]], scale: Out[f64[:]]):
    """Rows divided by their sum, which is also stored: an array store between the row's loops keeps
    the OpenMP team form (every lane would make it)."""
    for i in prange(x.shape[0]):
        total = np.sum(x[i, :])
        scale[i] = total
        out[i, :] = x[i, :] / total


ROWS = {softmax_rows: True, layer_norm: True, row_span: True, centred_counts: True, normalise_with_scale: False}
