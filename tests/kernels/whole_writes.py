"""Kernels that write an `Out` array whole with an array statement, then read it: a temporary the
caller provides, as numerical code keeps one between two steps."""

from translator import In, Out, f64, kernel


@kernel
def scaled_then_shifted(v: In[f64[:]], w: Out[f64[:]], u: Out[f64[:]]):
    w[:] = 2.0 * v
    u[:] = w + 1.0


@kernel
def power_step(A: In[f64[:, :]], v: In[f64[:]], w: Out[f64[:]], u: Out[f64[:]]):
    w[:] = A @ v
    u[:] = A @ w


@kernel
def doubled_plus(A: In[f64[:, :]], B: In[f64[:, :]], T: Out[f64[:, :]], out: Out[f64[:, :]]):
    T[:, :] = A * 2.0
    out[:, :] = T + B
