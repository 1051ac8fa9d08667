"""Elementwise loop nests launched in the bare form (`ompx_bare`) on targets that have it (nvptx).

The STREAM triad on 2^27 device doubles ran at 0.81 of CuPy's ElementwiseKernel on an H200 as a
`target teams distribute parallel for`, and one jacobi_2d step at 0.48; the same bodies written as
a bare kernel (`target teams ompx_bare`, one element per thread from the block and thread numbers,
a guard, a 2-D nest recovered from the flat number with `/` and `%`) ran at 0.87 and 0.89. No
launch clause, index type or clang flag of the OpenMP loop came near (docs/benchmarks.md,
"Bandwidth variants of the emitted launch"): the cost is the code generated for the OpenMP loop.

A bare region has no OpenMP loop and no device runtime state, so only nests that need neither take
it: a `target teams distribute parallel for` (one level, not `two_level`) with no reduction, no
scalars copied back (`copied`), no temporaries, no `schedule` and no `num_teams=` of the user's
(they ask for the OpenMP loop's distribution), whose body runs per iteration as straight-line code:
assignments, branches and atomic updates only (an index check's failure is one: an atomic update of
the status, which needs no runtime either). Loops, device functions, jumps and local arrays keep the
OpenMP loop, as the measurement covers straight-line bodies only. `thread_limit=` is kept: it is
the bare kernel's block size. The decision is `OmpTarget.bare`; the backend lays it out
(`templates/stmts.c.j2`, macro `bare`). Two-level loops over rows take a bare form of their own
(`passes.bare_rows`), and loops whose iterations reduce columns (`passes.bare_columns`, only where
`settings.bare_columns` asks for it: slower than the OpenMP loop in its first GPU run) a form of
theirs too, marked here as well so that `PY2OMP_BARE=0` turns them all off.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import Node, rewrite_body, straight_line, walk_all
from translator.passes.bare_columns import column_loop
from translator.passes.bare_rows import row_trip


def launch_bare(kernel: ir.Kernel, columns: bool = False) -> ir.Kernel:
    """`kernel` with each qualifying target loop nest (module docstring) marked `bare`, and each
    distributed loop over rows that `passes.bare_rows` takes marked `bare` with its `row_trip`, and,
    with `columns` (`settings.bare_columns`), each loop of column reductions that
    `passes.bare_columns` takes marked `bare` and `columns`."""
    def mark(node: Node) -> Node:
        if not isinstance(node, ir.ParallelLoop) or not isinstance(node.directive, ir.OmpTarget):
            return node
        rows = row_trip(node)
        if rows is not None:
            return dataclasses.replace(node, directive=dataclasses.replace(node.directive, bare=True, row_trip=rows))
        marked = column_loop(node) if columns else None
        if marked is not None:
            return marked
        if is_bare_candidate(node):
            return dataclasses.replace(node, directive=dataclasses.replace(node.directive, bare=True))
        return node
    return dataclasses.replace(kernel, body=rewrite_body(kernel.body, mark))


def is_bare_candidate(loop: ir.ParallelLoop) -> bool:
    """Whether the nest may run as a bare kernel: an elementwise target loop with a straight-line body."""
    d = loop.directive
    return (isinstance(d, ir.OmpTarget) and not d.two_level and not d.reductions and not d.copied
            and d.schedule is None and d.teams_from_trip_count and not loop.temporaries
            and straight_line(loop.body) and not any(isinstance(n, ir.CallFunction) for n in walk_all(loop.body)))
