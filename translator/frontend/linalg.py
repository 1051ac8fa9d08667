"""`x = np.linalg.solve(A, b)` and `Ainv = np.linalg.inv(A)` for small dense square matrices: a
statement of its own, at the top level of a kernel, in the body of a host loop (a Newton step; in
the branches of an `if` there, `frontend.loop_arrays`) or of a `prange` (batched systems, each
iteration's in temporaries). It binds a name, or assigns a view (`x[i, :] = np.linalg.solve(A[i],
b[i])`: the solution is made under a fresh name, then copied in).

NumPy calls LAPACK's `gesv`: an LU factorization with partial pivoting, then two triangular
solves. The kernel does the same elimination, in place on a copy of `A` it makes (a scratch array)
and on the result, which starts as a copy of `b` (the identity for `inv`): for each column the row
with the largest magnitude there (`|re| + |im|` for complex, as LAPACK's `izamax`) becomes the
pivot row (swapped in `A` and in the result), the rows below subtract their multiple of it, and
back substitution finishes. The copies are parallel loops (serial inside a `prange`); the
elimination is serial code, which runs on one device thread ("Host code on the device"), or on
the iteration's thread in a `prange`: the sensible choice for the small matrices this is for. The
dtype is NumPy's: float64 for integers and bools, float32 when both operands are float32, complex
for complex operands. Where NumPy raises, the call raises: a pivot of
exactly zero (LAPACK's test) `numpy.linalg.LinAlgError("Singular matrix")`, a matrix that is not
square `LinAlgError`, a `b` whose length is not the matrix's `ValueError`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import libcst as cst

from translator.errors import Span
from translator.frontend.allocations import declare_new_array, lifts, settle_dtype, stored_value
from translator.frontend.array_statements import array_statement, new_array_value
from translator.frontend.arrays import assign_array, assign_view, declare_temporary, local_assign, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS
from translator.frontend.guards import failing, unless
from translator.frontend.loop_arrays import LOOP_ARRAY_RULE, made_in_loop
from translator.frontend.rebinding import checked, fills_again, record_rebound, same_rank, shape_checks
from translator.frontend.views import whole_view
from translator.ir import nodes as ir
from translator.ir.arrays import at_least_zero

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

    def magnitude(self, value: ir.Expr) -> ir.Expr:
        """What the pivot search compares: `|re| + |im|` (LAPACK's `izamax` through `dcabs1`, so the
        pivots are NumPy's for complex matrices; of a real, whose `imag` is 0, it is `abs`)."""
        real, imag = (ir.Call("abs", (ir.Call(p, (value,), self.span),), self.span) for p in ("real", "imag"))
        return ir.Binary("+", real, imag, self.span)

    def a(self, row: ir.Expr, col: ir.Expr) -> ir.Index:
        return ir.Index(self.lu, (row, col), self.span)

    def b(self, row: ir.Expr, col: ir.Expr) -> ir.Index:
        return ir.Index(self.x, (row, col) if self.rank == 2 else (row,), self.span)


def linalg_statement(target: cst.BaseExpression | None, call: cst.Call, scope: KernelScope) -> list[ir.Stmt]:
    """`x = np.linalg.solve(A, b)`, `x = np.linalg.inv(A)`, or either assigned into a view (see the module)."""
    label, count = FUNCTIONS[scope.module.qualified_name(call.func) or ""]
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
    base = target.value if isinstance(target, cst.Name) else "solution"
    lu = scope.fresh_temp(f"{base}_lu")
    dtype = ir.dtype_of_array(lu, 2, span)  # the matrix copy's, which typing decides (`_settle_dtype`)
    name, made, checks = _result_array(target, call, label, dtype, result, scope)
    made_lu = _declare(lu, call, dtype, shapes[0], scope)  # A's shape: a matrix not square raises below
    system = _System(lu, name, len(result), n, result[1] if len(result) == 2 else ir.Const(1, span), span, label)
    fills = _copy(lu, operands[0], scope) + (_copy(name, operands[1], scope) if count == 2
                                             else [_identity(system, scope)])
    made += _settle_dtype(system, operands[0], fills, count, made_lu, scope)
    if fills_again(target, scope):
        record_rebound(name, dtype, span, scope)
    body = fills + [_eliminate(system, scope), _back_substitute(system, scope)]
    if isinstance(target, cst.Subscript):
        body += _assign_into(target, name, call, scope)
    body = checked(name, checks, body, span, scope)
    if count == 2:
        body = unless(ir.Compare("==", result[0], n, span), body, f"{label}() at line {span.line}: the right-hand "
                      "side's length is not the matrix's; NumPy raises ValueError here", span, scope)
    square = ir.Compare("==", shapes[0][1], n, span)
    return made + unless(square, body, f"Last 2 dimensions of the array must be square ({label}() at line "
                         f"{span.line})", span, scope, "LinAlgError")


def _result_array(target: cst.BaseExpression | None, call: cst.Call, label: str, dtype: ir.Dtype,
                  shape: tuple[ir.Expr, ...], scope: KernelScope) -> tuple[str, list[ir.Stmt], list[ir.Expr]]:
    """The array the solution goes to, the statements that make it (a temporary's) and the run-time
    checks of its shape: a new array under the target's name, or under a fresh one for a view
    target, or the target name's own array where it is bound again in a host loop or branch."""
    if isinstance(target, cst.Subscript) and scope.lifting:
        name = scope.fresh_temp("solution")
        return name, _declare(name, call, dtype, shape, scope), []
    if not isinstance(target, cst.Name):
        raise scope.module.error(call, _usage(label))
    if fills_again(target, scope):
        same_rank(target.value, len(shape), call, scope)
        return target.value, [], shape_checks(target.value, shape, call, scope)
    if scope.lifting and not scope.in_prange and scope.depth > 0 and not made_in_loop(target, scope):
        raise scope.module.error(target, LOOP_ARRAY_RULE)
    if not (scope.makes_temporaries or lifts(scope) or made_in_loop(target, scope)):
        raise scope.module.error(call, _usage(label))
    return target.value, _declare(target.value, call, dtype, shape, scope), []


def _declare(name: str, call: cst.Call, dtype: ir.Dtype, shape: tuple[ir.Expr, ...],
             scope: KernelScope) -> list[ir.Stmt]:
    """An array of `shape` made for the statement: inside a `prange` a temporary, one per iteration
    (the statement that makes it), elsewhere an array the caller allocates (no statement)."""
    span = scope.module.span(call)
    if scope.makes_temporaries:
        return [declare_temporary(name, dtype, tuple(at_least_zero(d) for d in shape), span, scope)]
    declare_new_array(scope, name, call, dtype, shape, span)
    return []


def _assign_into(target: cst.Subscript, name: str, call: cst.Call, scope: KernelScope) -> list[ir.Stmt]:
    """`target = name`: the solution copied into the view the statement assigns."""
    solution = cst.Name(name)
    scope.module.positions[solution] = scope.module.positions[call]
    return array_statement(target, solution, None, scope) or assign_array(target, solution, None, scope)


def _usage(label: str) -> str:
    examples = ("`x = np.linalg.solve(A, b)`, `x[i, :] = np.linalg.solve(A[i], b[i])`" if label.endswith("solve")
                else "`Ainv = np.linalg.inv(A)`, `Ainv[i] = np.linalg.inv(A[i])`")
    return (f"{label}() in a kernel is a statement of its own that makes an array or assigns a view, at the kernel's "
            f"top level, in a host loop's body or in a prange body: {examples}")


def _settle_dtype(s: _System, matrix: cst.BaseExpression, fills: list[ir.Stmt], count: int, made: list[ir.Stmt],
                  scope: KernelScope) -> list[ir.Stmt]:
    """Both arrays have NumPy's result dtype, which typing decides: the operands' promotion (the values
    the copies store), float64 for integers and bools (`+ 0.0`), complex for complex operands. The
    matrix copy takes it (an array the caller allocates, or a temporary of the prange iteration:
    `made`, returned with its type settled); the result reads the copy's."""
    span = scope.module.span(matrix)
    total = stored_value(s.lu, fills)
    if count == 2:
        total = ir.Binary("+", total, stored_value(s.x, fills), span)
    like = ir.Binary("+", total, ir.Const(0.0, span), span)
    if s.lu in scope.params:
        settle_dtype(scope, s.lu, like)
        return made
    settled = [dataclasses.replace(t, type=ir.ArrayLike(like, 2)) if isinstance(t, ir.Temporary) and t.name == s.lu
               else t for t in made]
    scope.arrays[s.lu] = next(t for t in settled if isinstance(t, ir.Temporary) and t.name == s.lu)
    return settled


def _copy(name: str, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`name[...] = value`, an array statement (parallel loops, converted to `name`'s dtype)."""
    place = whole_view(name, scope, scope.module.span(value))
    tier = new_array_value(value, scope)
    return [ir.ArrayAssign(place, tier, place.span)] if tier is not None else assign_view(place, value, None, scope)


def _identity(s: _System, scope: KernelScope) -> ir.Loop:
    """The identity, in parallel (serial in a `prange` body): `inv`'s right-hand side."""
    i, j = (ir.Name(scope.fresh_loop_var(v), s.span) for v in ("i", "j"))
    one = ir.Select(ir.Compare("==", i, j, s.span), ir.Const(1, s.span), ir.Const(0, s.span), s.span)
    inner = ir.Loop(j.id, ir.Const(0, s.span), s.n, 1, (ir.Assign(s.b(i, j), one, s.span),), s.span,
                    parallel=not scope.in_prange)
    return ir.Loop(i.id, ir.Const(0, s.span), s.n, 1, (inner,), s.span, parallel=not scope.in_prange)


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
    search: list[ir.Stmt] = [local_assign(pivot, k, scope), local_assign(best, s.magnitude(s.a(k, k)), scope),
                             _loop(i, below, s.n, [ir.If(
                                 ir.Compare(">", s.magnitude(s.a(i, k)), best, span),
                                 (local_assign(pivot, i, scope),
                                  local_assign(best, s.magnitude(s.a(i, k)), scope)), (), span)])]
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
