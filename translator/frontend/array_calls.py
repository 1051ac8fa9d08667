"""NumPy reductions and products in kernels and device functions: `np.sum`, `np.max`, `np.mean`,
`np.count_nonzero`, `np.dot`, `@`, ... Each is the array tier's when the tier takes its operand
(`array_statements.tier_reduction`, `tier_product`: views, elementwise expressions of them, gathers,
masked reads). What is left here is the fallback for an operand only the frontend's own lowering
builds (`np.flip(x)`, a gather with an `np.arange` index, ...: `frontend/array_functions.py`): a
loop nest that accumulates into a fresh local, placed in the scope's prelude, the operand built as
the value of one element (`arrays.value_at`). Importing this module registers the calls with the
expression builder. Next step: those functions as values of the tier, and this fallback goes.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst
import numpy as np

from translator.errors import Span, TranslationError
from translator.frontend.arrays import (aligned, check_lengths, local_assign, matmul_shape, outside_element,
                                       reduction_axis, shape_of, value_at)
from translator.frontend.context import KernelScope
from translator.frontend.dtypes import element_type
from translator.frontend.array_statements import tier_product, tier_reduction
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, METHODS
from translator.frontend.products import FUNCTIONS as PRODUCTS, LABELS, product_operands
from translator.frontend.reductions import METHODS as REDUCTION_METHODS
from translator.frontend.reductions import reduction_call
from translator.ir import nodes as ir
from translator.ir.arrays import Offset, loop_nest
from translator.ir.types import BOOL, I64, U64, ScalarType

Bounds = list[tuple[str, ir.Expr, ir.Expr]]


def _reduction(kind: str) -> Callable[[cst.CSTNode, list[cst.BaseExpression], KernelScope], ir.Expr]:
    def build(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
        assert isinstance(node, cst.Call)
        tier = tier_reduction(node, scope)
        if tier is not None:
            return tier
        label = f"np.{kind}"
        extra = [a for a in node.args if a.keyword is not None and a.keyword.value != "axis"]
        if extra:
            raise scope.module.error(extra[0], f"{label}() of this operand (a masked read, a product, or in a device "
                                     "function) takes axis= only")
        if not 1 <= len(args) <= 2:
            raise scope.module.error(node, f"{label}() in a kernel takes an array (or slice) and optionally axis=")
        if reduction_axis(node, scope) is None:
            with outside_element(scope):
                return _reduce(node, args[0], kind, scope)
        return _reduce(node, args[0], kind, scope)
    return build


def _tier_only(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """A reduction only the array tier computes (`np.prod`, `np.argmax`, the methods, ...)."""
    assert isinstance(node, cst.Call)
    tier = tier_reduction(node, scope)
    if tier is not None:
        return tier
    call = reduction_call(node, scope)
    if call is None:
        raise scope.module.error(node, f"call to '{cst.Module([]).code_for_node(node.func)}' is not supported in kernels")
    raise scope.module.error(node, f"{call.label}() in a kernel reduces an array value: a view, an elementwise "
                             "expression of views (gathers included) or a masked read")


def _product_only(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """A product only the array tier computes (`np.matmul`, `np.inner`, `np.outer`, `np.vdot`,
    `a.dot(b)`)."""
    assert isinstance(node, cst.Call)
    tier = tier_product(node, scope)
    if tier is not None:
        return tier
    product = product_operands(node, scope)
    if product is None:
        raise scope.module.error(node, f"call to '{cst.Module([]).code_for_node(node.func)}' is not supported in "
                                 "kernels (a product takes two arrays)")
    raise scope.module.error(node, f"{LABELS[product[0]]} in a kernel takes 1-D or 2-D array values (1-D for "
                             "np.outer and np.vdot): views or elementwise expressions of views, in a kernel (not a "
                             "device function)")


def _reduce(node: cst.Call, source: cst.BaseExpression, kind: str, scope: KernelScope) -> ir.Expr:
    label = f"np.{kind}"
    shape = shape_of(source, scope)
    if not shape:
        raise scope.module.error(node, f"{label}() in a kernel reduces an array or a slice (`a[i, :]`, `x[lo:hi]`)")
    outer, reduced = _reduced_axes(node, shape, label, scope)
    span = scope.module.span(node)
    inner, value, bounds = _operand(source, shape, outer, reduced, scope, span)
    value, dtype = _counted(kind, value, element_type(value, scope, f"this {label}()"), span)
    parallel = not outer and scope.elements is None and not scope.in_prange
    if kind in ("max", "min") and parallel:
        return _parallel_extreme(kind, value, dtype, inner, bounds, scope, span)
    if kind in ("max", "min"):
        first = _element(source, _first_offsets(outer, reduced), shape, scope)
        return _extreme(kind, value, dtype, inner, bounds, first, scope, span)
    count = _product([hi for _, _, hi in bounds], span)
    if kind in ("var", "std"):
        _check_real(kind, dtype, span)
        mean = ir.Binary("/", _sum(value, dtype, inner, bounds, parallel, scope, span), count, span)
        inner, value, bounds = _operand(source, shape, outer, reduced, scope, span)
        deviation = ir.Binary("-", value, mean, span)
        square = ir.Binary("*", deviation, deviation, span)
        total = _sum(square, element_type(square, scope, f"this {label}()"), inner, bounds, parallel, scope, span)
        variance = ir.Binary("/", total, count, span)
        return variance if kind == "var" else ir.Call("numpy.sqrt", (variance,), span)
    total = _sum(value, dtype, inner, bounds, parallel, scope, span)
    return ir.Binary("/", total, count, span) if kind == "mean" else total


def _counted(kind: str, value: ir.Expr, dtype: ScalarType, span: Span) -> tuple[ir.Expr, ScalarType]:
    """What a reduction of `kind` adds up for an element `value` of type `dtype`: for
    `np.count_nonzero`, whether it is nonzero; for the others, the value itself."""
    if kind != "count_nonzero":
        return value, dtype
    return ir.Compare("!=", value, ir.Const(0, span), span), BOOL


def _operand(source: cst.BaseExpression, shape: tuple[ir.Expr, ...], outer: tuple[Offset, ...], reduced: list[int],
             scope: KernelScope, span: Span) -> tuple[tuple[ir.Stmt, ...], ir.Expr, Bounds]:
    """The operand's element inside fresh loops over the reduced axes, and those loops' bounds."""
    names = {d: scope.fresh_loop_var("k") for d in reduced}
    offsets = list(outer)
    for d in reduced:
        offsets.insert(d, Offset(ir.Name(names[d], span), None, 0))
    inner, value = _element(source, offsets, shape, scope)
    return inner, value, [(names[d], ir.Const(0, span), shape[d]) for d in reduced]


def _first_offsets(outer: tuple[Offset, ...], reduced: list[int]) -> list[Offset]:
    """The offsets of the first element a reduction reads: the result's element on the kept axes (an
    `axis=` reduction starts from its own row or column, not from the array's first element), 0 on
    the reduced ones."""
    offsets = list(outer)
    for d in reduced:
        offsets.insert(d, Offset(None, None, 0))
    return offsets


def _reduced_axes(node: cst.Call, shape: tuple[ir.Expr, ...], label: str,
                  scope: KernelScope) -> tuple[tuple[Offset, ...], list[int]]:
    """The offsets of the result's element (none for a whole reduction) and the axes reduced."""
    axis = reduction_axis(node, scope)
    if axis is None:
        return (), list(range(len(shape)))
    if scope.elements is None:
        raise scope.module.error(
            node, f"{label}(..., axis={axis}) makes an array: assign it into an array or to a new name "
            f"(`s = {label}(a, axis={axis})`)")
    if not -len(shape) <= axis < len(shape):
        raise scope.module.error(node, f"axis {axis} is out of range for this {len(shape)}-dimensional array")
    axis %= len(shape)
    check_lengths(scope.elements, shape[:axis] + shape[axis + 1:], node, scope)
    return aligned(scope.elements, len(shape) - 1, node, scope), [axis]


