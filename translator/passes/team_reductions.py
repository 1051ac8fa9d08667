"""Team-level reductions on offload targets: in a two-level `prange` body, a serial loop that only
accumulates into the team's scalars becomes `parallel for reduction(op: s)` over the team's threads.

Such loops are what `np.sum(x[i, :])`, `np.dot`/`@` of slices and `np.max(x[i, :])` lower to inside a
`prange`, and what `s += x[i, k]` over `for k in range(...)` is: each statement `s = s op e` (`+ - *`,
`min`/`max` of integers) with `s` a scalar of the iteration read nowhere else in the loop. The
scalar holds the combined value after the loop, so the team's later statements read it as before.
`reduction_nest` is the analysis, `as_team_reduction` the transformation.

NumPy's max/min of floats: the serial loop keeps the first NaN (`acc = v if v > acc or isnan(v) else
acc`). OpenMP's combiner may drop a NaN, and its threads start from the lowest finite value, not
-inf, so the loop also reduces the class of what it saw (`passes.extremes`) and corrects the result
after it: NaN for class 2, the infinity for class 0. Python's `min(s, e)`/`max(s, e)` of floats
(which skip a NaN `e` but keep a NaN `s`) stay serial.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import same
from translator.ir.types import I64, ScalarType
from translator.ir.visit import walk, walk_all
from translator.passes.extremes import extreme_class, seen_class, settled
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
        t = update.var.type
        assert isinstance(t, ScalarType) and update.element is not None
        before.append(ir.Assign(seen, extreme_class(update.op, t, update.var), span))
        body.append(seen_class(update.op, t, seen, update.element, span))
        after.append(ir.Assign(update.var, settled(update.op, update.var, seen), span))
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
