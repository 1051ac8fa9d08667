"""Slice reductions (`np.sum(a[i, :])`, `np.dot`, `@`, `np.max`, `np.min`) and slice assignments
(`c[i, :] = a[i, :] * 2 + v`) inside kernels: compiled results match Python on random data on every
target, and unsupported slice forms are rejected with located messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import slices
from translator import TranslationError
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.ir.types import Ownership
from translator.pipeline import lower, translate
from translator.targets import parse_target


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in slices.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_reduction_is_a_serial_loop_inside_the_parallel_one() -> None:
    """The slice is read element by element: the access analysis sees an ordinary `In` array."""
    source = HEADER.format("        out[i] = np.sum(a[i, 1:])\n")
    assert "for (int64_t k__" in translate("k.py", "cpu", source).c_source
    movement = {m.array: m.inferred for m in lower("k.py", "cpu", source).kernels[0].movement}
    assert movement["a"] is Ownership.IN and movement["out"] is Ownership.OUT


HEADER = ("import numpy as np\nfrom translator import In, Out, f64, c128, kernel, prange\n\n@kernel\n"
          "def k(a: In[f64[:, :]], x: In[f64[:]], z: In[c128[:]], out: Out[f64[:]]):\n"
          "    for i in prange(x.shape[0]):\n{}")
SLICE_ELSEWHERE = ("an array slice is a value only in array statements (`c[i, :] = a[i, :] * 2`, `b = a[1:] - a[:-1]`) "
                   "and as the argument of a reduction (np.sum, np.max, np.min, np.mean, np.dot, `@`); index one "
                   "element here (`a[i, j]`)")


@pytest.mark.parametrize("body, error", [
    ("        out[i] = np.sum(i)\n",
     "7:18: error: np.sum() in a kernel reduces an array or a slice (`a[i, :]`, `x[lo:hi]`)"),
    ("        out[i] = np.sum(a[i, 1:, 2])\n", "7:25: error: array 'a' has 2 dimensions but is indexed with 3"),
    ("        out[i] = np.sum(a, axis=0)\n",
     "7:18: error: np.sum(a, axis=0) makes an array: assign it into an array or to a new name "
     "(`s = np.sum(a, axis=0)`)"),
    ("        out[:] = np.sum(a, axis=2)\n", "7:33: error: axis 2 is out of range for this 2-dimensional array"),
    ("        out[i] = np.sum(a, axis=i)\n", "7:33: error: axis= takes an integer constant, or a tuple of them, in kernels"),
    ("        out[:] = a @ a\n", "7:18: error: cannot broadcast this 2-dimensional array into 1 dimension"),
    ("        out[i] = np.sum(x[::0.5])\n",
     "7:29: error: a slice's step is a non-zero integer (`x[::2]`, `x[::-1]`, `x[i * i::i]`)"),
    ("        out[i] = np.dot(x[:])\n", "7:18: error: np.dot() in a kernel takes two arrays or slices"),
    ("        out[i] = np.max(z[:]).real\n", "7:18: error: max() of a complex array is not supported in kernels"),
    ("        out[i] = x[1:] + 1.0\n", "7:20: error: " + SLICE_ELSEWHERE),
    ("        a[i, :] = 0.0\n",
     "7:9: error: 'a' is declared In but the kernel writes it here; declare it InOut (or Out if the kernel never "
     "reads it)"),
    ("        while np.sum(x[i:]) > 0:\n            out[i] = 1.0\n",
     "7:15: error: a `while` condition cannot reduce a slice (it would be computed once); compute it into a local "
     "before the loop and at the end of its body"),
])
def test_rejections(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate("k.py", "cpu", HEADER.format(body))
    assert str(info.value).splitlines()[0] == "k.py:" + error
