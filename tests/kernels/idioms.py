"""NumPy code as others write it (issue 11): signatures with defaults, shapes unpacked into names,
`*_like` constructors and `x.dtype`, imports and lambdas inside the body, helpers with keywords and
defaults. `tests/test_idioms.py` runs each compiled and as plain Python; `CASES` maps each kernel
to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f32, f64, i64, kernel, prange


@kernel
def axpby(x: In[f64[:]], y: InOut[f64[:]], alpha: f64 = 1.5, beta: float = 0.5):
    for i in prange(x.shape[0]):
        y[i] = alpha * x[i] + beta * y[i]


@kernel
def row_scale(A: In[f64[:, :]], s: In[f64[:]], B: Out[f64[:, :]]):
    m, n = A.shape
    for i in prange(m):
        for j in range(n):
            B[i, j] = A[i, j] * s[i]


@kernel
def moving_sum(x: In[f32[:]], width: int = 3):
    N, = x.shape
    out = np.zeros(N - width + 1, dtype=np.float32)
    for i in prange(N - width + 1):
        acc = np.float32(0)
        for j in range(width):
            acc += x[i + j]
        out[i] = acc
    return out


def laplacian_weight(g, h):
    return (g - h) * 4.0


def softplus(v):
    from numpy import exp, log1p
    return log1p(exp(v))


@kernel
def relax(g: In[f64[:, :]], h: In[f64[:, :]], dt: f64):
    return g + dt * laplacian_weight(g, h)


@kernel
def activate(x: In[f32[:]], y: Out[f32[:]]):
    y[:] = softplus(x)


@kernel
def normalize_rows(A: In[f32[:, :]]):
    out = np.empty_like(A)
    for i in prange(A.shape[0]):
        row = np.zeros_like(A[i, :])
        row[:] = A[i, :] * A[i, :]
        out[i, :] = A[i, :] / np.sqrt(np.sum(row) + 1)
    return out


@kernel
def follow_precision(x: In[f32[:]], z: In[f64[:]]):
    n = x.shape[0]
    y = np.zeros(n, dtype=x.dtype)
    y[:] = x * 2 + z.astype(x.dtype)
    wide = np.empty_like(x, dtype=np.float64)
    wide[:] = x
    wide += z
    ramp = np.arange(n, dtype=x.dtype) / n + x
    return y, wide, np.full_like(z, 0.5), ramp


def flux(a, b, dx=0.5, scale=2):
    return scale * (a - b) / dx


@kernel
def gradient(u: In[f64[:]], g: Out[f64[:]]):
    g[0] = flux(u[1], u[0])
    for i in prange(1, u.shape[0]):
        g[i] = flux(u[i], u[i - 1], dx=0.25) + flux(b=u[i], a=u[i - 1], scale=-1.5)


@kernel
def damped(x: In[f64[:]], z: In[f64[:]], y: Out[f64[:]], w: Out[f64[:]], rate: f64):
    import math
    from numpy import exp
    decay = lambda x, t: x * exp(-rate * t)
    for i in prange(x.shape[0]):
        y[i] = decay(x[i], i) + math.cos(z[i])
    w[:] = decay(z, 2.0)


@kernel
def heat_step(U: InOut[f64[:, :]], V: InOut[f64[:, :]], nu: f64):
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    v[:] = u + nu * (U[2:, 1:-1] + U[:-2, 1:-1] + U[1:-1, 2:] + U[1:-1, :-2] - 4.0 * u)
    u += 0.5 * v
    edge = U[:, 0]
    edge[...] = 0.0
    V[...] = V * 2


@kernel
def center_rows(A: InOut[f32[:, :]]):
    for i in prange(A.shape[0]):
        row = A[i, :]
        row -= np.mean(row)


@kernel
def strided(x: In[f64[:]], y: InOut[f64[:]], A: In[f64[:, :]], lo: int, hi: int):
    y[::2] = x[1::2]
    y[lo:hi:3] += x[hi:lo:-3]
    flipped = x[::-1] - x
    corners = A[::2, ::-1] * np.sum(x[5:0:-2])
    return flipped, corners, np.copy(A[-1::-2, 1::2])


@kernel
def interleave(A: InOut[f32[:, :]]):
    for i in prange(A.shape[0]):
        A[i, 1::2] = A[i, :0:-2] + A[i, ::-2]
        A[i, ::3] *= 2


def positive_negative(v):
    return np.maximum(v, 0.0), np.minimum(v, 0.0)


def ordered(a, b):
    return min(a, b), max(a, b)


@kernel
def split_parts(x: In[f64[:]], A: In[f64[:, :]], y: In[f64[:]], gap: Out[f64[:]]):
    pos, neg = positive_negative(x)
    for i in prange(A.shape[0]):
        lo, hi = A[i, :] - 1.0, A[i, :] + 1.0
        pos[i] = np.sum(hi * lo)
    for i in prange(y.shape[0]):
        small, large = ordered(x[i], y[i])
        gap[i] = large - small
    return pos, neg


@kernel
def softmax_rows(A: In[f32[:, :]], x: In[f32[:]]):
    e = np.exp(A - np.max(A, axis=1)[:, np.newaxis])
    grid = (x * 2)[None, :] + (x - 1)[..., None]
    return e / np.sum(e, axis=1)[:, None], grid


def interior_laplacian(g):
    """The five-point Laplacian of the interior of g."""
    return g[2:, 1:-1] + g[:-2, 1:-1] + g[1:-1, 2:] + g[1:-1, :-2] - 4 * g[1:-1, 1:-1]


def differences(f, h):
    return (f[1:] - f[:-1]) / h


@kernel
def diffuse(u: In[f64[:, :]], v: InOut[f64[:, :]], x: In[f64[:]], dt: f64):
    v[1:-1, 1:-1] = u[1:-1, 1:-1] + dt * interior_laplacian(u)
    slope = differences(x, 0.5) * 2
    return slope, np.sum(interior_laplacian(v))


@kernel(target="host-offload")
def scale_into(x, y, alpha=1.5):
    for i in prange(x.shape[0]):
        y[i] = alpha * x[i]


@kernel
def shift_by_trace(a: In[f64[:, :]]):
    """Numba's 5-minute guide: a serial loop reading the diagonal, then a whole-array statement."""
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


