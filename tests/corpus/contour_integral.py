"""NPBench contour_integral: complex matrices accumulated over quadrature points, `np.power` of a complex
scalar, `np.linalg.inv`/`solve`, a returned tuple."""

import numpy as np

from translator import kernel


@kernel
def contour_integral(NR, NM, slab_per_bc, Ham, int_pts, Y):
    P0 = np.zeros((NR, NM), dtype=np.complex128)
    P1 = np.zeros((NR, NM), dtype=np.complex128)
    for idx in range(int_pts.shape[0]):
        z = int_pts[idx]
        Tz = np.zeros((NR, NR), dtype=np.complex128)
        for n in range(slab_per_bc + 1):
            zz = np.power(z, slab_per_bc / 2 - n)
            Tz += zz * Ham[n]
        if NR == NM:
            X = np.linalg.inv(Tz)
        else:
            X = np.linalg.solve(Tz, Y)
        if abs(z) < 1.0:
            X = -X
        P0 += X
        P1 += z * X
    return P0, P1


def inputs(rng: np.random.Generator) -> tuple:
    NR, NM, slab = 8, 4, 2
    Ham = rng.random((slab + 1, NR, NR)) + 1j * rng.random((slab + 1, NR, NR)) + 4 * np.eye(NR)
    pts = np.exp(2j * np.pi * rng.random(6)) * (0.5 + rng.random(6))
    return NR, NM, slab, Ham, pts, rng.random((NR, NM)) + 1j * rng.random((NR, NM))


CASES = {contour_integral: inputs}
