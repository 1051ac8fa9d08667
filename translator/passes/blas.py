"""Matrix products handed to a vendor BLAS (cuBLAS) where one is found at run time (issue 12).

A whole-array statement outside any `prange` whose value is a matrix product, scaled, plus the
scaled target, `C[...] = alpha * op(A) @ op(B) + beta * C` (2-D x 2-D: gemm) or `y[...] = alpha *
op(A) @ x + beta * y` (2-D x 1-D and 1-D x 2-D: gemv), becomes an `ir.LibraryCall` that keeps the
statement as its `body`: `lower_arrays` lowers that body as it lowers any statement, and the C runs
those loops when no library is loaded. Any part of the form may be missing (`C[:] = A @ B`,
`y[:] += A.T @ x`). `op` is the transpose a `.T` view gives; offsets and leading dimensions come
from the views' slices (step 1); `f32` and `f64` only, every operation of the statement in the
target's dtype (then NumPy's rounding differs from the library's only by the order of the sums, as
NumPy's own matmul does).

Not taken (the loops stay, silently: this is an optimization, never a change of meaning): integer
and complex products, a product inside a `prange`, stepped or fixed-index views, arrays of other
ranks, a target the value reads elsewhere than at the element, scalars that read arrays (the host
would read device memory), and a statement whose lengths only the running kernel can check.
"""

from __future__ import annotations

import dataclasses

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import as_index, same
from translator.ir.types import BOOL, I64, ArrayType, ScalarType, type_of
from translator.ir.visit import StmtTransformer, is_expr, walk
from translator.targets import Target

_Term = tuple[ir.Expr, ...]
"""The scalar factors of one term of a sum, and its one array factor last."""


def library_calls(kernel: ir.Kernel, target: Target) -> ir.Kernel:
    """`kernel` with its matrix products wrapped in `LibraryCall`s where `target` has a vendor BLAS."""
    if target.blas is None or kernel.device is not None:  # the library's handle lives on the default device
        return kernel
    return dataclasses.replace(kernel, body=_Products(kernel, target.blas).block(kernel.body))


@dataclasses.dataclass(frozen=True)
class _Products(StmtTransformer):
    """Host statements: array statements there may be products; `prange` bodies are left alone."""

    kernel: ir.Kernel
    library: str

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        return stmt if stmt.parallel else self.descend(stmt)

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign) -> ir.Stmt:
        return _library_call(stmt, self.kernel, self.library) or stmt

    visit_If = visit_While = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = StmtTransformer.keep
    visit_Temporary = visit_Break = visit_Continue = visit_Return = StmtTransformer.keep


