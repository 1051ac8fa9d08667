"""Kernels for the cost of copying back a partly written `Out` array: each writes the interior of
`v` (its border keeps the caller's values, so the C copies back just the interior), and, for
comparison, one writes the whole of `v` (mapped `from`: one transfer of the array)."""

from translator import In, Out, f64, kernel, prange


@kernel
def interior2d(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = u[i, j]


@kernel
def interior3d(u: In[f64[:, :, :]], v: Out[f64[:, :, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            for k in prange(1, u.shape[2] - 1):
                v[i, j, k] = u[i, j, k]


@kernel
def whole2d(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(u.shape[0]):
        for j in prange(u.shape[1]):
            v[i, j] = u[i, j]


@kernel
def whole3d(u: In[f64[:, :, :]], v: Out[f64[:, :, :]]):
    for i in prange(u.shape[0]):
        for j in prange(u.shape[1]):
            for k in prange(u.shape[2]):
                v[i, j, k] = u[i, j, k]
