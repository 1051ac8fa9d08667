"""The matching and building helpers the two vendor-BLAS passes share (`passes/blas.py`, the
whole-array and `prange` forms; `passes/blas_loops.py`, the triangular and in-place loop forms).

A form is matched by taking a statement's value apart into terms and factors (`sum_terms`,
`term_factors`, `product_operands`), checking the conditions under which the library computes what
NumPy does (`computed_in`, `is_blas_float`, `host_scalar`, `loop_invariant_scalars`), and building
the call's arguments from the views and loops (`view_layout`, `element_layout`, `element_offset`,
`trip_count`, `axis_length`) and the call itself (`loop_call`, with `scalar_product` for alpha and
beta and `nonzero_scalars` for its `when`). Every helper is pure and answers None (or False) where
the form does not match exactly, so a pass declines the form silently.
"""

from __future__ import annotations

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import as_index, same
from translator.ir.types import BOOL, I64, ArrayType, ScalarType, type_of
from translator.ir.visit import is_expr, walk

Term = tuple[ir.Expr, ...]
"""The scalar factors of one term of a sum, and its one array factor last."""


def sum_terms(value: ir.Expr) -> list[Term]:
    """The terms of a sum (`a + b - c`), each split into its factors; a subtracted term gets the
    factor -1 (negation is exact, so `C - A @ B` is `-1 * A @ B + C` to the last bit)."""
    if isinstance(value, ir.Binary) and value.op in ("+", "-"):
        right = sum_terms(value.right)
        if value.op == "-":
            minus = ir.Const(-1.0, value.span, type_of(value).strong())
            right = [(minus, *term) for term in right]
        return sum_terms(value.left) + right
    factors = term_factors(value)
    return [factors] if factors is not None else [(value, value)]  # an unknown term matches nothing


def term_factors(value: ir.Expr) -> Term | None:
    """The scalar factors of a product of scalars and one array value (a view, a reduction, or the
    element a prange iteration assigns), the array value last; None for anything else."""
    if isinstance(value, (ir.View, ir.ArrayReduce, ir.Index)):
        return (value,)
    if not (isinstance(value, ir.Binary) and value.op == "*"):
        return None
    for array, scalar in ((value.left, value.right), (value.right, value.left)):
        inner = term_factors(array)
        if inner is not None and not any(isinstance(n, (ir.View, ir.ArrayReduce)) for n in walk(scalar)):
            return (scalar, *inner)
    return None


def scalar_factors(expr: ir.Expr) -> Term:
    """A product of scalars as its factors (`alpha * A[i, k]`)."""
    if isinstance(expr, ir.Binary) and expr.op == "*":
        return (*scalar_factors(expr.left), *scalar_factors(expr.right))
    return (expr,)


def scaling_of(stmt: ir.Stmt, target: ir.View | ir.Index) -> Term | None:
    """The scales of `C[i, :] = beta * C[i, :]` (or of one element, `B[i, j] *= alpha`) for this
    target; None for another statement."""
    if not isinstance(stmt, (ir.ArrayAssign, ir.Assign)) or isinstance(stmt, ir.ArrayAssign) and \
            stmt.where is not None or not same(stmt.target, target):
        return None
    factors = term_factors(stmt.value)
    return factors[:-1] if factors is not None and same(factors[-1], target) and len(factors) > 1 else None


def product_operands(product: ir.ArrayReduce) -> tuple[tuple[ir.View, Term], tuple[ir.View, Term]] | None:
    """The two views a `dot` multiplies and the scalar factors of each, or None."""
    if product.op != "dot" or product.keepdims or not isinstance(product.operand, ir.Binary) or \
            product.operand.op != "*":
        return None
    left, right = term_factors(product.operand.left), term_factors(product.operand.right)
    if left is None or right is None or not isinstance(left[-1], ir.View) or not isinstance(right[-1], ir.View) or \
            any(axis.diagonal for view in (left[-1], right[-1]) for axis in view.axes):
        return None
    return (left[-1], left[:-1]), (right[-1], right[:-1])


def computed_in(value: ir.Expr, dtype: ScalarType) -> bool:
    """Whether every array operation of the value is computed in `dtype` (scalars may be weaker:
    NumPy converts them first, as the library's alpha and beta are)."""
    return all(type_of(n).strong() == dtype for n in walk(value)
               if is_expr(n) and any(isinstance(m, (ir.View, ir.ArrayReduce)) for m in walk(n)))


def is_blas_float(dtype: ScalarType) -> bool:
    return dtype.is_float and not dtype.is_complex and dtype.bits in (32, 64)


def host_scalar(expr: ir.Expr) -> bool:
    """Whether the host can evaluate `expr` before the call: it reads no array element (the arrays
    may live on the device) and calls no device function."""
    return not any(isinstance(n, (ir.Index, ir.View, ir.ArrayReduce, ir.CallFunction, ir.ArrayArg)) for n in walk(expr))


def reads_any(expr: ir.Expr, variables: set[str]) -> bool:
    return any(isinstance(n, ir.Name) and n.id in variables for n in walk(expr))


def loop_invariant_scalars(scalars: Term, loop_vars: set[str]) -> bool:
    return all(host_scalar(s) and not reads_any(s, loop_vars) for s in scalars)


def is_var(expr: ir.Expr, var: str) -> bool:
    return isinstance(expr, ir.Name) and expr.id == var


