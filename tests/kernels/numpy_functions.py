"""NumPy functions and array methods as public numerical code writes them (issue 11): ufuncs of
every family, `np.where`, `np.clip`, `astype`, transposes, constructors, differences, shifts,
reshapes, joins, repetitions, scans and histograms. `tests/test_numpy_functions.py` runs each compiled and as plain
Python; `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, b1, c128, f32, f64, i32, u8, kernel, prange


@kernel
def activations(z: In[f64[:]], relu: Out[f64[:]], sig: Out[f64[:]], soft: Out[f64[:]]):
    relu[:] = np.where(z > 0, z, 0.0)
    sig[:] = np.reciprocal(1.0 + np.exp(-z))
    soft[:] = np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)


@kernel
def reflect_negatives(x: In[f64[:]], y: Out[f64[:]]):
    positive = x > 0
    y[:] = np.where(positive, x, -x) * 2.0


@kernel
def pairwise_max_ramp(x: In[f64[:]], y: In[f64[:]], out: Out[f64[:, :]]):
    out[:, :] = np.where(x[:, None] > y[None, :], x[:, None], y[None, :]) + np.linspace(0.0, 1.0, y.shape[0])


@kernel
def standardize_clip(X: In[f32[:, :]]):
    Z = (X - np.mean(X, axis=0)) / np.std(X, axis=0)
    return np.clip(Z, -3.0, 3.0).astype(np.float64)


@kernel
def transcendental(x: In[f32[:]], y: In[f32[:]], out: Out[f32[:, :]]):
    out[0, :] = np.cbrt(x) + np.exp2(x) + np.rint(x * 4.0) + np.sign(x)
    out[1, :] = np.arctan2(y, x) + np.hypot(x, y) + np.copysign(np.square(x), y)
    out[2, :] = np.arcsinh(x) + np.arctanh(np.tanh(y) * 0.5) + np.arccosh(1.0 + np.abs(x))
    out[3, :] = np.fmax(x, y) - np.fmin(x, y) + np.negative(np.absolute(y)) + np.degrees(np.radians(x))
    out[4, :] = np.mod(x, y) + np.floor_divide(x, y) + np.true_divide(x, y) + np.power(np.abs(x), 1.5)
    out[5, :] = np.floor(x) + np.ceil(y) + np.trunc(x * 3.0) + np.remainder(y, 0.75)


@kernel
def nan_rules(a: In[f64[:]], b: In[f64[:]], big: Out[f64[:]], small: Out[f64[:]], fbig: Out[f64[:]],
              fsmall: Out[f64[:]], bad: Out[b1[:]]):
    big[:] = np.maximum(a, b)
    small[:] = np.minimum(a, b)
    fbig[:] = np.fmax(a, b)
    fsmall[:] = np.fmin(a, b)
    bad[:] = np.logical_or(np.isnan(a), np.logical_not(np.isfinite(b))) | np.isinf(a)
    return np.clip(a, -0.5, 0.5), np.sign(b), np.where(np.isnan(a), 0.0, a)


@kernel
def integer_ufuncs(v: In[i32[:]], w: In[i32[:]]):
    return np.maximum(v, w), np.sign(v), np.square(w), np.floor(v), np.abs(v), np.mod(v, 7), np.floor_divide(v, 4)


@kernel
def rounding(prices: In[f32[:]], y: In[f64[:]], v: In[i32[:]]):
    return np.round(prices, 2), np.around(y), y.round(3), np.round(y, decimals=-1), np.round(v), np.rint(y)


@kernel
def clamp_image(img: In[f64[:, :]], lo: f64, out: Out[i32[:, :]]):
    out[:, :] = np.clip(img * 255.0, lo, 255).astype(np.int32)


@kernel
def clip_methods(x: InOut[f32[:]], y: InOut[f32[:]]):
    x[:] = x.clip(-0.5, 0.5)
    y[:] = np.clip(y, 0.0, None) + np.clip(y, None, 0.25)


@kernel
def gaussian(n: int, sigma: f64):
    x = np.linspace(-3.0, 3.0, n)
    return np.exp(-x**2 / (2.0 * sigma**2))


@kernel
def grids(n: int, lo: f32, hi: f32):
    return np.linspace(lo, hi, n, endpoint=False), np.arange(n), np.arange(2, 3 * n, 3), np.arange(n, 0, -2)


@kernel
def differences(t: In[f64[:]], u: In[f64[:, :]], flags: In[b1[:]]):
    dt = np.diff(t)
    return dt, np.diff(u, axis=0), np.diff(u), np.diff(t, n=2), np.diff(flags)


@kernel
def periodic_laplacian(u: In[f64[:]], v: In[f64[:, :]], s: int):
    lap = np.roll(u, 1) - 2.0 * u + np.roll(u, -1)
    return lap, np.roll(v, s, axis=1), np.roll(v, 3)


@kernel
def reshapes(A: In[f64[:, :]], x: In[f64[:]]):
    flat = A.reshape(-1).copy()
    rows = x.reshape(3, -1)
    return (flat * 2.0, A.ravel() + 1.0, A.flatten(), np.reshape(x, (3, -1)) - 1.0, x.reshape(2, 6) * 1.0,
            np.max(rows, axis=0))


@kernel
def transposes(A: In[f64[:, :]], B: Out[f64[:, :]], C: Out[f64[:, :]]):
    B[:, :] = A.transpose() + np.transpose(A, (1, 0)) * 2.0
    C[:, :] = A.transpose(1, 0) - np.transpose(A)


@kernel
def joins(a: In[f64[:]], b: In[f64[:]], A: In[f64[:, :]]):
    return (np.concatenate((a, b)), np.hstack((a, a * 2.0)), np.vstack((A, a)), np.stack((a, b), axis=1),
            np.concatenate((A, A), axis=1))


@kernel
def repetitions(a: In[f64[:]], A: In[f64[:, :]]):
    return (np.tile(a, 3), np.tile(A, (2, 1)), np.repeat(a, 2), np.repeat(A, 3, axis=1), np.tile(a, (2, 2)),
            np.repeat(A, 2))


@kernel
def complex_parts(z: In[c128[:]], re: Out[f64[:]], im: Out[f64[:]], power: Out[c128[:]]):
    re[:] = z.real * 2.0
    im[:] = z.imag
    power[:] = z.conj() * z + np.square(z) - np.reciprocal(z) + np.negative(z)


@kernel
def scaled_identity(n: int, a: f64):
    eye = np.identity(n)
    return eye * a


@kernel
def row_shifts(A: In[f64[:, :]], out: Out[f64[:, :]]):
    for i in prange(A.shape[0]):
        out[i, :] = np.roll(A[i, :], i) + np.linspace(0.0, 1.0, A.shape[1])


@kernel
def empirical_cdf(w: In[f64[:]]):
    c = np.cumsum(w)
    return c / c[-1]


@kernel
def running_totals(w: In[f32[:]], v: In[i32[:]], A: In[f64[:, :]], out: Out[f32[:]]):
    out[:] = np.cumsum(w) * 2.0
    return np.cumprod(v), np.cumsum(A, axis=0), A.cumsum(axis=1), np.cumsum(A), np.cumprod(A[0, :] * 0.5 + 1.0)


@kernel
def row_scans(A: In[f64[:, :]], out: Out[f64[:, :]]):
    for i in prange(A.shape[0]):
        out[i, :] = np.cumsum(A[i, :]) - A[i, 0]


@kernel
def prefix_in_place(x: InOut[f64[:]]):
    x[:] = np.cumsum(x)


@kernel
def intensity_histogram(img: In[f32[:, :]], bins: int):
    counts, edges = np.histogram(img, bins=bins)
    return counts, edges


@kernel
def unit_histogram(x: In[f64[:]], labels: In[i32[:]]):
    counts, edges = np.histogram(x, 8, range=(0.0, 1.0))
    label_counts, label_edges = np.histogram(labels, bins=5)
    return counts, edges, label_counts, label_edges


@kernel
def softplus_and_step(z: In[f64[:]], w: In[f64[:]]):
    softplus = np.logaddexp(0.0, z)
    step = np.heaviside(z, 0.5)
    return softplus, step, np.signbit(z), np.logaddexp2(z, w), np.logaddexp(z, w)


@kernel
def bit_mixing(keys: In[i32[:]], salt: In[i32[:]], flags: In[b1[:]]):
    mixed = np.bitwise_xor(np.left_shift(keys, 3), np.right_shift(salt, 2))
    low = np.bitwise_and(mixed, 0xFF) | np.bitwise_or(keys & 1, 16)
    return mixed, low, np.invert(keys), np.bitwise_not(flags), np.pow(keys, 2)


@kernel
def float32_ufuncs(a: In[f32[:]], b: In[f32[:]]):
    angles = np.acos(np.clip(a, -1.0, 1.0)) + np.atan2(b, a) + np.asinh(a)
    return angles, np.float_power(a, 3), np.nextafter(a, b), np.positive(b), np.atanh(np.tanh(b) * 0.5)


@kernel
def float_bits(x: In[f64[:]], a: In[f32[:]], e: In[i32[:]]):
    ulp = np.spacing(x)
    return ulp, np.spacing(a), np.ldexp(x, e), np.ldexp(a, 3), np.ldexp(e, e)


@kernel
def reduced_fractions(num: In[i32[:]], den: In[i32[:]], small: In[u8[:]]):
    common = np.gcd(num, den)
    return num // common, den // common, np.lcm(num, den), np.lcm(small, 6), np.gcd(small, small[::-1])


@kernel
def weighted_means(X: In[f32[:, :]], row_w: In[f32[:]], col_w: In[f32[:]], W: In[f32[:, :]], x: In[f64[:]],
                   w: In[f64[:]], counts: In[i32[:]], votes: In[i32[:]]):
    per_row = np.average(X, axis=1, weights=col_w)
    per_col = np.average(X, 0, row_w)
    kept = np.average(X, weights=W, axis=0, keepdims=True)
    return per_row, per_col, kept, np.average(X, weights=W), np.average(x, weights=w), np.average(counts, weights=votes)


def _special(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random values with NaNs and infinities among them."""
    x = rng.standard_normal(n)
    x[rng.random(n) < 0.2] = np.nan
    x[rng.random(n) < 0.1] = np.inf
    return x


