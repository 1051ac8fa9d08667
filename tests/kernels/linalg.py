"""Small dense `np.linalg.solve` and `np.linalg.inv` as numerical Python code writes them (issue
11): a Newton iteration, ridge regression's normal equations, an inverse, several right-hand sides
in float32, an integer matrix. `tests/test_linalg.py` runs each compiled and as plain Python;
`CASES` maps each kernel to its random arguments for a size `n` (1 included)."""

import numpy as np

from translator import In, f32, f64, i32, kernel


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
}
