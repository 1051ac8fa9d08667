"""Game of Life, the NumPy tutorial form: neighbour counts from eight shifted slices, boolean rules,
a mask assignment on the whole board."""

import numpy as np

from translator import kernel


@kernel
def game_of_life(Z):
    N = np.zeros(Z.shape, dtype=Z.dtype)
    N[1:-1, 1:-1] += (Z[:-2, :-2] + Z[:-2, 1:-1] + Z[:-2, 2:] + Z[1:-1, :-2] + Z[1:-1, 2:]
                      + Z[2:, :-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3) & (Z == 0)
    survive = ((N == 2) | (N == 3)) & (Z == 1)
    Z[...] = 0
    Z[birth | survive] = 1
    return Z


CASES = {game_of_life: lambda rng: (rng.integers(0, 2, (20, 20)).astype(np.int64),)}
