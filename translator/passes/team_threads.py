"""A team's size from its inner loops' trip count (`passes.two_level`, NVIDIA targets).

Team-level reductions and barriers in clang's device runtime cost in proportion to the team's
threads, so a team of 256 over rows of 64 spends most of its time waiting: measured on an H100 on
NPBench softmax's emitted two-level kernel with only `thread_limit` changed, rows of 64 took 6.2 ms
at 32 threads and 37.3 ms at 256, rows of 512 2.9 ms and 6.57 ms, rows of 4096 2.82 ms at 128 and
2.95 ms at 256 (docs/design.md, "Parallelism mapping"). The best count is about the inner trip count
/ 32, between 32 and 256: `thread_limit(py2omp_team_threads(<trip>))`, the prelude helper computing
it at the launch, where `<trip>` is the largest trip count of the team's `parallel for` loops
(each once: counts the runtime checks equal before the call, `ir.LengthCheck`, count as one).

That needs every such trip count before the region starts: an expression of constants, the extents
of parameter arrays and scalar parameters the kernel never assigns. A loop whose bounds read the
team's loop variables (a triangular row `C[i, :i + 1]`), a name the region assigns, or an array
element keeps the target's constant `thread_limit`. The constant also bounds the helper's result,
which `OmpTarget.max_threads` passes on to the compiler (`launch_bounds`: the register budget of a
constant `thread_limit`, which a run-time one would lose).
"""

from __future__ import annotations

import dataclasses
import functools

from translator.ir import nodes as ir
from translator.ir.types import I64
from translator.ir.visit import walk, walk_all
from translator.passes.equal_lengths import EqualLengths

_VALUES = (ir.Const, ir.Binary, ir.Unary, ir.Cast, ir.Select, ir.Compare, ir.Logical, ir.Call)
"""Expressions evaluated from their operands alone: no array element, no device function."""


def with_team_threads(loop: ir.ParallelLoop, kernel: ir.Kernel) -> ir.ParallelLoop:
    """The distributed `loop` (two levels, its inner loops in place) with its team's size from their
    trip count, or as it is where that count is not known before the launch (or the user gave one)."""
    directive = loop.directive
    assert isinstance(directive, ir.OmpTarget) and directive.two_level
    if not isinstance(directive.thread_limit, int):
        return loop
    inner = [n for n in walk_all(loop.body) if isinstance(n, ir.ParallelLoop)]
    lengths = EqualLengths(kernel.length_checks)
    trips: list[ir.Expr] = []
    for trip in (_trip(nest) for nest in inner):
        trips += [] if any(lengths.equal(trip, seen) for seen in trips) else [trip]
    trips = [trip for trip in trips if not any(_shorter(trip, other, lengths) for other in trips)]
    if not inner or not all(_before_launch(trip, kernel) for trip in trips):
        return loop
    largest = functools.reduce(lambda a, b: ir.Call("max", (a, b), a.span, I64), trips)
    limit = ir.Call("team_threads", (largest,), loop.span, I64)  # the prelude's py2omp_team_threads
    team = dataclasses.replace(directive, thread_limit=limit, max_threads=directive.thread_limit)
    return dataclasses.replace(loop, directive=team)


def _trip(nest: ir.ParallelLoop) -> ir.Expr:
    """The iterations of the collapsed levels: the product of each level's count."""
    counts = [_count(level) for level in nest.levels]
    return functools.reduce(lambda a, b: ir.Binary("*", a, b, a.span, I64), counts)


def _count(level: ir.LoopLevel) -> ir.Expr:
    """`stop`, `stop - start`, or `trip_count(start, stop, step)` for other steps."""
    start, stop, span = level.start, level.stop, level.stop.span
    if level.step != 1:
        return ir.Call("trip_count", (start, stop, ir.Const(level.step, span, I64)), span, I64)
    if isinstance(start, ir.Const) and start.value == 0:
        return stop
    return ir.Binary("-", stop, start, span, I64)


def _shorter(trip: ir.Expr, other: ir.Expr, lengths: EqualLengths) -> bool:
    """Whether `trip` is `other - c` for a positive constant `c` (`Y[i, 1:]` beside `Y[i, :]`)."""
    return (isinstance(trip, ir.Binary) and trip.op == "-" and isinstance(trip.right, ir.Const)
            and isinstance(trip.right.value, int) and trip.right.value > 0 and lengths.equal(trip.left, other))


def _before_launch(expr: ir.Expr, kernel: ir.Kernel) -> bool:
    """Whether the host can evaluate `expr` before the region: constants, parameter arrays' extents
    and scalar parameters, none of which the kernel assigns, combined by arithmetic."""
    nodes = list(walk_all(kernel.body))
    assigned = ({n.target.id for n in nodes if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
                | {n.var for n in nodes if isinstance(n, (ir.Loop, ir.LoopLevel))})
    params = {p.name: p for p in kernel.params if p.name not in assigned}
    for node in walk(expr):
        if isinstance(node, ir.Extent):
            ok = node.array in params and params[node.array].is_array
        elif isinstance(node, ir.Name):
            ok = node.id in params and not params[node.id].is_array
        else:
            ok = isinstance(node, _VALUES)
        if not ok:
            return False
    return True
