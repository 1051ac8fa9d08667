"""Row reductions next to row statements in a `prange` body, as NumPy code normalizes rows: on
offload targets the `prange` goes to teams and each reduction loop becomes `parallel for
reduction` over the team's threads (`passes.team_reductions`), the row statements `parallel for`.
`tests/test_team_reductions.py` runs each compiled and as plain Python; `CASES` maps each kernel to
its random arguments (with NaNs and infinities where NumPy's max/min treat them specially)."""

import numpy as np

from translator import In, InOut, f32, f64, i64, kernel, prange


@kernel
def unit_rows(X: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        norm = 0.0
        for k in range(X.shape[1]):
            norm += X[i, k] * X[i, k]
        X[i, :] /= np.sqrt(norm)


@kernel
def rescaled_rows(X: In[f64[:, :]], Y: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        top = np.max(X[i, :])
        low = np.min(X[i, :])
        Y[i, 0] = top
        Y[i, 1] = low
        Y[i, 2:] = (X[i, 2:] - low) / (top - low)


@kernel
def below_peak(C: In[i64[:, :]], D: InOut[i64[:, :]]):
    for i in prange(C.shape[0]):
        peak = np.max(C[i, :])
        D[i, :] = peak - C[i, :]


@kernel
def projected_rows(X: In[f64[:, :]], w: In[f64[:]], Y: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        s = X[i, :] @ w
        Y[i, :] = X[i, :] - s * w


@kernel
def normalized_images(A: InOut[f32[:, :, :]]):
    for b in prange(A.shape[0]):
        total = np.sum(A[b, :, :])
        A[b, :, :] /= total


@kernel
def orthogonalized_rows(Q: In[f64[:, :]], X: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        for k in range(Q.shape[0]):
            s = X[i, :] @ Q[k, :]
            X[i, :] -= s * Q[k, :]


def _extremes(rng: np.random.Generator) -> tuple:
    X = rng.standard_normal((7, 9))
    X[1, 4] = np.nan
    X[2, :] = -np.inf
    X[3, :] = np.inf
    X[4, 0] = np.nan
    return X, rng.random((7, 9))


CASES = {
    unit_rows: lambda rng: (rng.random((11, 13)) + 0.1,),
    rescaled_rows: _extremes,
    below_peak: lambda rng: (rng.integers(-50, 50, (6, 10)), rng.integers(-5, 5, (6, 10))),
    projected_rows: lambda rng: (rng.standard_normal((8, 5)), rng.standard_normal(5), rng.random((8, 5))),
    orthogonalized_rows: lambda rng: (np.linalg.qr(rng.standard_normal((6, 3)))[0].T.copy(),
                                      rng.standard_normal((5, 6))),
    normalized_images: lambda rng: (rng.random((3, 4, 6)).astype(np.float32) + 0.5,),
}
