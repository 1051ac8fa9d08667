"""`from translator import kernel as k` and friends under other names; NumPy and math functions
imported by name."""

from math import pi, sqrt as msqrt

from numpy import cos, exp, zeros

from translator import In as Input, Out as Output, f64 as real, kernel as k, prange as parallel_range


@k
def gaussian_blur(x: Input[real[:]], y: Output[real[:]], sigma: real):
    for i in parallel_range(2, x.shape[0] - 2):
        taps = zeros(5)
        for d in range(5):
            taps[d] = exp(-0.5 * ((d - 2) / sigma) ** 2)
        acc = 0.0
        norm = 0.0
        for d in range(5):
            acc += taps[d] * x[i + d - 2]
            norm += taps[d]
        y[i] = acc / norm


@k(target="host-offload")
def hann_window(y: Output[real[:]]):
    """The Hann window scaled to unit power (its mean square is 3/8)."""
    n = y.shape[0]
    for i in parallel_range(n):
        y[i] = (0.5 - 0.5 * cos(2 * pi * i / (n - 1))) * msqrt(8 / 3)


CASES = {
    gaussian_blur: lambda r: (r.standard_normal(500), r.standard_normal(500), 1.0 + r.random()),
    hann_window: lambda r: (r.standard_normal(257),),
}
