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

Two loop forms are products too (NPBench writes them so): a `prange` whose statements are each an
element of a matrix-vector product, `y[i] = alpha * (A[i, :] @ x) + beta * y[i]` (or `A[:, i]`: the
transpose; several such statements become one call each), and the row-by-row GEMM, `for i in prange(m): C[i, :] *= beta; for k in range(K): C[i,
:] += alpha * A[i, k] * B[k, :]`. Their loops stay as the fallback too; the preconditions of their
indices (`passes.bounds`) are checked before the call, so the library reads only what the loops would.

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

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """Each statement rebuilt; a `prange` of several matrix-vector products becomes one call each."""
        out: list[ir.Stmt] = []
        for stmt in stmts:
            calls = _split_gemvs(stmt, self.kernel, self.library) if isinstance(stmt, ir.Loop) else \
                self.summed(stmt) if isinstance(stmt, ir.ArrayAssign) else None
            out += calls if calls else [self.visit(stmt)]
        return tuple(out)

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        if not stmt.parallel:
            return self.descend(stmt)
        return _prange_gemv(stmt, self.kernel, self.library) or _prange_gemm(stmt, self.kernel, self.library) or stmt

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign) -> ir.Stmt:
        return _library_call(stmt, self.kernel, self.library) or stmt

    def summed(self, stmt: ir.ArrayAssign) -> list[ir.Stmt] | None:
        """A sum of several products as one call each (`_summed_products`), or None."""
        if _library_call(stmt, self.kernel, self.library) is not None:
            return None
        pieces = _summed_products(stmt)
        calls = [_library_call(piece, self.kernel, self.library) for piece in pieces]
        return [c for c in calls if c is not None] if pieces and all(calls) else None

    visit_If = visit_While = StmtTransformer.descend
    visit_Assign = visit_Scatter = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = StmtTransformer.keep
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


def _summed_products(stmt: ir.ArrayAssign) -> list[ir.ArrayAssign]:
    """`y[:] = alpha * A @ x + beta * B @ x (+ gamma * y)` (gesummv) as `y[:] = alpha * A @ x (+ gamma *
    y)` and then `y[:] = y + beta * B @ x` for each further product: the same value, summed in
    NumPy's order (up to the place of the target's term), when no product reads the target
    (`_library_call` declines the pieces where one does, and then the statement stays whole). The
    first product is added, or the target's term is (`y - A @ x - B @ x` stays whole: the first
    piece would need a negation). Empty for any other statement."""
    if stmt.where is not None:
        return []
    signed = _signed_terms(stmt.value, "+")
    products = [(op, term) for op, term in signed if any(isinstance(n, ir.ArrayReduce) for n in walk(term))]
    rest = [(op, term) for op, term in signed if (op, term) not in products]
    if len(products) < 2 or len(rest) > 1:
        return []
    (op, first), span, kind = products[0], stmt.span, type_of(stmt.value)
    if rest and rest[0][0] == "+":
        first = ir.Binary(op, rest[0][1], first, span, kind)
    elif op != "+":
        return []
    elif rest:
        first = ir.Binary("-", first, rest[0][1], span, kind)
    pieces = [dataclasses.replace(stmt, value=first)]
    for op, term in products[1:]:
        pieces.append(dataclasses.replace(stmt, value=ir.Binary(op, stmt.target, term, span, kind)))
    return pieces


def _signed_terms(value: ir.Expr, op: str) -> list[tuple[str, ir.Expr]]:
    """The terms of a sum with the operation each is added with (`a - (b - c)`: `+a`, `-b`, `+c`)."""
    if isinstance(value, ir.Binary) and value.op in ("+", "-"):
        flip = {"+": "-", "-": "+"}
        return _signed_terms(value.left, op) + _signed_terms(value.right, op if value.op == "+" else flip[op])
    return [(op, value)]


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
    """The scalar factors of a product of scalars and one array value (a view, a reduction, or the
    element a prange iteration assigns), the array value last; None for anything else."""
    if isinstance(value, (ir.View, ir.ArrayReduce, ir.Index)):
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
    left, right = _factors(product.operand.left), _factors(product.operand.right)
    if left is None or right is None or not isinstance(left[-1], ir.View) or not isinstance(right[-1], ir.View) or \
            any(axis.diagonal for view in (left[-1], right[-1]) for axis in view.axes):
        return None
    return (left[-1], left[:-1]), (right[-1], right[:-1])


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
        return as_index(lo[0]), _one(span)
    row = ir.Extent(view.array, 1, span, I64)
    return _first(lo[0], lo[1], row), row


