"""Array values inside larger expressions (`frontend/hoisting.py`): each kernel of
`tests/kernels/hoisting.py` compiled and run against its Python function on seeded random data, the C
that names the values, and the branches Python may not evaluate, which stay located errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import hoisting
from translator import TranslationError, pipeline
from translator.api import Kernel
from translator.oracle import compare_compiled
from translator.targets import parse_target

TARGET = parse_target("host-offload")
HEADER = "import numpy as np\nfrom translator import kernel, prange, In, Out, f64\n\n@kernel\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in hoisting.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    args = make_args(np.random.default_rng(20261205))
    compiled = k.specialization(*args, target=TARGET)  # type: ignore[attr-defined]
    result = compare_compiled(compiled, k.py_func, args, str(TARGET), repeats=1)
    assert result.ok, result.mismatches


def test_each_value_gets_a_named_array_before_its_statement() -> None:
    source = HEADER + ("def k(a: In[f64[:]], out: Out[f64[:]]):\n"
                       "    out[:] = (a + 1.0)[::-1] + np.ones_like(a)\n")
    c = pipeline.translate("k.py", "host-offload", source=source).c_source
    value, ones, statement = c.index("value__"), c.index("ones_like__"), c.index("out[")
    assert value < statement and ones < statement


@pytest.mark.parametrize("body, error", [
    ("    out[:] = np.ones_like(a) if a[0] > 0 else a\n",
     "6:14: error: arrays are made only as the whole right-hand side of an assignment to a name "
     "(`t = np.zeros(16, np.float64)`)"),
    ("    out[:] = a if a[0] > 0 else (a + 1.0)[::-1]\n",
     "6:34: error: only array parameters and local arrays can be indexed (array expressions are not supported); bind "
     "the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once (`x[1:-1]`, not "
     "`x[1:][:-1]`)"),
    ("    for t in range(3):\n        out[:] = out + np.ones_like(a)\n",
     "7:24: error: arrays are made only as the whole right-hand side of an assignment to a name "
     "(`t = np.zeros(16, np.float64)`)"),
])
def test_values_python_may_not_evaluate_stay_errors(body: str, error: str) -> None:
    """A branch of `x if c else y` runs only when chosen, so nothing is moved out of it (an error such
    as LinAlgError must not be raised for the branch not taken); nor out of a host loop's body yet."""
    source = HEADER + "def k(a: In[f64[:]], out: Out[f64[:]]):\n" + body
    with pytest.raises(TranslationError) as info:
        pipeline.translate("k.py", "host-offload", source=source)
    assert str(info.value).splitlines()[0] == "k.py:" + error