def is_zero(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.value == 0


def index_one(span: Span) -> ir.Expr:
    return ir.Const(1, span, I64)


def is_transposed(view: ir.View) -> bool:
    """Whether a matrix view reads its array transposed (`A.T`)."""
    dims = [a.dim for a in view.axes if a.dim is not None]
    return dims == sorted(dims, reverse=True) and len(dims) == 2


def axis_length(axis: ir.ViewAxis) -> ir.Expr:
    return as_index(axis.length(axis.lo.span))


def trip_count(start: ir.Expr, stop: ir.Expr) -> ir.Expr:
    """`stop - start` (`stop` from 0)."""
    return stop if is_zero(start) else as_index(ir.Binary("-", stop, start, stop.span))


def element_offset(row_index: ir.Expr, col_index: ir.Expr, row: ir.Expr) -> ir.Expr:
    """`row_index * row + col_index`, the offset of an element of a matrix with row stride `row`
    (parts that are 0 left out, so the C reads as a person would write it)."""
    span = row.span
    parts = ([] if is_zero(row_index) else [ir.Binary("*", row_index, row, span)]) + \
        ([] if is_zero(col_index) else [col_index])
    offset = ir.Binary("+", parts[0], parts[1], span) if len(parts) == 2 else parts[0] if parts else ir.Const(0, span)
    return as_index(offset)


def param_rank(kernel: ir.Kernel, array: str) -> int | None:
    """The rank of the array parameter `array`; None for a local array or a scalar (the library is
    given the parameters' memory, whose layout the call knows from their extents)."""
    param = kernel.param(array)
    return param.type.rank if param is not None and isinstance(param.type, ArrayType) else None


def view_layout(view: ir.View, kernel: ir.Kernel) -> tuple[ir.Expr, ir.Expr] | None:
    """The view's first element and its row stride (a vector's step), in elements, for a whole
    matrix or vector parameter sliced with step 1; None for any other view."""
    rank = param_rank(kernel, view.array)
    if rank is None or rank != len(view.fixed) or rank not in (1, 2) or any(f is not None for f in view.fixed) or \
            any(a.step != 1 for a in view.axes if a.dim is not None):
        return None
    span = view.span
    lo = {a.dim: a.lo for a in view.axes if a.dim is not None}
    if rank == 1:
        return as_index(lo[0]), index_one(span)
    row = ir.Extent(view.array, 1, span, I64)
    return element_offset(lo[0], lo[1], row), row


def element_layout(element: ir.Index, kernel: ir.Kernel, rows: tuple[str, ir.Expr], inner: tuple[str, ir.Expr]
                   ) -> tuple[ir.Expr, ir.Expr, bool] | None:
    """`A[i, k]` (op N) or `A[k, i]` (op T) of a matrix parameter: its first element, row stride and transpose."""
    if param_rank(kernel, element.array) != 2:
        return None
    names = [rows[0], inner[0]]
    for transposed, order in ((False, names), (True, names[::-1])):
        if all(is_var(index, var) for index, var in zip(element.indices, order)):
            first = (rows[1], inner[1]) if not transposed else (inner[1], rows[1])
            row = ir.Extent(element.array, 1, element.span, I64)
            return element_offset(*first, row), row, transposed
    return None


def scalar_product(dtype: ScalarType, factors: Term, span: Span) -> ir.Expr:
    """The product of the scalar factors in `dtype` (1 for none), as the library takes alpha and beta."""
    value: ir.Expr | None = None
    for factor in factors:
        converted = factor if type_of(factor).strong() == dtype else ir.Cast(factor, span, dtype)
        value = converted if value is None else ir.Binary("*", value, converted, span, dtype)
    return value if value is not None else ir.Const(1.0, span, dtype)


def nonzero_scalars(dtype: ScalarType, scalars: tuple[ir.Expr, ...], span: Span) -> ir.Expr:
    """That none of `scalars` (alpha, and beta where the statement reads the target) is 0: where the
    library skips a term, NumPy still propagates its NaN and infinities, so the loops run instead.
    True when they are nonzero constants."""
    cond: ir.Expr = ir.Const(True, span, BOOL)
    for scalar in scalars:
        if isinstance(scalar, ir.Const):
            continue
        test = ir.Compare("!=", scalar, ir.Const(0.0, span, dtype), span, BOOL)
        cond = test if isinstance(cond, ir.Const) else ir.Logical("and", cond, test, span, BOOL)
    return cond


def loop_call(library: str, routine: str, dtype: ScalarType, arrays: tuple[str, str, str], offsets: tuple[ir.Expr, ...],
          strides: tuple[ir.Expr, ...], transposed: tuple[bool, bool], sizes: tuple[ir.Expr, ir.Expr, ir.Expr],
          scalars: Term, beta_scales: Term | None, loop: ir.Loop, beta_one: bool = False) -> ir.LibraryCall | None:
    """The call of a loop form, its loop kept as the fallback; None where alpha or beta is a zero constant."""
    span = loop.span
    alpha = scalar_product(dtype, scalars, span)
    beta = scalar_product(dtype, beta_scales, span) if beta_scales is not None else ir.Const(
        1.0 if beta_one else 0.0, span, dtype)
    read = (alpha, beta) if beta_scales is not None or beta_one else (alpha,)
    if any(isinstance(s, ir.Const) and s.value == 0 for s in read):
        return None
    operands = tuple(ir.ArrayArg(a, span, dtype) for a in arrays)
    return ir.LibraryCall(library, routine, dtype, operands, offsets, strides, transposed, sizes, alpha, beta,
                          nonzero_scalars(dtype, read, span), (loop,), (), span)
