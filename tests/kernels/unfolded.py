"""Helpers of whole arrays unfolded where the kernel calls them (docs/language.md, "Device
functions"): a perceptron's `relu` and `softmax` layers called on `x @ w + b` with `x` bound again,
standardized columns returned as a tuple, a log-sum-exp of a product, a smoothing helper with a
loop of its own, and a helper that writes its result into an array.
`tests/test_unfold.py` runs each compiled and as plain Python; `CASES` maps each kernel to its
random arguments."""

import numpy as np

from translator import In, Out, f64, i64, kernel


def relu(x):
    return np.maximum(x, 0.0)


def softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def standardize(X):
    """Columns with zero mean and unit deviation, and the deviations."""
    mu = np.mean(X, axis=0)
    centred = X - mu
    sigma = np.sqrt(np.mean(centred ** 2, axis=0))
    return centred / sigma, sigma


def log_sum_exp(v):
    m = np.max(v)
    return m + np.log(np.sum(np.exp(v - m)))


def smooth(u, sweeps):
    v = np.copy(u)
    for _ in range(sweeps):
        v[1:-1] = 0.25 * v[:-2] + 0.5 * v[1:-1] + 0.25 * v[2:]
    return v


def clipped_into(out, values, bound):
    scale = np.max(np.abs(values))
    out[:] = np.clip(values / scale, -bound, bound)


@kernel
def perceptron(x: In[f64[:, :]], w1: In[f64[:, :]], b1: In[f64[:]], w2: In[f64[:, :]], b2: In[f64[:]]):
    x = relu(x @ w1 + b1)
    x = softmax(x @ w2 + b2)
    return x


@kernel
def standardized(A: In[f64[:, :]]):
    Z, s = standardize(2.0 * A - 1.0)
    return Z, s


@kernel
def scores(A: In[f64[:, :]], v: In[f64[:]]) -> f64:
    return log_sum_exp(A @ v)


@kernel
def smoothed(x: In[f64[:]], sweeps: i64):
    y = smooth(x * x, sweeps)
    h = relu(y - 0.5)
    return h


@kernel
def clipped(A: In[f64[:, :]], v: In[f64[:]], out: Out[f64[:]]):
    clipped_into(out, A @ v, 0.75)


CASES = {
    perceptron: lambda rng: (rng.standard_normal((6, 5)), rng.standard_normal((5, 8)), rng.standard_normal(8),
                             rng.standard_normal((8, 3)), rng.standard_normal(3)),
    standardized: lambda rng: (rng.random((9, 4)),),
    scores: lambda rng: (rng.standard_normal((7, 5)), rng.standard_normal(5)),
    smoothed: lambda rng: (rng.random(15), 4),
    clipped: lambda rng: (rng.standard_normal((6, 4)), rng.standard_normal(4), np.zeros(6)),
}
