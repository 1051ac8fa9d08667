"""Host time loops of small launches run as one target region of one team.

NPBench's jacobi_1d steps 4000 times through two 32000-element stencils: 8000 launches. Each pays
the offload runtime's floor (18 us `nowait`, measured in C on the H200), so the loop costs about
150 ms on a GPU that does each stencil's work in a few microseconds, and Numba on 16 CPU cores
(98 ms) is faster. OpenMP has no barrier across teams, but the threads of one team have one: the
whole loop can run inside a single `target parallel` region, every thread stepping through the
host loop and sharing each former region's iterations (`for`, whose barrier at its end orders the
steps exactly as the launches did). One team uses one GPU multiprocessor, so this pays only where
each step's work is small: the C keeps both forms and takes the team's where every region's trip
count is at most the limit (`translator.settings.team_loop_limit`, from bench/launch_floor.py).

A host loop qualifies when its body holds only target regions (no host statements between them,
which every thread would run, no reductions or scalars handed back to the host, no temporaries,
no regions that spread their own body over a team, `two_level`), each iteration of which is
straight-line code (its trip count is then its work), and it sits in a `target data`
region, whose maps the team's region repeats (the arrays are present: nothing moves). Where the
kernel's regions are launched `nowait` (`passes.launches`), the team's region is launched after the
same order variable (`depend(inout: ...)`): the regions before the loop may still be running.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.passes.launches import launched_synchronously, launches_nowait

_REPEATING = (ir.Loop, ir.While, ir.ParallelLoop, ir.CallFunction, ir.LibraryCall)
"""What makes an iteration's work more than its straight-line code: loops, and device functions (which may loop)."""

TEAM_THREADS = 1024
"""Threads of the team on a GPU: the most a block may have, so that one multiprocessor is full."""


def run_in_teams(kernel: ir.Kernel, limit: int, gpu: bool) -> ir.Kernel:
    """`kernel` with each qualifying host loop (module docstring) also emitted as a `TeamLoop`."""
    if limit <= 0:
        return kernel
    threads = TEAM_THREADS if gpu else None
    body = tuple(_in_data_region(s, limit, threads) if isinstance(s, ir.TargetData) else s for s in kernel.body)
    return dataclasses.replace(kernel, body=body)


def _in_data_region(region: ir.TargetData, limit: int, threads: int | None) -> ir.TargetData:
    """The `target data` region with its qualifying host loops paired with their team form."""
    def team_form(stmt: ir.Stmt) -> ir.Stmt:
        if not isinstance(stmt, ir.Loop) or not _qualifies(stmt):
            return stmt
        (loop,) = launched_synchronously((stmt,))
        assert isinstance(loop, ir.Loop)
        return ir.TeamLoop(dataclasses.replace(loop, body=tuple(_shared(r) for r in loop.body)), stmt, region.maps,
                           (), threads, limit, region.device, stmt.span, launches_nowait((stmt,)))
    return dataclasses.replace(region, body=tuple(team_form(s) for s in region.body))


def _qualifies(loop: ir.Loop) -> bool:
    """Whether every statement of the host loop's body is a target region a team's `for` can run."""
    return (not loop.parallel and not loop.host_code and bool(loop.body)
            and all(_plain_region(s) for s in loop.body))


def _plain_region(stmt: ir.Stmt) -> bool:
    """A region whose iterations are straight-line code, so that its trip count measures its work
    (Floyd-Warshall's rows each loop over a row: a step's work is the square of its trip count)."""
    directive = stmt.directive if isinstance(stmt, ir.ParallelLoop) else None
    return (isinstance(stmt, ir.ParallelLoop) and isinstance(directive, ir.OmpTarget) and not directive.two_level
            and not directive.reductions and not directive.copied and not stmt.temporaries
            and not any(isinstance(n, _REPEATING) for n in walk_all(stmt.body)))


def _shared(region: ir.Stmt) -> ir.ParallelLoop:
    """The region as a worksharing `for` among the team's threads: consecutive iterations on
    consecutive threads (`static, 1`: coalesced on a GPU) unless the user chose a schedule."""
    assert isinstance(region, ir.ParallelLoop) and isinstance(region.directive, ir.OmpTarget)
    directive = region.directive
    schedule = directive.schedule or "static, 1"
    return dataclasses.replace(region, directive=ir.OmpParallelFor(directive.collapse, (), None, schedule, True))
