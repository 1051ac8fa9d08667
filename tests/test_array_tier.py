"""The IR's array tier: which statements the frontend keeps as `ArrayAssign`, how typing types them
(NumPy's promotion element by element, shapes broadcast symbolically), what `lower_arrays` makes
of them (independent loop nests, length checks, guards, temporaries), and compiled results that
match Python on random data on every target."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kernels import array_tier
from tests.located import translation_error
from translator import TranslationError, frontend
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.ir import nodes as ir
from translator.ir.printer import format_expr, format_kernel
from translator.ir.verifier import IRError, verify_kernel
from translator.ir.visit import walk_all
from translator.passes.lower_arrays import lower_arrays
from translator.passes.typing import type_kernel
from translator.targets import parse_target

SOURCE = ("import numpy as np\nfrom translator import In, InOut, Out, f32, f64, i32, kernel, prange\n\n@kernel\n"
          "def k(x: In[f32[:]], y: In[f64[:]], v: In[i32[:]], A: In[f64[:, :]], B: InOut[f64[:, :]], "
          "w: InOut[f64[:]]):\n{}")


def _kernel(body: str) -> ir.Kernel:
    return frontend.parse_module("k.py", SOURCE.format(body)).kernels[0]


def _statements(kernel: ir.Kernel) -> list[ir.ArrayAssign]:
    return [n for n in walk_all(kernel.body) if isinstance(n, ir.ArrayAssign)]


def _typed(statement: str) -> ir.ArrayAssign:
    (assign,) = _statements(type_kernel(_kernel(f"    {statement}\n")))
    return assign


@pytest.mark.parametrize("statement, through", [
    ("B[1:-1, 1:-1] = 0.2 * (A[1:-1, :-2] + A[1:-1, 2:] + A[:-2, 1:-1])", True),
    ("B *= 2.0", True),
    ("B[:, :] = y[:, None] * y[None, :]", True),
    ("B[0, :] = np.sqrt(np.abs(A[1, :])) + A[0, 0] + len(y) + A.shape[1]", True),
    ("B[:, :] = A.T", True),
    ("w[:] = np.logical_and(y > 0, ~(v > 2)) * np.copy(y) + A[0, :].copy() + y.real", True),
    ("w[w < 0] = 0.0", True),
    ("B[(B < 0) & (A > 1)] *= 2.0", True),
    ("w[w < 0] = y", None),
    ("w[w < 0] = np.sum(y)", True),
    ("B[0, :] = A[0, :] / np.sum(A[0, :])", True),
    ("w[:] = y - y.max(axis=0, keepdims=True) + np.var(A, axis=(0,), ddof=1)", True),
    ("B[0, :] = A @ y", True),
    ("B[0, :] = y[v]", True),
    ("B[:, :] = A[v[:, None], v[None, :] % 3] * y[v]", True),
    ("B[:, :] = np.where(A > 0, A, 0.0)", True),
])
def test_the_tier_takes_elementwise_statements(statement: str, through: bool | None) -> None:
    """Elementwise statements over views and scalars, with reductions and matrix products of them, are
    `ArrayAssign`s, and so are gathers (`ir.Gather`); what no path takes is an error."""
    if through is None:
        with pytest.raises(TranslationError):
            _kernel(f"    {statement}\n")
        return
    kernel = _kernel(f"    {statement}\n")
    assert bool(_statements(kernel)) == through


def test_augmented_assignment_reads_its_target() -> None:
    """`B op= value` is `B = B op value`, as for scalars."""
    assign = _statements(_kernel("    B[1:, :] += A[:-1, :]\n"))[0]
    assert isinstance(assign.value, ir.Binary) and assign.value.op == "+"
    assert assign.value.left == assign.target


@pytest.mark.parametrize("statement, dtype, shape", [
    ("B[0, :] = x * 2.0", "f32", "(x.shape[0]:i64)"),
    ("B[0, :] = x + y", "f64", "(x.shape[0]:i64)"),
    ("B[0, :] = v / 2", "f64", "(v.shape[0]:i64)"),
    ("B[0, :] = v * 3", "i32", "(v.shape[0]:i64)"),
    ("B[0, :] = x * v[0]", "f64", "(x.shape[0]:i64)"),
    ("B[:, :] = y[:, None] * x[None, :]", "f64", "(y.shape[0]:i64, x.shape[0]:i64)"),
    ("B[:, :] = A[1:-1, :] - y", "f64", "(((A.shape[0]:weak i64 - 1:weak i64):i64 - 1:i64):i64, A.shape[1]:i64)"),
    ("B[:, :] = A.T", "f64", "(A.shape[1]:i64, A.shape[0]:i64)"),
    ("B[:, :] = 1", "weak i64", "()"),
])
def test_typing_promotes_elements_and_broadcasts_shapes(statement: str, dtype: str, shape: str) -> None:
    """NumPy 2's promotion (a Python number adopts the array's type; int32 and float32 give float64)
    and the broadcast shape, aligned at the right, in the arguments' extents."""
    assign = _typed(statement)
    assert assign.type is not None
    assert str(assign.type.dtype) == dtype
    assert "(" + ", ".join(format_expr(n) for n in assign.type.shape) + ")" == shape


