"""The Numba peers of `bench/peers.py`: `@njit(parallel=True)` with `prange` over the independent
outer loop, the way NPBench's `numba_npr` variants parallelise, one per benchmark of
`bench/peer_kernels.py` and with the same arguments.

Written as loops rather than with `@` or `np.dot`: Numba's matrix products call BLAS through SciPy,
which the GPU machine does not have. The innermost loops run along rows (contiguous in memory) and
allocate nothing, as a Numba user tuning for the CPU writes them: slice expressions inside a
`prange` would allocate a temporary array per iteration. Importing this module needs Numba;
`bench/peers.py` leaves the Numba column out without it.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from numba import njit, prange

parallel = njit(parallel=True, cache=False)
serial = njit(cache=False)  # for a peer that only calls parallel helpers (Numba warns about parallel=True there)


COLUMN_BLOCK = 256
"""Columns per parallel task where a loop reduces over rows (v @ A): each task walks all rows of its
block of columns, so that A is read along rows and no two tasks write the same element."""


@njit(inline="always")
def _add_scaled_row(target, i, count, scale, source, k):  # type: ignore[no-untyped-def]
    """target[i, :count] += scale * source[k, :count]"""
    for j in range(count):
        target[i, j] += scale * source[k, j]


@parallel
def gemm(alpha, beta, C, A, B):  # type: ignore[no-untyped-def]
    for i in prange(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] *= beta
        for k in range(A.shape[1]):
            _add_scaled_row(C, i, C.shape[1], alpha * A[i, k], B, k)


@parallel
def _row_dots(A, v):  # type: ignore[no-untyped-def]
    """A @ v: one dot product per row, rows in parallel."""
    out = np.empty(A.shape[0])
    for i in prange(A.shape[0]):
        total = 0.0
        for j in range(A.shape[1]):
            total += A[i, j] * v[j]
        out[i] = total
    return out


@parallel
def _column_dots(v, A):  # type: ignore[no-untyped-def]
    """v @ A: blocks of columns in parallel (COLUMN_BLOCK)."""
    n = A.shape[1]
    out = np.zeros(n)
    for block in prange((n + COLUMN_BLOCK - 1) // COLUMN_BLOCK):
        start, stop = block * COLUMN_BLOCK, min(n, (block + 1) * COLUMN_BLOCK)
        for i in range(A.shape[0]):
            for j in range(start, stop):
                out[j] += v[i] * A[i, j]
    return out


@serial
def atax(A, x):  # type: ignore[no-untyped-def]
    return _column_dots(_row_dots(A, x), A)


@serial
def bicg(A, p, r, s, q):  # type: ignore[no-untyped-def]
    s[:] = _column_dots(r, A)
    q[:] = _row_dots(A, p)


@parallel
def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):  # type: ignore[no-untyped-def]
    n = A.shape[0]
    for i in prange(n):
        for j in range(n):
            A[i, j] += u1[i] * v1[j] + u2[i] * v2[j]
    x += beta * _column_dots(y, A) + z
    w += alpha * _row_dots(A, x)


@parallel
def gesummv(alpha, beta, A, B, x):  # type: ignore[no-untyped-def]
    return alpha * _row_dots(A, x) + beta * _row_dots(B, x)


@parallel
def mvt(x1, x2, y_1, y_2, A):  # type: ignore[no-untyped-def]
    x1 += _row_dots(A, y_1)
    x2 += _column_dots(y_2, A)


@parallel
def syrk(alpha, beta, C, A):  # type: ignore[no-untyped-def]
    for i in prange(A.shape[0]):
        for j in range(i + 1):
            total = 0.0
            for k in range(A.shape[1]):
                total += A[i, k] * A[j, k]
            C[i, j] = beta * C[i, j] + alpha * total


@parallel
def syr2k(alpha, beta, C, A, B):  # type: ignore[no-untyped-def]
    for i in prange(A.shape[0]):
        for j in range(i + 1):
            total = 0.0
            for k in range(A.shape[1]):
                total += A[j, k] * B[i, k] + B[j, k] * A[i, k]
            C[i, j] = beta * C[i, j] + alpha * total


@parallel
def trmm(alpha, A, B):  # type: ignore[no-untyped-def]
    """Row i of the result adds rows k > i of the original B (rows not yet updated in NPBench's
    order), so rows are independent once they read a copy of B."""
    original = B.copy()
    for i in prange(B.shape[0]):
        for k in range(i + 1, B.shape[0]):
            _add_scaled_row(B, i, B.shape[1], A[k, i], original, k)
        for j in range(B.shape[1]):
            B[i, j] *= alpha


@parallel
def doitgen(A, C4):  # type: ignore[no-untyped-def]
    NR, NQ, NP = A.shape
    for r in prange(NR):
        total = np.empty((1, NP))
        for q in range(NQ):
            total[0, :] = 0.0
            for s in range(NP):
                _add_scaled_row(total, 0, NP, A[r, q, s], C4, s)
            A[r, q, :] = total[0, :]


@parallel
def _column_dot_matrix(data, scale, diagonal):  # type: ignore[no-untyped-def]
    """data.T @ data * scale, from the transposed copy (so each dot product reads two rows), the
    upper triangle in parallel and mirrored; the diagonal is `diagonal` where that is not NaN."""
    columns = np.ascontiguousarray(data.T)
    m = columns.shape[0]
    out = np.empty((m, m))
    for i in prange(m):
        for j in range(i, m):
            total = 0.0
            for k in range(columns.shape[1]):
                total += columns[i, k] * columns[j, k]
            out[i, j] = total * scale
            out[j, i] = out[i, j]
        if not np.isnan(diagonal):
            out[i, i] = diagonal
    return out


@parallel
def covariance(float_n, data):  # type: ignore[no-untyped-def]
    mean = _column_dots(np.full(data.shape[0], 1.0 / float_n), data)
    for i in prange(data.shape[0]):
        for j in range(data.shape[1]):
            data[i, j] -= mean[j]
    return _column_dot_matrix(data, 1.0 / (float_n - 1.0), np.nan)


@parallel
def correlation(float_n, data):  # type: ignore[no-untyped-def]
    n, m = data.shape
    mean = _column_dots(np.full(n, 1.0 / float_n), data)
    for i in prange(n):
        for j in range(m):
            data[i, j] -= mean[j]
    stddev = np.sqrt(_column_dots(np.full(n, 1.0 / float_n), data * data))
    for j in range(m):
        if stddev[j] <= 0.1:
            stddev[j] = 1.0
    scale = math.sqrt(float_n) * stddev
    for i in prange(n):
        for j in range(m):
            data[i, j] /= scale[j]
    return _column_dot_matrix(data, 1.0, 1.0)


@parallel
def jacobi_1d(tsteps, A, B):  # type: ignore[no-untyped-def]
    n = A.shape[0]
    for _ in range(1, tsteps):
        for i in prange(1, n - 1):
            B[i] = (A[i - 1] + A[i] + A[i + 1]) / 3.0
        for i in prange(1, n - 1):
            A[i] = (B[i - 1] + B[i] + B[i + 1]) / 3.0


@parallel
def jacobi_2d(tsteps, A, B):  # type: ignore[no-untyped-def]
    n = A.shape[0]
    for _ in range(1, tsteps):
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


@njit(inline="always")
def _heat_point(src, i, j, k):  # type: ignore[no-untyped-def]
    centre = src[i, j, k]
    return centre + 0.125 * ((src[i + 1, j, k] - 2.0 * centre + src[i - 1, j, k])
                             + (src[i, j + 1, k] - 2.0 * centre + src[i, j - 1, k])
                             + (src[i, j, k + 1] - 2.0 * centre + src[i, j, k - 1]))


@parallel
def heat_3d(tsteps, A, B):  # type: ignore[no-untyped-def]
    n = A.shape[0]
    for _ in range(1, tsteps):
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    B[i, j, k] = _heat_point(A, i, j, k)
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    A[i, j, k] = _heat_point(B, i, j, k)


@parallel
def floyd_warshall(path):  # type: ignore[no-untyped-def]
    n = path.shape[0]
    for k in range(n):
        for i in prange(n):
            through = path[i, k]
            for j in range(n):
                path[i, j] = min(path[i, j], through + path[k, j])


@parallel
def softmax(x, out):  # type: ignore[no-untyped-def]
    for i in prange(x.shape[0]):
        for j in range(x.shape[1]):
            shifted = np.exp(x[i, j, :] - np.max(x[i, j, :]))
            out[i, j, :] = shifted / np.sum(shifted)


@parallel
def go_fast(a):  # type: ignore[no-untyped-def]
    trace = 0.0
    for i in prange(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


@parallel
def conv2d(x, weights, output):  # type: ignore[no-untyped-def]
    K, _, C_in, C_out = weights.shape
    for i in prange(output.shape[1]):
        for j in range(output.shape[2]):
            for n in range(x.shape[0]):
                output[n, i, j, :] = 0.0
                for di in range(K):
                    for dj in range(K):
                        for c_in in range(C_in):
                            value = x[n, i + di, j + dj, c_in]
                            for c in range(C_out):
                                output[n, i, j, c] += value * weights[di, dj, c_in, c]


PEERS: dict[str, Callable[..., Any]] = {function.__name__: function for function in (
    gemm, atax, bicg, gemver, gesummv, mvt, syrk, syr2k, trmm, doitgen, covariance, correlation, jacobi_1d,
    jacobi_2d, heat_3d, floyd_warshall, softmax, go_fast, conv2d)}
