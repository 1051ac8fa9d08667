"""Consecutive vendor BLAS calls waited for once (issue 12 item 2): which `LibraryCall`s leave their
product running when they return.

cuBLAS queues a product on its handle's stream and returns; the host then waits for the device
(`cuCtxSynchronize`) before anything that may read the product on another stream: a target region
(the offload runtime's own streams), `omp_target_memcpy`, the end of a `target data` region (it
copies arrays back and unmaps them), the return. A library call right after another needs no wait
between them: the handle runs its products in order, so the second reads what the first wrote.
atax (`A.T @ (A @ x)`, two gemv) waited for the first product before launching the second, where
CuPy queues both (docs/benchmarks.md, "Where the gemv-like gap goes": 0.1-0.15 ms of the call).

A run is library calls that follow each other in one block with only `TaskWait`s between them
(`passes.launches` puts one before every call; nothing is launched between two calls, so they
wait for nothing the library reads). A call joins a run unless it maps arrays of its own (its
`target data` region ends right after the call, copying back and unmapping: it waits inside it)
or works in place (its wrapper copies the product out of a buffer and waits for it first). Every
call of a run but the last is `queued`, every one but the first `after_queued`; the backend turns
that into where the wait stands (`backend.lower`, `LibraryCallView.wait`): after the last call,
whatever its status, and before the loops of a later call that the library did not compute (they
are target regions that may read an earlier product). A call's own error still goes to its
failure branch; an error the wait reports (a product that failed while running) goes to the
failure branch of the run's last call, the first place the host learns of it.
"""

from __future__ import annotations

import dataclasses
from typing import TypeGuard

from translator.ir import nodes as ir
from translator.ir.visit import StmtTransformer, walk_all


def library_runs(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` (and its device-pointer variant) with the calls of each run marked."""
    if not any(isinstance(n, ir.LibraryCall) for n in walk_all(kernel.body)):
        return kernel
    variant = kernel.device_variant
    return dataclasses.replace(kernel, body=_Runs().block(kernel.body),
                               device_variant=None if variant is None else library_runs(variant))


def _joins(stmt: ir.Stmt) -> TypeGuard[ir.LibraryCall]:
    """Whether the statement is a call that may be part of a run (the module's docstring)."""
    return isinstance(stmt, ir.LibraryCall) and not stmt.maps and not stmt.in_place


class _Runs(StmtTransformer):
    """Host statements: blocks that may hold calls are searched for runs; device code holds none."""

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """The block's statements, the calls of each run of two or more marked."""
        out = list(super().block(stmts))
        runs: list[list[tuple[int, ir.LibraryCall]]] = [[]]
        for at, stmt in enumerate(out):
            if _joins(stmt):
                runs[-1].append((at, stmt))
            elif not isinstance(stmt, ir.TaskWait):
                runs.append([])
        for run in (r for r in runs if len(r) > 1):
            (first, _), (last, _) = run[0], run[-1]
            for at, call in run:
                out[at] = dataclasses.replace(call, queued=at != last, after_queued=at != first)
        return tuple(out)

    visit_If = visit_Loop = visit_While = visit_TargetData = StmtTransformer.descend
    # a call's fallback and a region's body are device code or launches, never a library call
    visit_LibraryCall = visit_ParallelLoop = visit_TeamLoop = StmtTransformer.keep
    visit_Assign = visit_ArrayAssign = visit_Scatter = visit_AtomicUpdate = visit_CallStatement = StmtTransformer.keep
    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = visit_Return = StmtTransformer.keep
    visit_UpdateFrom = visit_TaskWait = StmtTransformer.keep
