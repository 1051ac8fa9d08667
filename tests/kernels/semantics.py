"""Small kernels that pin down Python semantics; each runs compiled and as plain Python in the tests.

`CASES` maps each kernel to a function making its random arguments (negative values included).
"""

import math

import numpy as np

from translator import In, InOut, Out, f32, f64, i32, i64, kernel, prange

SCALE = 2.5
OFFSET = -SCALE * 2


@kernel
def int_arithmetic(a: In[i64[:]], b: In[i64[:]], out: Out[i64[:, :]]):
    for i in prange(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i, 0] = x // y
        out[i, 1] = x % y
        out[i, 2] = -x // 3
        out[i, 3] = x % -7
        out[i, 4] = x ** 2 + x ** 3 - x ** 0
        out[i, 5] = x ** 5
        out[i, 6] = abs(x) + abs(-y)
        out[i, 7] = min(x, y) * 10 + max(x, y, 3)
        out[i, 8] = (x & y) + (x | 5) - (x ^ y)
        out[i, 9] = (abs(x) << 2) + (x >> 1)
        out[i, 10] = x if x > y else y
        out[i, 11] = int(x / y * 100)


@kernel
def float_arithmetic(a: In[f64[:]], b: In[f64[:]], out: Out[f64[:, :]]):
    for i in prange(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i, 0] = x // y
        out[i, 1] = x % y
        out[i, 2] = x / y + x * y - x
        out[i, 3] = x ** 2 - y ** 3 + abs(x) ** 0.5
        out[i, 4] = min(x, y) - max(x, y, 0.25)
        out[i, 5] = math.floor(x) + math.ceil(y) + math.trunc(x * 3)
        out[i, 6] = math.sqrt(abs(x)) + math.exp(-abs(y)) + math.log(abs(x) + 1) + math.atan2(x, y)
        out[i, 7] = math.fmod(x, y) + math.hypot(x, y) + math.erf(x) + math.tanh(y) + math.pi
        out[i, 8] = float(int(x * 10)) + SCALE * x + OFFSET
        out[i, 9] = -x // 0.75 + (-x) % 0.75


@kernel
def int_division_by_python_ints(a: In[i32[:]], out: Out[i32[:, :]]):
    for i in prange(a.shape[0]):
        out[i, 0] = a[i] // 4
        out[i, 1] = a[i] % 4
        out[i, 2] = a[i] * 3 - 7
        out[i, 3] = a[i] // -3


@kernel
def mixed_promotion(x: In[f32[:]], n: In[i32[:]], out32: Out[f32[:]], out64: Out[f64[:]], ratio: Out[f64[:]]):
    for i in prange(x.shape[0]):
        out32[i] = x[i] * 0.1 + 2 * x[i] - 1.5
        out64[i] = x[i] * n[i] + 0.5
        ratio[i] = n[i] / 7


@kernel
def logic(x: In[f64[:]], y: In[f64[:]], out: Out[f64[:, :]], flags: Out[i64[:, :]]):
    for i in prange(x.shape[0]):
        a = x[i]
        b = y[i]
        flags[i, 0] = 1 if (a > 0 and b < 0) else 0
        flags[i, 1] = 1 if (a > 0 or not b > 0) else 0
        flags[i, 2] = 1 if -0.5 < a < 0.5 else 0
        flags[i, 3] = 1 if a < b <= 0.3 != a else 0
        out[i, 0] = a and b
        out[i, 1] = a or b
        out[i, 2] = (a > b) + 0.5 if a != b else -1.0
        if a > 1:
            out[i, 3] = 1.0
        elif a > 0:
            out[i, 3] = 2.0
        elif b > 0:
            out[i, 3] = 3.0
        else:
            out[i, 3] = 4.0


@kernel
def loops(x: In[i64[:]], out: Out[i64[:, :]]):
    for i in prange(x.shape[0]):
        n = abs(x[i]) % 17
        total = 0
        for k in range(n, 0, -2):
            total += k
        out[i, 0] = total
        a, b = 0, 1
        steps = 0
        while True:
            a, b = b, a + b
            steps += 1
            if steps > n:
                break
        out[i, 1] = a
        odd = 0
        for k in range(n):
            if k % 2 == 0:
                continue
            odd += k
        out[i, 2] = odd
        found = -1
        for k in range(2, n):
            if n % k == 0:
                found = k
                break
        out[i, 3] = found


@kernel
def negative_indices(x: In[f64[:]], out: Out[f64[:]]):
    for i in prange(x.shape[0]):
        out[i] = x[-1] + x[i - x.shape[0]] * 2 + x[-(i % 3) - 1]


