"""Reductions and matrix products in the IR's array tier (`ir.ArrayReduce`): the frontend keeps
them as written, typing gives NumPy 2's result dtype, `lower_arrays` makes the loops (a scalar
accumulator; a parallel nest with its `reduction` clauses outside pranges), and compiled kernels
match Python on random data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import array_products, array_reductions, empty_reductions
from translator import TranslationError, frontend
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.printer import format_expr
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.passes.lower_arrays import lower_arrays
from translator.passes.typing import type_kernel
from translator.targets import parse_target

SOURCE = ("import numpy as np\nfrom translator import In, InOut, Out, f32, f64, i32, u8, b1, kernel, prange\n\n"
          "@kernel\ndef k(x: In[f32[:]], y: In[f64[:]], v: In[i32[:, :]], u: In[u8[:]], m: In[b1[:]], "
          "A: In[f64[:, :]], w: InOut[f64[:]]):\n{}")


def _kernel(body: str) -> ir.Kernel:
    return frontend.parse_module("k.py", SOURCE.format(body)).kernels[0]


def _reductions(kernel: ir.Kernel) -> list[ir.ArrayReduce]:
    return [n for n in walk_all(kernel.body) if isinstance(n, ir.ArrayReduce)]


@pytest.mark.parametrize("expr, printed, dtype", [
    ("np.sum(v)", "sum(v[:, :]{[0, v.shape[0]), [0, v.shape[1])}, axes=[0, 1])", "i64"),
    ("u.sum()", "sum(u[:]{[0, u.shape[0])}, axes=[0])", "u64"),
    ("m.sum()", "sum(m[:]{[0, m.shape[0])}, axes=[0])", "i64"),
    ("np.mean(v[0, :])", "mean(v[0, :]{[0, v.shape[1])}, axes=[0])", "f64"),
    ("x.mean()", "mean(x[:]{[0, x.shape[0])}, axes=[0])", "f32"),
    ("x.max()", "max(x[:]{[0, x.shape[0])}, axes=[0])", "f32"),
    ("np.argmax(x * 2)", "argmax((x[:]{[0, x.shape[0])} * 2), axes=[0])", "i64"),
    ("np.any(x > 0)", "any((x[:]{[0, x.shape[0])} > 0), axes=[0])", "bool"),
    ("v.var(ddof=1)", "var(v[:, :]{[0, v.shape[0]), [0, v.shape[1])}, axes=[0, 1], ddof=1)", "f64"),
    ("np.linalg.norm(x)", "norm(x[:]{[0, x.shape[0])}, axes=[0])", "f32"),
    ("np.prod(v, axis=(1, -2))", "prod(v[:, :]{[0, v.shape[0]), [0, v.shape[1])}, axes=[0, 1])", "i64"),
])
def test_a_reduction_is_one_typed_node_until_lowering(expr: str, printed: str, dtype: str) -> None:
    """Built as written (axes sorted, non-negative), typed once with NumPy 2's dtype on Linux, gone
    after `lower_arrays`."""
    kernel = _kernel(f"    s = {expr}\n    w[0] = s\n")
    (reduce,) = _reductions(kernel)
    assert format_expr(reduce) == printed
    typed = type_kernel(kernel)
    (reduce,) = _reductions(typed)
    assert reduce.type is not None and reduce.type.name == dtype
    assert not _reductions(lower_arrays(typed))


def test_a_reduction_along_an_axis_keeps_its_shape_in_an_array_statement() -> None:
    (assign,) = [n for n in walk_all(type_kernel(_kernel("    w[:] = A.max(axis=1) - np.mean(A, axis=-1)\n")).body)
                 if isinstance(n, ir.ArrayAssign)]
    assert assign.type is not None and [format_expr(n) for n in assign.type.shape] == ["A.shape[0]:i64"]


def test_a_whole_reduction_outside_a_prange_is_a_parallel_loop_with_its_clause() -> None:
    kernel = lower_arrays(type_kernel(_kernel("    w[:] = y / y.sum() + np.max(y)\n")))
    loops = [n for n in walk_all(kernel.body) if isinstance(n, ir.Loop) and n.reductions]
    assert [(c.op, c.var.split("__")[0]) for loop in loops for c in loop.reductions] == [
        ("+", "sum"), ("max", "max"), ("max", "seen")]
    assert all(loop.parallel and not loop.independent for loop in loops)


def test_an_element_assigned_between_parallel_loops_reduces_in_parallel_first() -> None:
    """`w[0] = np.sum(y)` at the top level: the frontend puts the store on the device in a one-iteration
    prange; the sum runs before it, as a parallel loop with its clause."""
    kernel = lower_arrays(type_kernel(_kernel("    w[0] = np.sum(y)\n")))
    first, store = kernel.body[-2:]
    assert isinstance(first, ir.Loop) and first.parallel and [c.op for c in first.reductions] == ["+"]
    assert isinstance(store, ir.Loop) and store.parallel and not any(isinstance(n, ir.Loop) for n in store.body)


@pytest.mark.parametrize("expr, clauses", [("A[i, :].max()", []), ("np.sum(A[i, :] * y)", [("+", "sum")]),
                                           ("np.prod(A[i, :])", [("*", "prod")])])
def test_inside_a_prange_a_reduction_is_a_serial_loop_into_a_register(expr: str, clauses: list[tuple[str, str]]
                                                                      ) -> None:
    """Serial, its `+`/`*` accumulator recorded for a team-level mapping (max/min: `passes.team_reductions`)."""
    kernel = lower_arrays(type_kernel(_kernel(f"    for i in prange(A.shape[0]):\n        w[i] = {expr}\n")))
    (prange,) = [n for n in kernel.body if isinstance(n, ir.Loop)]
    (inner,) = [n for n in walk_all(prange.body) if isinstance(n, ir.Loop)]
    assert not inner.parallel and [(c.op, c.var.split("__")[0]) for c in inner.reductions] == clauses


def test_a_reduction_along_axes_in_an_array_statement_runs_inside_its_element_loops() -> None:
    kernel = lower_arrays(type_kernel(_kernel("    w[:] = A.sum(axis=1)\n")))
    (outer,) = [n for n in kernel.body if isinstance(n, ir.Loop)]
    assert outer.independent and outer.parallel
    inner = [n for n in walk_all(outer.body) if isinstance(n, ir.Loop)]
    assert len(inner) == 1 and not inner[0].independent and not inner[0].parallel


@pytest.mark.parametrize("body, error", [
    ("    w[0] = np.sum(A, axis=(0, 0))\n", "6:31: error: duplicate value in 'axis': 0"),
    ("    w[0] = np.argmax(A, axis=(0, 1))\n", "6:31: error: np.argmax() takes one axis (an integer), not a tuple"),
    ("    w[0] = np.linalg.norm(y, 1)\n", "6:30: error: np.linalg.norm() in a kernel computes the default norm only: "
     "drop ord="),
    ("    w[0] = y.sum(keepdims=w[0])\n", "6:27: error: this argument takes True or False constant in kernels"),
    ("    w[0] = np.average(y, out=y)\n", "6:26: error: np.average() in a kernel takes axis=, weights=, returned=, "
     "keepdims= only"),
    ("    w[0] = A.max(axis=0)\n", "6:12: error: A.max(axis=0) makes an array: assign it into an array or to a "
     "new name (`s = A.max(axis=0)`)"),
    ("    w[0] = np.std(y * 1j)\n", "6:12: error: std() of a complex array is not supported in kernels"),
    ("    w[0] = np.argmax(y[y > 0])\n", "6:12: error: np.argmax() of a masked read (`a[mask]`) is not supported in "
     "kernels; NumPy raises when the mask selects nothing, which a kernel cannot do: write the loop, with an `if` on "
     "the mask (and decide what an empty selection gives)"),
])
def test_rejections(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        lower_arrays(type_kernel(_kernel(body)))
    assert str(info.value).splitlines()[0] == f"k.py:{error}"


@pytest.mark.parametrize("expr, printed, dtype", [
    ("A @ A", "dot((A[:, :]{[0, A.shape[0]), [0, A.shape[1]), new} * A[:, :]{[0, A.shape[0]), [0, A.shape[1])}), "
     "axes=[1])", "f64"),
    ("np.dot(x, x)", "dot((x[:]{[0, x.shape[0])} * x[:]{[0, x.shape[0])}), axes=[0])", "f32"),
    ("v.dot(v[0, :])", "dot((v[:, :]{[0, v.shape[0]), [0, v.shape[1])} * v[0, :]{[0, v.shape[1])}), axes=[1])",
     "i32"),
    ("np.matmul(y, A)", "dot((y[:]{[0, y.shape[0]), new} * A[:, :]{[0, A.shape[0]), [0, A.shape[1])}), axes=[0])",
     "f64"),
    ("np.inner(A, A)", "dot((A[:, :]{[0, A.shape[0]), new, [0, A.shape[1])} * A[:, :]{[0, A.shape[0]), "
     "[0, A.shape[1])}), axes=[2])", "f64"),
    ("np.vdot(y, y)", "dot((conj(y[:]{[0, y.shape[0])}) * y[:]{[0, y.shape[0])}), axes=[0])", "f64"),
])
def test_a_product_is_a_sum_of_products_in_the_tier(expr: str, printed: str, dtype: str) -> None:
    """NumPy's rule lines the operands up with new axes; the dtype is the products' (never widened)."""
    kernel = _kernel(f"    s = {expr}\n")
    (reduce,) = _reductions(kernel)
    assert format_expr(reduce) == printed
    (reduce,) = _reductions(type_kernel(kernel))
    assert reduce.type is not None and reduce.type.name == dtype


@pytest.mark.parametrize("body, error", [
    ("    s = np.outer(A, y)\n", "6:9: error: np.outer() in a kernel takes 1-D or 2-D array values (1-D for np.outer "
     "and np.vdot): views or elementwise expressions of views, in a kernel (not a device function)"),
    ("    w[0] = A @ y\n", "6:12: error: this product makes an array: assign it into an array or to a new name"),
])
def test_product_rejections(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        lower_arrays(type_kernel(_kernel(body)))
    assert str(info.value).splitlines()[0] == f"k.py:{error}"


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in {**array_reductions.CASES, **array_products.CASES}.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(7)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("data", array_reductions.EXTREMES)
@pytest.mark.parametrize("k", [array_reductions.value_range, array_reductions.running_extremes],
                         ids=["np.max", "prange max"])
def test_max_and_min_reach_the_infinities(k: Kernel, data: str, target: str) -> None:
    """All -inf has max -inf (not -DBL_MAX, where OpenMP's threads start), all +inf min +inf; NaN as
    in NumPy (`np.max`) or Python (`max(m, e)` skips a NaN `e`)."""
    x = array_reductions.EXTREMES[data](np.random.default_rng(11))
    args = (x, x[::-1].astype(np.float32), np.zeros(4))
    result = compare_with_python(k, args, parse_target(target), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in empty_reductions.CASES.items()])
def test_max_min_and_arg_of_slices_match_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(5)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k", list(empty_reductions.EMPTY), ids=lambda k: k.__name__)
def test_max_min_and_arg_of_nothing_raise_as_numpy(k: Kernel, target: str) -> None:
    """NumPy's `ValueError` and the line, where the kernel used to give 0: in a prange, outside one,
    along an axis, a bool max, the frontend's own lowering (`np.flip`), `np.where`'s value (NumPy
    computes both)."""
    args, message, offset = empty_reductions.EMPTY[k]
    with pytest.raises(ValueError, match=f"^{message}$"):
        k.py_func(*args)
    name = k.py_func.__name__
    line = k.py_func.__code__.co_firstlineno + offset
    with pytest.raises(ValueError) as info:
        k.library(parse_target(target)).kernels[name](*args)
    assert str(info.value) == f"{name}(): {message} (at {empty_reductions.__file__}:{line})"


def test_a_max_python_does_not_evaluate_raises_nothing() -> None:
    """`x[:n].max() if n > 0 else 0.0`: the check holds only where the branch is taken."""
    guarded = empty_reductions.guarded_peak.library(parse_target("host-offload")).kernels["guarded_peak"]
    assert guarded(np.ones(4), 0) == empty_reductions.guarded_peak.py_func(np.ones(4), 0) == 0.0


def test_the_check_of_a_row_max_is_one_comparison_before_its_loop() -> None:
    """Cost: `0 < A.shape[1]` once per row, before the loop over it, never per element."""
    kernel = lower_arrays(type_kernel(_kernel("    for i in prange(A.shape[0]):\n        w[i] = A[i, :].max()\n")))
    (prange,) = [n for n in kernel.body if isinstance(n, ir.Loop)]
    (guard,) = prange.body
    assert isinstance(guard, ir.If) and guard.guard and format_expr(guard.cond) == "(0:i64 < A.shape[1]:i64):bool"
    assert not any(isinstance(n, ir.If) and n.guard for n in walk_all(guard.body))
    assert [f.message.split(" (at")[0] for f in kernel.failures] == [empty_reductions.MAXIMUM]
