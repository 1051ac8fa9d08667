"""Functions that return a pair, unpacked by the kernel (docs/language.md, "Pairs"): Python's
`divmod` of integers and floats of either sign, `np.divmod` of arrays, `math.modf` and `np.modf`
(signs of the fractional part, infinities, NaN), `math.frexp` and `np.frexp` (zero, subnormals,
powers of two and the numbers just below them, infinities, NaN). `tests/test_pairs.py` runs each
compiled and as plain Python; `CASES` maps each kernel to its random arguments."""

import math

import numpy as np

from translator import In, Out, f32, f64, i32, i64, kernel, prange


@kernel
def digit_split(x: In[i64[:]], base: In[i64[:]], q: Out[i64[:]], r: Out[i64[:]]):
    for i in prange(x.shape[0]):
        q[i], r[i] = divmod(x[i], base[i])


@kernel
def wrapped_angles(theta: In[f64[:]], period: In[f64[:]], turns: Out[f64[:]], angle: Out[f64[:]]):
    for i in prange(theta.shape[0]):
        turns[i], angle[i] = divmod(theta[i], period[i])


@kernel
def blocks(n: int, size: int) -> int:
    full, rest = divmod(n, size)
    return full * 1000 + rest


@kernel
def array_divmod(x: In[i32[:]], y: In[i32[:]], a: In[f32[:]], b: In[f32[:]]):
    q, r = np.divmod(x, y)
    fq, fr = np.divmod(a, b)
    return q, r, fq, fr


@kernel
def scalar_parts(x: In[f64[:]], frac: Out[f64[:]], whole: Out[f64[:]], mant: Out[f64[:]], expo: Out[i64[:]]):
    for i in prange(x.shape[0]):
        frac[i], whole[i] = math.modf(x[i])
        mant[i], expo[i] = math.frexp(x[i])


@kernel
def array_parts(x: In[f32[:]], y: In[f64[:]], k: In[i64[:]]):
    frac, whole = np.modf(x)
    m32, e32 = np.frexp(x)
    m64, e64 = np.frexp(y)
    kf, kw = np.modf(k)
    return frac, whole, m32, e32, m64, e64, kf, kw


def _specials(rng: np.random.Generator, n: int, dtype: type = np.float64) -> np.ndarray:
    """Random floats of either sign and every scale, with the values the functions treat apart: zeros,
    infinities, NaN, subnormals, powers of two and the numbers just below them, the largest float."""
    info = np.finfo(dtype)
    values = (rng.standard_normal(n) * 10.0 ** rng.integers(-5, 6, n)).astype(dtype)
    below_two, below_one = np.nextafter(dtype(2.0), dtype(0.0)), np.nextafter(dtype(-1.0), dtype(0.0))
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, info.smallest_subnormal, -3 * info.smallest_subnormal,
                        1.0, -4.0, 0.5, below_two, below_one, 3.0, -7.5, info.max], dtype)
    return np.concatenate((values, special))


CASES = {
    digit_split: lambda rng: (rng.integers(-10**6, 10**6, 40), rng.choice([-7, -3, -1, 1, 2, 10, 16], 40),
                              np.zeros(40, np.int64), np.zeros(40, np.int64)),
    wrapped_angles: lambda rng: (np.concatenate((rng.uniform(-20.0, 20.0, 30), [-6.0, 6.0, -0.0, 0.0, 7.5])),
                                 np.concatenate((rng.choice([-3.0, -0.7, 0.7, 2 * np.pi], 30), [3.0, -3.0, 2.0, -2.0,
                                                                                                2.5])),
                                 np.zeros(35), np.zeros(35)),
    blocks: lambda rng: (int(rng.integers(-5000, 5000)), int(rng.choice([-9, -4, 3, 8]))),
    array_divmod: lambda rng: (rng.integers(-100, 100, 25).astype(np.int32), rng.choice([-6, -2, 3, 5], 25).astype(np.int32),
                               rng.uniform(-9.0, 9.0, 25).astype(np.float32),
                               rng.choice([-2.5, -1.0, 0.75, 4.0], 25).astype(np.float32)),
    scalar_parts: lambda rng: (_specials(rng, 30), np.zeros(45), np.zeros(45), np.zeros(45), np.zeros(45, np.int64)),
    array_parts: lambda rng: (_specials(rng, 30, np.float32), _specials(rng, 30),
                              rng.integers(-50, 50, 12)),
}