@kernel
def inout_updates(x: In[f64[:]], y: InOut[f64[:]], counts: InOut[i64[:]]):
    for i in prange(len(x)):
        y[i] += x[i]
        y[i] *= 0.5
        counts[i] //= 2
        counts[i] -= 1


@kernel
def reductions(x: In[f64[:]]):
    s = 0.0
    p = 1.0
    smallest = math.inf
    largest = -math.inf
    for i in prange(x.shape[0]):
        s += x[i]
        p *= 1.0 + x[i] * 1e-3
        smallest = min(smallest, x[i])
        largest = max(x[i], largest)
    return s + p + smallest * 10 + largest * 100


@kernel
def float32_sum(x: In[f32[:]]) -> f32:
    s: f32 = 0
    for i in prange(x.shape[0]):
        s += x[i]
    return s


@kernel
def count_positive(x: In[f64[:]], threshold: float) -> int:
    count = 0
    for i in prange(x.shape[0]):
        if x[i] > threshold:
            count += 1
    return count


@kernel
def scalar_params(x: In[f64[:]], out: Out[f64[:]], scale: f64, shift: int, flip: bool, k: i32):
    for i in prange(x.shape[0]):
        v = x[i] * scale + shift
        if flip:
            v = -v
        out[i] = v + k // 2


@kernel
def collapse3(a: In[f64[:, :, :]], out: Out[f64[:, :, :]]):
    for i in prange(a.shape[0]):
        for j in prange(a.shape[1]):
            for k in prange(a.shape[2]):
                out[i, j, k] = a[i, j, k] * (i + 1) - j * k


@kernel
def two_phases(x: In[f64[:]], y: Out[f64[:]], z: Out[f64[:]]):
    total = 0.0
    for i in prange(x.shape[0]):
        total += x[i]
    mean = total / x.shape[0]
    for i in prange(x.shape[0]):
        y[i] = x[i] - mean
    for i in prange(x.shape[0]):
        z[i] = y[i] * 2
    return mean


@kernel
def time_steps(a: InOut[f64[:]], steps: int):
    for t in range(steps):
        for i in prange(a.shape[0]):
            a[i] = a[i] * 0.5 + t


def _ints(rng, n, lo=-1000, hi=1000, dtype=np.int64):
    return rng.integers(lo, hi, n).astype(dtype)


def _nonzero(rng, n, dtype=np.int64):
    v = _ints(rng, n, -50, 50, dtype)
    v[v == 0] = 7
    return v


N = 333
CASES = {
    int_arithmetic: lambda r: (_ints(r, N), _nonzero(r, N), np.zeros((N, 12), np.int64)),
    float_arithmetic: lambda r: (r.uniform(-5, 5, N), r.uniform(-3, 3, N) + 0.01, np.zeros((N, 10))),
    int_division_by_python_ints: lambda r: (_ints(r, N, dtype=np.int32), np.zeros((N, 4), np.int32)),
    mixed_promotion: lambda r: (r.standard_normal(N, dtype=np.float32), _ints(r, N, dtype=np.int32),
                                np.zeros(N, np.float32), np.zeros(N), np.zeros(N)),
    logic: lambda r: (np.round(r.uniform(-2, 2, N), 1), np.round(r.uniform(-2, 2, N), 1),
                      np.zeros((N, 4)), np.zeros((N, 4), np.int64)),
    loops: lambda r: (_ints(r, N), np.zeros((N, 4), np.int64)),
    negative_indices: lambda r: (r.standard_normal(N), np.zeros(N)),
    inout_updates: lambda r: (r.standard_normal(N), r.standard_normal(N), _ints(r, N)),
    reductions: lambda r: (r.standard_normal(N),),
    float32_sum: lambda r: (r.uniform(0, 1, N).astype(np.float32),),
    count_positive: lambda r: (r.standard_normal(N), float(r.uniform(-0.5, 0.5))),
    scalar_params: lambda r: (r.standard_normal(N), np.zeros(N), float(r.uniform(1, 2)), int(r.integers(-5, 5)),
                              bool(r.integers(0, 2)), np.int32(r.integers(-9, 9))),
    collapse3: lambda r: (r.standard_normal((5, 6, 7)), np.zeros((5, 6, 7))),
    two_phases: lambda r: (r.standard_normal(N), np.zeros(N), np.zeros(N)),
    time_steps: lambda r: (r.standard_normal(N), int(r.integers(1, 6))),
}
