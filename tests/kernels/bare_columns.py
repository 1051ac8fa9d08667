"""Column reductions that take the bare column form on nvptx (`passes/bare_columns.py`: 32 columns a
block, its 8 warps sharing each column's rows, the partial results combined in team-shared memory)
and some that must not, written as numerical Python writes them. `tests/test_bare_columns.py` checks
the decision, the C, and runs each kernel's nvptx build (through the offload runtime's host fallback)
against Python; `COLUMNS` says whether a kernel's distributed loop takes the column form on nvptx, and
`CASES` gives the GPU run (bench/gpu_run.py, part `suite`) its arguments."""

import numpy as np

from translator import In, InOut, Out, f32, f64, i64, kernel, prange


@kernel
def column_sums(a: In[f64[:, :]]):
    """Sum of each column."""
    return np.sum(a, axis=0)


@kernel
def standardize(x: In[f32[:, :]], out: Out[f32[:, :]]):
    """Features (columns) scaled to mean 0 and standard deviation 1: np.mean and np.std over axis 0."""
    mu = np.mean(x, axis=0)
    sigma = np.std(x, axis=0)
    out[:, :] = (x - mu) / sigma


@kernel
def column_means(a: In[f64[:, :]], means: Out[f64[:]]):
    """A hand-written column loop: each column's mean, its rows walked by a serial loop."""
    n, m = a.shape
    for j in prange(m):
        s = 0.0
        for i in range(n):
            s += a[i, j]
        means[j] = s / n


@kernel
def column_peaks(a: In[f64[:, :]]):
    """NumPy's maximum of each column: NaN where the column holds one."""
    return np.max(a, axis=0)


@kernel
def column_span(counts: In[i64[:, :]], span: Out[i64[:]]):
    """Integer columns: the range (max - min) of each, two reductions in one loop."""
    n, m = counts.shape
    for j in prange(m):
        hi = counts[0, j]
        lo = counts[0, j]
        for i in range(1, n):
            hi = max(hi, counts[i, j])
            lo = min(lo, counts[i, j])
        span[j] = hi - lo


@kernel
def weighted_columns(a: In[f64[:, :]], w: In[f64[:]], first: i64, out: Out[f64[:]]):
    """Weighted column sums from row `first` on, into `out[j]`: the row weight `w[i]` does not end in
    the column (a broadcast read), so the column form does not take it."""
    n, m = a.shape
    for j in prange(m):
        s = 0.0
        for i in range(first, n):
            s += w[i] * a[i, j]
        out[j] = s


@kernel
def column_norms(a: In[f64[:, :]], order: In[i64[:]], norms: InOut[f64[:]]):
    """Euclidean norms of the columns, stored in the positions `order` gives: an index checked after the loop."""
    n, m = a.shape
    for j in prange(m):
        s = 0.0
        for i in range(n):
            s += a[i, j] * a[i, j]
        norms[order[j]] = np.sqrt(s)


@kernel
def python_max(a: In[f64[:, :]], out: Out[f64[:]]):
    """Python's `max` of floats skips a NaN element but keeps a NaN start: the OpenMP loop stays."""
    n, m = a.shape
    for j in prange(m):
        s = a[0, j]
        for i in range(1, n):
            s = max(s, a[i, j])
        out[j] = s


COLUMNS = {column_sums: True, standardize: True, column_means: True, column_peaks: True, column_span: True,
           weighted_columns: False, column_norms: True, python_max: False}


def _peaks(rng: np.random.Generator) -> tuple[np.ndarray]:
    """Columns holding a NaN (0, 4), all -inf (3), one +inf (5), over more rows than a block has warps."""
    a = rng.standard_normal((500, 70))
    a[250, 0], a[:, 3], a[499, 4], a[0, 5] = np.nan, -np.inf, np.nan, np.inf
    return (a,)


CASES = {
    column_sums: lambda rng: (rng.standard_normal((1000, 70)),),
    standardize: lambda rng: ((rng.standard_normal((300, 45)) * 3 + 2).astype(np.float32), np.zeros((300, 45), np.float32)),
    column_means: lambda rng: (rng.random((1001, 33)), np.zeros(33)),
    column_peaks: _peaks,
    column_span: lambda rng: (rng.integers(-1000, 1000, (777, 40)), np.zeros(40, np.int64)),
    weighted_columns: lambda rng: (rng.random((100, 20)), rng.random(100), 3, np.zeros(20)),
    column_norms: lambda rng: (rng.standard_normal((513, 65)), rng.permutation(65), np.zeros(65)),
    python_max: lambda rng: (rng.standard_normal((50, 30)), np.zeros(30)),
}
"""Each kernel's arguments for the GPU run of bench/gpu_run.py (part `suite`), where the warps share the rows."""
