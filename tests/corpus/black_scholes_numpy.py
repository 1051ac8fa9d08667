"""Black-Scholes on whole arrays (the NumPy tutorial form): a vectorized `cnd` helper with `np.where`."""

import numpy as np

from translator import kernel

A1 = 0.31938153
A2 = -0.356563782
A3 = 1.781477937
A4 = -1.821255978
A5 = 1.330274429
RSQRT2PI = 0.39894228040143267793994605993438


def cnd(d):
    K = 1.0 / (1.0 + 0.2316419 * np.abs(d))
    ret_val = RSQRT2PI * np.exp(-0.5 * d * d) * (K * (A1 + K * (A2 + K * (A3 + K * (A4 + K * A5)))))
    return np.where(d > 0, 1.0 - ret_val, ret_val)


@kernel
def black_scholes_numpy(S, X, T, R, V):
    sqrtT = np.sqrt(T)
    d1 = (np.log(S / X) + (R + 0.5 * V * V) * T) / (V * sqrtT)
    d2 = d1 - V * sqrtT
    expRT = np.exp(-R * T)
    call = S * cnd(d1) - X * expRT * cnd(d2)
    put = X * expRT * (1.0 - cnd(d2)) - S * (1.0 - cnd(d1))
    return call, put


CASES = {black_scholes_numpy: lambda rng: (rng.uniform(5.0, 30.0, 64), rng.uniform(1.0, 100.0, 64),
                                           rng.uniform(0.25, 10.0, 64), 0.02, 0.30)}
