"""Two-level parallelism on offload targets: teams for the `prange`, threads for the loops inside it.

A `target teams distribute parallel for` deals the `prange`'s iterations to threads, one each, so
the loops an iteration runs (a row-slice statement's loop over the row) run serially on one thread.
When the body holds loops whose iterations are independent (`ir.Loop.independent`, made by
`passes.lower_arrays`, or `ir.Loop.disjoint`, proven by the pass that made the loop, when no check
that leaves it is left in it), the `prange` becomes `target teams distribute` instead (one team per
iteration; the launch clauses stay as `passes.parallelize` chose them) and each outermost
independent loop in its body a `ParallelLoop` with `OmpParallelFor` (`parallel for`, perfectly
nested independent levels collapsed): the team's threads share its iterations, consecutive threads
on consecutive values of the innermost level, which array statements make the fastest-varying index
of the assigned view. The statements between those loops run once per iteration, on the team's
initial thread, which is what the IR means: the body runs in order, once per `prange` iteration.

Products go first: a body that `passes.interchange` can fuse (gemm's row loops, alone or in a
serial loop over k) becomes one collapsed `target teams distribute parallel for` over the row and
its elements instead, the serial loop inside each (H200: 13.7 ms against 21-50 ms for teams).

Data sharing: names the serial part assigns are declared in the distributed loop's body (private
to the team) and shared, read-only, inside its `parallel for` loops; scalars a `parallel for` loop
assigns are declared in its body (private to each thread), and a loop whose assigned scalars are
used elsewhere in the body stays serial. In a body that goes to two levels, a serial loop nest that
only accumulates into the body's scalars becomes `parallel for reduction` (`passes.team_reductions`:
`np.sum`, `@` of slices, `np.max`, `s += x[i, k]`); the scalar, private to the team, holds the
combined value for the statements after it. A body whose only loops are such reductions (gemv:
`y[i] = A[i, :] @ x`) keeps one level: one thread per iteration, the sum in a register, with no
team barrier per row. A `prange` with a `schedule=` keeps one level: it says how iterations are
dealt to threads, which `distribute` does not take. A body with a serial loop that is no reduction
and holds no independent loop (a reduction inside an element loop the frontend lowered, a user's
loop nest) keeps one level as well: that loop would run on one thread of each team, the rest idle
(measured on the H200, NPBench softmax at paper size: 11.4 ms one level, 229 ms two levels). So
does a serial loop around reduction loops alone (covariance's `for j` around `data[:, i] @
data[:, j]`, conv2d's window sums): a team would run one short reduction after another, not
measured yet. The `cpu` target keeps one level (there are no teams); `serial` has no directives. On nvptx the
team's size comes from its inner loops' trip count (`passes.team_threads`).
Not yet: loops the user writes are never marked independent.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping

from translator.ir import nodes as ir
from translator.ir.visit import StmtTransformer, nested_statements, walk_all
from translator.passes.interchange import fusion_of, interchange
from translator.passes.parallelize import collapse
from translator.passes.team_reductions import as_team_reduction, reduction_nest
from translator.passes.team_threads import with_team_threads


def map_two_levels(kernel: ir.Kernel, team_threads: bool) -> ir.Kernel:
    """`kernel` (parallelized for an offload target) with each `prange` over independent loops in
    two levels; with `team_threads`, each team's size from its inner loops (`passes.team_threads`)."""
    mapping = _Kernel(kernel, _used_names(kernel), team_threads)
    return dataclasses.replace(kernel, body=mapping.block(kernel.body))


class _Kernel(StmtTransformer):
    """The kernel's statements: its parallel loops (wherever host code puts them) mapped."""

    def __init__(self, kernel: ir.Kernel, used: set[str], team_threads: bool) -> None:
        self.kernel = kernel
        self.used = used
        self.checks = kernel.length_checks
        self.team_threads = team_threads

    def fresh(self, base: str) -> str:
        """A name the kernel does not use yet (`C_element`, `C_element__2`)."""
        name, number = base, 1
        while name in self.used:
            number += 1
            name = f"{base}__{number}"
        self.used.add(name)
        return name

    def visit_ParallelLoop(self, loop: ir.ParallelLoop) -> ir.Stmt:
        """The fused and interchanged nest where `passes.interchange` may make one; else the
        distributed loop with `parallel for` loops in its body, or `loop` itself when it has none
        to give its teams' threads (or a schedule that asks for one level)."""
        fusion = fusion_of(loop, self.checks)
        if fusion is not None:
            return interchange(loop, fusion, self.fresh)
        directive = loop.directive
        private = {v.name: v for v in loop.locals}
        if (not isinstance(directive, ir.OmpTarget) or directive.schedule is not None
                or _serial_loops(loop.body, private)):
            return loop
        spreading = _Spreading(loop, self.fresh)
        body = spreading.block(loop.body)
        if not spreading.spread:
            return loop
        moved = {v.name for inner in spreading.spread for v in inner.locals}
        locals_ = (*(v for v in loop.locals if v.name not in moved), *spreading.made)
        two_level = dataclasses.replace(directive, two_level=True)
        teams = dataclasses.replace(loop, body=body, locals=locals_, directive=two_level)
        return with_team_threads(teams, self.kernel) if self.team_threads else teams

    visit_If = visit_Loop = visit_While = visit_TargetData = visit_LibraryCall = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = StmtTransformer.keep
    visit_Break = visit_Continue = visit_Return = visit_UpdateFrom = StmtTransformer.keep