def test_typing_refuses_a_value_of_higher_rank() -> None:
    with pytest.raises(TranslationError) as info:
        type_kernel(_kernel("    B[0, :] = A * 2.0\n"))
    assert str(info.value).splitlines()[0] == (
        "k.py:6:15: error: cannot broadcast this 2-dimensional array into 1 dimension")


def test_a_gather_indexes_with_integers_only() -> None:
    """NumPy raises IndexError for float index arrays; typing refuses them where they are written."""
    with pytest.raises(TranslationError) as info:
        type_kernel(_kernel("    w[:] = y[y]\n"))
    assert str(info.value).splitlines()[0] == "k.py:6:14: error: indices and loop bounds must be integers, not f64"


def test_a_gather_is_read_at_each_element() -> None:
    """`ir.Gather` prints as the array indexed by its index arrays; `lower_arrays` leaves an `Index`
    whose index is the index array's element."""
    (assign,) = _statements(_kernel("    w[:] = y[v] * 2.0\n"))
    assert format_expr(assign.value) == "(y[v[:]{[0, v.shape[0])}] * 2.0)"
    lowered = _lowered("    w[:] = y[v] * 2.0\n")
    reads = [format_expr(n) for n in walk_all(lowered.body) if isinstance(n, ir.Index) and n.array == "y"]
    assert reads == ["y[cast(v[i__1:i64]:i32):i64]:f64"]
    assert not any(isinstance(n, ir.Gather) for n in walk_all(lowered.body))


def test_a_device_function_keeps_an_in_array_read_only(tmp_path: Path) -> None:
    """An array statement of a device function may not assign an array the caller passes as `In`."""
    message = translation_error(tmp_path, "import numpy as np\nfrom translator import In, Out, f64, kernel, prange\n\n",
                                "def bump(X, i):\n    X[i, :] = X[i, :] + 1.0\n\n@kernel\n"
                                "def k(A: In[f64[:, :]], out: Out[f64[:]]):\n    for i in prange(A.shape[0]):\n"
                                "        bump(A, i)\n        out[i] = A[i, 0]\n")
    assert message.splitlines()[0] == "k.py:5:5: error: function 'bump' writes to 'X', which is an In array here"


def _lowered(body: str) -> ir.Kernel:
    return lower_arrays(type_kernel(_kernel(body)))


def _loops(kernel: ir.Kernel) -> list[ir.Loop]:
    return [n for n in walk_all(kernel.body) if isinstance(n, ir.Loop)]


def test_lowering_makes_independent_loops_parallel_outside_pranges() -> None:
    kernel = _lowered("    B[1:-1, 1:-1] = 0.25 * (A[1:-1, :-2] + A[1:-1, 2:] + A[:-2, 1:-1] + A[2:, 1:-1])\n")
    assert not _statements(kernel)
    assert [(loop.parallel, loop.independent) for loop in _loops(kernel)] == [(True, True), (True, True)]
    assert ("B[i__1:i64, i__2:i64]:f64 = (0.25:f64 * (((A[i__1:i64, (i__2:i64 - 1:i64):i64]:f64 + A[i__1:i64, "
            "(i__2:i64 + 1:i64):i64]:f64):f64") in format_kernel(kernel)


def test_lowering_inside_a_prange_makes_serial_independent_loops() -> None:
    kernel = _lowered("    for i in prange(B.shape[0]):\n        B[i, :] = A[i, :] * 2.0 + y\n")
    outer, inner = _loops(kernel)
    assert (outer.parallel, outer.independent) == (True, False)
    assert (inner.parallel, inner.independent) == (False, True)


def test_lengths_of_arguments_are_checked_by_the_caller() -> None:
    kernel = _lowered("    B[0, :] = x[1:] - x[:-1]\n    B[1, :] = A[0, :]\n")
    checks = [(format_expr(c.left), format_expr(c.right)) for c in kernel.length_checks]
    assert checks == [("(x.shape[0]:i64 - 1:i64):i64", "B.shape[1]:i64"), ("A.shape[1]:i64", "B.shape[1]:i64")]
    assert not kernel.failures


