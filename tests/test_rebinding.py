"""Array names bound again (`frontend.rebinding`): each kernel of `tests/kernels/rebinding.py`
compiled and run against its Python function on seeded random data, the run-time check of a shape
that changes in a loop, and the located errors of what stays unsupported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
import numpy as np
import pytest

from tests.kernels import rebinding
from tests.located import translation_error
from translator import pipeline
from translator.frontend import array_statements
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = "import numpy as np\nfrom translator import kernel, prange, In, InOut, Out, f64, i64\n\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in rebinding.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(7)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def test_top_level_bindings_are_new_arrays() -> None:
    """`h = h @ W2 + b2` at the top level is an array of its own (`h__N`), of its own shape."""
    emitted = pipeline.translate(rebinding.__file__, "host-offload")
    assert ("double *h, int64_t h_n0, int64_t h_n1, double *h__1, int64_t h__1_n0, int64_t h__1_n1, double *h__2, "
            "int64_t h__2_n0, int64_t h__2_n1);") in emitted.h_source


def test_a_shape_that_changes_in_a_loop_stops_the_call() -> None:
    """`v = A @ v` with a non-square `A`: the kernel keeps one array for `v`, so the binding that
    would change its shape raises when it runs (NumPy goes on with the new shape, and fails at the
    next product); a loop of no iterations runs as in NumPy."""
    compiled = rebinding.renormalized.library("host-offload").kernels["renormalized"]
    A, v = np.random.default_rng(1).random((5, 7)), np.random.default_rng(2).random(7)
    np.testing.assert_allclose(compiled(A, v, 0), rebinding.renormalized.py_func(A, v, 0))
    assert rebinding.renormalized.py_func(A, v, 1).shape == (5,)
    line = Path(rebinding.__file__).read_text().splitlines().index("        v = A @ v") + 1
    with pytest.raises(ValueError, match=f"renormalized\\(\\): 'v' is bound again at line {line} to an array of "
                       "another shape than its own; a kernel keeps one array per name in a loop or branch, so the "
                       "shape may not change \\(NumPy would go on with the new shape\\)"):
        compiled(A, v, 1)


@pytest.mark.parametrize("m", [-2, 0, 2, 3, 7, 9])
def test_branches_make_arrays_of_the_shape_their_condition_chooses(m: int) -> None:
    """`t` is `a[:m]` or `a` by `0 < m <= n and not m == 3`: the caller sizes the allocation by the
    same condition (`+ - * min max`), so every `m` matches Python."""
    args = (np.random.default_rng(m + 10).random(7), m, 3)
    result = compare_with_python(rebinding.prefix_or_whole, args, parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("body, expected", [
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    y = np.zeros_like(x)\n    for i in range(n):\n        y = y > 0\n"
     "    return y\n",
     "k.py:8:13: error: 'y' is bound again in a loop or branch to a 1-D array of bool, and held a 1-D array of f64; a "
     "kernel keeps one array per name there: bind this one under a name of its own"),
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    y = np.zeros_like(x)\n    for i in range(n):\n        y = 2.0\n",
     "k.py:8:9: error: 'y' names an array made by the kernel; bind this scalar under a new name"),
    ("@kernel\ndef k(A: In[f64[:, :]], v: In[f64[:]], n: i64):\n    for i in range(n):\n        v[0] = 1.0\n"
     "        v = A @ v\n    return v\n",
     "k.py:8:9: error: 'v' is the caller's array, bound to a new array in this loop and written in place before this "
     "binding in the loop: NumPy writes the caller's array in some iterations and not in others; write the loop with "
     "a copy, `v_new = v.copy()`, before it"),
    ("@kernel\ndef k(u0: In[f64[:]], n: i64):\n    u_prev = u0.copy()\n    u = u0.copy()\n    for i in range(n):\n"
     "        u_next = u * 2\n        u_prev, u = u, u_next\n        u_next[0] = 1.0\n    return u\n",
     "k.py:10:24: error: after this statement 'u_next' and the name bound to it are one array in NumPy, which the "
     "kernel's copy is not: make 'u_next' in this loop's body and bind it anew before any other use"),
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    y = x.copy()\n    for i in range(n):\n        w = y[1:]\n"
     "        y = x * 2\n        w[0] = 1.0\n    return y\n",
     "k.py:9:9: error: 'w' reads the array 'y' names, and would keep reading it in NumPy; in a loop or branch the "
     "kernel fills that array again: bind the new array under a name of its own"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    f = lambda i: x[i]\n    x = x * 2\n    return f(0)\n",
     "k.py:7:5: error: the lambda 'f' reads 'x', and would read the new array in Python; bind the new array under a "
     "name of its own"),
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    for i in range(n):\n        g = x * 2\n    for i in range(n):\n"
     "        y = g + 1\n        g = y * 2\n",
     "k.py:7:9: error: an array made inside a loop or branch is allocated once, before the kernel runs: bind it in "
     "a `for` body, directly or in every branch of an `if` there (not under a `while`), before any use of it in "
     "that body, and use it only there; or make it at the top level and assign into it (`r[:] = ...`)"),
])
def test_located_errors(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected


def test_a_binding_in_a_loop_builds_its_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`p = p * x + c` in a loop (`fill_again`): the value's tier form is built once, by
    `new_array_value`, and the fill reuses it."""
    built: list[str] = []
    original = array_statements.array_value

    def counting(node: cst.BaseExpression, scope: Any) -> Any:
        built.append(cst.Module([]).code_for_node(node))
        return original(node, scope)

    monkeypatch.setattr(array_statements, "array_value", counting)
    pipeline.lower(rebinding.__file__, "host-offload")
    assert built.count("p * x + c") == 1
