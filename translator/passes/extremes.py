"""The class of a float max/min reduction: OpenMP's threads start from the wrong extreme.

clang starts each thread's copy of a float `reduction(max: m)` from the type's lowest finite value
(-DBL_MAX, -FLT_MAX; measured with clang 19), not -inf (for min: +DBL_MAX, not +inf), and its
combiner may drop a NaN. So a float max/min reduction also reduces (`max`) a class of what it saw,
starting from the class of the value before the loop: 0 for the infinity a max (min) cannot go below
(above), 1 for anything else, 2 for a NaN. After the loop class 0 means every value was that infinity
(the threads' start is not); with class 1 no value is NaN and one is finite or beyond the start, so
OpenMP's value is exact. Used by `passes.team_reductions` and `passes.reduce_loops` (NumPy: class 2
makes the result NaN), and by `with_extreme_classes` for a `prange`'s `m = max(m, e)`: Python's
`max` skips a NaN `e`, so an element's NaN is class 0 (it adds nothing) and only class 0 corrects;
a NaN `m` before the loop is class 2 and stays as OpenMP leaves it, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import BOOL, I64, ScalarType
from translator.ir.visit import StmtTransformer, walk_all
from translator.passes.reductions import LoopKey, loop_keys


Reductions = dict[LoopKey, tuple[ir.Reduction, ...]]


def with_extreme_classes(kernel: ir.Kernel, reductions: Reductions) -> tuple[ir.Kernel, Reductions]:
    """Each float `max`/`min` reduction of a `prange` (`m = max(m, e)`) with its class: set before
    the loop, reduced in it, and `m` set to the infinity after it where every value was it; the
    clauses with the classes' `max`. Other reductions are left as they are."""
    used = {n.id for n in walk_all(kernel.body) if isinstance(n, ir.Name)} | {v.name for v in kernel.locals}
    used |= {p.name for p in kernel.params}
    made: list[ir.Var] = []

    def fresh(base: str, t: ScalarType) -> ir.Var:
        name, number = base, 1
        while name in used:
            number, name = number + 1, f"{base}__{number + 1}"
        used.add(name)
        made.append(ir.Var(name, t))
        return made[-1]
    types: dict[str, object] = {v.name: v.type for v in kernel.locals}
    types |= {p.name: p.type for p in kernel.params}
    classes = _Classes(loop_keys(kernel.body), dict(reductions), types, fresh)
    body = classes.block(kernel.body)
    return dataclasses.replace(kernel, body=body, locals=(*kernel.locals, *made)), classes.reductions


@dataclasses.dataclass
class _Classes(StmtTransformer):
    """Host code: around each outermost `prange` with float max/min clauses, the class bookkeeping."""
    keys: dict[int, LoopKey]
    reductions: Reductions
    types: dict[str, object]
    fresh: Callable[[str, ScalarType], ir.Var]

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        return tuple(out for stmt in stmts for out in self.around(stmt))

    def around(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        if not (isinstance(stmt, ir.Loop) and stmt.parallel):
            return (self.visit(stmt),)
        key = self.keys[id(stmt)]
        before, after, loop = [], [], stmt
        for clause in self.reductions.get(key, ()):
            t = self.types.get(clause.var)
            if clause.op not in ("max", "min") or not isinstance(t, ScalarType) or not t.is_float:
                continue
            span = _first_update(stmt, clause.var)  # the C lines map to a Python line naming the variable
            var, seen = ir.Name(clause.var, span, t), self.fresh(f"{clause.var}_seen", I64)
            seen_name = ir.Name(seen.name, span, I64)
            before.append(ir.Assign(seen_name, extreme_class(clause.op, t, var), span))
            loop = dataclasses.replace(loop, body=_Updates(clause, t, seen_name, self.fresh).block(loop.body))
            after.append(ir.Assign(var, at_infinity(clause.op, var, seen_name), span))
            self.reductions[key] += (ir.Reduction("max", seen.name),)
        return (*before, loop, *after)

    visit_If = visit_While = visit_Loop = visit_LibraryCall = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Break = StmtTransformer.keep
    visit_Continue = visit_Return = visit_LocalArray = visit_Temporary = StmtTransformer.keep


def _first_update(loop: ir.Loop, var: str) -> Span:
    """Where the loop first updates `var`."""
    return next(n.span for n in walk_all(loop.body)
                if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name) and n.target.id == var)


