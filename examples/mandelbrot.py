"""Mandelbrot escape counts: a data-dependent `while` loop per pixel, with `and` and early exit."""

import numpy as np

from translator import In, Out, f64, i32, kernel, prange


@kernel
def mandelbrot(xs: In[f64[:]], ys: In[f64[:]], counts: Out[i32[:, :]], max_iter: i32):
    for i in prange(ys.shape[0]):
        for j in prange(xs.shape[0]):
            cr = xs[j]
            ci = ys[i]
            zr = 0.0
            zi = 0.0
            k = 0
            while k < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            counts[i, j] = k


def demo_inputs(rng: np.random.Generator, n: int = 96) -> tuple:
    xs = np.sort(rng.uniform(-2.0, 0.6, n))
    ys = np.sort(rng.uniform(-1.2, 1.2, n - 16))
    return xs, ys, np.empty((n - 16, n), dtype=np.int32), np.int32(60)
