"""`x = np.linalg.solve(A, b)` and `Ainv = np.linalg.inv(A)` for small dense square matrices: a
statement of its own, at the top level of a kernel or in the body of a host loop (a Newton step).

NumPy calls LAPACK's `gesv`: an LU factorization with partial pivoting, then two triangular
solves. The kernel does the same elimination, in place on a copy of `A` it makes (a scratch array)
and on the result, which starts as a copy of `b` (the identity for `inv`): for each column the row
with the largest magnitude there becomes the pivot row (swapped in `A` and in the result), the rows
below subtract their multiple of it, and back substitution finishes. The copies are parallel loops;
the elimination is serial code, which runs on one device thread ("Host code on the device"), the
sensible choice for the small matrices this is for. The dtype is NumPy's: float64 for integers and
bools, float32 when both operands are float32. Where NumPy raises, the call raises: a pivot of
exactly zero (LAPACK's test) `numpy.linalg.LinAlgError("Singular matrix")`, a matrix that is not
square `LinAlgError`, a `b` whose length is not the matrix's `ValueError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from translator.errors import Span
from translator.frontend.allocations import declare_new_array, lifts, settle_dtype, stored_value
from translator.frontend.array_statements import new_array_value
from translator.frontend.arrays import assign_view, local_assign, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS
from translator.frontend.guards import failing, unless
from translator.frontend.loop_arrays import made_in_loop
from translator.frontend.views import whole_view
from translator.ir import nodes as ir

FUNCTIONS = {"numpy.linalg.solve": ("np.linalg.solve", 2), "numpy.linalg.inv": ("np.linalg.inv", 1)}


@dataclass(frozen=True)
class _System:
    """The arrays of one statement: the scratch copy of the matrix, the result, its rank, the
    order `n` of the matrix and the count `m` of right-hand sides."""

    lu: str
    x: str
    rank: int
    n: ir.Expr
    m: ir.Expr
    span: Span
    label: str

    def a(self, row: ir.Expr, col: ir.Expr) -> ir.Index:
        return ir.Index(self.lu, (row, col), self.span)

    def b(self, row: ir.Expr, col: ir.Expr) -> ir.Index:
        return ir.Index(self.x, (row, col) if self.rank == 2 else (row,), self.span)


def linalg_statement(target: cst.BaseExpression | None, call: cst.Call, scope: KernelScope) -> list[ir.Stmt]:
    """`x = np.linalg.solve(A, b)` or `x = np.linalg.inv(A)` (see the module)."""
    label, count = FUNCTIONS[scope.module.qualified_name(call.func) or ""]
    if not isinstance(target, cst.Name) or not (lifts(scope) or made_in_loop(target, scope)):
        raise scope.module.error(call, _usage(label))
    if len(call.args) != count or any(a.keyword is not None or a.star for a in call.args):
        wanted = "a matrix and a vector or matrix" if count == 2 else "a matrix"
        raise scope.module.error(call, f"{label}() in a kernel takes {wanted}, positionally")
    operands = [a.value for a in call.args]
    shapes = [shape_of(operand, scope) for operand in operands]
    if len(shapes[0]) != 2 or (count == 2 and len(shapes[1]) not in (1, 2)):
        raise scope.module.error(call, f"{label}() in a kernel takes a 2-D matrix"
                                 + (" and a 1-D or 2-D right-hand side" if count == 2 else ""))
    span = scope.module.span(call)
    n = shapes[0][0]
    result = shapes[1] if count == 2 else (n, n)
    lu = scope.fresh_temp(f"{target.value}_lu")
    dtype = ir.dtype_of_array(lu, 2, span)
    declare_new_array(scope, lu, call, dtype, shapes[0], span)  # A's shape: a matrix not square raises below
    declare_new_array(scope, target.value, call, dtype, result, span)
    system = _System(lu, target.value, len(result), n, result[1] if len(result) == 2 else ir.Const(1, span), span,
                     label)
    fills = _copy(lu, operands[0], scope) + (_copy(target.value, operands[1], scope) if count == 2
                                             else [_identity(system, scope)])
    _settle_dtype(system, operands[0], fills, count, scope)
    body = fills + [_eliminate(system, scope), _back_substitute(system, scope)]
    if count == 2:
        body = unless(ir.Compare("==", result[0], n, span), body, f"{label}() at line {span.line}: the right-hand "
                      "side's length is not the matrix's; NumPy raises ValueError here", span, scope)
    square = ir.Compare("==", shapes[0][1], n, span)
    return unless(square, body, f"Last 2 dimensions of the array must be square ({label}() at line {span.line})",
                  span, scope, "LinAlgError")


def _usage(label: str) -> str:
    return (f"{label}() in a kernel is a statement of its own that makes an array, at the kernel's top level or "
            f"in a host loop's body: `x = {label}({'A, b' if label.endswith('solve') else 'A'})`")


def _settle_dtype(s: _System, matrix: cst.BaseExpression, fills: list[ir.Stmt], count: int,
                  scope: KernelScope) -> None:
    """Both arrays have NumPy's result dtype, which typing decides: the operands' promotion (the values
    the copies store), float64 for integers and bools (`+ 0.0`)."""
    span = scope.module.span(matrix)
    total = stored_value(s.lu, fills)
    if count == 2:
        total = ir.Binary("+", total, stored_value(s.x, fills), span)
    settle_dtype(scope, s.lu, ir.Binary("+", total, ir.Const(0.0, span), span),
                 real_only=f"{s.label}() of complex matrices is not supported in kernels")


def _copy(name: str, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`name[...] = value`, an array statement (parallel loops, converted to `name`'s dtype)."""
    place = whole_view(name, scope, scope.module.span(value))
    tier = new_array_value(value, scope)
    return [ir.ArrayAssign(place, tier, place.span)] if tier is not None else assign_view(place, value, None, scope)