CASES = {
    activations: lambda rng: (rng.standard_normal(17) * 4, np.zeros(17), np.zeros(17), np.zeros(17)),
    reflect_negatives: lambda rng: (rng.standard_normal(10), np.zeros(10)),
    pairwise_max_ramp: lambda rng: (rng.standard_normal(5), rng.standard_normal(7), np.zeros((5, 7))),
    standardize_clip: lambda rng: ((rng.standard_normal((40, 3)) * 3).astype(np.float32),),
    transcendental: lambda rng: (rng.standard_normal(12).astype(np.float32),
                                 (rng.uniform(0.5, 2.0, 12) * rng.choice([-1, 1], 12)).astype(np.float32),
                                 np.zeros((6, 12), np.float32)),
    nan_rules: lambda rng: (_special(rng, 20), _special(rng, 20), *(np.zeros(20) for _ in range(4)),
                            np.zeros(20, bool)),
    integer_ufuncs: lambda rng: (rng.integers(-100, 100, 15).astype(np.int32),
                                 rng.integers(-100, 100, 15).astype(np.int32)),
    rounding: lambda rng: (rng.standard_normal(20).astype(np.float32) * 10,
                           np.concatenate((rng.standard_normal(20) * 100, [0.5, 1.5, 2.5, -0.5, 25.0, 35.0])),
                           rng.integers(-99, 99, 20).astype(np.int32)),
    clamp_image: lambda rng: (rng.random((6, 7)) * 1.4 - 0.2, 3.5, np.zeros((6, 7), np.int32)),
    clip_methods: lambda rng: (rng.standard_normal(11).astype(np.float32), rng.standard_normal(11).astype(np.float32)),
    gaussian: lambda rng: (int(rng.integers(20, 40)), rng.uniform(0.5, 2.0)),
    grids: lambda rng: (int(rng.integers(5, 12)), np.float32(rng.uniform(-2, 0)), np.float32(rng.uniform(1, 3))),
    differences: lambda rng: (np.cumsum(rng.random(13)), rng.standard_normal((5, 6)), rng.random(13) < 0.5),
    periodic_laplacian: lambda rng: (rng.standard_normal(10), rng.standard_normal((4, 5)), int(rng.integers(-9, 9))),
    reshapes: lambda rng: (rng.standard_normal((4, 5)), rng.standard_normal(12)),
    transposes: lambda rng: (rng.standard_normal((4, 5)), np.zeros((5, 4)), np.zeros((5, 4))),
    joins: lambda rng: (rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal((3, 5))),
    repetitions: lambda rng: (rng.standard_normal(5), rng.standard_normal((3, 4))),
    complex_parts: lambda rng: (rng.standard_normal(6) + 1j * rng.standard_normal(6), np.zeros(6), np.zeros(6),
                                np.zeros(6, complex)),
    scaled_identity: lambda rng: (int(rng.integers(3, 7)), rng.standard_normal()),
    row_shifts: lambda rng: (rng.standard_normal((5, 8)), np.zeros((5, 8))),
    empirical_cdf: lambda rng: (rng.random(25),),
    running_totals: lambda rng: (rng.standard_normal(9).astype(np.float32), rng.integers(-3, 4, 9).astype(np.int32),
                                 rng.standard_normal((3, 4)), np.zeros(9, np.float32)),
    row_scans: lambda rng: (rng.standard_normal((4, 7)), np.zeros((4, 7))),
    prefix_in_place: lambda rng: (rng.standard_normal(12),),
    intensity_histogram: lambda rng: (rng.standard_normal((30, 20)).astype(np.float32), int(rng.integers(5, 20))),
    unit_histogram: lambda rng: (np.concatenate((rng.random(200) * 1.2 - 0.1, np.linspace(0.0, 1.0, 17))),
                                 rng.integers(-20, 20, 300).astype(np.int32)),
    softplus_and_step: lambda rng: (np.concatenate((_special(rng, 20), [0.0, -0.0, -np.inf, 3.0])),
                                    np.concatenate((_special(rng, 20), [0.0, 1.0, -np.inf, 3.0]))),
    bit_mixing: lambda rng: (rng.integers(-2**20, 2**20, 16).astype(np.int32), rng.integers(-999, 999, 16).astype(np.int32),
                             rng.random(16) < 0.5),
    float32_ufuncs: lambda rng: (rng.standard_normal(15).astype(np.float32), rng.standard_normal(15).astype(np.float32)),
    float_bits: lambda rng: (np.concatenate((_special(rng, 10), [0.0, -0.0, -np.inf, 1e300, -3.5])),
                             np.concatenate((rng.standard_normal(10), [0.0, -0.0, np.inf, 1e30, -3.5])).astype(np.float32),
                             rng.integers(-20, 20, 15).astype(np.int32)),
    reduced_fractions: lambda rng: (np.concatenate(([0, 0, 7], rng.integers(-90, 90, 17))).astype(np.int32),
                                    np.concatenate(([0, 5, 0], rng.integers(-90, 90, 17))).astype(np.int32),
                                    rng.integers(0, 60, 20).astype(np.uint8)),
    weighted_means: lambda rng: (rng.standard_normal((4, 6)).astype(np.float32), rng.random(4).astype(np.float32),
                                 rng.random(6).astype(np.float32), rng.random((4, 6)).astype(np.float32),
                                 rng.standard_normal(9), rng.random(9), rng.integers(0, 50, 7).astype(np.int32),
                                 rng.integers(1, 5, 7).astype(np.int32)),
}
