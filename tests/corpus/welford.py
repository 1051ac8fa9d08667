"""Welford's online mean and variance: scalars updated in a `for v in x` loop, a tuple of floats returned."""

from translator import kernel


@kernel
def welford(x):
    count = 0
    mean = 0.0
    m2 = 0.0
    for v in x:
        count += 1
        delta = v - mean
        mean += delta / count
        m2 += delta * (v - mean)
    return mean, m2 / (count - 1)


CASES = {welford: lambda rng: (rng.random(100),)}
