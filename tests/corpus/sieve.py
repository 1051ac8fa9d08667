"""Sieve of Eratosthenes: `np.ones(n + 1, dtype=np.bool_)`, `int(n ** 0.5)`, strided slice assignment."""

import numpy as np

from translator import kernel


@kernel
def sieve(n):
    is_prime = np.ones(n + 1, dtype=np.bool_)
    is_prime[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False
    return is_prime


CASES = {sieve: lambda rng: (int(rng.integers(80, 120)),)}
