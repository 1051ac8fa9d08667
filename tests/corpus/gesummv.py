"""NPBench gesummv, NumPy variant, annotated as py2omp requires: `return alpha * A @ x + beta * B @ x`."""

from translator import In, f64, kernel


@kernel
def gesummv(alpha: float, beta: float, A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]]):
    return alpha * A @ x + beta * B @ x


CASES = {gesummv: lambda rng: (1.5, 1.2, rng.random((30, 30)), rng.random((30, 30)), rng.random(30))}
