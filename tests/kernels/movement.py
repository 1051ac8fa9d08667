"""Kernels for the data-movement tests: inferred ownership, partial writes, stencils."""

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@kernel
def inferred(x: f64[:], y: f64[:], z: f64[:], w: f64[:, :]):
    for i in prange(x.shape[0]):
        y[i] = y[i] + x[i]
        z[i] = 2.0 * x[i]
    for i in prange(1, w.shape[0] - 1):
        for j in prange(w.shape[1]):
            w[i, j] = x[0]


@kernel
def rows(src: In[f64[:, :]], dst: Out[f64[:, :]], first: i64):
    for i in prange(first, src.shape[0]):
        for j in prange(src.shape[1]):
            dst[i, j] = src[i, j]


@kernel
def checked(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = x[i]
        if x[i] > 100.0:
            y[0] = 0.0


@kernel
def stencil(u: In[f64[:, :]], v: InOut[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@kernel
def stencil_out(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@kernel
def two_loops(x: In[f64[:]], y: Out[f64[:]], z: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = x[i] + 1.0
    for i in prange(x.shape[0]):
        z[i] = y[i] * 2.0


@kernel
def repeated(a: Out[f64[:]], steps: i64):
    for t in range(steps):
        for i in prange(a.shape[0]):
            a[i] = t * 1.0


@kernel
def ragged_box(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(2, v.shape[0] - 3):
        for j in prange(1, v.shape[1] - 1):
            v[i, j] = 2.0 * u[i, j] + 1.0


@kernel
def box3d(u: In[f64[:, :, :]], v: Out[f64[:, :, :]]):
    for i in prange(1, v.shape[0] - 2):
        for j in prange(2, v.shape[1]):
            for k in prange(1, v.shape[2] - 3):
                v[i, j, k] = u[i, j, k] - 3.0


@kernel
def one_column(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(v.shape[0]):
        v[i, 2] = u[i, 2] + 1.0
