"""Game of Life, Numba style: periodic neighbours with `%`, a new board `np.zeros_like` returned."""

import numpy as np

from translator import kernel, prange


@kernel
def game_of_life_numba(board):
    rows, cols = board.shape
    new = np.zeros_like(board)
    for i in prange(rows):
        for j in range(cols):
            n = 0
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if di != 0 or dj != 0:
                        n += board[(i + di) % rows, (j + dj) % cols]
            if board[i, j] == 1 and (n == 2 or n == 3):
                new[i, j] = 1
            elif board[i, j] == 0 and n == 3:
                new[i, j] = 1
    return new


CASES = {game_of_life_numba: lambda rng: (rng.integers(0, 2, (20, 20)).astype(np.uint8),)}
