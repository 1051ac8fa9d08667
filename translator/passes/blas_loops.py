"""Products of which only a triangle is computed or read, handed to the vendor BLAS (issue 12 item 2):
the loop forms NPBench writes for syrk, syr2k, covariance, correlation and trmm, after `passes.blas`.

A row of a lower triangle updated by a column slice, `for i in prange(s, e): C[i, s:i + 1] *= beta;
for k in range(...): C[i, s:i + 1] += alpha * A[i, k] * B[s:i + 1, k]`, is the lower triangle of
`alpha * A @ B.T + beta * C` (cuBLAS's `syrkx`, which computes that triangle of any product; syrk is
B = A); with the second term `B[s:i + 1, k] * alpha * A[i, k]` added, of `alpha * (A @ B.T + B @ A.T)
+ beta * C` (`syr2k`). The scaling may be absent (beta 1). The clamps of the slices' ends (`:i + 1`
is `min(i + 1, n)`) are inactive when the loop stops at most at the extents they clamp to: the call
is made only then (`when`), else the loops run.

A triangle of column dot products, `for i in prange(s, e): for j in range(i + d, e2): T[i, j] =
f(X[:, i] @ Y[:, j])` with at most the mirror `T[j, i] = T[i, j]` after it, is the upper triangle
of `X.T @ Y` (its block at row s, column s + d) followed by `f` and the mirror: the loop becomes two,
`T[i, j] = X[:, i] @ Y[:, j]` (the call, `syrkx`, with that loop as its fallback) and then `T[i, j]
= f(T[i, j]); T[j, i] = T[i, j]` over the same triangle. That is the same computation, in the same
dtype (the product's is T's): `f` reads no element of T, the mirror writes below the triangle
(`d >= 0`) or on its diagonal the value already there. The call is made when the triangle is the
block's whole upper one (`e2 - d == e`). The second loop's inner loop is `disjoint`: each `j`
writes its own `T[i, j]` and `T[j, i]` and reads only the first, so `passes.two_level` may share
it among a team's threads (one thread per row, the `j` loop serial on it, is what it was).

trmm's update of B in place by the unit lower triangle of A, row by row (`_trmm`), is cuBLAS's
`trmm`, when its loops cover all of B; a scaling of B that follows, in the loop after the update
or as the next statement (`_scaled_trmm`), is its alpha. The call computes out of place, into a
device buffer copied over B (`LibraryCall.in_place`): cuBLAS's in-place trmm took 0.231 ms for
NPBench's on an H100, against 0.063 ms into another buffer.

Each call's `when` also holds the bounds and lengths its loops check (`LibraryCall.checks_hold`),
so the loops' checks in the kernel do not stand in the call's way. As in `passes.blas`, a form that
does not match exactly keeps its loops, silently.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.arrays import as_index, plus, rewrite_leaves, same, tier_leaves
from translator.ir.types import BOOL, I64, type_of
from translator.ir.visit import StmtTransformer, walk
from translator.passes.blas_forms import (Term, axis_length, computed_in, element_layout, element_offset, host_scalar,
                                          is_blas_float, is_transposed, is_var, is_zero, loop_call,
                                          loop_invariant_scalars, nonzero_scalars, param_rank, product_operands,
                                          reads_any, scalar_factors, scalar_product, scaling_of, sum_terms, trip_count,
                                          view_layout)
from translator.targets import Target

_Update = tuple[ir.View, ir.Index, tuple[ir.Expr, ...], ir.Expr]
"""One term of a row update: the column slice, the element it is scaled by, the other scalars, and
the extent the slice's end clamps to."""


def loop_calls(kernel: ir.Kernel, target: Target) -> ir.Kernel:
    """`kernel` with its triangular products wrapped in `LibraryCall`s where `target` has a vendor BLAS."""
    if target.blas is None or kernel.device is not None:
        return kernel
    return dataclasses.replace(kernel, body=_Triangles(kernel, target.blas).block(kernel.body))