def _element(source: cst.BaseExpression, offsets: Sequence[Offset], shape: Sequence[ir.Expr],
             scope: KernelScope) -> tuple[tuple[ir.Stmt, ...], ir.Expr]:
    """The element of `source` (of `shape`) at `offsets`, with the statements computing it (its own
    reductions along an axis); whole reductions inside it go before the accumulating loop."""
    return value_at(source, offsets, shape, scope, scope.prelude)


def _sum(value: ir.Expr, dtype: ScalarType, inner: tuple[ir.Stmt, ...], bounds: Bounds, parallel: bool,
         scope: KernelScope, span: Span) -> ir.Expr:
    """The sum of `value` over `bounds`, in order (NumPy sums floats pairwise: the last bits may differ)."""
    return _accumulate([("sum", _zero(dtype, span), value)], inner, bounds, parallel, scope, span)[0]


def _zero(dtype: ScalarType, span: Span) -> ir.Expr:
    """0 in NumPy's sum type for elements of `dtype`: integers and bools widen to 64 bits."""
    total = U64 if dtype.kind.name == "UINT" else I64 if dtype.is_int or dtype.is_bool else dtype
    return ir.Cast(ir.Const(0, span), span, total)


def _accumulate(terms: Sequence[tuple[str, ir.Expr, ir.Expr]], inner: tuple[ir.Stmt, ...], bounds: Bounds,
                parallel: bool, scope: KernelScope, span: Span,
                guard: tuple[tuple[ir.Stmt, ...], ir.Expr] | None = None) -> list[ir.Expr]:
    """One loop nest over `bounds` adding each term `(name, start, value)` into a fresh local that
    starts at `start`; with a `guard` (the statements computing a mask's element, and the element),
    only where the guard holds. The locals, in the order of `terms`."""
    sums: list[ir.Expr] = []
    adds: list[ir.Stmt] = []
    for base, start, value in terms:
        acc = ir.Name(scope.fresh_temp(base), span)
        scope.prelude.append(local_assign(acc, start, scope))
        adds.append(local_assign(acc, ir.Binary("+", acc, value, span), scope))
        sums.append(acc)
    body: tuple[ir.Stmt, ...] = (*inner, *adds)
    if guard is not None:
        body = (*guard[0], ir.If(guard[1], body, (), span))
    scope.prelude.append(loop_nest(bounds, body, parallel, span))
    return sums


