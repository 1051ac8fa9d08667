"""`np.einsum` as numerical Python code writes it (issue 11): attention scores, bilinear and
quadratic forms, traces and diagonals, batched and tensor contractions, transposes, outer products,
implicit output and `...`; `@` of stacks of matrices and NumPy 2's `np.vecdot`, `np.matvec` and
`np.vecmat`, which are einsums too; an einsum in a device function, and int8 sums that wrap as
NumPy's einsum does (it does not widen). `tests/test_einsum.py` runs each compiled and as plain Python; `CASES`
maps each kernel to its random arguments for a size `n` (1 included)."""

import numpy as np

from translator import In, InOut, Out, c128, f32, f64, i8, i32, kernel, prange


@kernel
def attention(Q: In[f32[:, :]], K: In[f32[:, :]], V: In[f32[:, :]]):
    scores = np.einsum('qd,kd->qk', Q, K) / np.sqrt(np.float32(Q.shape[1]))
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum('qk,kd->qd', weights, V)


@kernel
def bilinear(x: In[f64[:]], A: In[f64[:, :]], y: In[f64[:]]) -> f64:
    return np.einsum('i,ij,j', x, A, y)


@kernel
def quadratic_forms(X: In[f64[:, :]], M: In[f64[:, :]], out: Out[f64[:]]):
    for b in prange(X.shape[0]):
        out[b] = np.einsum('i,ij,j->', X[b], M, X[b])


@kernel
def trace_and_diagonal(A: In[f64[:, :]], d: Out[f64[:]]):
    d[:] = np.einsum('ii->i', A) * 2.0
    return np.einsum('ii', A)


@kernel
def batched_products(A: In[f32[:, :, :]], B: In[f32[:, :, :]], T: In[f32[:, :, :]], W: In[f32[:, :]]):
    C = np.einsum('bij,bjk->bik', A, B)
    P = np.einsum('ijk,kl->ijl', T, W)
    return C, P


@kernel
def row_dots_and_outer(X: In[f64[:, :]], Y: In[f64[:, :]], u: In[f64[:]], v: In[f64[:]], rows: Out[f64[:]],
                       outer: Out[f64[:, :]], flipped: Out[f64[:, :]]):
    rows[:] = np.einsum('ij,ij->i', X, Y)
    outer[:, :] = np.einsum('i,j->ij', u, v)
    flipped[:, :] = np.einsum('ji', X) + np.einsum('ij->ji', Y)
    return np.einsum('i,i', u, u)


@kernel
def matrix_forms(A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]], C: Out[f64[:, :]], D: Out[f64[:, :]],
                 y: Out[f64[:]], z: Out[f64[:]]):
    C[:, :] = np.einsum('ij,jk', A, B)
    D[:, :] = np.einsum('ji,jk->ki', A, A)
    y[:] = np.einsum('ij,j->i', A, x)
    z[:] = np.einsum('ij,i', B, x)


@kernel
def mixed_types(v: In[i32[:]], x: In[f32[:]], M: In[i32[:, :]]):
    s = np.einsum('i,i', v, x)
    t = np.einsum('ii', M)
    return s, t


@kernel
def broadcast_axes(A: In[f64[:, :, :]], B: In[f64[:, :, :]], u: In[f64[:, :]], w: In[f64[:]]):
    C = np.einsum('...ij,...jk->...ik', A, B)
    s = np.einsum('...i,...i', u, u)
    t = np.einsum('...i,i', u, w)
    return C, s, t


@kernel
def column_sums(A: In[f64[:, :]], s: InOut[f64[:]]):
    s[:] += np.einsum('ij->j', A)
    for j in prange(A.shape[1]):
        s[j] += np.einsum('i->', A[:, j])


@kernel
def shifted_diagonal(A: In[f64[:, :]], d: Out[f64[:]]):
    d[:] = np.einsum('ii->i', A[1:, 2:])


