"""Kernels over every array dtype (bool, signed and unsigned 8 to 64 bits): NumPy's wrap-around and
promotion are the reference. `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, Out, b1, c64, c128, f32, f64, i8, i16, i32, i64, kernel, prange, u8, u16, u32, u64


@kernel
def narrow_ints(a8: In[i8[:]], b8: In[u8[:]], a16: In[i16[:]], b16: In[u16[:]], a32: In[i32[:]], b32: In[u32[:]],
                b64: In[u64[:]], o8: Out[i8[:]], ou8: Out[u8[:]], o16: Out[i16[:]], ou16: Out[u16[:]],
                ou32: Out[u32[:]], ou64: Out[u64[:]], mixed: Out[i64[:, :]]):
    for i in prange(a8.shape[0]):
        o8[i] = a8[i] * 3 + 100
        ou8[i] = b8[i] * b8[i] - 7 + (b8[i] >> 2)
        o16[i] = a16[i] * a16[i] + a16[i] // 3 - a16[i] % 5
        ou16[i] = b16[i] - b16[i] * 2 + ~b16[i]
        ou32[i] = b32[i] * 5 + (b32[i] >> 3) + b32[i] // (b32[i] % 7 + 1)
        ou64[i] = b64[i] * 3 - 1 + b64[i] % 1000
        mixed[i, 0] = a8[i] + b8[i] + a16[i] * b16[i]
        mixed[i, 1] = a32[i] * b32[i] + b8[i]
        mixed[i, 2] = 1 if b64[i] > b32[i] else 0
        mixed[i, 3] = -a8[i] + abs(a16[i]) + min(b8[i], a8[i])
        mixed[i, 4] = u8(a16[i]) + i8(b16[i])


@kernel
def bool_arrays(x: In[f64[:]], keep: In[b1[:]], flags: Out[b1[:, :]], count: Out[i64[:]]):
    for i in prange(x.shape[0]):
        flags[i, 0] = x[i] > 0 and keep[i]
        flags[i, 1] = not keep[i]
        flags[i, 2] = x[i]
        flags[i, 3] = keep[i] != (x[i] < 0.5)
        count[i] = keep[i] + flags[i, 0] * 2 + int(flags[i, 3])


def rotate(z, turns):
    r = z
    for _ in range(turns):
        r = r * 1j
    return r


@kernel
def complex_arithmetic(z: In[c128[:]], w: In[c64[:]], x: In[f64[:]], y: In[f32[:]], out: Out[c128[:, :]],
                       out64: Out[c64[:, :]], parts: Out[f64[:, :]]):
    for i in prange(z.shape[0]):
        a = z[i]
        b = w[i]
        out[i, 0] = a * a + 2j * a - 1
        out[i, 1] = a / (x[i] + 3.0) + complex(x[i], 1.0) - a / (a + 2)
        out[i, 2] = np.exp(a) + np.sqrt(a) * a.conjugate() + np.log(a)
        out[i, 3] = a ** 3 + b + rotate(a, i % 4)
        out[i, 4] = complex(y[i]) + b * x[i]
        out64[i, 0] = b * b + 1j * b - 0.5
        out64[i, 1] = b * y[i] + np.conj(b) / (b + 1.5) + rotate(b, 3)
        out64[i, 2] = np.sin(b) + b ** 2
        parts[i, 0] = abs(a) + a.real - a.imag
        parts[i, 1] = abs(b) + np.real(b) + np.imag(a)
        parts[i, 2] = 1.0 if a == b or (a != 0 and not b) else 0.0
        local = np.zeros(2, np.complex128)
        local[0] = a
        local[1] = local[0] * b
        parts[i, 3] = local[1].imag


@kernel
def complex_functions(z: In[c128[:]], w: In[c64[:]], big: In[c128[:]], out: Out[c128[:, :]],
                      out64: Out[c64[:, :]]):
    for i in prange(z.shape[0]):
        a = z[i]
        b = w[i]
        c = big[i]
        out[i, 0] = np.sin(a) + np.cos(a) + np.tan(a)
        out[i, 1] = np.sinh(a) - np.cosh(a) + np.tanh(a)
        out[i, 2] = a ** 2.5 + a ** z[(i + 1) % z.shape[0]] + a ** -1.5j
        out[i, 3] = np.sqrt(-a) + np.sqrt(a.conjugate()) + np.log(-a) + np.exp(a.imag * 1j)
        out[i, 4] = np.tanh(c) + np.tan(c * 1j) + abs(c) * 1e-10
        out64[i, 0] = np.sin(b) + np.cos(b) + np.tan(b) + np.sqrt(b) + np.exp(b)
        out64[i, 1] = np.sinh(b) + np.cosh(b) + np.tanh(b) + np.log(b) + abs(b)
        out64[i, 2] = b ** 0.5 + b ** w[(i + 1) % w.shape[0]]


@kernel
def complex_scalars(z: c128, w: c64, x: In[c128[:]], out: Out[c128[:]]) -> c128:
    for i in prange(x.shape[0]):
        out[i] = w * x[i] + z
    return z * w + 1j


def _ints(rng: np.random.Generator, n: int, dtype: type) -> np.ndarray:
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)


def _complex(rng: np.random.Generator, dtype: type) -> np.ndarray:
    values = (rng.standard_normal(N) + 1j * rng.standard_normal(N)).astype(dtype)
    values[:3] = [0, 1.5, -2j]  # equalities with the other complex input, a zero
    return values


def _large_real_parts(rng: np.random.Generator) -> np.ndarray:
    """tanh and tan where cosh(2x) overflows (|x| up to 400) and around the switch to +-1 at |x| = 20."""
    real = rng.choice([-1.0, 1.0], N) * rng.uniform(0.0, 400.0, N)
    real[:4] = [19.9, 20.1, -20.1, 0.0]
    return real + 1j * rng.uniform(-3.0, 3.0, N)


N = 777
CASES = {
    narrow_ints: lambda r: (*(_ints(r, N, t) for t in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                                      np.uint64)),
                            *(np.zeros(N, t) for t in (np.int8, np.uint8, np.int16, np.uint16, np.uint32, np.uint64)),
                            np.zeros((N, 5), np.int64)),
    complex_arithmetic: lambda r: (_complex(r, np.complex128), _complex(r, np.complex64), r.standard_normal(N),
                                   r.standard_normal(N).astype(np.float32), np.zeros((N, 5), np.complex128),
                                   np.zeros((N, 3), np.complex64), np.zeros((N, 4))),
    complex_functions: lambda r: (_complex(r, np.complex128), _complex(r, np.complex64), _large_real_parts(r),
                                  np.zeros((N, 5), np.complex128), np.zeros((N, 3), np.complex64)),
    complex_scalars: lambda r: (np.complex128(complex(*r.standard_normal(2))), np.complex64(complex(*r.standard_normal(2))),
                                _complex(r, np.complex128), np.zeros(N, np.complex128)),
    bool_arrays: lambda r: (r.standard_normal(N) * (r.random(N) < 0.9), r.random(N) < 0.5, np.zeros((N, 4), bool),
                            np.zeros(N, np.int64)),
}

