"""Row kernels in the bare form (nvptx): a `prange` whose two-level body works on one row at a time.

NPBench softmax over (1024, 512, 512) float32 on an H100, same run: the emitted OpenMP team form
(`passes.two_level`, team sizes from trip counts) 3.06 ms, CuPy 5.25 ms, a hand-written `ompx_bare`
kernel with a warp per row and butterfly shuffles 0.99 ms; rows of 64: 1.19 ms against 6.2 ms for
the best OpenMP team; rows of 4096: a block per row 1.33 ms against 2.5-2.8 ms (docs/benchmarks.md,
"Softmax's rows"; `bench/row_variants.py`). The device runtime's team reductions and barriers are
the cost; a bare kernel has neither.

So a distributed loop of `passes.two_level` (`OmpTarget.two_level`) whose team size comes from its
rows' trip count (`passes.team_threads`, known before the launch) is marked `bare` too, with that
trip count as `row_trip`, when its body holds only what the bare form expresses:

- `parallel for` loops of one level over the row (elementwise, or team reductions `+ * max min`
  of real scalars, with the NaN class of float max/min as `passes.team_reductions` made it), whose
  bodies are straight-line code (assignments, branches, atomic updates);
- between them, assignments to the iteration's scalars, branches over such statements, and the
  status's atomic `max`/`min` (index check failures): every lane of the row runs these, so they
  must give the same result run once or by each lane; an array store or an atomic `+` there would
  not (a read-modify-write repeated per lane), and keeps the OpenMP team form.

Device functions, serial loops, local arrays, jumps and collapsed inner loops keep the OpenMP form
too. The backend lays the marked loop out (`backend/bare.py`, `templates/stmts.c.j2` macro
`bare_rows`): a warp per row where `row_trip` is at most `ROW_WARP_LIMIT`, a block per row above.
"""

from __future__ import annotations

from collections.abc import Mapping

from translator.ir import nodes as ir
from translator.ir.types import Kind, ScalarType
from translator.ir.visit import straight_line, walk_all

ROW_OPS = ("+", "*", "max", "min")
"""The team reductions the bare form combines with shuffles (`-` is `+` after `passes.team_reductions`)."""


def row_trip(loop: ir.ParallelLoop) -> ir.Expr | None:
    """The rows' trip count when `loop` may run as a bare row kernel (module docstring); else None."""
    d = loop.directive
    if not (isinstance(d, ir.OmpTarget) and d.two_level and not d.bare and not d.reductions and not d.copied
            and d.schedule is None and d.teams_from_trip_count and not loop.temporaries):
        return None
    limit = d.thread_limit
    if not (isinstance(limit, ir.Call) and limit.func == "team_threads"):
        return None  # a row's trip count the host does not know before the launch
    if any(isinstance(n, ir.CallFunction) for n in walk_all(loop.body)):
        return None
    types = {v.name: v.type for v in loop.locals}
    return limit.args[0] if _row_statements(loop.body, types) else None


def _row_statements(body: tuple[ir.Stmt, ...], types: Mapping[str, ScalarType]) -> bool:
    """Whether every statement of the row's serial part is one each lane may run (module docstring)."""
    for s in body:
        if isinstance(s, ir.If):
            ok = _row_statements(s.body + s.orelse, types)
        elif isinstance(s, ir.ParallelLoop):
            ok = _lane_loop(s, types)
        else:
            ok = same_in_every_lane((s,))
        if not ok:
            return False
    return True


def same_in_every_lane(body: tuple[ir.Stmt, ...]) -> bool:
    """Whether the statements give the same result run once or by every lane (warp) that shares the
    iteration: assignments to scalars, the status's atomic `max`/`min`, branches over such
    statements (also `passes.bare_columns`' statements between its loops)."""
    return all(isinstance(s, ir.Assign) and isinstance(s.target, ir.Name)
               or isinstance(s, ir.AtomicUpdate) and s.op in ("max", "min")
               or isinstance(s, ir.If) and same_in_every_lane(s.body + s.orelse) for s in body)


def _lane_loop(loop: ir.ParallelLoop, types: Mapping[str, ScalarType]) -> bool:
    """Whether the row's loop may be dealt to lanes: one level, straight-line, reductions of real
    scalars (`types`: the row's scalars) that shuffles combine."""
    d = loop.directive
    return (isinstance(d, ir.OmpParallelFor) and len(loop.levels) == 1 and d.num_threads is None
            and d.schedule is None and not d.worksharing and not loop.temporaries
            and all(r.op in ROW_OPS and r.var in types and types[r.var].kind in REAL for r in d.reductions)
            and straight_line(loop.body))


REAL = (Kind.INT, Kind.UINT, Kind.FLOAT)
"""The kinds of the scalars the bare forms' combiners take."""
