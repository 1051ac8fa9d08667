"""Small dense `np.linalg.solve` and `np.linalg.inv` as numerical Python code writes them (issue
11): a Newton iteration, ridge regression's normal equations, an inverse, several right-hand sides
in float32, an integer matrix, a complex system, batched solves and inverses in a `prange`, and
shifted systems in a host loop whose `if` chooses `inv` or `solve`. `tests/test_linalg.py` runs
each compiled and as plain Python; `CASES` maps each kernel to its random arguments for a size `n`
(1 included)."""

import numpy as np

from translator import In, Out, c128, f32, f64, i32, kernel, prange


@kernel
def newton(M: In[f64[:, :]], c: In[f64[:]], x0: In[f64[:]], steps: int):
    """Solves x**3 + M @ x = c by Newton's method."""
    eye = np.eye(x0.shape[0])
    x = x0.copy()
    for _ in range(steps):
        F = x ** 3 + M @ x - c
        J = M + 3.0 * eye * x[None, :] ** 2
        dx = np.linalg.solve(J, F)
        x -= dx
    return x


@kernel
def ridge(X: In[f64[:, :]], y: In[f64[:]], lam: f64):
    eye = np.eye(X.shape[1])
    G = X.T @ X + lam * eye
    w = np.linalg.solve(G, X.T @ y)
    return w, np.sum((X @ w - y) ** 2)


@kernel
def inverse(A: In[f64[:, :]], b: In[f64[:]]):
    Ainv = np.linalg.inv(A)
    return Ainv, Ainv @ b


@kernel
def many_right_hand_sides(A: In[f32[:, :]], B: In[f32[:, :]]):
    X = np.linalg.solve(A, B)
    return X


@kernel
def integer_matrix(A: In[i32[:, :]], b: In[i32[:]]):
    x = np.linalg.solve(A, b)
    inv = np.linalg.inv(A)
    return x, inv


@kernel
def complex_system(A: In[c128[:, :]], b: In[c128[:]]):
    x = np.linalg.solve(A, b)
    return x


@kernel
def batched_solve(A: In[f64[:, :, :]], b: In[f64[:, :]], x: Out[f64[:, :]]):
    for i in prange(A.shape[0]):
        x[i, :] = np.linalg.solve(A[i], b[i])


@kernel
def batched_inverse(A: In[f32[:, :, :]], b: In[f32[:, :]], y: Out[f32[:, :]]):
    for i in prange(A.shape[0]):
        Ainv = np.linalg.inv(A[i])
        y[i, :] = Ainv @ b[i]


@kernel
def shifted_resolvents(A: In[f64[:, :]], shifts: In[f64[:]], B: In[f64[:, :]]):
    """The sum of the resolvents (A - s I)^-1 B over the shifts, the inverse itself when B is as
    wide as A, negated for negative shifts: contour_integral's structure on real matrices."""
    n = A.shape[0]
    eye = np.eye(n)
    total = np.zeros((n, B.shape[1]))
    for k in range(shifts.shape[0]):
        M = A - shifts[k] * eye
        if B.shape[1] == n:
            R = np.linalg.inv(M)
        else:
            R = np.linalg.solve(M, B)
        if shifts[k] < 0.0:
            R = -R
        total += R
    return total


def _matrix(rng: np.random.Generator, n: int, dtype: type = np.float64) -> np.ndarray:
    """A random matrix that pivoting matters for, far from singular."""
    return (rng.standard_normal((n, n)) + n * np.eye(n)[rng.permutation(n)]).astype(dtype)


def _integers(rng: np.random.Generator, n: int) -> np.ndarray:
    while True:
        A = rng.integers(-9, 10, (n, n)).astype(np.int32)
        if abs(np.linalg.det(A)) > 0.5:
            return A


CASES = {
    newton: lambda rng, n: (rng.standard_normal((n, n)) * 0.3 + 2.0 * np.eye(n), rng.standard_normal(n),
                            np.zeros(n), 8),
    ridge: lambda rng, n: (rng.standard_normal((n + 3, n)), rng.standard_normal(n + 3), 0.5),
    inverse: lambda rng, n: (_matrix(rng, n), rng.standard_normal(n)),
    many_right_hand_sides: lambda rng, n: (_matrix(rng, n, np.float32), rng.standard_normal((n, 3)).astype(np.float32)),
    integer_matrix: lambda rng, n: (_integers(rng, n), rng.integers(-9, 10, n).astype(np.int32)),
    complex_system: lambda rng, n: (_matrix(rng, n) + 1j * rng.standard_normal((n, n)),
                                    rng.standard_normal(n) + 1j * rng.standard_normal(n)),
    batched_solve: lambda rng, n: (np.stack([_matrix(rng, n) for _ in range(5)]), rng.standard_normal((5, n)),
                                   np.zeros((5, n))),
    batched_inverse: lambda rng, n: (np.stack([_matrix(rng, n, np.float32) for _ in range(4)]),
                                     rng.standard_normal((4, n)).astype(np.float32), np.zeros((4, n), np.float32)),
    shifted_resolvents: lambda rng, n: (_matrix(rng, n), np.array([0.5, -0.25, 0.125]), rng.standard_normal((n, 2))),
}