def _extreme(kind: str, value: ir.Expr, dtype: ScalarType, inner: tuple[ir.Stmt, ...], bounds: Bounds,
             first: tuple[tuple[ir.Stmt, ...], ir.Expr], scope: KernelScope, span: Span) -> ir.Expr:
    """`np.max` / `np.min` in serial: a NaN anywhere makes the result NaN, as in NumPy. An empty
    operand (NumPy raises) gives 0."""
    _check_real(kind, dtype, span)
    acc = ir.Name(scope.fresh_temp(kind), span)
    nonempty = _all([ir.Compare("<", lo, hi, span) for _, lo, hi in bounds], span)
    scope.prelude += [*first[0], local_assign(
        acc, ir.Select(nonempty, first[1], ir.Cast(ir.Const(0, span), span, dtype), span), scope)]
    better: ir.Expr = ir.Compare(">" if kind == "max" else "<", value, acc, span)
    if dtype.is_float:
        better = ir.Logical("or", better, ir.Call("numpy.isnan", (value,), span), span)
    step = local_assign(acc, ir.Select(better, value, acc, span), scope)
    scope.prelude.append(loop_nest(bounds, (*inner, step), False, span))
    return acc


def _check_real(kind: str, dtype: ScalarType, span: Span) -> None:
    if dtype.is_complex:
        raise TranslationError.at(span, f"np.{kind}() of a complex array is not supported in kernels")


def _parallel_extreme(kind: str, value: ir.Expr, dtype: ScalarType, inner: tuple[ir.Stmt, ...], bounds: Bounds,
                      scope: KernelScope, span: Span) -> ir.Expr:
    """`np.max` / `np.min` outside any `prange`: an OpenMP `max`/`min` reduction from the type's
    identity, plus a count of NaNs that makes the result NaN, as in NumPy. An empty operand (NumPy
    raises) gives the identity."""
    _check_real(kind, dtype, span)
    acc = ir.Name(scope.fresh_temp(kind), span)
    scope.prelude.append(local_assign(acc, ir.Cast(ir.Const(_identity(kind, dtype), span), span, dtype), scope))
    body: list[ir.Stmt] = [*inner, local_assign(acc, ir.Call(kind, (acc, value), span), scope)]
    if not dtype.is_float:
        scope.prelude.append(loop_nest(bounds, tuple(body), True, span))
        return acc
    nans = ir.Name(scope.fresh_temp("nans"), span)
    scope.prelude.append(local_assign(nans, ir.Cast(ir.Const(0, span), span, I64), scope))
    body.append(ir.Assign(nans, ir.Binary("+", nans, ir.Cast(ir.Call("numpy.isnan", (value,), span), span, I64),
                                          span), span))
    scope.prelude.append(loop_nest(bounds, tuple(body), True, span))
    has_nan = ir.Compare(">", nans, ir.Const(0, span), span)
    scope.prelude.append(local_assign(acc, ir.Select(has_nan, ir.Const(float("nan"), span), acc, span), scope))
    return acc


