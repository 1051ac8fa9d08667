"""NumPy's array functions as values of the array tier (`tests/kernels/tier_functions.py`): each
kernel compiled for host-offload matches its Python function on random data, and its statements
reach `passes.lower_arrays` whole (the frontend lowers none of them to loops itself); what the tier
does not take is a located error; a conversion to another value's dtype is typing's (`Cast.like`)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from tests.kernels import tier_functions
from translator import TranslationError, frontend, pipeline
from translator.api import Kernel
from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import F32, PY_INT
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.passes.expr_types import ExprTyper
from translator.targets import parse_target

_CASES = [pytest.param(k, make, id=k.__name__) for k, make in tier_functions.CASES.items()]


@pytest.mark.parametrize("k, make_args", _CASES)
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(23)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("body, error", [
    ("    return np.sum(np.concatenate((x, x)))\n",
     "6:12: error: np.sum() in a kernel reduces an array value: a view, an elementwise expression of views (gathers, "
     "np.flip, np.arange, np.diff, np.roll, reshapes, np.tile and np.repeat included) or a masked read; for other "
     "operands (joins, np.linspace, np.insert, np.pad, ...) compute it into an array first (`t = np.concatenate((x, "
     "y))`), then the reduction of that array"),
    ("    return np.concatenate((x, x)) @ x\n",
     "6:12: error: `@` in a kernel multiplies array values: views or elementwise expressions of views (gathers, "
     "np.flip, np.arange, np.diff, np.roll, reshapes, np.tile and np.repeat included), in a kernel (not a device "
     "function); for other operands (joins, np.linspace, np.insert, np.pad, ...) compute it into an array first (`t = "
     "np.concatenate((x, y))`), then the product of that array"),
    ("    y = np.concatenate((x, x)) + np.sum(A, axis=0)\n    return y\n",
     "6:34: error: np.sum() makes an array here, inside a statement the array tier does not take (it holds a join, "
     "np.linspace, np.insert, np.pad, ...): compute it into an array first"),
    ("    return np.sum(np.arange(0.0, x.shape[0]))\n",
     "6:19: error: np.arange() in a kernel takes integers (its length is then exact); for evenly spaced floats use "
     "np.linspace, as NumPy advises"),
    ("    return np.sum(np.diff(x[:, None], axis=1))\n",
     "6:19: error: np.diff() along an axis of length 1 makes an empty array, which kernels do not make"),
])
def test_what_the_tier_does_not_take_is_refused(body: str, error: str) -> None:
    """A reduction or product of an operand only the frontend's own lowering builds has no fallback
    loops: a located error says what to write instead."""
    source = ("import numpy as np\nfrom translator import In, f64, kernel\n\n@kernel\n"
              "def k(x: In[f64[:]], A: In[f64[:, :]]):\n" + body)
    with pytest.raises(TranslationError) as info:
        pipeline.lower("k.py", parse_target("host-offload"), source)
    assert str(info.value).startswith("k.py:" + error)


@pytest.mark.parametrize("k", tier_functions.CASES)
def test_the_frontend_makes_no_loops(k: Kernel) -> None:
    """Every loop of the untyped kernel is the user's: the array functions are tier values, lowered
    by `passes.lower_arrays` alone."""
    path = inspect.getsourcefile(tier_functions)
    assert path is not None
    module = frontend.parse_module(path, open(path, encoding="utf-8").read())
    (kernel,) = [kern for kern in module.kernels if kern.name == k.__name__]
    loops = [n for n in walk_all(kernel.body) if isinstance(n, ir.Loop)]
    assert all(loop.parallel and not loop.independent for loop in loops)
    assert len(loops) == inspect.getsource(k.py_func).count("prange(")


def test_a_conversion_like_a_value_takes_its_dtype_from_typing() -> None:
    """`ir.Cast.like` (`np.pad`'s fill in the array's dtype): typing converts to the strong type of
    `like` (float32 times a Python float stays float32) and drops `like`, which is never computed."""
    span = Span("k.py", 1, 1)
    typer = ExprTyper({"x": F32, "n": PY_INT}, ir.Kernel("k", (), (), None, (), span))
    like = ir.Binary("*", ir.Name("x", span), ir.Const(2.0, span), span)
    assert typer(ir.Cast(ir.Const(0, span), span, like=like)) == ir.Const(0.0, span, F32)
    assert typer(ir.Cast(ir.Name("n", span), span, like=like)) == ir.Cast(ir.Name("n", span, PY_INT), span, F32)