def test_lengths_of_loop_variables_are_checked_by_the_kernel() -> None:
    kernel = _lowered("    for i in prange(B.shape[0]):\n        B[i, :i + 1] += y[:i + 1]\n")
    guard = next(n for n in walk_all(kernel.body) if isinstance(n, ir.If))
    assert guard.guard and isinstance(guard.body[0], ir.Loop) and guard.body[0].independent
    assert [f.span.line for f in kernel.failures] == [7]
    assert kernel.param(ir.STATUS) is not None and not kernel.length_checks


def test_lengths_equal_as_expressions_need_no_check() -> None:
    kernel = _lowered("    B[1:, :] = 2.0 * B[1:, :] + A[0, 0]\n    B[0, :] = y + y\n")
    assert [(format_expr(c.left), format_expr(c.right)) for c in kernel.length_checks] == [
        ("y.shape[0]:i64", "B.shape[1]:i64")]


def test_a_value_reading_the_target_elsewhere_goes_through_a_temporary() -> None:
    kernel = _lowered("    for i in prange(B.shape[0]):\n        B[i, 1:] = B[i, :-1] + B[i, 1:] * B[i, 0]\n")
    made = [n for n in walk_all(kernel.body) if isinstance(n, ir.Temporary)]
    assert [(t.name, str(t.type), [format_expr(n) for n in t.shape]) for t in made] == [
        ("B_value__3", "f64[:]", ["max((B.shape[1]:i64 - 1:i64):i64, 0:i64):i64"])]
    fill, copy = (n for n in walk_all(kernel.body) if isinstance(n, ir.Loop) and not n.parallel)
    assert fill.independent and copy.independent
    assert not kernel.locals  # the temporary's fill reads B[i, 0] itself: nothing is taken first


def test_a_fixed_read_of_the_target_is_taken_first() -> None:
    kernel = _lowered("    for i in prange(B.shape[0]):\n        B[i, :] = B[i, :] / B[i, i]\n")
    assert [(v.name, str(v.type)) for v in kernel.locals] == [("B__2", "f64")]
    assert not [n for n in walk_all(kernel.body) if isinstance(n, ir.Temporary)]


