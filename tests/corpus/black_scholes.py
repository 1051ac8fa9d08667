"""Numba/CUDA tutorial Black-Scholes: a cumulative-normal device function with module constants and
`math` functions, `np.empty_like` results, `prange` over options, a returned tuple."""

import math

import numpy as np

from translator import kernel, prange

RISKFREE = 0.02
VOLATILITY = 0.30
A1 = 0.31938153
A2 = -0.356563782
A3 = 1.781477937
A4 = -1.821255978
A5 = 1.330274429
RSQRT2PI = 0.39894228040143267793994605993438


def cnd(d):
    K = 1.0 / (1.0 + 0.2316419 * math.fabs(d))
    ret_val = RSQRT2PI * math.exp(-0.5 * d * d) * (K * (A1 + K * (A2 + K * (A3 + K * (A4 + K * A5)))))
    if d > 0:
        ret_val = 1.0 - ret_val
    return ret_val


@kernel
def black_scholes(stockPrice, optionStrike, optionYears, Riskfree, Volatility):
    callResult = np.empty_like(stockPrice)
    putResult = np.empty_like(stockPrice)
    for i in prange(len(stockPrice)):
        S = stockPrice[i]
        X = optionStrike[i]
        T = optionYears[i]
        R = Riskfree
        V = Volatility
        sqrtT = math.sqrt(T)
        d1 = (math.log(S / X) + (R + 0.5 * V * V) * T) / (V * sqrtT)
        d2 = d1 - V * sqrtT
        cndd1 = cnd(d1)
        cndd2 = cnd(d2)
        expRT = math.exp((-1.0 * R) * T)
        callResult[i] = S * cndd1 - X * expRT * cndd2
        putResult[i] = X * expRT * (1.0 - cndd2) - S * (1.0 - cndd1)
    return callResult, putResult


CASES = {black_scholes: lambda rng: (rng.uniform(5.0, 30.0, 64), rng.uniform(1.0, 100.0, 64),
                                     rng.uniform(0.25, 10.0, 64), RISKFREE, VOLATILITY)}