def dot(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.dot(a, b)` / `a @ b` of 1-D and 2-D operands: the sum of products in the promoted type,
    over the contracted axis (the left operand's last; NumPy raises when the lengths differ). The
    array tier computes it when it takes it (`tier_product`)."""
    tier = tier_product(node, scope)  # type: ignore[arg-type]
    if tier is not None:
        return tier
    if len(args) != 2:
        raise scope.module.error(node, "np.dot() in a kernel takes two arrays or slices")
    if not matmul_shape(shape_of(args[0], scope), shape_of(args[1], scope)):
        with outside_element(scope):
            return _product_sum(node, args, scope)
    return _product_sum(node, args, scope)


def _product_sum(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    left, right = (shape_of(a, scope) for a in args)
    if not 1 <= len(left) <= 2 or not 1 <= len(right) <= 2:
        raise scope.module.error(node, "np.dot() and `@` in a kernel take 1-D or 2-D arrays or slices")
    rank = len(matmul_shape(left, right))
    if rank and scope.elements is None:
        raise scope.module.error(node, "this product makes an array: assign it into an array or to a new name")
    span = scope.module.span(node)
    outer = aligned(scope.elements, rank, node, scope) if scope.elements is not None and rank else ()
    k = ir.Name(scope.fresh_loop_var("k"), span)
    at_k = Offset(k, None, 0)
    if scope.elements is not None and rank:
        check_lengths(scope.elements, matmul_shape(left, right), node, scope)
    inner_left, a = _element(args[0], [at_k] if len(left) == 1 else [outer[0], at_k], left, scope)
    contracted = right[:1] if len(right) == 1 else (left[-1], right[-1])
    inner_right, b = _element(args[1], [at_k] if len(right) == 1 else [at_k, outer[-1]], contracted, scope)
    acc = ir.Name(scope.fresh_temp("dot"), span)
    scope.prelude.append(local_assign(acc, ir.Const(0, span), scope))
    add = local_assign(acc, ir.Binary("+", acc, ir.Binary("*", a, b, span), span), scope)
    parallel = not rank and scope.elements is None and not scope.in_prange
    scope.prelude.append(loop_nest([(k.id, ir.Const(0, span), left[-1])], (*inner_left, *inner_right, add), parallel,
                               span))
    return acc


def _identity(kind: str, dtype: ScalarType) -> int | float | bool:
    """The value every element beats: -inf / +inf for floats, the integer type's bounds."""
    if dtype.is_bool:
        return kind == "min"
    if dtype.is_float:
        return float("-inf") if kind == "max" else float("inf")
    info = np.iinfo(dtype.numpy_name)
    return int(info.min) if kind == "max" else int(info.max)


def _all(conditions: list[ir.Expr], span: Span) -> ir.Expr:
    result = conditions[0]
    for condition in conditions[1:]:
        result = ir.Logical("and", result, condition, span)
    return result


def _product(factors: list[ir.Expr], span: Span) -> ir.Expr:
    result = factors[0]
    for factor in factors[1:]:
        result = ir.Binary("*", result, factor, span)
    return result


CALLS.update({"numpy.sum": _reduction("sum"), "numpy.max": _reduction("max"), "numpy.min": _reduction("min"),
              "numpy.amax": _reduction("max"), "numpy.amin": _reduction("min"), "numpy.mean": _reduction("mean"),
              "numpy.var": _reduction("var"), "numpy.std": _reduction("std"),
              "numpy.count_nonzero": _reduction("count_nonzero"),
              "numpy.dot": dot,
              **dict.fromkeys(("numpy.prod", "numpy.any", "numpy.all", "numpy.argmax", "numpy.argmin", "numpy.average",
                               "numpy.linalg.norm"), _tier_only),
              **dict.fromkeys((name for name in PRODUCTS if name != "numpy.dot"), _product_only)})
METHODS.update({**dict.fromkeys(REDUCTION_METHODS, _tier_only), "dot": _product_only})
KEYWORDS_TAKEN.update(f"a.{method}" for method in REDUCTION_METHODS)