class _Spreading(StmtTransformer):
    """The rewriting of one distributed loop's body: its outermost independent loops become
    `parallel for` loops, which `spread` collects, and its reduction loops (`passes.team_reductions`)
    `parallel for reduction` loops, with the scalars they add in `made`."""

    def __init__(self, loop: ir.ParallelLoop, fresh: Callable[[str], str]) -> None:
        self.private = {v.name: v for v in loop.locals}
        self.uses = _name_uses(loop.body)
        self.fresh = fresh
        self.spread: list[ir.ParallelLoop] = []
        self.made: list[ir.Var] = []

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """The statements rewritten; a reduction loop may become several (its bookkeeping)."""
        rewritten: list[ir.Stmt] = []
        for stmt in stmts:
            nest = reduction_nest(stmt, self.private) if isinstance(stmt, ir.Loop) else None
            if nest is None:
                rewritten.append(self.visit(stmt))
                continue
            reduction = as_team_reduction(nest, stmt.span, self.fresh)
            self.made += reduction.locals
            rewritten += reduction.stmts
        return tuple(rewritten)

    def visit_Loop(self, loop: ir.Loop) -> ir.Stmt:
        """`loop` shared by the team's threads, its assigned scalars declared inside it; `loop`
        unchanged where one of them is a name the rest of the body uses too (or not a private one)."""
        if not _shareable(loop):
            return self.descend(loop)
        assigned = {n.target.id for n in walk_all(loop.body)
                    if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
        inside = _name_uses(loop.body)
        if any(name not in self.private or inside[name] != self.uses[name] for name in assigned):
            return loop
        levels, body = collapse(loop, lambda inner: inner.independent)
        locals_ = tuple(var for name, var in self.private.items() if name in assigned)
        spread = ir.ParallelLoop(levels, body, locals_, ir.OmpParallelFor(len(levels), ()), loop.span)
        self.spread.append(spread)
        return spread

    visit_If = visit_While = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = StmtTransformer.keep
    visit_Break = visit_Continue = visit_Return = StmtTransformer.keep


def _used_names(kernel: ir.Kernel) -> set[str]:
    """Every name the kernel binds or reads: parameters, locals, loop variables."""
    nodes = list(walk_all(kernel.body))
    return ({p.name for p in kernel.params} | {v.name for v in kernel.locals}
            | {n.id for n in nodes if isinstance(n, ir.Name)}
            | {n.var for n in nodes if isinstance(n, (ir.Loop, ir.LoopLevel))}
            | {v.name for n in nodes if isinstance(n, ir.ParallelLoop) for v in n.locals})


def _name_uses(stmts: tuple[ir.Stmt, ...]) -> Counter[str]:
    """How many times each name is read or assigned in the statements."""
    return Counter(n.id for n in walk_all(stmts) if isinstance(n, ir.Name))


def _shareable(loop: ir.Loop) -> bool:
    """Whether a team's threads may share the loop's iterations: `independent`, or `disjoint` with
    no check left in it that leaves the loop (`break`, which a `parallel for` cannot)."""
    return loop.independent or loop.disjoint and not any(isinstance(n, ir.Break) for n in walk_all(loop.body))


def _serial_loops(stmts: tuple[ir.Stmt, ...], private: Mapping[str, ir.Var]) -> bool:
    """Whether the statements hold a serial loop that is no reduction nest and holds no independent
    loop (outside the independent loops, whose insides their threads share)."""
    for stmt in stmts:
        if isinstance(stmt, ir.Loop) and (_shareable(stmt) or reduction_nest(stmt, private) is not None):
            continue
        if isinstance(stmt, ir.Loop) and not any(isinstance(n, ir.Loop) and _shareable(n) for n in walk_all(stmt.body)):
            return True
        if _serial_loops(nested_statements(stmt), private):
            return True
    return False
