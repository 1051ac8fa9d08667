"""Logistic-regression prediction: `1.0 / (1.0 + np.exp(-(X @ w + b)))` on a matrix-vector product."""

import numpy as np

from translator import kernel


@kernel
def logistic_predict(X, w, b):
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


CASES = {logistic_predict: lambda rng: (rng.standard_normal((30, 4)), rng.standard_normal(4), 0.3)}
