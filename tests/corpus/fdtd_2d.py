"""NPBench fdtd_2d, NumPy variant: Yee-grid updates on shifted 2-D slices, a row set from `_fict_[t]`."""

from translator import kernel


@kernel
def fdtd_2d(TMAX, ex, ey, hz, _fict_):
    for t in range(TMAX):
        ey[0, :] = _fict_[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


CASES = {fdtd_2d: lambda rng: (5, rng.random((14, 16)), rng.random((14, 16)), rng.random((14, 16)), rng.random(5))}