def _identity(s: _System, scope: KernelScope) -> ir.Loop:
    """The identity, in parallel: `inv`'s right-hand side."""
    i, j = (ir.Name(scope.fresh_loop_var(v), s.span) for v in ("i", "j"))
    one = ir.Select(ir.Compare("==", i, j, s.span), ir.Const(1, s.span), ir.Const(0, s.span), s.span)
    inner = ir.Loop(j.id, ir.Const(0, s.span), s.n, 1, (ir.Assign(s.b(i, j), one, s.span),), s.span, parallel=True)
    return ir.Loop(i.id, ir.Const(0, s.span), s.n, 1, (inner,), s.span, parallel=True)


def _loop(var: ir.Name, start: ir.Expr, stop: ir.Expr, body: list[ir.Stmt]) -> ir.Loop:
    return ir.Loop(var.id, start, stop, 1, tuple(body), var.span)


def _eliminate(s: _System, scope: KernelScope) -> ir.Loop:
    """Gaussian elimination with partial pivoting on the matrix and the right-hand side: LAPACK's
    `getrf` (the first row of largest magnitude is the pivot; an exact zero there is singular) with
    its row operations applied to the result as they happen."""
    span = s.span
    one = ir.Const(1, span)
    k, i, j, c = (ir.Name(scope.fresh_loop_var(v), span) for v in ("k", "i", "j", "c"))
    pivot, best = (ir.Name(scope.fresh_temp(v), span) for v in ("pivot", "largest"))
    below = ir.Binary("+", k, one, span)
    search: list[ir.Stmt] = [local_assign(pivot, k, scope), local_assign(best, ir.Call("abs", (s.a(k, k),), span), scope),
                             _loop(i, below, s.n, [ir.If(
                                 ir.Compare(">", ir.Call("abs", (s.a(i, k),), span), best, span),
                                 (local_assign(pivot, i, scope),
                                  local_assign(best, ir.Call("abs", (s.a(i, k),), span), scope)), (), span)])]
    singular = ir.If(ir.Compare("==", best, ir.Const(0.0, span), span),
                     (failing(f"Singular matrix ({s.label}() at line {span.line})", span, scope, "LinAlgError"),
                      ir.Break(span)), (), span)
    swap = ir.If(ir.Compare("!=", pivot, k, span), (
        _loop(c, ir.Const(0, span), s.n, _swap(s.a(k, c), s.a(pivot, c), scope)),
        _loop(j, ir.Const(0, span), s.m, _swap(s.b(k, j), s.b(pivot, j), scope))), (), span)
    factor = ir.Name(scope.fresh_temp("factor"), span)
    i2, c2, j2 = (ir.Name(scope.fresh_loop_var(v), span) for v in ("i", "c", "j"))
    steps: list[ir.Stmt] = [
        local_assign(factor, ir.Binary("/", s.a(i2, k), s.a(k, k), span), scope),
        _loop(c2, below, s.n, [ir.Assign(s.a(i2, c2), ir.Binary("-", s.a(i2, c2), ir.Binary(
            "*", factor, s.a(k, c2), span), span), span)]),
        _loop(j2, ir.Const(0, span), s.m, [ir.Assign(s.b(i2, j2), ir.Binary("-", s.b(i2, j2), ir.Binary(
            "*", factor, s.b(k, j2), span), span), span)])]
    update = _loop(i2, below, s.n, steps)
    return _loop(k, ir.Const(0, span), s.n, [*search, singular, swap, update])


def _swap(a: ir.Index, b: ir.Index, scope: KernelScope) -> list[ir.Stmt]:
    held = ir.Name(scope.fresh_temp("held"), a.span)
    return [local_assign(held, a, scope), ir.Assign(a, b, a.span), ir.Assign(b, held, a.span)]


def _back_substitute(s: _System, scope: KernelScope) -> ir.Loop:
    """The upper triangular system, from the last row up (row `n - 1 - r`)."""
    span = s.span
    one = ir.Const(1, span)
    r, j, c = (ir.Name(scope.fresh_loop_var(v), span) for v in ("r", "j", "c"))
    row = ir.Name(scope.fresh_temp("row"), span)
    total = ir.Name(scope.fresh_temp("total"), span)
    body: list[ir.Stmt] = [local_assign(total, s.b(row, j), scope),
            _loop(c, ir.Binary("+", row, one, span), s.n, [local_assign(total, ir.Binary(
                "-", total, ir.Binary("*", s.a(row, c), s.b(c, j), span), span), scope)]),
            ir.Assign(s.b(row, j), ir.Binary("/", total, s.a(row, row), span), span)]
    return _loop(r, ir.Const(0, span), s.n, [local_assign(row, ir.Binary("-", ir.Binary("-", s.n, one, span), r, span),
                                                          scope), _loop(j, ir.Const(0, span), s.m, body)])


def _elsewhere(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    assert isinstance(node, cst.Call)
    raise scope.module.error(node, _usage(FUNCTIONS[scope.module.qualified_name(node.func) or ""][0]))


CALLS.update(dict.fromkeys(FUNCTIONS, _elsewhere))
