"""Slices whose step is known only when the kernel runs (docs/language.md, "Views"): the sieve of
Eratosthenes crossing out `is_prime[i * i::i]`, strided sums between bounds given by the caller
(either sign of step), strided copies and an array made of a strided view, reductions of stepped rows
and columns inside a `prange`, updates through a loop variable's step in both directions, a 2-D
view stepped along both axes, and `np.dot`, `np.flip` and `np.diff` of strided views.
`tests/test_steps.py` runs each compiled and as plain Python; `CASES` maps each kernel to its
random arguments, `STEPS` to the steps each is called with."""

import numpy as np

from translator import In, InOut, Out, b1, f64, i64, kernel, prange


@kernel
def eratosthenes(is_prime: InOut[b1[:]]):
    n = is_prime.shape[0]
    is_prime[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False


@kernel
def strided_sum(x: In[f64[:]], start: i64, stop: i64, step: i64) -> f64:
    return np.sum(x[start:stop:step]) + np.max(x[::step])


@kernel
def strided_copy(x: In[f64[:]], y: InOut[f64[:]], step: i64):
    y[::step] = 2.0 * x[::step] - y[::step]


@kernel
def strided_new(x: In[f64[:]], step: i64):
    z = x[1::step] + 1.0
    return z


@kernel
def stepped_rows(A: In[f64[:, :]], out: Out[f64[:]], step: i64):
    for i in prange(A.shape[0]):
        out[i] = np.sum(A[i, ::step]) + np.max(A[::step, i % A.shape[1]])


@kernel
def every_kth(x: InOut[f64[:]], n: i64):
    for k in range(1, n):
        x[k::k] += 1.0
        x[-k::-k] *= 0.5


@kernel
def checkerboard(A: InOut[f64[:, :]], step: i64):
    A[::step, 1::step] = -A[::step, 1::step]
    return np.sum(A[1::step, ::-step])


@kernel
def strided_functions(x: In[f64[:]], y: In[f64[:]], step: i64):
    d = np.dot(x[::step], y[::step])
    f = np.flip(x[1::step]) * 2.0
    g = np.diff(y[::step])
    return f, g, d


CASES = {
    eratosthenes: lambda rng: (np.ones(int(rng.integers(80, 130)), np.bool_),),
    strided_sum: lambda rng: (rng.standard_normal(23), int(rng.integers(-23, 23)), int(rng.integers(-23, 23))),
    strided_copy: lambda rng: (rng.standard_normal(17), rng.standard_normal(17)),
    strided_new: lambda rng: (rng.standard_normal(19),),
    stepped_rows: lambda rng: (rng.standard_normal((7, 6)), np.zeros(7)),
    every_kth: lambda rng: (rng.standard_normal(29), int(rng.integers(5, 12))),
    checkerboard: lambda rng: (rng.standard_normal((7, 9)),),
    strided_functions: lambda rng: (rng.standard_normal(14), rng.standard_normal(14)),
}
"""Each kernel's arguments but its step (the last argument where it takes one)."""

STEPS = {eratosthenes: [None], strided_sum: [1, 3, -2, -5, 40], strided_copy: [2, -3, 17], strided_new: [3, -1, -4],
         stepped_rows: [2, -3], every_kth: [None], checkerboard: [2, 3, -2], strided_functions: [2, -3, 1]}
"""The steps each kernel is called with (None: it takes none)."""