def _first(row_index: ir.Expr, col_index: ir.Expr, row: ir.Expr) -> ir.Expr:
    """`row_index * row + col_index`, the offset of an element of a matrix with row stride `row`
    (parts that are 0 left out, so the C reads as a person would write it)."""
    span = row.span
    parts = ([] if _zero(row_index) else [ir.Binary("*", row_index, row, span)]) + \
        ([] if _zero(col_index) else [col_index])
    offset = ir.Binary("+", parts[0], parts[1], span) if len(parts) == 2 else parts[0] if parts else ir.Const(0, span)
    return as_index(offset)


def _trip(start: ir.Expr, stop: ir.Expr) -> ir.Expr:
    """`stop - start` (`stop` from 0)."""
    return stop if _zero(start) else as_index(ir.Binary("-", stop, start, stop.span))


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


def _prange_gemv(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """`for i in prange(start, stop): y[i] = alpha * (A[i, :] @ x) + beta * y[i]` (`A[:, i]`: op T)."""
    only = loop.body[0] if len(loop.body) == 1 else None
    if loop.step != 1 or not isinstance(only, ir.Assign) or not isinstance(only.target, ir.Index):
        return None
    target, i, span = only.target, loop.var, loop.span
    dtype = type_of(target).strong()
    if not (_float(dtype) and _vector(target.array, kernel) and _is_var(target.indices[0], i)):
        return None
    parts = _product_terms(only.value, target)
    if parts is None or not _in_dtype(only.value, dtype) or type_of(only.value).strong() != dtype:
        return None
    product, scales, beta_scales = parts
    sides = _operands(product) if isinstance(product, ir.ArrayReduce) and product.axes == (0,) else None
    if sides is None:
        return None
    (row, left_scale), (vector, right_scale) = sides
    if _moving_dim(vector, i) is not None:
        row, vector = vector, row
    moving = _moving_dim(row, i)
    layout, vector_layout = _slice_layout(row, kernel, (i, loop.start)), _layout(vector, kernel)
    scalars = (*scales, *left_scale, *right_scale)
    if moving is None or layout is None or vector_layout is None or vector.rank != 1 or _reads(vector, {i}) or \
            target.array in (row.array, vector.array) or not _scalars_ok((*scalars, *(beta_scales or ())), {i}):
        return None
    trip = _trip(loop.start, loop.stop)
    return _call(library, "gemv", dtype, (row.array, vector.array, target.array),
                 (layout[0], vector_layout[0], as_index(loop.start)), (layout[1], vector_layout[1], _one(span)),
                 (moving == 1, False), (trip, _one(span), _length(row.axes[0])), scalars, beta_scales, loop)


def _split_gemvs(loop: ir.Loop, kernel: ir.Kernel, library: str) -> list[ir.LibraryCall] | None:
    """`for i in prange(n): x1[i] += A[i, :] @ y1; x2[i] += A[:, i] @ y2` (mvt) as one call per
    statement, each with a loop of its statement as the fallback: the statements may run one after
    another since none reads an array another writes (each writes its own element of its own target)."""
    if not loop.parallel or len(loop.body) < 2 or not all(isinstance(s, ir.Assign) for s in loop.body):
        return None
    calls = [_prange_gemv(dataclasses.replace(loop, body=(stmt,)), kernel, library) for stmt in loop.body]
    written = [c.operands[2].array for c in calls if c is not None]
    read = {a.array for c in calls if c is not None for a in c.operands[:2]}
    if any(c is None for c in calls) or len(set(written)) != len(written) or read & set(written):
        return None
    return [c for c in calls if c is not None]


def _prange_gemm(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """`for i in prange(...): C[i, :] *= beta; for k in range(...): C[i, :] += alpha * A[i, k] * B[k, :]`
    (the scaling may be absent; `A[k, i]` and `B[:, k]` read transposed)."""
    *scaling, inner = loop.body if loop.body else (None,)
    if loop.step != 1 or len(scaling) > 1 or not isinstance(inner, ir.Loop) or inner.parallel or inner.step != 1 or \
            len(inner.body) != 1 or not isinstance(update := inner.body[0], ir.ArrayAssign):
        return None
    i, k, target, dtype = loop.var, inner.var, update.target, type_of(update.target).strong()
    beta_scales = _scaling(scaling[0], target) if scaling else ()
    parts = _product_terms(update.value, target, product=False)
    if beta_scales is None or parts is None or parts[2] != () or not _float(dtype) or _moving_dim(target, i) != 0 or \
            not _in_dtype(update.value, dtype) or _slice_layout(target, kernel, (i, loop.start)) is None:
        return None
    b_view = parts[0]
    element = [s for s in parts[1] if isinstance(s, ir.Index)]
    scalars = tuple(s for s in parts[1] if not isinstance(s, ir.Index))
    if not isinstance(b_view, ir.View) or len(element) != 1 or not _scalars_ok((*scalars, *beta_scales), {i, k}) or \
            _reads(b_view, {i}) or _reads(inner.start, {i}) or _reads(inner.stop, {i}):  # no triangle (syrk)
        return None
    a, b_dim = element[0], _moving_dim(b_view, k)
    a_layout = _element_layout(a, kernel, (i, loop.start), (k, inner.start))
    b_layout = _slice_layout(b_view, kernel, (k, inner.start))
    c_layout = _slice_layout(target, kernel, (i, loop.start))
    if a_layout is None or b_layout is None or c_layout is None or b_dim is None or \
            target.array in (a.array, b_view.array) or type_of(a).strong() != dtype:
        return None
    span = loop.span
    sizes = (_trip(loop.start, loop.stop), _length(target.axes[0]), _trip(inner.start, inner.stop))
    return _call(library, "gemm", dtype, (a.array, b_view.array, target.array), (a_layout[0], b_layout[0], c_layout[0]),
                 (a_layout[1], b_layout[1], c_layout[1]), (a_layout[2], b_dim == 1), sizes, scalars,
                 beta_scales or None, loop, beta_one=not scaling)


def _product_terms(value: ir.Expr, target: ir.Expr, product: bool = True
                   ) -> tuple[ir.Expr, _Term, _Term | None] | None:
    """`value` as `scales * P + beta_scales * target` (the second term may be absent: None): P, its
    scales, beta's. `product`: P is a reduction; else the one term other than the target, which
    `_prange_gemm` takes apart."""
    terms = _terms(value)
    rest = [t for t in terms if same(t[-1], target)]
    main = [t for t in terms if not same(t[-1], target)]
    if len(main) != 1 or len(rest) > 1 or product != isinstance(main[0][-1], ir.ArrayReduce):
        return None
    scales = main[0][:-1]
    if not product:
        flat = tuple(f for s in scales for f in _scalar_factors(s))
        return main[0][-1], flat, rest[0][:-1] if rest else None
    return main[0][-1], scales, rest[0][:-1] if rest else None


def _scalar_factors(expr: ir.Expr) -> _Term:
    """A product of scalars as its factors (`alpha * A[i, k]`)."""
    if isinstance(expr, ir.Binary) and expr.op == "*":
        return (*_scalar_factors(expr.left), *_scalar_factors(expr.right))
    return (expr,)


def _scaling(stmt: ir.Stmt, target: ir.View) -> _Term | None:
    """The scales of `C[i, :] = beta * C[i, :]` for this target; None for another statement."""
    if not isinstance(stmt, ir.ArrayAssign) or stmt.where is not None or not same(stmt.target, target):
        return None
    factors = _factors(stmt.value)
    return factors[:-1] if factors is not None and same(factors[-1], target) and len(factors) > 1 else None


def _call(library: str, routine: str, dtype: ScalarType, arrays: tuple[str, str, str], offsets: tuple[ir.Expr, ...],
          strides: tuple[ir.Expr, ...], transposed: tuple[bool, bool], sizes: tuple[ir.Expr, ir.Expr, ir.Expr],
          scalars: _Term, beta_scales: _Term | None, loop: ir.Loop, beta_one: bool = False) -> ir.LibraryCall | None:
    """The call of a loop form, its loop kept as the fallback; None where alpha or beta is a zero constant."""
    span = loop.span
    alpha = _product(dtype, scalars, span)
    beta = _product(dtype, beta_scales, span) if beta_scales is not None else ir.Const(
        1.0 if beta_one else 0.0, span, dtype)
    read = (alpha, beta) if beta_scales is not None or beta_one else (alpha,)
    if any(isinstance(s, ir.Const) and s.value == 0 for s in read):
        return None
    operands = tuple(ir.ArrayArg(a, span, dtype) for a in arrays)
    return ir.LibraryCall(library, routine, dtype, operands, offsets, strides, transposed, sizes, alpha, beta,
                          _when(dtype, read, span), (loop,), (), span)


def _float(dtype: ScalarType) -> bool:
    return dtype.is_float and not dtype.is_complex and dtype.bits in (32, 64)


def _vector(array: str, kernel: ir.Kernel) -> bool:
    param = kernel.param(array)
    return param is not None and isinstance(param.type, ArrayType) and param.type.rank == 1


def _is_var(expr: ir.Expr, var: str) -> bool:
    return isinstance(expr, ir.Name) and expr.id == var


def _reads(expr: ir.Expr, variables: set[str]) -> bool:
    return any(isinstance(n, ir.Name) and n.id in variables for n in walk(expr))


def _scalars_ok(scalars: _Term, loop_vars: set[str]) -> bool:
    return all(_host_scalar(s) and not _reads(s, loop_vars) for s in scalars)


def _one(span: Span) -> ir.Expr:
    return ir.Const(1, span, I64)


def _moving_dim(view: ir.View, var: str) -> int | None:
    """The dimension of a matrix's row or column view (`A[i, :]`: 0, `A[:, i]`: 1) fixed at the loop
    variable `var`, the other one running with step 1 over bounds that do not read it; else None."""
    if len(view.fixed) != 2 or len(view.axes) != 1 or view.axes[0].step != 1 or view.axes[0].dim is None or \
            _reads(view.axes[0].lo, {var}) or _reads(view.axes[0].hi, {var}):
        return None
    dim = 1 - view.axes[0].dim
    return dim if _is_var(view.fixed[dim], var) else None  # type: ignore[arg-type]


def _slice_layout(view: ir.View, kernel: ir.Kernel, moving: tuple[str, ir.Expr]) -> tuple[ir.Expr, ir.Expr] | None:
    """The first element and row stride of the matrix a row or column view spans as its loop
    variable runs from `moving`'s start (`A[i, lo:hi]` for `i` from `start`: `start * A_n1 + lo`)."""
    var, start = moving
    dim = _moving_dim(view, var)
    param = kernel.param(view.array)
    if dim is None or param is None or not isinstance(param.type, ArrayType) or param.type.rank != 2:
        return None
    row = ir.Extent(view.array, 1, view.span, I64)
    first = (start, view.axes[0].lo) if dim == 0 else (view.axes[0].lo, start)
    return _first(*first, row), row


def _element_layout(element: ir.Index, kernel: ir.Kernel, rows: tuple[str, ir.Expr], inner: tuple[str, ir.Expr]
                    ) -> tuple[ir.Expr, ir.Expr, bool] | None:
    """`A[i, k]` (op N) or `A[k, i]` (op T) of a matrix parameter: its first element, row stride and transpose."""
    param = kernel.param(element.array)
    if param is None or not isinstance(param.type, ArrayType) or param.type.rank != 2:
        return None
    names = [rows[0], inner[0]]
    for transposed, order in ((False, names), (True, names[::-1])):
        if all(_is_var(index, var) for index, var in zip(element.indices, order)):
            first = (rows[1], inner[1]) if not transposed else (inner[1], rows[1])
            row = ir.Extent(element.array, 1, element.span, I64)
            return _first(*first, row), row, transposed
    return None
