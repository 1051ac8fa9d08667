"""Linear regression by gradient descent (ML-from-scratch tutorials): `X.T @ (X @ w - y) / n`, `w -= lr * grad`."""

import numpy as np

from translator import kernel


@kernel
def linreg_gd(X, y, w, lr, iters):
    n = X.shape[0]
    for _ in range(iters):
        grad = X.T @ (X @ w - y) / n
        w -= lr * grad
    return w


CASES = {linreg_gd: lambda rng: (rng.random((30, 4)), rng.random(30), rng.random(4), 0.1, 15)}
