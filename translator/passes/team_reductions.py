"""Team-level reductions on offload targets: in a two-level `prange` body, a serial loop that only
accumulates into the team's scalars becomes `parallel for reduction(op: s)` over the team's threads.

Such loops are what `np.sum(x[i, :])`, `np.dot`/`@` of slices and `np.max(x[i, :])` lower to inside a
`prange`, and what `s += x[i, k]` over `for k in range(...)` is: each statement `s = s op e` (`+ - *`,
`min`/`max` of integers) with `s` a scalar of the iteration read nowhere else in the loop. The
scalar holds the combined value after the loop, so the team's later statements read it as before.
`reduction_nest` is the analysis, `as_team_reduction` the transformation.

NumPy's max/min of floats: the serial loop keeps the first NaN (`acc = v if v > acc or isnan(v) else
acc`). OpenMP's combiner may drop a NaN, and clang starts each thread's copy from the type's lowest
finite value (-DBL_MAX, measured with clang 19), not -inf. So the loop also reduces (`max`) a class
of what it saw, starting from the class of the value before the loop: 0 for -inf (max; +inf for
min), 1 for anything else, 2 for a NaN. After the loop class 2 makes the result NaN and class 0 the
infinity; with class 1 no value is NaN and one is finite or beyond the threads' start, so OpenMP's
value is exact. Python's `min(s, e)`/`max(s, e)` of floats (which skip a NaN `e` but keep a NaN
`s`) stay serial.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import same
from translator.ir.types import BOOL, I64
from translator.ir.visit import walk, walk_all
from translator.passes.parallelize import collapse
from translator.passes.reductions import update_op


@dataclasses.dataclass(frozen=True)
class Update:
    """One statement of the loop: it combines into `var` with OpenMP's `op`; `element` is the value a
    NaN-keeping float max/min compares (None for the others)."""
    var: ir.Name
    op: str
    element: ir.Expr | None = None


@dataclasses.dataclass(frozen=True)
class ReductionNest:
    """A serial loop nest (perfect, rectangular, at most 3 levels) whose innermost statements are
    `updates`, one each."""
    levels: tuple[ir.LoopLevel, ...]
    body: tuple[ir.Stmt, ...]
    updates: tuple[Update, ...]


@dataclasses.dataclass(frozen=True)
class TeamReduction:
    """The statements that replace the loop, in order, and the team's new scalars."""
    stmts: tuple[ir.Stmt, ...]
    locals: tuple[ir.Var, ...]


def reduction_nest(loop: ir.Loop, private: Mapping[str, ir.Var]) -> ReductionNest | None:
    """The nest when `loop` is a serial loop nest whose innermost statements each combine one of
    the iteration's scalars (`private`), each read only by its own update; None otherwise."""
    if loop.parallel or loop.independent:
        return None
    levels, body = collapse(loop, lambda inner: not inner.parallel and not inner.independent)
    updates = []
    for stmt in body:
        if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id in private):
            return None
        update = _update(stmt.target, stmt.value)
        if update is None or private[stmt.target.id].type.is_complex:
            return None
        updates.append(update)
    reads = [n.id for n in walk_all((*body, *levels)) if isinstance(n, ir.Name)]
    for stmt, update in zip(body, updates):
        own = sum(1 for n in walk(stmt) if isinstance(n, ir.Name) and n.id == update.var.id)
        if reads.count(update.var.id) != own:
            return None  # read by another statement (or updated twice), or by the bounds
    return ReductionNest(levels, body, tuple(updates)) if updates else None


def as_team_reduction(nest: ReductionNest, span: Span, fresh: Callable[[str], str]) -> TeamReduction:
    """The nest as a `parallel for` (collapsed) with a `reduction` clause per scalar, and the class
    bookkeeping of NaN-keeping float max/min around it."""
    before: list[ir.Stmt] = []
    body = list(nest.body)
    after: list[ir.Stmt] = []
    made: list[ir.Var] = []
    for update in (u for u in nest.updates if u.element is not None):
        seen = ir.Name(fresh(f"{update.var.id}_seen"), update.var.span, I64)
        before.append(ir.Assign(seen, _class(update, update.var), span))
        element: ir.Expr = update.element  # type: ignore[assignment]
        body.append(ir.Assign(seen, ir.Call("max", (seen, _class(update, element)), span, I64), span))
        after.append(ir.Assign(update.var, _settled(update, seen), span))
        made.append(ir.Var(seen.id, I64))
    clauses = (*(ir.Reduction(u.op, u.var.id) for u in nest.updates), *(ir.Reduction("max", v.name) for v in made))
    directive = ir.OmpParallelFor(len(nest.levels), clauses)
    spread = ir.ParallelLoop(nest.levels, tuple(body), (), directive, span)
    return TeamReduction((*before, spread, *after), tuple(made))


def _update(var: ir.Name, value: ir.Expr) -> Update | None:
    """`var = value` as an update: `var op e`, `min`/`max` of integers, or the serial max/min the
    frontend makes of `np.max`/`np.min` (`e if e > var [or isnan(e)] else var`)."""
    op = update_op(var.id, value)
    if op in ("+", "-", "*"):
        return Update(var, "+" if op == "-" else op)
    if op is not None:
        return None if var.type is None or var.type.is_float else Update(var, op)
    if not (isinstance(value, ir.Select) and _is(value.orelse, var)):
        return None
    cond, element = value.cond, value.then
    nan_kept = isinstance(cond, ir.Logical) and cond.op == "or" and _is_nan_test(cond.right, element)
    compare = cond.left if nan_kept else cond  # type: ignore[union-attr]
    if not (isinstance(compare, ir.Compare) and compare.op in ("<", ">") and same(compare.left, element)
            and _is(compare.right, var) and var.type is not None and var.type.is_float == nan_kept):
        return None
    return Update(var, "max" if compare.op == ">" else "min", element if nan_kept else None)


def _is(expr: ir.Expr, var: ir.Name) -> bool:
    return isinstance(expr, ir.Name) and expr.id == var.id


def _is_nan_test(expr: ir.Expr, element: ir.Expr) -> bool:
    return isinstance(expr, ir.Call) and expr.func == "isnan" and len(expr.args) == 1 and same(expr.args[0], element)


def _class(update: Update, value: ir.Expr) -> ir.Expr:
    """0 for the infinity a max (min) cannot go below (above), 2 for a NaN, 1 for the rest."""
    span, t = update.var.span, update.var.type
    bound = ir.Const(float("-inf") if update.op == "max" else float("inf"), span, t)
    beyond = ir.Compare(">" if update.op == "max" else "<", value, bound, span, BOOL)
    number = ir.Select(beyond, ir.Const(1, span, I64), ir.Const(0, span, I64), span, I64)
    return ir.Select(ir.Call("isnan", (value,), span, BOOL), ir.Const(2, span, I64), number, span, I64)


def _settled(update: Update, seen: ir.Name) -> ir.Expr:
    """The reduced value corrected by its class: NaN for 2, the infinity for 0."""
    span, t = update.var.span, update.var.type
    infinity = ir.Const(float("-inf") if update.op == "max" else float("inf"), span, t)
    at_bound = ir.Select(ir.Compare("==", seen, ir.Const(0, span, I64), span, BOOL), infinity, update.var, span, t)
    has_nan = ir.Compare("==", seen, ir.Const(2, span, I64), span, BOOL)
    return ir.Select(has_nan, ir.Const(float("nan"), span, t), at_bound, span, t)
