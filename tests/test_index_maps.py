"""`np.roll`, reshapes, `np.tile` and `np.repeat` as index maps of the array tier (`ir.Remap`,
`tests/kernels/index_maps.py`): each kernel compiled for host-offload matches its Python function on
random data, its statements reach `passes.lower_arrays` whole (the frontend lowers none of them to
loops itself); a reshape of another size raises NumPy's ValueError, from the caller or the kernel;
what NumPy refuses is a located error."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from tests.kernels import index_maps
from translator import TranslationError, frontend, pipeline
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.targets import parse_target

_CASES = [pytest.param(k, make, id=k.__name__) for k, make in index_maps.CASES.items()]
HEADER = "import numpy as np\nfrom translator import In, Out, f64, i64, kernel, prange\n\n@kernel\n"


@pytest.mark.parametrize("k, make_args", _CASES)
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(31)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k", index_maps.CASES)
def test_the_frontend_makes_no_loops(k: Kernel) -> None:
    """Every loop of the untyped kernel is the user's, and each function is an `ir.Remap`."""
    path = inspect.getsourcefile(index_maps)
    assert path is not None
    module = frontend.parse_module(path, open(path, encoding="utf-8").read())
    (kernel,) = [kern for kern in module.kernels if kern.name == k.__name__]
    loops = [n for n in walk_all(kernel.body) if isinstance(n, ir.Loop)]
    assert not any(loop.independent for loop in loops)
    source = inspect.getsource(k.py_func)
    assert len(loops) == source.count("prange(") + source.count(" in range(")
    assert any(isinstance(n, ir.Remap) for n in walk_all(kernel.body))


def test_a_reshape_of_another_size_raises_numpys_error_before_the_call() -> None:
    """Sizes of the arguments: the caller checks them, with NumPy's message (a -1 as "newaxis",
    leading ones left out, as NumPy prints them) and the line."""
    k = index_maps.block_means
    rng = np.random.default_rng(5)
    args = (rng.standard_normal(12), rng.standard_normal((4, 6)), rng.standard_normal((3, 5)), np.zeros(5),
            np.zeros((5, 8)))
    with pytest.raises(ValueError) as expected:
        k.py_func(*args)
    with pytest.raises(ValueError) as info:
        k(*args)
    lines, first = inspect.getsourcelines(k.py_func)
    line = first + next(n for n, text in enumerate(lines) if "x.reshape(means.shape[0], -1)" in text)
    assert str(expected.value) == "cannot reshape array of size 12 into shape (5,newaxis)"
    assert str(info.value) == f"block_means(): the reshape at line {line}: {expected.value}"


def test_a_reshape_the_kernel_checks_raises_where_python_does() -> None:
    """A size known only in the kernel (a row's blocks from the loop variable) is checked there: the
    call raises NumPy's message without the sizes, which the kernel does not report."""
    k = index_maps.row_blocks
    A = np.random.default_rng(5).standard_normal((5, 10))
    with pytest.raises(ValueError) as expected:
        k.py_func(A, np.zeros(5))
    with pytest.raises(ValueError) as info:
        k(A, np.zeros(5))
    lines, first = inspect.getsourcelines(k.py_func)
    line = first + next(n for n, text in enumerate(lines) if ".reshape(" in text)
    assert str(expected.value) == "cannot reshape array of size 10 into shape (3,newaxis)"
    assert str(info.value) == (f"row_blocks(): cannot reshape array into shape (i % 3 + 2, -1): the sizes differ "
                               f"(at {inspect.getsourcefile(index_maps)}:{line})")


@pytest.mark.parametrize("body, error", [
    ("    return np.sum(np.roll(x, 1.5))\n",
     "6:19: error: np.roll(), np.tile(), np.repeat() and reshapes take integer shifts, repetitions and lengths, not "
     "float64"),
    ("    return np.sum(np.roll(x, (1, 2)))\n", "6:19: error: np.roll() without axis= takes one shift"),
    ("    return np.sum(np.roll(A, (1, 2, 3), axis=(0, 1)))\n",
     "6:19: error: np.roll(): shift and axis must have the same number of items (NumPy: shape mismatch: objects "
     "cannot be broadcast to a single shape)"),
    ("    return np.sum(np.roll(A, 1, axis=(0, 2)))\n", "6:42: error: np.roll(): each axis is a constant in [-2, 2)"),
    ("    return np.sum(x.reshape(2, -1, -1))\n", "6:19: error: a new shape has at most one -1"),
])
def test_what_numpy_refuses_is_a_located_error(body: str, error: str) -> None:
    source = HEADER + "def k(x: In[f64[:]], A: In[f64[:, :]]):\n" + body
    with pytest.raises(TranslationError) as info:
        pipeline.lower("k.py", parse_target("host-offload"), source)
    assert str(info.value).startswith("k.py:" + error), str(info.value)
