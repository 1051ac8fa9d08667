"""NumPy's functions that move elements (`np.roll`, reshapes, `np.tile`, `np.repeat`) as values of the
IR's array tier, the way numerical code writes them: periodic stencils, block averages, upsampling,
batched products of reshaped operands, inside `prange` bodies too. `tests/test_index_maps.py` runs
each compiled and as plain Python; `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f64, i32, i64, kernel, prange


@kernel
def periodic_heat(u: InOut[f64[:]], nu: f64, steps: i64) -> f64:
    """Explicit diffusion on a ring: the neighbours are rolls, the energy a reduction of one."""
    for _ in range(steps):
        u[:] = u + nu * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return np.sum((u - np.roll(u, 1)) ** 2)


@kernel
def shifted_fields(A: In[f64[:, :]], B: Out[f64[:, :]], C: Out[f64[:, :]], s: i32) -> f64:
    """Rolls along either axis, by a negative or a run-time shift, over both axes at once and over
    the flattened array; reduced whole and along an axis."""
    B[:, :] = np.roll(A, s, axis=0) - np.roll(A, -2, axis=-1)
    C[:, :] = np.roll(A, (1, -3), axis=(0, 1)) + np.roll(A, 7)
    return np.roll(A * 2.0, -s, axis=1).max(axis=0).sum() + np.sum(np.roll(A, (1, 1), axis=(1, 1)) * A)


@kernel
def block_means(x: In[f64[:]], A: In[f64[:, :]], B: In[f64[:, :]], means: Out[f64[:]], P: Out[f64[:, :]]) -> f64:
    """Reshapes with -1: block averages, a product of a reshaped matrix, flattened dot products."""
    means[:] = x.reshape(means.shape[0], -1).mean(axis=1)
    P[:, :] = B.T @ np.reshape(A, (B.shape[0], -1))
    return np.dot(A.ravel(), A.flatten()) + np.reshape(x * x, (-1, len(means))).max(axis=0).sum()


@kernel
def upsampled(x: In[f64[:]], A: In[f64[:, :]], T: Out[f64[:, :]], r: Out[f64[:]]) -> f64:
    """Tiling and repetition: a tiled pattern, nearest-neighbour upsampling, their reductions."""
    T[:, :] = np.tile(x, (2, 3)) + np.repeat(A[:2, :], 3, axis=1)
    r[:] = np.repeat(x, 2) - np.tile(x, 2)
    return np.tile(x, 3).max() + np.repeat(A, 2).sum() + np.repeat(A, 2, axis=0).max(axis=1).sum()


@kernel
def row_shifts(A: In[f64[:, :]], peaks: Out[f64[:]], R: Out[f64[:, :]]):
    """Inside a prange: each row rolled by its index, a reduction and a product of rolled rows."""
    for i in prange(A.shape[0]):
        peaks[i] = np.roll(A[i, :], 1).max() + np.tile(A[i, :2], 2) @ A[i, :4]
        R[i, :] = np.roll(A[i, :], i) - np.flip(np.roll(A[i, :], -1))


@kernel
def composed(x: In[f64[:]], idx: In[i64[:]], y: Out[f64[:]]) -> f64:
    """Index maps under the tier's other values: a gather by rolled indices, a new axis, a flip and
    differences of maps."""
    y[:] = x[np.roll(idx, 1)] * np.repeat(x[:2], 2)[None, :].sum(axis=0).max()
    return np.flip(np.tile(x, 2)).sum() + np.diff(np.roll(x, 3)).max() + np.diff(x.reshape(2, -1), axis=0).sum()


@kernel
def row_blocks(A: In[f64[:, :]], out: Out[f64[:]]):
    """A reshape whose size the kernel checks: each row cut in a number of blocks of its own."""
    for i in prange(A.shape[0]):
        out[i] = A[i, :].reshape(i % 3 + 2, -1).max(axis=0).sum()


@kernel
def batched_rows(X: In[f64[:, :]], W: In[f64[:, :]], Y: Out[f64[:, :, :]], n: i64) -> f64:
    """`@` of a stack made by a reshape and of an elementwise expression lined up with a new axis."""
    Y[:, :, :] = np.reshape(X, (X.shape[0], 1, n)) @ W
    return np.sum((X * 2.0)[None, :, :] @ W)


CASES = {
    periodic_heat: lambda rng: (rng.standard_normal(16), 0.2, 5),
    shifted_fields: lambda rng: (rng.standard_normal((5, 7)), np.zeros((5, 7)), np.zeros((5, 7)), -3),
    block_means: lambda rng: (rng.standard_normal(12), rng.standard_normal((4, 6)), rng.standard_normal((3, 5)),
                              np.zeros(3), np.zeros((5, 8))),
    upsampled: lambda rng: (rng.standard_normal(4), rng.standard_normal((3, 4)), np.zeros((2, 12)), np.zeros(8)),
    row_shifts: lambda rng: (rng.standard_normal((5, 6)), np.zeros(5), np.zeros((5, 6))),
    composed: lambda rng: (rng.standard_normal(4), rng.permutation(4), np.zeros(4)),
    row_blocks: lambda rng: (rng.standard_normal((5, 12)), np.zeros(5)),
    batched_rows: lambda rng: (rng.standard_normal((4, 6)), rng.standard_normal((6, 3)), np.zeros((4, 1, 3)), 6),
}