@dataclasses.dataclass(frozen=True)
class _Triangles(StmtTransformer):
    """Host statements: a `prange` of one of the forms becomes its call (and the loop after it)."""

    kernel: ir.Kernel
    library: str

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """Each statement rebuilt; covariance's triangle becomes two statements, and a scaling right
        after trmm's call goes into the call (`_scaled_trmm`)."""
        out: list[ir.Stmt] = []
        for stmt in stmts:
            scaled = _scaled_trmm(out[-1], stmt, self.kernel) if out and isinstance(out[-1], ir.LibraryCall) else None
            made = _dot_triangle(stmt, self.kernel, self.library) if isinstance(stmt, ir.Loop) else None
            if scaled is not None:
                out[-1] = scaled
            else:
                out += made if made else [self.visit(stmt)]
        return tuple(out)

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        if not stmt.parallel:
            return _trmm(stmt, self.kernel, self.library) or self.descend(stmt)
        return _row_triangle(stmt, self.kernel, self.library) or _rows_in_place(stmt, self.kernel, self.library) or stmt

    visit_If = visit_While = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = StmtTransformer.keep
    visit_Temporary = visit_Break = visit_Continue = visit_Return = visit_ArrayAssign = visit_Scatter = StmtTransformer.keep
    visit_LibraryCall = StmtTransformer.keep


