"""Helpers of whole arrays unfolded at the call (`frontend.unfold`): each kernel of
`tests/kernels/unfolded.py` compiled and run against its Python function on seeded random data,
the C names of the helpers' locals, and the located errors of what cannot be unfolded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kernels import unfolded
from tests.located import translation_error
from translator import pipeline
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = "import numpy as np\nfrom translator import kernel, prange, In, InOut, Out, f64, i64\n\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in unfolded.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(13)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def test_locals_become_arrays_of_the_kernel() -> None:
    """`softmax`'s `shifted` and `e` are arrays the kernel makes under fresh names; the product
    argument of `relu(x @ w1 + b1)` is evaluated once into an array named after the parameter."""
    header = pipeline.translate(unfolded.__file__, "host-offload").h_source
    perceptron = next(line for line in header.splitlines() if line.startswith("void perceptron("))
    for name in ("x__", "shifted__", "e__"):
        assert f"double *{name}" in perceptron, perceptron


@pytest.mark.parametrize("body, expected", [
    ("def halve(x):\n    y = x / 2.0\n    return halve(y)\n\n@kernel\ndef k(A: In[f64[:]]):\n    r = halve(A)\n"
     "    return r\n",
     "k.py:10:9: error: recursive calls are not supported in kernels (halve -> halve)"),
    ("def first_big(x):\n    for i in range(x.shape[0]):\n        if x[i] > 1.0:\n            return x[i:]\n"
     "    return x\n\n@kernel\ndef k(A: In[f64[:]]):\n    r = first_big(A * 2.0)\n    return r\n",
     "k.py:7:13: error: 'first_big' takes arrays and is unfolded where it is called, so it returns once, as its last "
     "statement; compute the result into a name and return it at the end"),
    ("def centre(x):\n    x = x - np.mean(x)\n    return x\n\n@kernel\ndef k(A: In[f64[:]]):\n    r = centre(A)\n"
     "    return r\n",
     "k.py:10:9: error: 'centre' binds its parameter 'x' again; a helper unfolded where it is called binds new values "
     "under names of their own"),
    ("def scale(out, x):\n    m = np.max(x)\n    out[:] = x / m\n\n@kernel\ndef k(A: In[f64[:]], y: Out[f64[:]]):\n"
     "    r = scale(y, A)\n    return r\n",
     "k.py:10:9: error: 'scale' ends without returning a value, and this call uses its value"),
])
def test_located_errors(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected
