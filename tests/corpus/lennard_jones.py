"""Lennard-Jones energy (molecular-dynamics tutorials): a pair loop `j in range(i + 1, n)`, a float
`prange` reduction, default `epsilon` and `sigma`."""

from translator import kernel, prange


@kernel
def lennard_jones(pos, epsilon=1.0, sigma=1.0):
    n = pos.shape[0]
    energy = 0.0
    for i in prange(n):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            r2 = dx * dx + dy * dy + dz * dz
            sr6 = (sigma * sigma / r2) ** 3
            energy += 4.0 * epsilon * (sr6 * sr6 - sr6)
    return energy


CASES = {lennard_jones: lambda rng: (rng.random((20, 3)) * 5.0,)}