def _row_triangle(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """syrk's and syr2k's loop (module docstring) as one `syrkx` or `syr2k` call, or None."""
    *scaling, inner = loop.body if loop.body else (None,)
    if loop.step != 1 or len(scaling) > 1 or not isinstance(inner, ir.Loop) or inner.parallel or inner.step != 1 or \
            len(inner.body) != 1 or not isinstance(update := inner.body[0], ir.ArrayAssign) or update.where is not None:
        return None
    i, k, target, dtype = loop.var, inner.var, update.target, type_of(update.target).strong()
    row_end = _prefix(target, 1, i, loop)
    beta_scales = scaling_of(scaling[0], target) if scaling else ()
    updates = _row_updates(update.value, target, i, k, loop)
    if row_end is None or beta_scales is None or not updates or len(updates) > 2 or not is_blas_float(dtype) or \
            not computed_in(update.value, dtype) or not loop_invariant_scalars(beta_scales, {i, k}) or \
            reads_any(inner.start, {i}) or reads_any(inner.stop, {i}) or param_rank(kernel, target.array) != 2:
        return None
    view, element, scalars, _ = updates[0]
    if len(updates) == 2 and not _swapped_pair(updates):
        return None
    a_layout = element_layout(element, kernel, (i, loop.start), (k, inner.start))
    if a_layout is None or a_layout[2] or param_rank(kernel, view.array) != 2 or type_of(element).strong() != dtype or \
            target.array in (element.array, view.array) or not loop_invariant_scalars(scalars, {i, k}):
        return None
    b_first = element_offset(loop.start, inner.start, ir.Extent(view.array, 1, view.span, I64))
    c_first = element_offset(loop.start, loop.start, ir.Extent(target.array, 1, target.span, I64))
    n = trip_count(loop.start, loop.stop)
    routine = "syrkx" if len(updates) == 1 else "syr2k"
    call = loop_call(library, routine, dtype, (element.array, view.array, target.array),
                     (a_layout[0], b_first, c_first), (a_layout[1], _row(view), _row(target)), (False, True),
                     (n, n, trip_count(inner.start, inner.stop)), scalars, beta_scales or None, loop,
                     beta_one=not scaling)
    if call is None or not _from_zero_up(loop.start) or not _from_zero_up(inner.start):
        return None
    ends = [row_end, ir.Extent(target.array, 0, span := loop.span, I64)]
    for x, y, _, end in updates:
        ends += [end, ir.Extent(y.array, 0, span, I64)]
    inside = [_at_most(loop.stop, end) for end in ends] + \
        [_at_most(inner.stop, ir.Extent(a, 1, span, I64)) for u in updates for a in (u[0].array, u[1].array)]
    return _with(call, inside, "lower")


def _row_updates(value: ir.Expr, target: ir.View, i: str, k: str, loop: ir.Loop) -> list[_Update] | None:
    """The terms of `C[i, s:i + 1] + t1 (+ t2)`, each `scalars * X[i, k] * Y[s:i + 1, k]`, or None."""
    terms = sum_terms(value)
    kept = [t for t in terms if same(t[-1], target)]
    if len(kept) != 1 or len(kept[0]) != 1:
        return None
    updates: list[_Update] = []
    for term in terms:
        if term is kept[0]:
            continue
        view, flat = term[-1], tuple(f for s in term[:-1] for f in scalar_factors(s))
        elements = [f for f in flat if isinstance(f, ir.Index)]
        end = _prefix(view, 0, i, loop, k) if isinstance(view, ir.View) else None
        if not isinstance(view, ir.View) or end is None or len(elements) != 1 or \
                not all(is_var(x, v) for x, v in zip(elements[0].indices, (i, k))):
            return None
        updates.append((view, elements[0], tuple(f for f in flat if not isinstance(f, ir.Index)), end))
    return updates


def _swapped_pair(updates: list[_Update]) -> bool:
    """Whether the two terms are `alpha * X[i, k] * Y[:, k]` and `alpha * Y[i, k] * X[:, k]` (syr2k)."""
    (v1, e1, s1, _), (v2, e2, s2, _) = updates
    return (v1.array, e1.array) == (e2.array, v2.array) and v1.array != e1.array and len(s1) == len(s2) and \
        all(same(a, b) for a, b in zip(s1, s2))


def _prefix(view: ir.View, dim: int, i: str, loop: ir.Loop, fixed: str | None = None) -> ir.Expr | None:
    """The extent `n` the end of `view` clamps to where the view is `X[fixed, s:i + 1]` (`dim` 1) or
    `X[s:i + 1, fixed]` (`dim` 0; `fixed` is `i` for dimension 0 when None), `s` the loop's start:
    the frontend writes that end `min(max(i + 1 wrapped, 0), n)`."""
    index = i if fixed is None else fixed
    axis = view.axes[0] if len(view.axes) == 1 else None
    if len(view.fixed) != 2 or axis is None or axis.dim != dim or axis.step != 1 or \
            not is_var(view.fixed[1 - dim], index) or not same(axis.lo, loop.start):  # type: ignore[arg-type]
        return None
    return _after(axis.hi, i)


def _after(bound: ir.Expr, i: str) -> ir.Expr | None:
    """The extent `n` of `min(max(i + 1 wrapped, 0), n)`, a slice bound `i + 1` as the frontend
    writes it (Python's clamps), else None. It is `i + 1` where `0 <= i < n`."""
    if not (isinstance(bound, ir.Call) and bound.func == "min" and len(bound.args) == 2):
        return None
    span = bound.span
    n, end, zero = bound.args[1], ir.Binary("+", ir.Name(i, span), ir.Const(1, span), span), ir.Const(0, span)
    wrapped = ir.Select(ir.Compare("<", end, zero, span), ir.Binary("+", end, n, span), end, span)
    return n if same(bound, ir.Call("min", (ir.Call("max", (wrapped, zero), span), n), span)) else None


def _trmm(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """trmm's loop, `for i in range(B.shape[0]): for j in prange(B.shape[1]): B[i, j] += A[i + 1:, i] @
    B[i + 1:, j]`, as one `trmm` call: row i reads the rows below it before they are updated, so B
    becomes `op(T) @ B` with op(T) the transpose of A's unit lower triangle (its diagonal and upper
    part never read), when the loops cover all of B (else the loops run). The element may be scaled
    after its update, `B[i, j] *= alpha` (PolyBench's order): alpha times the sum, one rounding, is
    the routine's alpha. A scaled product is not taken: `B + alpha * ...` is no multiple of `op(T)
    @ B`, whose diagonal is 1."""
    inner = loop.body[0] if len(loop.body) == 1 else None
    if loop.parallel or loop.step != 1 or not isinstance(inner, ir.Loop) or not inner.parallel or \
            inner.step != 1 or len(inner.body) not in (1, 2) or not isinstance(update := inner.body[0], ir.Assign) or \
            not isinstance(target := update.target, ir.Index) or not is_zero(loop.start) or \
            not is_zero(inner.start) or \
            not (param_rank(kernel, target.array) == 2 and _at(target, (loop.var, inner.var))):  # all of B: rows from 0
        return None
    i, j, dtype = loop.var, inner.var, type_of(target).strong()
    sides = _trmm_operands(update.value, target)
    alpha = _element_scaling(inner.body[1:], target, (i, j))
    if sides is None or alpha is None or not is_blas_float(dtype) or not computed_in(update.value, dtype):
        return None
    a, b = (sides[0], sides[1]) if _column_of(sides[1]) == j else (sides[1], sides[0])
    if b.array != target.array or a.array == target.array or param_rank(kernel, a.array) != 2 or \
            _column_of(a) != i or _column_of(b) != j or not all(_below(v, i) for v in (a, b)):
        return None
    span, zero = loop.span, ir.Const(0, loop.span, I64)
    rows, cols = _extent(target, 0), _extent(target, 1)
    call = loop_call(library, "trmm", dtype, (a.array, b.array, b.array), (zero, zero, zero),
                     (_row(a), _row(b), _row(b)), (True, False), (rows, cols, rows), alpha, None, loop)
    whole = [ir.Compare("==", loop.stop, rows, span, BOOL), ir.Compare("==", inner.stop, cols, span, BOOL),
             ir.Compare("==", _extent(a, 0), rows, span, BOOL), _at_most(rows, _extent(a, 1))]
    return _with(call, whole, "lower", unit_diagonal=True, in_place=True)


def _trmm_operands(value: ir.Expr, target: ir.Index) -> tuple[ir.View, ir.View] | None:
    """The two column views of `B[i, j] + X[i + 1:, i] @ Y[i + 1:, j]` (unscaled), else None."""
    terms = sum_terms(value)
    products = [t for t in terms if not same(t[-1], target)]
    dot = products[0][-1] if len(products) == 1 and len(terms) == 2 else None
    sides = product_operands(dot) if isinstance(dot, ir.ArrayReduce) and dot.axes == (0,) else None
    if sides is None or sides[0][1] or sides[1][1] or any(len(t) != 1 for t in terms):
        return None  # `B + alpha * ...` leaves the diagonal unscaled
    return sides[0][0], sides[1][0]


def _element_scaling(after: tuple[ir.Stmt, ...], target: ir.Index, loop_vars: tuple[str, str]) -> Term | None:
    """The host scalars of `B[i, j] *= alpha` after the element's update (none where nothing follows
    it), computed in the element's dtype; None for any other statement."""
    if not after:
        return ()
    scales = scaling_of(after[0], target)
    value = after[0].value if isinstance(after[0], ir.Assign) else None
    if scales is None or value is None or type_of(value).strong() != type_of(target).strong() or \
            not loop_invariant_scalars(scales, set(loop_vars)):
        return None
    return scales


def _scaled_trmm(call: ir.LibraryCall, stmt: ir.Stmt, kernel: ir.Kernel) -> ir.LibraryCall | None:
    """trmm's call with `B *= alpha` (`B[...] = alpha * B`, any product of host scalars) right after
    it folded in as the routine's alpha, the scaling kept in the fallback after the loops: cuBLAS
    writes `alpha * op(T) @ B`, which is the loops' B scaled with one rounding per element, as
    NumPy's `B *= alpha` is. Only a scaling of all of B (the call's `when` makes its loops cover all
    of B) with nothing between, in the call's dtype, by a nonzero alpha (a BLAS given alpha 0 writes
    zeros where NumPy keeps NaN and infinities: the `when` says alpha != 0); else None."""
    if call.routine != "trmm" or not (isinstance(call.alpha, ir.Const) and call.alpha.value == 1) or \
            not isinstance(stmt, ir.ArrayAssign) or stmt.target.array != call.operands[2].array or \
            not _whole(stmt.target, kernel):
        return None
    scales = scaling_of(stmt, stmt.target)
    if scales is None or not computed_in(stmt.value, call.dtype) or not loop_invariant_scalars(scales, set()):
        return None
    alpha = scalar_product(call.dtype, scales, stmt.span)
    if isinstance(alpha, ir.Const) and alpha.value == 0:
        return None
    test = nonzero_scalars(call.dtype, (alpha,), stmt.span)
    when = call.when if isinstance(test, ir.Const) else test if isinstance(call.when, ir.Const) else \
        ir.Logical("and", call.when, test, call.span, BOOL)
    return dataclasses.replace(call, alpha=alpha, when=when, body=(*call.body, stmt))


def _whole(view: ir.View, kernel: ir.Kernel) -> bool:
    """Whether `view` is all of a matrix parameter, `B[:, :]` as the frontend writes `B *= alpha`."""
    return param_rank(kernel, view.array) == 2 and view.fixed == (None, None) and \
        [a.dim for a in view.axes] == [0, 1] and all(a.step == 1 and is_zero(a.lo) and not a.diagonal and
                                                     same(a.hi, ir.Extent(view.array, dim, view.span))
                                                     for dim, a in enumerate(view.axes))


def _rows_in_place(loop: ir.Loop, kernel: ir.Kernel, library: str) -> ir.LibraryCall | None:
    """doitgen's loop, `for r in prange(A.shape[0]): for q in range(A.shape[1]): A[r, q, :] = A[r, q,
    :] @ C4` (scaled or not), as one gemm of A's rows, the (R * Q) x P matrix A's memory holds, by C4
    (or `C4.T`), computed aside and copied over A (`LibraryCall.in_place`), when the loops cover all
    of A and the lengths agree (else the loops run)."""
    inner = loop.body[0] if len(loop.body) == 1 else None
    if loop.step != 1 or not isinstance(inner, ir.Loop) or inner.parallel or inner.step != 1 or \
            len(inner.body) != 1 or not isinstance(update := inner.body[0], ir.ArrayAssign) or \
            update.where is not None or not is_zero(loop.start) or not is_zero(inner.start):
        return None
    terms, target, dtype = sum_terms(update.value), update.target, type_of(update.target).strong()
    product = terms[0][-1] if len(terms) == 1 else None
    sides = product_operands(product) if isinstance(product, ir.ArrayReduce) and product.axes == (0,) else None
    if sides is None or not is_blas_float(dtype) or not computed_in(update.value, dtype) or \
            not _whole_row(target, (loop.var, inner.var), kernel) or not same(sides[0][0], _with_new_axis(target)):
        return None
    matrix, scalars = sides[1][0], (*terms[0][:-1], *sides[0][1], *sides[1][1])
    layout = view_layout(matrix, kernel)
    real = [a for a in matrix.axes if a.dim is not None]
    if layout is None or len(real) != 2 or matrix.array == target.array or \
            not loop_invariant_scalars(scalars, {loop.var, inner.var}):
        return None
    span, zero = loop.span, ir.Const(0, loop.span, I64)
    rows = ir.Binary("*", _extent(target, 0), _extent(target, 1), span, I64)
    length, k, n = ir.Extent(target.array, 2, span, I64), axis_length(real[0]), axis_length(real[1])
    call = loop_call(library, "gemm", dtype, (target.array, matrix.array, target.array), (zero, layout[0], zero),
                     (length, layout[1], length), (False, is_transposed(matrix)), (rows, n, k), scalars, None, loop)
    whole = [ir.Compare("==", loop.stop, _extent(target, 0), span, BOOL),
             ir.Compare("==", inner.stop, _extent(target, 1), span, BOOL),
             ir.Compare("==", k, length, span, BOOL), ir.Compare("==", n, length, span, BOOL)]
    return _with(call, whole, None, in_place=True)


def _whole_row(view: ir.View, names: tuple[str, str], kernel: ir.Kernel) -> bool:
    """Whether `view` is `A[r, q, :]` of a 3-D parameter, `r` and `q` the loop variables."""
    axis = view.axes[0] if len(view.axes) == 1 else None
    return param_rank(kernel, view.array) == 3 and axis is not None and \
        len(view.fixed) == 3 and all(f is not None and is_var(f, v) for f, v in zip(view.fixed, names)) and \
        view.fixed[2] is None and axis.dim == 2 and axis.step == 1 and is_zero(axis.lo) and \
        same(axis.hi, ir.Extent(view.array, 2, view.span))


def _with_new_axis(view: ir.View) -> ir.View:
    """`view[:, None]`, as a vector-matrix product reads its vector."""
    new = ir.ViewAxis(None, ir.Const(0, view.span), ir.Const(1, view.span))
    return dataclasses.replace(view, axes=(*view.axes, new))


def _below(view: ir.View, i: str) -> bool:
    """Whether a column view is `X[i + 1:, v]`: from the row after `i` to the end."""
    axis = view.axes[0]
    n = _after(axis.lo, i)
    return n is not None and same(n, axis.hi) and same(axis.hi, ir.Extent(view.array, 0, view.span))


def _dot_triangle(loop: ir.Loop, kernel: ir.Kernel, library: str) -> list[ir.Stmt] | None:
    """covariance's and correlation's loop (module docstring) as the call and the loop after it, or None."""
    inner = loop.body[0] if len(loop.body) == 1 else None
    if not loop.parallel or loop.step != 1 or not isinstance(inner, ir.Loop) or inner.parallel or \
            inner.step != 1 or not 1 <= len(inner.body) <= 2 or reads_any(inner.stop, {loop.var}):
        return None
    i, j, (first, *mirror) = loop.var, inner.var, inner.body
    d, element = _diagonal_offset(inner.start, i), first.target if isinstance(first, ir.Assign) else None
    if d is None or not isinstance(first, ir.Assign) or not isinstance(element, ir.Index) or \
            not _at(element, (i, j)) or param_rank(kernel, element.array) != 2 or \
            mirror and not _is_mirror(mirror[0], element, (j, i)):
        return None
    leaves, dtype = tier_leaves(first.value), type_of(element).strong()
    columns = _columns(leaves[0], i, j, kernel) if len(leaves) == 1 and isinstance(leaves[0], ir.ArrayReduce) else None
    if columns is None or not is_blas_float(dtype) or type_of(leaves[0]).strong() != dtype or \
            element.array in {columns[0].array, columns[1].array} or \
            any(isinstance(n, (ir.Index, ir.View)) and n.array == element.array for n in walk(first.value)):
        return None
    x, y = columns
    start, span = loop.start, loop.span
    products = dataclasses.replace(loop, body=(dataclasses.replace(inner, body=(ir.Assign(element, leaves[0],
                                                                                           first.span),)),))
    offsets = (element_offset(x.axes[0].lo, start, _row(x)), element_offset(y.axes[0].lo, _shifted(start, d), _row(y)),
               element_offset(start, _shifted(start, d), _row(element)))
    n = trip_count(start, loop.stop)
    call = loop_call(library, "syrkx", dtype, (x.array, y.array, element.array), offsets,
                     (_row(x), _row(y), _row(element)), (True, False), (n, n, axis_length(x.axes[0])), (), None,
                     products)
    if call is None or not _from_zero_up(start):
        return None
    whole = ir.Compare("==", as_index(plus(inner.stop, -d, span)), loop.stop, span, BOOL)
    inside = [_at_most(loop.stop, _extent(x, 1)), _at_most(inner.stop, _extent(y, 1)),
              _at_most(loop.stop, _extent(element, 0)), _at_most(inner.stop, _extent(element, 1)),
              ir.Compare("==", axis_length(x.axes[0]), axis_length(y.axes[0]), span, BOOL)]
    after = (() if first.value is leaves[0] else (ir.Assign(element, rewrite_leaves(first.value, lambda _: element),
                                                            first.span),)) + tuple(mirror)
    rest = [dataclasses.replace(loop, body=(dataclasses.replace(inner, body=after, disjoint=True),))] if after else []
    made = _with(call, [whole, *inside], "upper")
    return [made, *rest] if made is not None else None


def _diagonal_offset(start: ir.Expr, i: str) -> int | None:
    """d where the inner loop starts at `i + d`, a constant d >= 0, else None."""
    if is_var(start, i):
        return 0
    if isinstance(start, ir.Cast):
        return _diagonal_offset(start.operand, i)
    if isinstance(start, ir.Binary) and start.op == "+" and is_var(start.left, i) and \
            isinstance(start.right, ir.Const) and isinstance(start.right.value, int) and start.right.value >= 0:
        return int(start.right.value)
    return None


def _columns(product: ir.ArrayReduce, i: str, j: str, kernel: ir.Kernel) -> tuple[ir.View, ir.View] | None:
    """`X[lo:hi, i]` and `Y[lo2:hi2, j]` of `X[:, i] @ Y[:, j]` (either order), unscaled, or None (the
    lengths are compared at run time)."""
    sides = product_operands(product) if product.axes == (0,) else None
    if sides is None or sides[0][1] or sides[1][1]:
        return None
    x, y = sides[0][0], sides[1][0]
    if _column_of(x) == j:
        x, y = y, x
    bounds = (x.axes[0].lo, x.axes[0].hi, y.axes[0].lo, y.axes[0].hi)
    if _column_of(x) != i or _column_of(y) != j or any(reads_any(b, {i, j}) for b in bounds) or \
            param_rank(kernel, x.array) != 2 or param_rank(kernel, y.array) != 2:
        return None
    return x, y


def _column_of(view: ir.View) -> str | None:
    """The loop variable `v` of a column view `X[lo:hi, v]` with step 1, else None."""
    if len(view.fixed) != 2 or view.fixed[0] is not None or len(view.axes) != 1 or view.axes[0].dim != 0 or \
            view.axes[0].step != 1 or not isinstance(view.fixed[1], ir.Name):
        return None
    return view.fixed[1].id


def _at(element: ir.Index, names: tuple[str, str]) -> bool:
    return len(element.indices) == 2 and all(is_var(x, v) for x, v in zip(element.indices, names))


def _is_mirror(stmt: ir.Stmt, element: ir.Index, names: tuple[str, str]) -> bool:
    """Whether `stmt` is `T[j, i] = T[i, j]`."""
    return isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Index) and \
        stmt.target.array == element.array and _at(stmt.target, names) and same(stmt.value, element)


def _from_zero_up(start: ir.Expr) -> bool:
    """Whether a loop starts at a constant index >= 0 (no index it reaches wraps)."""
    return isinstance(start, ir.Const) and isinstance(start.value, int) and start.value >= 0


def _at_most(stop: ir.Expr, extent: ir.Expr) -> ir.Compare:
    return ir.Compare("<=", stop, extent, stop.span, BOOL)


def _extent(node: ir.View | ir.Index, dim: int) -> ir.Expr:
    return ir.Extent(node.array, dim, node.span, I64)


def _row(node: ir.View | ir.Index) -> ir.Expr:
    """The row stride of the matrix parameter `node` reads."""
    return ir.Extent(node.array, 1, node.span, I64)


def _shifted(start: ir.Expr, d: int) -> ir.Expr:
    """`start + d`, folded where `start` is a constant."""
    if isinstance(start, ir.Const) and isinstance(start.value, int):
        return ir.Const(start.value + d, start.span, I64)
    return plus(start, d, start.span)


def _with(call: ir.LibraryCall | None, conditions: list[ir.Compare], triangle: str | None,
          unit_diagonal: bool = False, in_place: bool = False) -> ir.LibraryCall | None:
    """`call` on `triangle` (None: the whole matrix), made only where `conditions` hold
    too (those that compare equal expressions, `n <= n`, always do; each is written once); None
    where the host cannot evaluate its arguments before the call (a bound that reads an element)."""
    if call is None:
        return None
    host = (*call.offsets, *call.strides, *call.sizes, *conditions)
    if not all(host_scalar(e) for e in host):
        return None
    when, kept = call.when, list[ir.Compare]()
    for condition in conditions:
        if same(condition.left, condition.right) or any(same(condition, k) for k in kept):
            continue
        kept.append(condition)
        when = condition if isinstance(when, ir.Const) else ir.Logical("and", when, condition, call.span, BOOL)
    return dataclasses.replace(call, when=when, triangle=triangle, checks_hold=True, unit_diagonal=unit_diagonal,
                               in_place=in_place)