@kernel
def batched_attention(Q: In[f32[:, :, :]], K: In[f32[:, :, :]], V: In[f32[:, :, :]], W: In[f32[:, :]], q: In[f32[:]]):
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(np.float32(Q.shape[2]))
    P = np.exp(S - S.max(axis=2, keepdims=True))
    P /= P.sum(axis=2, keepdims=True)
    return np.matmul(P, V), V @ W, K @ q, np.matmul(q, Q.transpose(0, 2, 1))


@kernel
def vector_products(X: In[f64[:, :]], Y: In[f64[:, :]], A: In[f64[:, :, :]], v: In[f64[:]], z: In[c128[:, :]],
                    w: In[c128[:]]):
    return np.vecdot(X, Y), np.matvec(A, v), np.vecmat(v, A), np.vecdot(z, w), np.vecdot(v, v)


def quadratic_form(X, r, A):
    return np.einsum('i,ij,j', X[r, :], A[:, :], X[r, :])


@kernel
def forms_by_function(X: In[f64[:, :]], A: In[f64[:, :]], out: Out[f64[:]], counts: In[i8[:, :]]):
    for r in prange(X.shape[0]):
        out[r] = quadratic_form(X, r, A)
    return np.einsum('ij->', counts), np.einsum('ij->j', counts)


def _normal(rng: np.random.Generator, *shape: int, dtype: type = np.float64) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)


CASES = {
    attention: lambda rng, n: (_normal(rng, n, 4, dtype=np.float32), _normal(rng, n + 2, 4, dtype=np.float32),
                               _normal(rng, n + 2, 3, dtype=np.float32)),
    bilinear: lambda rng, n: (_normal(rng, n), _normal(rng, n, n + 1), _normal(rng, n + 1)),
    quadratic_forms: lambda rng, n: (_normal(rng, n + 1, n), _normal(rng, n, n), np.zeros(n + 1)),
    trace_and_diagonal: lambda rng, n: (_normal(rng, n, n), np.zeros(n)),
    batched_products: lambda rng, n: (_normal(rng, 2, n, 3, dtype=np.float32), _normal(rng, 2, 3, n, dtype=np.float32),
                                      _normal(rng, n, 2, 3, dtype=np.float32), _normal(rng, 3, n, dtype=np.float32)),
    row_dots_and_outer: lambda rng, n: (_normal(rng, n, n), _normal(rng, n, n), _normal(rng, n), _normal(rng, n + 2),
                                        np.zeros(n), np.zeros((n, n + 2)), np.zeros((n, n))),
    matrix_forms: lambda rng, n: (_normal(rng, n, n + 1), _normal(rng, n + 1, n + 1), _normal(rng, n + 1),
                                  np.zeros((n, n + 1)), np.zeros((n + 1, n + 1)), np.zeros(n), np.zeros(n + 1)),
    mixed_types: lambda rng, n: (rng.integers(-50, 50, n).astype(np.int32), _normal(rng, n, dtype=np.float32),
                                 rng.integers(-1000, 1000, (n, n)).astype(np.int32)),
    broadcast_axes: lambda rng, n: (_normal(rng, 2, n, 3), _normal(rng, 2, 3, n), _normal(rng, n, 4), _normal(rng, 4)),
    column_sums: lambda rng, n: (_normal(rng, n + 1, n), _normal(rng, n)),
    shifted_diagonal: lambda rng, n: (_normal(rng, n + 1, n + 2), np.zeros(n)),
    batched_attention: lambda rng, n: (_normal(rng, 2, n, 4, dtype=np.float32), _normal(rng, 2, n + 1, 4, dtype=np.float32),
                                       _normal(rng, 2, n + 1, 3, dtype=np.float32), _normal(rng, 3, n, dtype=np.float32),
                                       _normal(rng, 4, dtype=np.float32)),
    forms_by_function: lambda rng, n: (_normal(rng, n + 2, n), _normal(rng, n, n), np.zeros(n + 2),
                                       rng.integers(-100, 100, (n + 3, n)).astype(np.int8)),
    vector_products: lambda rng, n: (_normal(rng, n, 3), _normal(rng, n, 3), _normal(rng, 2, n, n), _normal(rng, n),
                                     _normal(rng, 2, n) + 1j * _normal(rng, 2, n), _normal(rng, n) - 2j * _normal(rng, n)),
}
