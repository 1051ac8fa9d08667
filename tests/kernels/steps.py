"""Slices whose step is known only when the kernel runs (docs/language.md, "Views"): the sieve of
Eratosthenes crossing out `is_prime[i * i::i]`, strided sums between bounds given by the caller
(either sign of step), strided copies and an array made of a strided view, reductions of stepped rows
and columns inside a `prange`, updates through a loop variable's step in both directions, a 2-D
view stepped along both axes, `np.dot`, `np.flip` and `np.diff` of strided views, a view name bound
to a stepped slice, and stepped slices in device functions (called in a `prange`, at the top level
through another function, and with a loop variable's step).
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


@kernel
def decimated_norm(x: In[f64[:]], factor: i64) -> f64:
    kept = x[::factor]
    return np.sqrt(np.sum(kept * kept))


def decimated_energy(signals, i, factor):
    kept = signals[i, ::factor]
    energy = np.sum(kept * kept)
    return energy


@kernel
def decimated_energies(signals: In[f64[:, :]], out: Out[f64[:]], factor: i64):
    for i in prange(signals.shape[0]):
        out[i] = decimated_energy(signals, i, factor)


def strided_range(x, step):
    hi = np.max(x[::step])
    lo = np.min(x[::step])
    return hi - lo


def relative_spread(x, step):
    width = strided_range(x, step)
    return width / np.mean(np.abs(x))


@kernel
def spread_of_samples(x: In[f64[:]], step: i64) -> f64:
    spread = relative_spread(x, step)
    return spread


def harmonic_sum(A, i, k):
    total = 0.0
    for j in range(1, k):
        total += np.sum(A[i, j::j]) / j
    return total


@kernel
def harmonic_sums(A: In[f64[:, :]], out: Out[f64[:]], k: i64):
    for i in prange(A.shape[0]):
        out[i] = harmonic_sum(A, i, k)


CASES = {
    eratosthenes: lambda rng: (np.ones(int(rng.integers(80, 130)), np.bool_),),
    strided_sum: lambda rng: (rng.standard_normal(23), int(rng.integers(-23, 23)), int(rng.integers(-23, 23))),
    strided_copy: lambda rng: (rng.standard_normal(17), rng.standard_normal(17)),
    strided_new: lambda rng: (rng.standard_normal(19),),
    stepped_rows: lambda rng: (rng.standard_normal((7, 6)), np.zeros(7)),
    every_kth: lambda rng: (rng.standard_normal(29), int(rng.integers(5, 12))),
    checkerboard: lambda rng: (rng.standard_normal((7, 9)),),
    strided_functions: lambda rng: (rng.standard_normal(14), rng.standard_normal(14)),
    decimated_norm: lambda rng: (rng.standard_normal(21),),
    decimated_energies: lambda rng: (rng.standard_normal((6, 25)), np.zeros(6)),
    spread_of_samples: lambda rng: (rng.standard_normal(31),),
    harmonic_sums: lambda rng: (rng.standard_normal((5, 40)), np.zeros(5), int(rng.integers(6, 12))),
}
"""Each kernel's arguments but its step (the last argument where it takes one)."""

STEPS = {eratosthenes: [None], strided_sum: [1, 3, -2, -5, 40], strided_copy: [2, -3, 17], strided_new: [3, -1, -4],
         stepped_rows: [2, -3], every_kth: [None], checkerboard: [2, 3, -2], strided_functions: [2, -3, 1],
         decimated_norm: [3, -2], decimated_energies: [4, -3, 1], spread_of_samples: [2, -5], harmonic_sums: [None]}
"""The steps each kernel is called with (None: it takes none)."""

SLICED_IN = {decimated_energies: decimated_energy, spread_of_samples: strided_range}
"""The device function whose slice takes the step, for the kernels whose slice is not their own."""
