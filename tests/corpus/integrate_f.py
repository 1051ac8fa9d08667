"""The Cython tutorial's `integrate_f`: a helper `f`, a left-endpoint sum over `N` steps, all scalars."""

from translator import kernel


def f(x):
    return x ** 2 - x


@kernel
def integrate_f(a, b, N):
    s = 0
    dx = (b - a) / N
    for i in range(N):
        s += f(a + i * dx)
    return s * dx


CASES = {integrate_f: lambda rng: (rng.random(), 2.0 + rng.random(), 1000)}
