"""Slices with a step known when the kernel runs (`frontend.views`): each kernel of
`tests/kernels/steps.py` compiled and run against its Python function on seeded random data for
steps of either sign (in kernels and in the device functions they call), a zero step raising Python's
`ValueError` from the running kernel, the sieve's C, and the located errors of what stays unsupported."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from tests.kernels import steps
from tests.located import translation_error
from translator import pipeline
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = "import numpy as np\nfrom translator import kernel, prange, In, InOut, Out, f64, i64\n\n"
TARGET = parse_target("host-offload")


def _arguments(k: Kernel, step: int | None) -> tuple[Any, ...]:
    make: Callable[[np.random.Generator], tuple[Any, ...]] = steps.CASES[k]
    args = make(np.random.default_rng(17))
    return args if step is None else (*args, step)


@pytest.mark.parametrize("k, step", [pytest.param(k, s, id=f"{k.__name__}-{s}") for k, s_list in steps.STEPS.items()
                                     for s in s_list])
def test_matches_python(k: Kernel, step: int | None) -> None:
    result = compare_with_python(k, _arguments(k, step), TARGET, repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k", [pytest.param(k, id=k.__name__) for k, s_list in steps.STEPS.items() if None not in s_list])
def test_a_zero_step_raises_as_python_does(k: Kernel) -> None:
    """Python raises `ValueError: slice step cannot be zero`; the kernel records the failure where the
    slice is, and the call raises it with the line: a device function's slice included, its failure
    reaching the kernel through the status."""
    with pytest.raises(ValueError, match="^slice step cannot be zero$"):
        k.py_func(*_arguments(k, 0))
    lines = Path(steps.__file__).read_text().splitlines()
    sliced_in = steps.SLICED_IN.get(k, k.py_func).__name__
    start = next(n for n, text in enumerate(lines) if f"def {sliced_in}(" in text)
    line = next(n for n, text in enumerate(lines[start:], start + 1) if "::" in text)
    with pytest.raises(ValueError, match=f"^{k.__name__}\\(\\): slice step cannot be zero \\(at .*steps.py:{line}\\)$"):
        k(*_arguments(k, 0))


def test_the_sieve_crosses_out_in_a_parallel_loop() -> None:
    """`is_prime[i * i::i] = False` is a parallel loop over `-((lo - n) // i)` positions writing
    `lo + i * k`, inside the check that the step is not 0."""
    c = pipeline.translate(steps.__file__, "host-offload").c_source
    assert "if (i != 0) {" in c
    assert "py2omp_floordiv_i64((i > 0 ? " in c and " + i * i__" in c


@pytest.mark.parametrize("body, expected", [
    ("@kernel\ndef k(x: In[f64[:]], s: f64):\n    return np.sum(x[::s])\n",
     "k.py:6:23: error: indices and loop bounds must be integers, not f64"),
    ("def every(x, s):\n    t = np.sum(x[::s])\n    return t\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], s: f64):\n"
     "    for i in prange(y.shape[0]):\n        y[i] = every(x, s)\n",
     "k.py:5:20: error: indices and loop bounds must be integers, not f64"),
])
def test_located_errors(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected
