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
transpose; several such statements become one call each), and the row-by-row GEMM, `for i in
prange(m): C[i, :] *= beta; for k in range(K): C[i, :] += alpha * A[i, k] * B[k, :]`. Their loops
stay as the fallback too; the preconditions of their indices (`passes.bounds`) are checked before
the call, so the library reads only what the loops would.

The matching and building helpers both BLAS passes use live in `passes/blas_forms.py`.

Not taken (the loops stay, silently: this is an optimization, never a change of meaning): integer
and complex products, a product inside a `prange`, stepped or fixed-index views, arrays of other
ranks, a target the value reads elsewhere than at the element, scalars that read arrays (the host
would read device memory), and a statement whose lengths only the running kernel can check.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.arrays import as_index, same
from translator.ir.types import I64, type_of
from translator.ir.visit import StmtTransformer, walk
from translator.passes.blas_forms import (Term, axis_length, computed_in, element_layout, element_offset, host_scalar,
                                          index_one, is_blas_float, is_transposed, is_var, loop_call,
                                          loop_invariant_scalars, nonzero_scalars, param_rank, product_operands,
                                          reads_any, scalar_factors, scalar_product, scaling_of, sum_terms, trip_count,
                                          view_layout)
from translator.targets import Target


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
            not computed_in(stmt.value, dtype):
        return None
    terms = sum_terms(stmt.value)
    products = [t for t in terms if isinstance(t[-1], ir.ArrayReduce)]
    rest = [t for t in terms if not isinstance(t[-1], ir.ArrayReduce)]
    if len(products) != 1 or len(rest) > 1 or any(not same(t[-1], target) for t in rest) or is_transposed(target):
        return None
    product = products[0][-1]
    assert isinstance(product, ir.ArrayReduce)
    factors = product_operands(product)
    if factors is None:
        return None
    (left, left_scale), (right, right_scale) = factors
    form = _form(product, left, right, target.rank)
    if form is None or target.array in (left.array, right.array):
        return None
    routine, sizes, transposed, operands = form
    layouts = [view_layout(view, kernel) for view in (*operands, target)]
    scalars = (*products[0][:-1], *left_scale, *right_scale, *(rest[0][:-1] if rest else ()))
    if any(layout is None for layout in layouts) or not all(host_scalar(s) for s in scalars):
        return None
    alpha = scalar_product(dtype, (*products[0][:-1], *left_scale, *right_scale), span)
    beta = scalar_product(dtype, rest[0][:-1], span) if rest else ir.Const(0.0, span, dtype)
    read = (alpha, beta) if rest else (alpha,)
    if any(isinstance(s, ir.Const) and s.value == 0 for s in read):
        return None
    return ir.LibraryCall(
        library, routine, dtype, tuple(ir.ArrayArg(v.array, v.span, dtype) for v in (*operands, target)),
        tuple(layout[0] for layout in layouts if layout), tuple(layout[1] for layout in layouts if layout),
        transposed, sizes, alpha, beta, nonzero_scalars(dtype, read, span), (stmt,), (), span)


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


def _form(product: ir.ArrayReduce, left: ir.View, right: ir.View, rank: int
          ) -> tuple[str, tuple[ir.Expr, ir.Expr, ir.Expr], tuple[bool, bool], tuple[ir.View, ir.View]] | None:
    """The routine, (m, n, k), the transposes and the operands in the routine's order (A, B or A, x)
    of `frontend/products.py`'s forms: `A[:, :, None] * B` over axis 1 (gemm), `A * x` over axis 1
    and `x[:, None] * A` over axis 0 (gemv)."""
    real = [tuple(a for a in v.axes if a.dim is not None) for v in (left, right)]
    key = (len(real[0]), len(real[1]), len(left.axes) - len(real[0]), len(right.axes), product.axes, rank)
    one = ir.Const(1, product.span, I64)
    if key == (2, 2, 1, 2, (1,), 2) and left.axes[2].dim is None:
        sizes = (axis_length(real[0][0]), axis_length(real[1][1]), axis_length(real[0][1]))
        return "gemm", sizes, (is_transposed(left), is_transposed(right)), (left, right)
    if key == (2, 1, 0, 1, (1,), 1):
        sizes = (axis_length(real[0][0]), one, axis_length(real[0][1]))
        return "gemv", sizes, (is_transposed(left), False), (left, right)
    if key == (1, 2, 1, 2, (0,), 1) and left.axes[1].dim is None:
        sizes = (axis_length(real[1][1]), one, axis_length(real[1][0]))
        return "gemv", sizes, (not is_transposed(right), False), (right, left)
    return None