def _library_call(stmt: ir.ArrayAssign, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """The call computing `stmt`, or None when it is not a product the library computes as NumPy does."""
    target, dtype, span = stmt.target, type_of(stmt.target).strong(), stmt.span
    if stmt.where is not None or not dtype.is_float or dtype.is_complex or dtype.bits not in (32, 64) or \
            not _in_dtype(stmt.value, dtype):
        return None
    terms = _terms(stmt.value)
    products = [t for t in terms if isinstance(t[-1], ir.ArrayReduce)]
    rest = [t for t in terms if not isinstance(t[-1], ir.ArrayReduce)]
    if len(products) != 1 or len(rest) > 1 or any(not same(t[-1], target) for t in rest) or _swapped(target):
        return None
    product = products[0][-1]
    assert isinstance(product, ir.ArrayReduce)
    factors = _operands(product)
    if factors is None:
        return None
    (left, left_scale), (right, right_scale) = factors
    form = _form(product, left, right, target.rank)
    if form is None or target.array in (left.array, right.array):
        return None
    routine, sizes, transposed, operands = form
    layouts = [_layout(view, kernel) for view in (*operands, target)]
    scalars = (*products[0][:-1], *left_scale, *right_scale, *(rest[0][:-1] if rest else ()))
    if any(layout is None for layout in layouts) or not all(_host_scalar(s) for s in scalars):
        return None
    alpha = _product(dtype, (*products[0][:-1], *left_scale, *right_scale), span)
    beta = _product(dtype, rest[0][:-1], span) if rest else ir.Const(0.0, span, dtype)
    read = (alpha, beta) if rest else (alpha,)
    if any(isinstance(s, ir.Const) and s.value == 0 for s in read):
        return None
    return ir.LibraryCall(
        library, routine, dtype, tuple(ir.ArrayArg(v.array, v.span, dtype) for v in (*operands, target)),
        tuple(layout[0] for layout in layouts if layout), tuple(layout[1] for layout in layouts if layout),
        transposed, sizes, alpha, beta, _when(dtype, read, span), (stmt,), (), span)


def _in_dtype(value: ir.Expr, dtype: ScalarType) -> bool:
    """Whether every array operation of the value is computed in `dtype` (scalars may be weaker:
    NumPy converts them first, as the library's alpha and beta are)."""
    return all(type_of(n).strong() == dtype for n in walk(value)
               if is_expr(n) and any(isinstance(m, (ir.View, ir.ArrayReduce)) for m in walk(n)))


def _host_scalar(expr: ir.Expr) -> bool:
    """Whether the host can evaluate `expr` before the call: it reads no array element (the arrays
    may live on the device) and calls no device function."""
    return not any(isinstance(n, (ir.Index, ir.View, ir.ArrayReduce, ir.CallFunction, ir.ArrayArg)) for n in walk(expr))


def _terms(value: ir.Expr) -> list[_Term]:
    """The terms of a sum (`a + b - c`), each split into its factors; a subtracted term gets the
    factor -1 (negation is exact, so `C - A @ B` is `-1 * A @ B + C` to the last bit)."""
    if isinstance(value, ir.Binary) and value.op in ("+", "-"):
        right = _terms(value.right)
        if value.op == "-":
            minus = ir.Const(-1.0, value.span, type_of(value).strong())
            right = [(minus, *term) for term in right]
        return _terms(value.left) + right
    factors = _factors(value)
    return [factors] if factors is not None else [(value, value)]  # an unknown term matches nothing


def _factors(value: ir.Expr) -> _Term | None:
    """The scalar factors of a product of scalars and one array value (a view or a reduction), the
    array value last; None for anything else."""
    if isinstance(value, (ir.View, ir.ArrayReduce)):
        return (value,)
    if not (isinstance(value, ir.Binary) and value.op == "*"):
        return None
    for array, scalar in ((value.left, value.right), (value.right, value.left)):
        inner = _factors(array)
        if inner is not None and not any(isinstance(n, (ir.View, ir.ArrayReduce)) for n in walk(scalar)):
            return (scalar, *inner)
    return None


def _operands(product: ir.ArrayReduce) -> tuple[tuple[ir.View, _Term], tuple[ir.View, _Term]] | None:
    """The two views a `dot` multiplies and the scalar factors of each, or None."""
    if product.op != "dot" or product.keepdims or not isinstance(product.operand, ir.Binary) or \
            product.operand.op != "*":
        return None
    sides = [_factors(side) for side in (product.operand.left, product.operand.right)]
    if any(s is None or not isinstance(s[-1], ir.View) for s in sides):
        return None
    (*left_scale, left), (*right_scale, right) = sides  # type: ignore[misc]
    return (left, tuple(left_scale)), (right, tuple(right_scale))


def _form(product: ir.ArrayReduce, left: ir.View, right: ir.View, rank: int
          ) -> tuple[str, tuple[ir.Expr, ir.Expr, ir.Expr], tuple[bool, bool], tuple[ir.View, ir.View]] | None:
    """The routine, (m, n, k), the transposes and the operands in the routine's order (A, B or A, x)
    of `frontend/products.py`'s forms: `A[:, :, None] * B` over axis 1 (gemm), `A * x` over axis 1
    and `x[:, None] * A` over axis 0 (gemv)."""
    real = [tuple(a for a in v.axes if a.dim is not None) for v in (left, right)]
    key = (len(real[0]), len(real[1]), len(left.axes) - len(real[0]), len(right.axes), product.axes, rank)
    one = ir.Const(1, product.span, I64)
    if key == (2, 2, 1, 2, (1,), 2) and left.axes[2].dim is None:
        sizes = (_length(real[0][0]), _length(real[1][1]), _length(real[0][1]))
        return "gemm", sizes, (_swapped(left), _swapped(right)), (left, right)
    if key == (2, 1, 0, 1, (1,), 1):
        return "gemv", (_length(real[0][0]), one, _length(real[0][1])), (_swapped(left), False), (left, right)
    if key == (1, 2, 1, 2, (0,), 1) and left.axes[1].dim is None:
        return "gemv", (_length(real[1][1]), one, _length(real[1][0])), (not _swapped(right), False), (right, left)
    return None


def _swapped(view: ir.View) -> bool:
    """Whether a matrix view reads its array transposed (`A.T`)."""
    dims = [a.dim for a in view.axes if a.dim is not None]
    return dims == sorted(dims, reverse=True) and len(dims) == 2


def _length(axis: ir.ViewAxis) -> ir.Expr:
    return as_index(axis.length(axis.lo.span))


def _layout(view: ir.View, kernel: ir.Kernel) -> tuple[ir.Expr, ir.Expr] | None:
    """The view's first element and its row stride (a vector's step), in elements, for a whole
    matrix or vector parameter sliced with step 1; None for any other view."""
    param = kernel.param(view.array)
    if param is None or not isinstance(param.type, ArrayType) or param.type.rank != len(view.fixed) or \
            param.type.rank not in (1, 2) or any(f is not None for f in view.fixed) or \
            any(a.step != 1 for a in view.axes if a.dim is not None):
        return None
    span = view.span
    lo = {a.dim: a.lo for a in view.axes if a.dim is not None}
    if param.type.rank == 1:
        return as_index(lo[0]), ir.Const(1, span, I64)
    row = ir.Extent(view.array, 1, span, I64)
    parts: list[ir.Expr] = []
    if not _zero(lo[0]):
        parts.append(ir.Binary("*", lo[0], row, span))
    if not _zero(lo[1]):
        parts.append(lo[1])
    offset = ir.Binary("+", parts[0], parts[1], span) if len(parts) == 2 else parts[0] if parts else ir.Const(0, span)
    return as_index(offset), row


def _zero(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.value == 0


def _product(dtype: ScalarType, factors: _Term, span: Span) -> ir.Expr:
    """The product of the scalar factors in `dtype` (1 for none), as the library takes alpha and beta."""
    value: ir.Expr | None = None
    for factor in factors:
        converted = factor if type_of(factor).strong() == dtype else ir.Cast(factor, span, dtype)
        value = converted if value is None else ir.Binary("*", value, converted, span, dtype)
    return value if value is not None else ir.Const(1.0, span, dtype)


def _when(dtype: ScalarType, scalars: tuple[ir.Expr, ...], span: Span) -> ir.Expr:
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