@pytest.mark.parametrize("body, error", [
    ("    B[0, :] = B[0, :] / B[0, 0]\n", "6:25: error: the right side reads an element of 'B', which this statement"),
])
def test_outside_a_prange_reads_of_the_target_elsewhere_are_refused(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        _lowered(body)
    assert str(info.value).startswith("k.py:" + error)


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in array_tier.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_lengths_that_differ_raise_as_numpy_does(target: str) -> None:
    rng = np.random.default_rng(4)
    outer = array_tier.outer.library(target).kernels["outer"]
    with pytest.raises(ValueError) as info:
        outer(rng.standard_normal(7), rng.standard_normal(5), np.zeros((7, 4)))
    line = array_tier.outer.py_func.__code__.co_firstlineno + 2
    assert str(info.value) == (
        f"outer(): the array statement at line {line} combines lengths 5 and 4 (from the shapes of 'out' and 'y'); "
        "NumPy raises here: operands could not be broadcast together")
    update = array_tier.lower_rank_update.library(target).kernels["lower_rank_update"]
    with pytest.raises(ValueError) as info:
        update(1.0, 1.0, rng.standard_normal((6, 3)), rng.standard_normal((6, 4)))
    line = array_tier.lower_rank_update.py_func.__code__.co_firstlineno + 5
    with pytest.raises(IndexError, match="'A' needs at least 6 elements along axis 0, and has 4"):
        update(1.0, 1.0, rng.standard_normal((4, 3)), rng.standard_normal((6, 6)))  # A[i, k] first, as in Python
    assert str(info.value).startswith(f"lower_rank_update(): the array statement at line {line} combines lengths "
                                      "that differ there")


def test_failures_are_numbered_in_source_order() -> None:
    """The frontend numbers the check of the statement it still lowers (line 8, with a reduction)
    before this pass numbers the tier's (line 7): the recordings are renumbered so that the check
    first in the source wins."""
    kernel = _lowered("    for i in prange(B.shape[0]):\n        B[i, :i + 1] += y[:i + 1]\n"
                      "        B[i, :i + 1] /= np.sum(y[:i + 1]) + y[:i + 1]\n")
    assert [f.span.line for f in kernel.failures] == [7, 8]
    recorded = {}
    for guard in (n for n in walk_all(kernel.body) if isinstance(n, ir.If) and n.guard):
        (update,) = [n for n in walk_all(guard.orelse) if isinstance(n, ir.AtomicUpdate)]
        assert isinstance(update.value, ir.Const)
        recorded[guard.span.line] = ir.FAILED - int(update.value.value)
    assert recorded == {7: 1, 8: 2}


def test_arrays_the_kernel_makes_are_filled_by_the_tier() -> None:
    """`c = x[1:] - x[:-1]` at the top level (a hidden parameter of NumPy's dtype) and `t = A[i, :] * 2`
    in a prange (a temporary) are filled by `ArrayAssign`s, and so is a gather `g = y[v]`; their
    dtypes are left to typing (`ir.ArrayLike`), which gives NumPy's."""
    kernel = _kernel("    c = x[1:] * 2 - x[:-1]\n    for i in prange(B.shape[0]):\n        t = A[i, :] * 2\n"
                     "        B[i, :] = t\n    g = y[v]\n")
    targets = [(s.target.array, s.span.line) for s in _statements(kernel)]
    assert targets == [("c", 6), ("t", 8), ("B", 9), ("g", 10)]
    c = kernel.param("c")
    assert c is not None and c.allocation is not None and isinstance(c.type, ir.ArrayLike)
    assert kernel.param("g") is not None
    typed = type_kernel(kernel)
    assert str(typed.param("c").type) == "f32[:]"  # type: ignore[union-attr]
    assert [(t.name, str(t.type)) for t in walk_all(typed.body) if isinstance(t, ir.Temporary)] == [("t", "f64[:]")]


def test_the_printer_shows_views_and_the_value_type() -> None:
    kernel = _kernel("    B[1:, :] = A.T * y[None, :] + x[:, None]\n")
    assert format_kernel(kernel).splitlines()[1] == (
        "  B[:, :]{[1, B.shape[0]), [0, B.shape[1])} = ((A[:, :]{d1=[0, A.shape[1]), d0=[0, A.shape[0])} * "
        "y[:]{new, [0, y.shape[0])}) + x[:]{[0, x.shape[0]), new})")
    typed = format_kernel(type_kernel(kernel)).splitlines()[1]
    assert typed.endswith("  # f64[A.shape[1]:i64, A.shape[0]:i64]")


def test_the_verifier_knows_the_tier() -> None:
    """Untyped IR may hold array statements; typed IR may not, and a view covers its array's
    dimensions once each."""
    kernel = _kernel("    B[0, :] = A[1, :] + y\n")
    verify_kernel(kernel, typed=False)
    with pytest.raises(IRError, match="array statement left after lower_arrays"):
        verify_kernel(type_kernel(kernel), typed=True)
    (assign,) = _statements(kernel)
    broken = dataclasses.replace(assign, target=dataclasses.replace(assign.target, fixed=(None, None)))
    with pytest.raises(IRError, match="a view's indices and axes do not cover"):
        verify_kernel(dataclasses.replace(kernel, body=(broken,)), typed=False)


@pytest.mark.parametrize("k", [pytest.param(k, id=k.__name__) for k in array_tier.CASES])
def test_the_end_to_end_kernels_go_through_the_tier(k: Kernel) -> None:
    """The frontend lowers none of their statements itself: its only loops are the user's (also in
    the device functions they call)."""
    module = frontend.parse_module(array_tier.__file__)
    kernel = next(n for n in module.kernels if n.name == k.__name__)
    called = {n.func for n in walk_all(kernel.body) if isinstance(n, ir.CallFunction)}
    functions = [f for f in module.functions if f.name in called]
    assert _statements(kernel) or any(isinstance(n, ir.ArrayAssign) for f in functions for n in walk_all(f.body))
    assert len(_loops(kernel)) == inspect.getsource(k.py_func).count(" for ")
    assert not any(isinstance(n, ir.Loop) for f in functions for n in walk_all(f.body))


def test_a_masked_assignment_assigns_where_its_mask_holds() -> None:
    """`B[(B < 0) & (A > 1)] *= 2.0`: a 2-D mask (which the frontend's own lowering refused), typed
    as booleans, lowered to an `if` around the element's assignment in independent loops."""
    typed = _typed("B[(B < 0) & (A > 1)] *= 2.0")
    assert typed.where is not None and str(typed.where.type) == "bool"
    kernel = lower_arrays(type_kernel(_kernel("    B[(B < 0) & (A > 1)] *= 2.0\n")))
    outer, inner = _loops(kernel)
    assert outer.independent and inner.independent
    (guarded,) = inner.body
    assert isinstance(guarded, ir.If) and not guarded.guard and isinstance(guarded.body[0], ir.Assign)
    assert [(format_expr(c.left), format_expr(c.right)) for c in kernel.length_checks] == [
        ("A.shape[0]:i64", "B.shape[0]:i64"), ("A.shape[1]:i64", "B.shape[1]:i64")]
