"""Column reductions in the bare form (nvptx): a distributed loop whose iterations each accumulate a
serial loop over the rows of a column.

NPBench covariance's column means (`np.sum(data, axis=0) / float_n`, 1400 x 1200) were one thread per
column walking 1400 rows: 1200 threads, 5 blocks on a GPU of 132 multiprocessors. The same shape comes
from `np.mean`/`np.std`/`np.max(x, axis=0)` and from `for j in prange(m): s = 0.0; for i in range(n):
s += a[i, j]`. In the bare column form a block of 256 threads takes 32 consecutive iterations (one
column each per lane, so a warp's loads of a row stay coalesced) and its 8 warps share each serial
loop's iterations: warp g takes k = start + g * step, start + (g + 8) * step, ... (interleaved, not
contiguous chunks: the 8 warps then read 8 consecutive rows at a time, one stretch of memory, and a
loop of fewer than 8 iterations still spreads). The 8 partial results of a column are combined
through team-shared memory in the fixed order of the warps (the same result run to run, in every
warp), the reordering a `prange` reduction allows; integer sums stay exact.

Which loops: a one-level `target teams distribute parallel for` (no `reduction`, copied scalar,
temporary, `schedule=`, user's `num_teams=` or `thread_limit=`, device function call) whose body is
(a) serial loops, each a reduction nest of `passes.team_reductions` of one level (`s = s op e`, `+ -
*`, integer `min`/`max`, NumPy's NaN-keeping float max/min) into real scalars of the iteration, whose
array reads all end in the distributed variable (`x[k, i]`: coalesced across the block's lanes), and
whose bounds do not read it; (b) before the last loop, statements every warp may run alike
(`passes.bare_rows.same_in_every_lane`); (c) after it, straight-line statements (the epilogue
`mean[i] = s / n`, index checks' failures), which one warp runs. Anything else keeps its C. The pass
records each loop's updates in `Loop.reductions` and marks the directive `bare` and `columns`; the
backend lays it out (`backend/bare.py`, `backend/bare_lower.py`).
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import straight_line, walk, walk_all
from translator.passes.bare_rows import REAL, same_in_every_lane
from translator.passes.team_reductions import reduction_nest

COLUMN_BLOCK = 256
"""The block the column form lays out: 32 columns (a warp's lanes) by 8 warps."""


def column_loop(loop: ir.ParallelLoop) -> ir.ParallelLoop | None:
    """`loop` marked for the bare column form (module docstring), its serial loops' `reductions` set;
    None where it does not qualify."""
    d = loop.directive
    if not (isinstance(d, ir.OmpTarget) and not d.two_level and not d.bare and not d.reductions and not d.copied
            and d.schedule is None and d.teams_from_trip_count and d.thread_limit == COLUMN_BLOCK
            and d.max_threads is None and len(loop.levels) == 1 and not loop.temporaries and not loop.flat):
        return None
    if any(isinstance(n, ir.CallFunction) for n in walk_all(loop.body)):
        return None
    loops = [n for n, s in enumerate(loop.body) if isinstance(s, ir.Loop)]
    if not loops or not same_in_every_lane(tuple(s for s in loop.body[:loops[-1]] if not isinstance(s, ir.Loop))):
        return None
    if not straight_line(loop.body[loops[-1] + 1:]):
        return None
    body = list(loop.body)
    for n in loops:
        marked = _column_reduction(body[n], loop)  # type: ignore[arg-type]
        if marked is None:
            return None
        body[n] = marked
    return dataclasses.replace(loop, body=tuple(body), directive=dataclasses.replace(d, bare=True, columns=True))


def _column_reduction(inner: ir.Loop, loop: ir.ParallelLoop) -> ir.Loop | None:
    """`inner` with its updates as `reductions` where it is a one-level reduction of real scalars of
    the iteration, reading arrays only at elements whose last index is the distributed variable."""
    private = {v.name: v for v in loop.locals}
    nest = reduction_nest(inner, private)
    column = loop.levels[0].var
    if nest is None or len(nest.levels) != 1 or any(private[u.var.id].type.kind not in REAL for u in nest.updates):
        return None
    if any(isinstance(n, ir.Name) and n.id == column for e in (inner.start, inner.stop) for n in walk(e)):
        return None
    reads = [n for n in walk_all(inner.body) if isinstance(n, ir.Index)]
    if not all(isinstance(r.indices[-1], ir.Name) and r.indices[-1].id == column for r in reads):
        return None
    return dataclasses.replace(inner, reductions=tuple(ir.Reduction(u.op, u.var.id) for u in nest.updates))
