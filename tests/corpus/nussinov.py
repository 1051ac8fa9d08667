"""NPBench nussinov, NumPy variant: a dynamic program over an int32 table, with a `match` helper."""

import numpy as np

from translator import kernel


def match(b1, b2):
    if b1 + b2 == 3:
        return 1
    else:
        return 0


@kernel
def nussinov(N, seq):
    table = np.zeros((N, N), np.int32)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1, N):
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < N:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0 and i + 1 < N:
                if i < j - 1:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1] + match(seq[i], seq[j]))
                else:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[k + 1, j] + table[i, k])
    return table


CASES = {nussinov: lambda rng: (18, rng.integers(0, 4, 18).astype(np.int32))}
