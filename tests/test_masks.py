"""Masked reads (`np.mean(data[mask])`, `np.sum`, `np.count_nonzero`) and mask locals (a name for a
boolean array expression, inlined where it is used): compiled results match Python on random data,
empty selections included (a mean of NaN, a sum of 0); every construct a kernel cannot give NumPy's
meaning is rejected with its exact located message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kernels import masks
from tests.located import translation_error
from translator import pipeline
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.ir.types import Ownership
from translator.targets import parse_target


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")
@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in masks.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(5)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_an_empty_selection_averages_to_nan_and_sums_to_zero() -> None:
    """The bins below 0 select nothing: NumPy's mean is NaN, its sum 0 (`arrays_close` would accept NaN
    on both sides, so the values are checked here)."""
    data, radius, lo, means, sums, counts = masks.CASES[masks.binned](np.random.default_rng(5))
    masks.binned.library("host-offload").kernels["binned"](data, radius, lo, means, sums, counts)
    assert np.isnan(means[0]) and sums[0] == 0.0 and counts[0] == 0
    assert not np.isnan(means[-1]) and counts.sum() == 300


def test_a_read_through_the_mask_of_another_shape_is_numpys_index_error() -> None:
    """`x[x > t] = y[x > t]` with `y` shorter than `x`: NumPy raises IndexError, so does the call
    (checked before the kernel runs, as other lengths computed from the arguments)."""
    rng = np.random.default_rng(5)
    x, y, A = rng.random(30), rng.random(20), rng.random((5, 6))
    replace = masks.replace_where.library("host-offload").kernels["replace_where"]
    with pytest.raises(IndexError) as info:
        replace(x.copy(), y, A.copy(), A, 0.5)
    with pytest.raises(IndexError, match="boolean index did not match"):
        masks.replace_where.py_func(x.copy(), y, A.copy(), A, 0.5)
    line = Path(masks.__file__).read_text().splitlines().index("    x[x > t] = y[x > t]") + 1
    assert str(info.value) == (f"replace_where(): the array statement at line {line} "
                               "combines lengths 20 and 30 (from the shapes of 'x' and 'y'); NumPy raises here: "
                               "boolean index did not match indexed array")


def test_a_mask_local_makes_no_array_unless_numpy_needs_one() -> None:
    """`big = x > t` and `keep = ~flags`, used only as masks, are inlined: no array for the caller to
    allocate. `negative` reads `x`, which the kernel then writes, so NumPy's array is made (a `Scratch`
    parameter)."""
    module = pipeline.lower("tests/kernels/masks.py", "host-offload")
    params = {k.name: k.params for k in module.kernels}
    assert [p.name for p in params["top_level"] if p.allocation is not None] == []
    made = [p for p in params["materialised"] if p.allocation is not None]
    assert [(p.name, p.ownership) for p in made] == [("negative", Ownership.SCRATCH)]


HEADER = ("import numpy as np\nfrom translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
          "def k(x: In[f64[:]], a: In[f64[:, :]], y: InOut[f64[:]]):\n")
LOOP = "    for i in prange(y.shape[0]):\n"
EVALUATED_AT_USE = "a mask names its boolean expression, which is evaluated where the mask is used"
MASKED_ELSEWHERE = ("a masked read (`data[mask]`) has a length known only at run time; kernels take it only as the "
                    "argument of np.sum, np.mean or np.count_nonzero (`np.mean(data[mask])`)")

CASES = [
    ("max", LOOP + "        y[i] = np.max(x[x > i])\n",
     "7:16: error: np.max() of a masked read (`a[mask]`) is not supported in kernels; NumPy raises when the mask "
     "selects nothing, which a kernel cannot do: write the loop, with an `if` on the mask (and decide what an empty "
     "selection gives)\n        y[i] = np.max(x[x > i])\n               ^"),
    ("var", LOOP + "        y[i] = np.var(x[x > i])\n",
     "7:16: error: np.var() of a masked read (`a[mask]`) is not supported in kernels; np.sum, np.prod, np.mean, "
     "np.any, np.all and np.count_nonzero of one are\n        y[i] = np.var(x[x > i])\n               ^"),
    ("axis", "    s = np.sum(a[x > 0], axis=1)\n    return s\n",
     "6:9: error: np.sum() of a masked read in a kernel reduces its selected axis (axis 0), whose length is known "
     "only at run time\n    s = np.sum(a[x > 0], axis=1)\n        ^"),
    ("elsewhere", LOOP + "        y[i] = np.sqrt(x[x > i])\n",
     f"7:24: error: {MASKED_ELSEWHERE}\n        y[i] = np.sqrt(x[x > i])\n                       ^"),
    ("new_array", "    s = x[x > 0]\n    return s\n",
     f"6:9: error: {MASKED_ELSEWHERE}\n    s = x[x > 0]\n        ^"),
    ("rank", LOOP + "        y[i] = np.sum(x[a > i])\n",
     "7:25: error: a mask selects along as many axes as it has, and with the other indices this one needs 2 "
     "dimensions: 'x' has 1\n        y[i] = np.sum(x[a > i])\n                        ^"),
    ("reads_written", LOOP + "        m = y > i\n        y[i] = np.sum(x[m])\n",
     f"7:13: error: mask 'm' reads array 'y', which the kernel writes; {EVALUATED_AT_USE}, so the arrays it reads "
     "must never be written: write the expression itself where the mask is used\n        m = y > i\n            ^"),
    ("reassigned_scalar", LOOP + "        t = 0.5\n        t = t * i\n        m = x > t\n        y[i] = np.sum(x[m])\n",
     f"9:17: error: mask 'm' reads 't', which is not assigned exactly once before the mask; {EVALUATED_AT_USE}, so "
     "the scalars it reads must be parameters or locals assigned once, before it: copy 't' into a new local just "
     "before the mask\n        m = x > t\n                ^"),
    ("bound_twice", LOOP + "        m = x > i\n        m = x < i\n        y[i] = np.sum(x[m])\n",
     f"7:9: error: mask 'm' is bound more than once; {EVALUATED_AT_USE}: bind each mask once, under a name of its "
     "own\n        m = x > i\n        ^"),
    ("as_value", LOOP + "        m = x > i\n        y[i] = m[i]\n",
     "8:16: error: 'm' names a mask (a boolean array expression), not an array: use it to select elements "
     "(`np.sum(a[m])`, `np.mean(a[m])`, `a[m] = v`) or in array expressions (`y[:] = m * 2.0`)\n"
     "        y[i] = m[i]\n               ^"),
    ("after_its_block", LOOP + "        if i > 2:\n            m = x > i\n        y[i] = np.sum(x[m])\n",
     "9:25: error: mask 'm' is used after the end of the block that binds it; bind it in the block where it is "
     "used, or in one enclosing it\n        y[i] = np.sum(x[m])\n                        ^"),
]


@pytest.mark.parametrize("name,body,expected", CASES, ids=[c[0] for c in CASES])
def test_rejected_with_located_message(tmp_path: Path, name: str, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body) == f"k.py:{expected}"