def _prange_gemv(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """`for i in prange(start, stop): y[i] = alpha * (A[i, :] @ x) + beta * y[i]` (`A[:, i]`: op T)."""
    only = loop.body[0] if len(loop.body) == 1 else None
    if loop.step != 1 or not isinstance(only, ir.Assign) or not isinstance(only.target, ir.Index):
        return None
    target, i, span = only.target, loop.var, loop.span
    dtype = type_of(target).strong()
    if not (is_blas_float(dtype) and param_rank(kernel, target.array) == 1 and is_var(target.indices[0], i)):
        return None
    parts = _product_terms(only.value, target)
    if parts is None or not computed_in(only.value, dtype) or type_of(only.value).strong() != dtype:
        return None
    product, scales, beta_scales = parts
    sides = product_operands(product) if isinstance(product, ir.ArrayReduce) and product.axes == (0,) else None
    if sides is None:
        return None
    (row, left_scale), (vector, right_scale) = sides
    if _moving_dim(vector, i) is not None:
        row, vector = vector, row
    moving = _moving_dim(row, i)
    layout, vector_layout = _slice_layout(row, kernel, (i, loop.start)), view_layout(vector, kernel)
    scalars = (*scales, *left_scale, *right_scale)
    if moving is None or layout is None or vector_layout is None or vector.rank != 1 or reads_any(vector, {i}) or \
            target.array in (row.array, vector.array) or \
            not loop_invariant_scalars((*scalars, *(beta_scales or ())), {i}):
        return None
    trip = trip_count(loop.start, loop.stop)
    offsets = (layout[0], vector_layout[0], as_index(loop.start))
    strides = (layout[1], vector_layout[1], index_one(span))
    return loop_call(library, "gemv", dtype, (row.array, vector.array, target.array), offsets, strides,
                     (moving == 1, False), (trip, index_one(span), axis_length(row.axes[0])), scalars, beta_scales,
                     loop)


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
    beta_scales = scaling_of(scaling[0], target) if scaling else ()
    parts = _product_terms(update.value, target, product=False)
    if beta_scales is None or parts is None or parts[2] != () or not is_blas_float(dtype) or \
            _moving_dim(target, i) != 0 or \
            not computed_in(update.value, dtype) or _slice_layout(target, kernel, (i, loop.start)) is None:
        return None
    b_view = parts[0]
    element = [s for s in parts[1] if isinstance(s, ir.Index)]
    scalars = tuple(s for s in parts[1] if not isinstance(s, ir.Index))
    if not isinstance(b_view, ir.View) or len(element) != 1 or \
            not loop_invariant_scalars((*scalars, *beta_scales), {i, k}) or \
            reads_any(b_view, {i}) or reads_any(inner.start, {i}) or reads_any(inner.stop, {i}):  # no triangle (syrk)
        return None
    a, b_dim = element[0], _moving_dim(b_view, k)
    a_layout = element_layout(a, kernel, (i, loop.start), (k, inner.start))
    b_layout = _slice_layout(b_view, kernel, (k, inner.start))
    c_layout = _slice_layout(target, kernel, (i, loop.start))
    if a_layout is None or b_layout is None or c_layout is None or b_dim is None or \
            target.array in (a.array, b_view.array) or type_of(a).strong() != dtype:
        return None
    span = loop.span
    sizes = (trip_count(loop.start, loop.stop), axis_length(target.axes[0]), trip_count(inner.start, inner.stop))
    return loop_call(library, "gemm", dtype, (a.array, b_view.array, target.array),
                     (a_layout[0], b_layout[0], c_layout[0]), (a_layout[1], b_layout[1], c_layout[1]),
                     (a_layout[2], b_dim == 1), sizes, scalars, beta_scales or None, loop, beta_one=not scaling)


def _product_terms(value: ir.Expr, target: ir.Expr, product: bool = True
                   ) -> tuple[ir.Expr, Term, Term | None] | None:
    """`value` as `scales * P + beta_scales * target` (the second term may be absent: None): P, its
    scales, beta's. `product`: P is a reduction; else the one term other than the target, which
    `_prange_gemm` takes apart."""
    terms = sum_terms(value)
    rest = [t for t in terms if same(t[-1], target)]
    main = [t for t in terms if not same(t[-1], target)]
    if len(main) != 1 or len(rest) > 1 or product != isinstance(main[0][-1], ir.ArrayReduce):
        return None
    scales = main[0][:-1]
    if not product:
        flat = tuple(f for s in scales for f in scalar_factors(s))
        return main[0][-1], flat, rest[0][:-1] if rest else None
    return main[0][-1], scales, rest[0][:-1] if rest else None


def _moving_dim(view: ir.View, var: str) -> int | None:
    """The dimension of a matrix's row or column view (`A[i, :]`: 0, `A[:, i]`: 1) fixed at the loop
    variable `var`, the other one running with step 1 over bounds that do not read it; else None."""
    if len(view.fixed) != 2 or len(view.axes) != 1 or view.axes[0].step != 1 or view.axes[0].dim is None or \
            reads_any(view.axes[0].lo, {var}) or reads_any(view.axes[0].hi, {var}):
        return None
    dim = 1 - view.axes[0].dim
    return dim if is_var(view.fixed[dim], var) else None  # type: ignore[arg-type]


def _slice_layout(view: ir.View, kernel: ir.Kernel, moving: tuple[str, ir.Expr]) -> tuple[ir.Expr, ir.Expr] | None:
    """The first element and row stride of the matrix a row or column view spans as its loop
    variable runs from `moving`'s start (`A[i, lo:hi]` for `i` from `start`: `start * A_n1 + lo`)."""
    var, start = moving
    dim = _moving_dim(view, var)
    if dim is None or param_rank(kernel, view.array) != 2:
        return None
    row = ir.Extent(view.array, 1, view.span, I64)
    first = (start, view.axes[0].lo) if dim == 0 else (view.axes[0].lo, start)
    return element_offset(*first, row), row


