"""NumPy's array functions as values of the array tier (`tests/kernels/tier_functions.py`): each
kernel compiled for host-offload matches its Python function on random data, and its statements
reach `passes.lower_arrays` whole (the frontend lowers none of them to loops itself)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from tests.kernels import tier_functions
from translator import frontend
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.targets import parse_target

_CASES = [pytest.param(k, make, id=k.__name__) for k, make in tier_functions.CASES.items()]


@pytest.mark.parametrize("k, make_args", _CASES)
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(23)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k, make_args", _CASES)
def test_the_frontend_makes_no_loops(k: Kernel, make_args: Any) -> None:
    """Every loop of the untyped kernel is the user's: the array functions are tier values, lowered
    by `passes.lower_arrays` alone."""
    path = inspect.getsourcefile(tier_functions)
    assert path is not None
    module = frontend.parse_module(path, open(path, encoding="utf-8").read())
    (kernel,) = [kern for kern in module.kernels if kern.name == k.__name__]
    loops = [n for n in walk_all(kernel.body) if isinstance(n, ir.Loop)]
    assert all(loop.parallel and not loop.independent for loop in loops)
    assert len(loops) == inspect.getsource(k.py_func).count("prange(")
