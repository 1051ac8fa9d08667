"""NPBench cavity_flow (Barba's "12 steps to Navier-Stokes"): `build_up_b`, one long slice expression."""

from translator import kernel


@kernel
def cavity_build_up_b(b, rho, dt, u, v, dx, dy):
    b[1:-1, 1:-1] = (rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx) + (v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))
                            - ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx)) ** 2
                            - 2 * ((u[2:, 1:-1] - u[0:-2, 1:-1]) / (2 * dy) * (v[1:-1, 2:] - v[1:-1, 0:-2]) / (2 * dx))
                            - ((v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy)) ** 2))


CASES = {cavity_build_up_b: lambda rng: (rng.random((16, 16)), 1.0, 0.001, rng.random((16, 16)), rng.random((16, 16)),
                                         2 / 15, 2 / 15)}
