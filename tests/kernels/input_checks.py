"""Kernels that check their inputs first, as library code does (docs/language.md, "Checks of the
inputs"): `assert` with and without a message, `if ...: raise` with constant and f-string messages,
chained comparisons of a float, shapes compared whole, `m, n = A.shape` locals, a check between
array statements (source order with the length checks and the preconditions of accesses).
`CALLS` gives each kernel seeded arguments: passing ones, and ones that fail a check."""

from collections.abc import Callable

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def scaled_matvec(alpha: f64, A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    assert A.ndim == 2
    if A.shape[1] != x.shape[0]:
        raise ValueError(f"shapes {A.shape} and {x.shape} not aligned")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha={alpha!r} must be in [0, 1]")
    m, n = A.shape
    assert m == len(y), "y must have one entry per row of A"
    for i in prange(m):
        s = 0.0
        for j in range(n):
            s += A[i, j] * x[j]
        y[i] = alpha * s


@kernel
def blocked_sum(x: In[f64[:]], block: i64, out: Out[f64[:]]):
    if block <= 0:
        raise ValueError("block must be positive")
    elif len(x) % block != 0:
        raise ValueError(f"len(x)={len(x)} is not a multiple of block={block}")
    assert out.size * block == x.size, f"out needs {len(x) // block:d} entries, has {out.shape[0]:>3}"
    for b in prange(out.shape[0]):
        s = 0.0
        for k in range(block):
            s += x[b * block + k]
        out[b] = s


@kernel
def same_shape_axpy(a: f64, x: In[f64[:, :]], y: InOut[f64[:, :]]):
    if a == 0.0: raise ValueError  # noqa: E701  # the one-line form, the exception named bare
    assert x.shape == y.shape
    y[:, :] = a * x + y


@kernel
def check_after_statement(a: In[f64[:]], b: In[f64[:]], n: i64, y: Out[f64[:]]):
    y[:] = a + b
    assert n > 0, "n must be positive"
    y[:n] = 2.0 * a[:n]


@kernel
def check_before_statement(a: In[f64[:]], b: In[f64[:]], n: i64, y: Out[f64[:]]):
    assert n > 0, "n must be positive"
    y[:] = a + b


@kernel
def check_before_loop(x: In[f64[:]], n: i64, y: Out[f64[:]]):
    if n > len(x):
        raise IndexError(f"n={n} is past the end of x (length {len(x)})")
    for i in range(n):
        y[i] = 3.0 * x[i]


@kernel
def loop_before_check(x: In[f64[:]], y: Out[f64[:]]):
    for i in range(len(x)):
        y[i] = 2.0 * x[i]
    assert len(y) == 4, "y must have 4 entries"


Args = Callable[[np.random.Generator], tuple]

CALLS: dict[str, tuple[Callable[..., object], list[Args]]] = {
    "scaled_matvec": (scaled_matvec, [
        lambda rng: (0.5, rng.random((6, 5)), rng.random(5), rng.random(6)),
        lambda rng: (0.5, rng.random((6, 5)), rng.random(4), rng.random(6)),
        lambda rng: (1.5, rng.random((6, 5)), rng.random(5), rng.random(6)),
        lambda rng: (-0.25, rng.random((6, 5)), rng.random(5), rng.random(6)),
        lambda rng: (0.5, rng.random((6, 5)), rng.random(5), rng.random(7)),
    ]),
    "blocked_sum": (blocked_sum, [
        lambda rng: (rng.random(12), 3, rng.random(4)),
        lambda rng: (rng.random(12), 0, rng.random(4)),
        lambda rng: (rng.random(12), 5, rng.random(4)),
        lambda rng: (rng.random(12), 4, rng.random(4)),
    ]),
    "same_shape_axpy": (same_shape_axpy, [
        lambda rng: (2.0, rng.random((3, 4)), rng.random((3, 4))),
        lambda rng: (2.0, rng.random((3, 4)), rng.random((4, 3))),
        lambda rng: (0.0, rng.random((3, 4)), rng.random((4, 3))),
    ]),
    "check_after_statement": (check_after_statement, [
        lambda rng: (rng.random(6), rng.random(6), 3, rng.random(6)),
        lambda rng: (rng.random(6), rng.random(5), 0, rng.random(6)),
        lambda rng: (rng.random(6), rng.random(6), 0, rng.random(6)),
    ]),
    "check_before_statement": (check_before_statement, [
        lambda rng: (rng.random(6), rng.random(6), 2, rng.random(6)),
        lambda rng: (rng.random(6), rng.random(5), 0, rng.random(6)),
    ]),
    "check_before_loop": (check_before_loop, [
        lambda rng: (rng.random(6), 4, rng.random(6)),
        lambda rng: (rng.random(6), 9, rng.random(6)),
    ]),
    "loop_before_check": (loop_before_check, [
        lambda rng: (rng.random(4), rng.random(4)),
        lambda rng: (rng.random(6), rng.random(5)),
    ]),
}
"""Each kernel and its calls, passing and failing, in the order the test runs them."""


@kernel
def made_after_check(x: In[f64[:]], n: i64):
    assert n > 0, f"n={n} must be positive"
    y = np.zeros(n - 1)
    for i in range(n - 1):
        y[i] = x[i] * 0.5
    return y


CALLS["made_after_check"] = (made_after_check, [
    lambda rng: (rng.random(8), 5),
    lambda rng: (rng.random(8), 0),
])