@dataclasses.dataclass
class _Updates(StmtTransformer):
    """A `prange` body: after each update `m = max(m, e)` of the clause, `seen = max(seen, class(e))`
    (`e` held in a fresh local first unless it is a name, an element or a constant)."""
    clause: ir.Reduction
    t: ScalarType
    seen: ir.Name
    fresh: Callable[[str, ScalarType], ir.Var]

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        return tuple(out for stmt in stmts for out in self.updated(stmt))

    def updated(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        value = stmt.value if isinstance(stmt, ir.Assign) else None
        if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and stmt.target.id == self.clause.var
                and isinstance(value, ir.Call) and value.func == self.clause.op and len(value.args) == 2):
            return (self.visit(stmt),)
        first, second = value.args
        own_first = isinstance(first, ir.Name) and first.id == self.clause.var
        element = second if own_first else first
        held: tuple[ir.Stmt, ...] = ()
        if not isinstance(element, (ir.Name, ir.Index, ir.Const)):
            assert isinstance(element.type, ScalarType)
            local = self.fresh(f"{self.clause.var}_value", element.type)
            name = ir.Name(local.name, element.span, element.type)
            held, element = (ir.Assign(name, element, stmt.span),), name
            args = (first, name) if own_first else (name, second)
            stmt = dataclasses.replace(stmt, value=dataclasses.replace(value, args=args))
        return (*held, stmt, seen_class(self.clause.op, self.t, self.seen, element, stmt.span, nan=0))

    visit_If = visit_While = visit_Loop = visit_LibraryCall = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Break = StmtTransformer.keep
    visit_Continue = visit_Return = visit_LocalArray = visit_Temporary = StmtTransformer.keep


def extreme_class(op: str, t: ScalarType, value: ir.Expr, nan: int = 2) -> ir.Expr:
    """0 for the infinity a `max` (`min`) of type `t` cannot go below (above), `nan` for a NaN (0
    where the update skips it), 1 for the rest."""
    span = value.span
    beyond = ir.Compare(">" if op == "max" else "<", value, _infinity(op, t, span), span, BOOL)
    number = ir.Select(beyond, ir.Const(1, span, I64), ir.Const(0, span, I64), span, I64)
    if nan == 0:
        return number  # a NaN is not beyond the infinity
    return ir.Select(ir.Call("isnan", (value,), span, BOOL), ir.Const(nan, span, I64), number, span, I64)


def seen_class(op: str, t: ScalarType, seen: ir.Name, value: ir.Expr, span: Span, nan: int = 2) -> ir.Assign:
    """`seen = max(seen, class(value))`: the loop body's bookkeeping, located at `span`."""
    return ir.Assign(seen, ir.Call("max", (seen, extreme_class(op, t, value, nan)), span, I64), span)


def at_infinity(op: str, var: ir.Name, seen: ir.Name) -> ir.Expr:
    """The reduced `var` corrected by its class 0: the infinity where every value was it."""
    span, t = var.span, var.type
    assert isinstance(t, ScalarType)
    is_zero = ir.Compare("==", seen, ir.Const(0, span, I64), span, BOOL)
    return ir.Select(is_zero, _infinity(op, t, span), var, span, t)


def settled(op: str, var: ir.Name, seen: ir.Name) -> ir.Expr:
    """The reduced `var` corrected by its class, as NumPy's max/min: NaN for 2, the infinity for 0."""
    span, t = var.span, var.type
    assert isinstance(t, ScalarType)
    has_nan = ir.Compare("==", seen, ir.Const(2, span, I64), span, BOOL)
    return ir.Select(has_nan, ir.Const(float("nan"), span, t), at_infinity(op, var, seen), span, t)


def _infinity(op: str, t: ScalarType, span: Span) -> ir.Const:
    return ir.Const(float("-inf") if op == "max" else float("inf"), span, t)
