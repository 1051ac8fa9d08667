"""The kernels `bench/bounds_cost.py` times, each twice: with the in-kernel index checks (the
default) and with `boundscheck=False`. Each repeats its sweep `reps` times inside one call, so the
arrays cross once and the time is the loops'. The triad and the stencil are affine: their accesses
are proven before the call, so both variants are the same C; the gather is checked in the kernel."""

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64, reps: int):
    for r in range(reps):
        for i in prange(a.shape[0]):
            a[i] = b[i] + s * c[i]


@kernel(boundscheck=False)
def triad_unchecked(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64, reps: int):
    for r in range(reps):
        for i in prange(a.shape[0]):
            a[i] = b[i] + s * c[i]


@kernel
def jacobi(a: InOut[f64[:, :]], b: InOut[f64[:, :]], reps: int):
    n = a.shape[0]
    for r in range(reps):
        for i in prange(1, n - 1):
            for j in prange(1, n - 1):
                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])
        for i in prange(1, n - 1):
            for j in prange(1, n - 1):
                a[i, j] = 0.2 * (b[i, j] + b[i, j - 1] + b[i, j + 1] + b[i + 1, j] + b[i - 1, j])


@kernel(boundscheck=False)
def jacobi_unchecked(a: InOut[f64[:, :]], b: InOut[f64[:, :]], reps: int):
    n = a.shape[0]
    for r in range(reps):
        for i in prange(1, n - 1):
            for j in prange(1, n - 1):
                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])
        for i in prange(1, n - 1):
            for j in prange(1, n - 1):
                a[i, j] = 0.2 * (b[i, j] + b[i, j - 1] + b[i, j + 1] + b[i + 1, j] + b[i - 1, j])


@kernel
def gather(y: Out[f64[:]], x: In[f64[:]], idx: In[i64[:]], reps: int):
    for r in range(reps):
        for i in prange(idx.shape[0]):
            y[i] = x[idx[i]]


@kernel(boundscheck=False)
def gather_unchecked(y: Out[f64[:]], x: In[f64[:]], idx: In[i64[:]], reps: int):
    for r in range(reps):
        for i in prange(idx.shape[0]):
            y[i] = x[idx[i]]
