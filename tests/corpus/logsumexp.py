"""logsumexp, the stable form: `a.max()` subtracted before `np.exp`, `np.log(np.sum(...))`."""

import numpy as np

from translator import kernel


@kernel
def logsumexp(a):
    a_max = a.max()
    return a_max + np.log(np.sum(np.exp(a - a_max)))


CASES = {logsumexp: lambda rng: (rng.standard_normal(200) * 10,)}