@kernel
def sort_with_keys(a: InOut[f64[:]], keys: InOut[i64[:]]):
    """Insertion sort carrying keys along: a host `while` over elements that shifts them."""
    for i in range(1, len(a)):
        v, k = a[i], keys[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            keys[j + 1] = keys[j]
            j -= 1
        a[j + 1] = v
        keys[j + 1] = k


@kernel
def trapezoid_rule(y: In[f64[:]], dx: f64) -> f64:
    """A returned value that reads the end points."""
    return dx * (np.sum(y) - 0.5 * (y[0] + y[-1]))


@kernel
def bin_counts(x: In[f64[:]], counts: InOut[i64[:]], lo: f64, hi: f64) -> f64:
    """The Numba tutorial's histogram, adding to the counts: `for v in x`, a chained comparison, the
    largest value seen."""
    width = (hi - lo) / len(counts)
    largest = -np.inf
    for v in x:
        k = int((v - lo) / width)
        if 0 <= k < len(counts):
            counts[k] += 1
        largest = max(largest, v)
    return largest


@kernel
def horner_rule(coeffs: In[f64[:]], x: In[f64[:]], out: Out[f64[:]]):
    """`for c in coeffs` around an array statement: each item is read on the device, the update is parallel."""
    out[:] = 0.0
    for c in coeffs:
        out[:] = out * x + c


@kernel
def sample_variance(x: In[f64[:]]) -> f64:
    """Welford's online update: scalars carried through `for v in x`."""
    count = 0
    mean = 0.0
    m2 = 0.0
    for v in x:
        count += 1
        delta = v - mean
        mean += delta / count
        m2 += delta * (v - mean)
    return m2 / (count - 1)


@kernel
def scale_from_first_negative(x: In[f64[:]], y: Out[f64[:]]) -> int:
    """A search with `break`, its result used by a `prange` and returned; a branch on an element
    around an array statement."""
    found = -1
    for i in range(len(x)):
        if x[i] < 0.0:
            found = i
            break
    for i in prange(len(y)):
        y[i] = x[i] * found
    if x[0] > 0.0:
        y[:] = y * 2.0
    return found


@kernel
def neighbour_sums(board: In[i64[:, :]], out: Out[i64[:, :]]):
    """Game of Life's neighbours, Numba style: loops over a tuple of offsets, periodic with `%`."""
    n, m = board.shape
    for i in prange(n):
        for j in range(m):
            total = 0
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if di != 0 or dj != 0:
                        total += board[(i + di) % n, (j + dj) % m]
            out[i, j] = total


@kernel
def windowed_sums(signal: In[f32[:]], taps: In[f32[:]], planes: In[f32[:, :, :]]):
    """`.size`, `.ndim`, `x.dtype.type(0)`, a shape written as a list, `img[..., 1]` and `img[0, ..., 1]`."""
    n = signal.size
    m = taps.size
    out = np.empty([n - m + 1, planes.ndim])
    for i in prange(n - m + 1):
        acc = signal.dtype.type(0)
        for j in range(m):
            acc += signal[i + j] * taps[j]
        out[i, 0] = acc
        out[i, 1] = m
        out[i, 2] = planes.size
    return out, planes[..., 1] - 0.5 * planes[0, ..., 1]


@kernel
def ufunc_operators(x: In[f64[:]], y: In[f64[:]], k: In[i64[:]]):
    """NumPy's operator ufuncs called as functions: `np.add`, `np.multiply`, `np.less` as a mask, and
    their `.outer` (NPBench floyd_warshall's `np.minimum(path, np.add.outer(path[:, k], path[k, :]))`)."""
    z = np.add(np.multiply(x, 2.0), np.subtract(y, k))
    z[np.less(x, y)] = 0.0
    flags = np.greater_equal(k, 3) | np.equal(x, y) | np.not_equal(k, 1) & np.less_equal(y, 0.5)
    table = np.minimum(np.subtract.outer(x, y) * np.multiply.outer(k, x), np.add.outer(y[::-1], x))
    sums = np.cumsum(np.insert(x, 0, 0))
    return z, flags, table, sums[3:] - sums[:-3], np.insert(k, 0, 2.5)


@kernel
def mirrored(A: In[f64[:, :]], x: In[f64[:]], C: InOut[f64[:, :]]):
    """`np.flip` of views (all axes, one, `np.flipud`/`np.fliplr`, of a reversed slice `x[:0:-1]`) and a chained
    assignment of a column slice and a row slice (NPBench covariance)."""
    n = C.shape[0]
    for i in range(n):
        C[i:, i] = C[i, i:] = x[:n - i] * 2.0 + i
    mixed = np.flip(A) + np.flipud(A) - np.fliplr(A) * np.flip(A, axis=1)
    return mixed, np.flip(x[:0:-1]) @ np.flip(x[:-1], 0)


@kernel
def padded(img: In[f32[:, :]], x: In[i64[:]], w: int):
    """`np.pad` in its three modes: a 3x3 box blur over an edge-padded image, a periodic and a
    zero-padded (then constant-padded, truncated to int64 as NumPy does) signal."""
    p = np.pad(img, 1, mode="edge")
    blur = (p[:-2, :-2] + p[:-2, 1:-1] + p[:-2, 2:] + p[1:-1, :-2] + p[1:-1, 1:-1] + p[1:-1, 2:]
            + p[2:, :-2] + p[2:, 1:-1] + p[2:, 2:]) / 9.0
    return blur, np.pad(x, w, mode="wrap") * 10 + np.pad(x, w), np.pad(x, 2, constant_values=3.7)


@kernel
def relax_copies(p: InOut[f64[:, :]], steps: int):
    """NPBench cavity flow's `pn = p.copy()` in each iteration, after `pn = np.empty_like(p)`; a
    `np.ones_like` made again after its values changed."""
    pn = np.empty_like(p)
    pn = p.copy()
    w = np.ones_like(p)
    for q in range(steps):
        pn = p.copy()
        p[1:-1, 1:-1] = 0.25 * (pn[2:, 1:-1] + pn[:-2, 1:-1] + pn[1:-1, 2:] + pn[1:-1, :-2]) * w[1:-1, 1:-1]
        w *= 0.5
        w = np.ones_like(p)
        p[:, -1] = p[:, -2]
    return pn, w


@kernel
def picked_loss(probs: In[f64[:, :]], labels: In[i64[:]]) -> f64:
    """Cross-entropy: a returned value whose gather needs a run-time length check."""
    n = probs.shape[0]
    return -np.sum(np.log(probs[np.arange(n), labels])) / n


@kernel
def gradient_descent(X: In[f64[:, :]], y: In[f64[:]], w: InOut[f64[:]], lr: f64, iters: int):
    """Arrays made in each step of a host loop (ML-from-scratch tutorials): the residual, the
    gradient and a scratch `np.zeros`, allocated once and filled each iteration."""
    n = X.shape[0]
    for _ in range(iters):
        residual = X @ w - y
        grad = X.T @ residual / n
        step = np.zeros(len(w))
        step[:] = lr * grad
        w -= step


@kernel
def running_stats(x: In[f64[:]]):
    """Welford's update returning several scalars and an array: the C function returns the first
    scalar, the others come back through one-element arrays the kernel makes."""
    count = 0
    mean = 0.0
    m2 = 0.0
    for v in x:
        count += 1
        delta = v - mean
        mean += delta / count
        m2 += delta * (v - mean)
    return mean, x - mean, m2 / (count - 1), count


@kernel
def column_differences(pos: In[f64[:, :]]):
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    return x.T - x + (y.T - y) * 0.5


@kernel
def softened_power(d: In[f64[:, :]]):
    r = d * d
    r[r > 0.25] = r[r > 0.25] ** (-1.5) + d[r > 0.25]
    return r


@kernel
def window_means(x: In[f64[:]], N: i64):
    c = np.cumsum(x)
    return (c[N:] - c[:-N]) / N


@kernel
def interior_differences(a: In[f64[:, :]], out: In[f64[:, :]]):
    I = out.shape[0]
    J = out.shape[1]
    d = a[1:I + 1, 1:J + 1] - a[0:I, 0:J]
    return d[1:, :] * 2.0


@kernel
def escape_counts(c: In[f64[:]], steps: i64):
    z = np.zeros_like(c)
    n = np.zeros(c.shape, dtype=np.int64)
    for k in range(steps):
        live = np.less(np.abs(z), 2.0)
        n[live] = k
        z[live] = z[live] ** 2 + c[live]
    return z, n


@kernel
def weighted_by_position(x: In[f64[:]], y: In[f64[:]]) -> f64:
    total = 0.0
    for i, v in enumerate(x, 1):
        total += i * v
    for k, (a, b) in enumerate(zip(x, y)):
        total += k * a * b
    for a, w in zip(y, (0.5, 0.25, 0.125)):
        total += a * w
    return total


@kernel
def smooth_with_weights(x: In[f64[:]], y: In[f32[:]]):
    w = np.array([0.25, 0.5, 0.25])
    scale = np.array((1, 2, 3), dtype=np.float32)
    return w[0] * x[:-2] + w[1] * x[1:-1] + w[2] * x[2:], y[:3] * scale, np.array([True, False, True])


@kernel
def laplace_with_table(A: In[f64[:, :]]):
    K = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    out = np.zeros_like(A)
    for di in range(3):
        for dj in range(3):
            out[1:-1, 1:-1] += K[di, dj] * A[di:A.shape[0] - 2 + di, dj:A.shape[1] - 2 + dj]
    return out, K


@kernel
def life_step(Z: In[i64[:, :]]):
    N = sum(np.roll(np.roll(Z, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
    weights = sum([0.5 ** k * Z[k, :] for k in range(3)])
    return ((Z == 1) & ((N == 2) | (N == 3))) | ((Z == 0) & (N == 3)), weights


@kernel
def periodic_laplacian(u: In[f64[:, :]]):
    return sum(np.roll(u, 1, axis=axis) + np.roll(u, -1, axis=axis) for axis in range(2)) - 4.0 * u


@kernel
def wave_on_grid(x: In[f64[:]], y: In[f32[:]], n: int):
    X, Y = np.meshgrid(x, y)
    U, V = np.meshgrid(np.linspace(0.0, 1.0, n), x, indexing="ij")
    return np.sin(X) * np.cos(Y), U * V, Y


@kernel
def clipped_inputs(x: In[f64[:]]):
    x = np.asarray(x)
    y = np.ascontiguousarray(x)
    return np.clip(x, a_min=0.2, a_max=0.8), y.clip(min=0.3), np.round(x, decimals=2), np.clip(x, max=0.5)


CASES = {
    axpby: lambda rng: (rng.standard_normal(11), rng.standard_normal(11), -0.75, 2.0),
    weighted_by_position: lambda rng: (rng.standard_normal(7), rng.standard_normal(5)),
    smooth_with_weights: lambda rng: (rng.standard_normal(9), rng.standard_normal(5).astype(np.float32)),
    laplace_with_table: lambda rng: (rng.standard_normal((6, 7)),),
    life_step: lambda rng: (rng.integers(0, 2, (8, 9)),),
    periodic_laplacian: lambda rng: (rng.standard_normal((6, 7)),),
    clipped_inputs: lambda rng: (rng.random(9),),
    wave_on_grid: lambda rng: (rng.standard_normal(6), rng.standard_normal(4).astype(np.float32), 5),
    row_scale: lambda rng: (rng.standard_normal((5, 7)), rng.standard_normal(5), np.zeros((5, 7))),
    moving_sum: lambda rng: (rng.standard_normal(9).astype(np.float32), 4),
    relax: lambda rng: (rng.standard_normal((4, 6)), rng.standard_normal((4, 6)), 0.1),
    activate: lambda rng: (rng.standard_normal(12).astype(np.float32), np.zeros(12, np.float32)),
    normalize_rows: lambda rng: (rng.standard_normal((5, 6)).astype(np.float32),),
    follow_precision: lambda rng: (rng.standard_normal(7).astype(np.float32), rng.standard_normal(7)),
    gradient: lambda rng: (rng.standard_normal(10), np.zeros(10)),
    damped: lambda rng: (rng.standard_normal(8), rng.standard_normal(8), np.zeros(8), np.zeros(8), 0.3),
    heat_step: lambda rng: (rng.standard_normal((6, 7)), rng.standard_normal((6, 7)), 0.2),
    center_rows: lambda rng: (rng.standard_normal((4, 9)).astype(np.float32),),
    strided: lambda rng: (rng.standard_normal(10), rng.standard_normal(10), rng.standard_normal((5, 7)), 1, 9),
    interleave: lambda rng: (rng.standard_normal((3, 8)).astype(np.float32),),
    split_parts: lambda rng: (rng.standard_normal(6), rng.standard_normal((4, 5)), rng.standard_normal(6), np.zeros(6)),
    softmax_rows: lambda rng: (rng.standard_normal((4, 6)).astype(np.float32), rng.standard_normal(5).astype(np.float32)),
    diffuse: lambda rng: (rng.standard_normal((5, 6)), rng.standard_normal((5, 6)), rng.standard_normal(7), 0.1),
    shift_by_trace: lambda rng: (rng.standard_normal((6, 6)),),
    sort_with_keys: lambda rng: (rng.standard_normal(30), rng.integers(0, 100, 30)),
    trapezoid_rule: lambda rng: (rng.random(41), 0.25),
    bin_counts: lambda rng: (rng.standard_normal(200), rng.integers(0, 5, 9), -2.0, 2.0),
    horner_rule: lambda rng: (rng.standard_normal(5), rng.uniform(-1.0, 1.0, 17), np.zeros(17)),
    sample_variance: lambda rng: (rng.random(64),),
    scale_from_first_negative: lambda rng: (rng.uniform(-0.2, 1.0, 25), np.zeros(25)),
    neighbour_sums: lambda rng: (rng.integers(0, 2, (7, 9)), np.zeros((7, 9), np.int64)),
    windowed_sums: lambda rng: (rng.standard_normal(20).astype(np.float32), rng.standard_normal(4).astype(np.float32),
                                rng.standard_normal((3, 5, 2)).astype(np.float32)),
    mirrored: lambda rng: (rng.standard_normal((4, 6)), rng.standard_normal(7), rng.standard_normal((7, 7))),
    padded: lambda rng: (rng.random((6, 5)).astype(np.float32), rng.integers(-9, 9, 7), 3),
    picked_loss: lambda rng: (rng.random((9, 4)) + 0.01, rng.integers(0, 4, 9)),
    gradient_descent: lambda rng: (rng.random((20, 3)), rng.random(20), rng.random(3), 0.1, 12),
    running_stats: lambda rng: (rng.random(33),),
    relax_copies: lambda rng: (rng.random((7, 6)), 4),
    ufunc_operators: lambda rng: (rng.random(15), rng.random(15), rng.integers(0, 6, 15)),
    column_differences: lambda rng: (rng.standard_normal((9, 3)),),
    softened_power: lambda rng: (rng.standard_normal((5, 6)),),
    window_means: lambda rng: (rng.random(20), 4),
    interior_differences: lambda rng: (rng.random((8, 9)), rng.random((5, 6))),
    escape_counts: lambda rng: (rng.uniform(-2.2, 0.6, 30), 12),
}
