"""Array values written inside larger expressions (issue 11; `frontend/hoisting.py`): indexing the
result of an expression, array constructors and linear solves in the middle of arithmetic. Written
as NumPy tutorials and benchmark code write them; `tests/test_hoisting.py` runs each compiled and as
plain Python, and `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import kernel, prange


@kernel
def interior_of_sum(a, b):
    inner = (a + b)[1:-1]
    every_other = np.sqrt(np.abs(a))[::2]
    return inner, every_other, (a * b)[2:5].sum()


@kernel
def first_row_of_product(A, x):
    y = (A @ x)[1:]
    row = np.exp(-A)[0, :]
    return y, row, ((A * 2.0)[1:, :] + 1.0)[:, ::2]


@kernel
def shifted_identity(A, shift):
    n = A.shape[0]
    M = A + shift * np.eye(n)
    B = np.zeros_like(A) + A.T
    ones = 2 * np.ones(n) - A[0]
    return M, B, ones, A @ np.full(n, 0.5)


@kernel
def regularised_solve(A, b, lam):
    n = A.shape[1]
    x = np.linalg.solve(A.T @ A + lam * np.eye(n), A.T @ b)
    r = b - A @ x
    return x, np.linalg.inv(A.T @ A) @ x + 1.0, r


@kernel
def rows_of_expressions(A, out):
    for i in prange(A.shape[0]):
        out[i] = (A[i, :] * 2.0)[1:].max() + np.ones_like(A[i, :]).sum()


@kernel
def solve_into_view(A, b, x):
    x[:] = np.linalg.solve(A, b)
    x += np.ones_like(x)
    return np.linalg.inv(A)


@kernel
def pieces_of_results(x, A):
    first_step = np.diff(x)[0]
    third_total = np.cumsum(x)[2]
    stacked = (A * 2.0)[None, :, :] @ A
    return first_step + third_total, stacked


def _system(rng, n=6):
    A = rng.random((n, n)) + n * np.eye(n)
    return A, rng.random(n)


CASES = {
    interior_of_sum: lambda rng: (rng.random(9) - 0.5, rng.random(9)),
    first_row_of_product: lambda rng: (rng.random((5, 7)), rng.random(7)),
    shifted_identity: lambda rng: (rng.random((6, 6)), 0.75),
    regularised_solve: lambda rng: (rng.random((8, 5)), rng.random(8), 0.1),
    rows_of_expressions: lambda rng: (rng.random((7, 9)), np.empty(7)),
    solve_into_view: lambda rng: (*_system(rng), np.empty(6)),
    pieces_of_results: lambda rng: (rng.random(7), rng.random((4, 4))),
}
