"""Array names bound again (docs/language.md, "Arrays bound again"): layers that rebind `h` with a
new shape at the top level, a polynomial accumulated by `p = p * x + c`, a vector renormalized by
`v = A @ v`, a leapfrog `u_prev, u = u, u_next`, a ping-pong `A, B = B, A`, a view that keeps
viewing the array its name was bound to before, and `g` made anew in each of two loops.
`tests/test_rebinding.py` runs each compiled and as plain Python; `CASES` maps each kernel to its
random arguments."""

import numpy as np

from translator import In, f64, i64, kernel


@kernel
def two_layers(x: In[f64[:, :]], W1: In[f64[:, :]], W2: In[f64[:, :]], b2: In[f64[:]]):
    h = np.tanh(x @ W1)
    h = h @ W2 + b2
    h = h * (h > 0)
    return h


@kernel
def polynomial(coeffs: In[f64[:]], x: In[f64[:]]):
    p = np.zeros_like(x)
    for c in coeffs:
        p = p * x + c
    return p


@kernel
def renormalized(A: In[f64[:, :]], v: In[f64[:]], iters: i64):
    for _ in range(iters):
        v = A @ v
        v = v / np.sqrt(np.sum(v * v))
    return v


@kernel
def leapfrog(u0: In[f64[:]], r2: f64, steps: i64):
    u_prev = u0.copy()
    u = u0.copy()
    for n in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + r2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u, u_prev


@kernel
def ping_pong(A0: In[f64[:]], steps: i64):
    A = A0.copy()
    B = A0.copy()
    for t in range(steps):
        B[1:-1] = 0.5 * (A[:-2] + A[2:])
        A, B = B, A
    return A, B


@kernel
def view_of_the_old(x: In[f64[:]]):
    y = x.copy()
    v = y[1:]
    y = x * 2
    v[:] = 1.0
    return y, np.sum(v)


@kernel
def sweeps(a: In[f64[:, :]], steps: i64):
    out = a.copy()
    for k in range(steps):
        g = 0.5 * (out[1:, :] + out[:-1, :])
        out[1:, :] = g
    for k in range(steps):
        g = out[:, 1:] - out[:, :-1]
        out[:, 1:] += 0.25 * g
    return out


@kernel
def prefix_or_whole(a: In[f64[:]], m: i64, steps: i64):
    """Each step weighs the first `m` elements, or all of them where `m` is out of range (or 3): an
    `if` whose branches make `t` with different lengths, chosen by integer comparisons."""
    out = np.zeros(steps)
    for k in range(steps):
        if 0 < m <= a.shape[0] and not m == 3:
            t = a[:m] * (k + 1.0)
        else:
            t = a * (0.5 * k)
        t -= 1.0
        out[k] = np.sum(t * t)
    return out


CASES = {
    two_layers: lambda rng: (rng.standard_normal((5, 4)), rng.standard_normal((4, 6)), rng.standard_normal((6, 3)),
                             rng.standard_normal(3)),
    polynomial: lambda rng: (rng.standard_normal(6), rng.uniform(-1.0, 1.0, 13)),
    renormalized: lambda rng: (rng.random((7, 7)), rng.random(7), 9),
    leapfrog: lambda rng: (rng.random(17), 0.16, 12),
    ping_pong: lambda rng: (rng.random(11), 5),
    view_of_the_old: lambda rng: (rng.random(9),),
    sweeps: lambda rng: (rng.random((6, 7)), 3),
    prefix_or_whole: lambda rng: (rng.random(7), 5, 4),
}
