"""Asynchronous launches: a kernel's sequence of target regions runs without the host waiting for each.

A host time loop (NPBench jacobi_1d: two regions per step, 8000 launches) pays the offload runtime's
floor at every launch when each region is synchronous: the host thread launches, then waits for the
kernel to finish, then launches the next. Measured on the H200 in C with the same runtime: a
16-element kernel 26 us synchronous, 18 us with `nowait` (one `taskwait` for 4000 launches); the
jacobi_1d loop 196 ms synchronous, 144 ms with `nowait` + `depend`.

Where a kernel's body launches several regions (consecutive ones, or one inside a host loop: then
`parallelize` has wrapped the body in a `target data` region), every target region gets `nowait`
and `depend(inout: <one order variable per call>)` (`OmpTarget.nowait`). One variable for all the
regions, not one per array: each region then depends on the one launched before it, so they run in
exactly the program's order, as they did synchronously; whatever they share (arrays, the status of
the run-time checks, temporaries) needs no analysis. The regions of a host loop step almost always
read what the previous one wrote (a stencil's ping-pong), so per-array dependences would rarely let
two run together. The variable is a local of the C function: concurrent calls never wait for each
other.

The host reads nothing a region computes except where a `TaskWait` stands:
- before a region with `reduction`s (their variables are host scalars the code after it reads: a
  convergence test, a returned sum), which stays synchronous: `nowait` with a reduction into a
  host scalar, waited for right after, hung on host-offload (LLVM 22's runtime, a loaded machine);
- before a region of host code run on the device whose assigned scalars the host uses after it
  (`OmpTarget.copied`, mapped `tofrom`), synchronous too;
- before a region with temporaries (their buffers are freed right after the loop), synchronous too;
- at the end of the `target data` body, before the copy-back of partly written arrays and the end of
  the region (which copies arrays back and unmaps them), hence before the return and before the
  caller reads the status of the run-time checks (a failed check is still raised after the call,
  with its line, as before: the regions all ran, in order).
- before a region that reads a host scalar wider than a pointer (a complex128), synchronous too.
Host code between regions reads only scalars (host statements that touch array elements run on the
device, `passes.device_regions`, and hand scalars back only through `copied`); a deferred region
captures the scalars it reads when it is launched (`firstprivate`), so the host may change them
right after, except that clang 19 passes a scalar wider than a pointer by reference (map type
`to | private` on the original variable's address, built when the task is created) and the runtime
copies it when the deferred task runs: by then a host loop has assigned the next value (NPBench
contour_integral's `zz`, measured wrong on an H100, 2026-12-06; host-offload ran the task in time).
A kernel with one region and no host loop around it keeps its synchronous launch: there is nothing
to overlap.

It runs where `PY2OMP_ASYNC=1` (`translator.settings.asynchronous_launches`), on every offload
target. It was the default on GPUs while the offload runtime's waits slept on an interrupt; since the
host waits by spinning (`runtime_shim.host_wait`), synchronous launches measured faster on an H100 in
every kernel that had `nowait` ones (the setting's docstring), so it is off by default and stays for
measurements (bench/launch_floor.py builds both forms from one source) and its tests.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import BlockTransformer, Node, nested_statements, rewrite, walk, walk_all


def launch_asynchronously(kernel: ir.Kernel) -> ir.Kernel:
    """The kernel with its target regions `nowait` and its `TaskWait`s, when it runs a sequence of
    them inside a `target data` region; otherwise unchanged."""
    if not any(isinstance(stmt, ir.TargetData) and _sequence(stmt.body) for stmt in kernel.body):
        return kernel
    body = _without_idle_waits(_Launches().block(kernel.body))
    return dataclasses.replace(kernel, body=body) if launches_nowait(body) else kernel  # else: as it was


def _without_idle_waits(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """The kernel's top-level code (and its `target data` bodies') without the `TaskWait`s that no
    `nowait` region precedes since the function began or since the last wait: they wait for nothing
    (go_fast's before its first, synchronous, region). Only straight-line code at the top level, which
    runs once per call: in a loop a wait at the top of the body waits for the previous iteration."""
    kept: list[ir.Stmt] = []
    pending = False
    for stmt in stmts:
        if isinstance(stmt, ir.TaskWait) and not pending:
            continue
        if isinstance(stmt, ir.TargetData):
            stmt = dataclasses.replace(stmt, body=_without_idle_waits(stmt.body)) if not pending else stmt
        pending = not isinstance(stmt, ir.TaskWait) and (pending or launches_nowait((stmt,)))
        kept.append(stmt)
    return tuple(kept)


def launched_synchronously(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """`stmts` with every region synchronous again and no `TaskWait`: for a caller that runs host code
    (a call-back) between the regions and needs each finished there (`passes.split_devices`)."""
    def synchronous(node: Node) -> Node:
        if isinstance(node, ir.ParallelLoop) and isinstance(node.directive, ir.OmpTarget) and node.directive.nowait:
            node = dataclasses.replace(node, directive=dataclasses.replace(node.directive, nowait=False))
        waits: dict[str, object] = {
            f.name: tuple(s for s in getattr(node, f.name) if not isinstance(s, ir.TaskWait))
            for f in dataclasses.fields(node)
            if isinstance(getattr(node, f.name), tuple) and any(isinstance(s, ir.TaskWait) for s in getattr(node, f.name))}
        return dataclasses.replace(node, **waits) if waits else node  # type: ignore[arg-type]  # fields of node
    return tuple(rewrite(stmt, synchronous) for stmt in stmts if not isinstance(stmt, ir.TaskWait))


def launches_nowait(stmts: tuple[ir.Stmt, ...]) -> bool:
    """Whether some target region of `stmts` is launched `nowait` (the C then declares the order variable)."""
    return any(isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget) and n.directive.nowait
               for n in walk_all(stmts))


def _sequence(stmts: tuple[ir.Stmt, ...]) -> bool:
    """Whether the statements may launch more than one target region: two of them, or one in a host loop."""
    regions = _regions(stmts, repeated=False)
    return len(regions) > 1 or any(regions)


def _regions(stmts: tuple[ir.Stmt, ...], repeated: bool) -> list[bool]:
    """One entry per target region of the host code `stmts` (not inside another region): whether a
    host loop encloses it, given `repeated` for `stmts` themselves."""
    found: list[bool] = []
    for stmt in stmts:
        if isinstance(stmt, ir.ParallelLoop):
            found += [repeated] if isinstance(stmt.directive, ir.OmpTarget) else []
        else:
            found += _regions(nested_statements(stmt), repeated or isinstance(stmt, (ir.Loop, ir.While)))
    return found


def _reads_wide_scalar(region: ir.ParallelLoop) -> bool:
    """Whether the region reads a host scalar wider than a pointer, which clang 19 copies when a
    deferred launch runs rather than when it is made (the module's docstring)."""
    nests = [n for n in walk(region) if isinstance(n, ir.ParallelLoop)]
    inside = {v.name for n in nests for v in n.locals} | {level.var for n in nests for level in n.levels}
    return any(isinstance(n, ir.Name) and n.type is not None and n.type.bits > 64 and n.id not in inside
               for n in walk(region))


class _Launches(BlockTransformer):
    """Each host statement becomes itself with its regions launched `nowait`, followed by a `TaskWait`
    where the host reads what the region computes."""

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop) -> tuple[ir.Stmt, ...]:
        """`nowait`, unless the host reads what the region computes as soon as it ends (reductions
        into host scalars, scalars that host code run on the device assigns, temporaries' buffers
        freed after it): such a region stays synchronous, after a wait for the regions launched
        before it."""
        if not isinstance(stmt.directive, ir.OmpTarget):
            return (stmt,)
        if stmt.temporaries or stmt.directive.reductions or stmt.directive.copied or _reads_wide_scalar(stmt):
            return (ir.TaskWait(stmt.span), stmt)
        return (dataclasses.replace(stmt, directive=dataclasses.replace(stmt.directive, nowait=True)),)

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> tuple[ir.Stmt, ...]:
        """Host code that hands device memory to the vendor library: it waits for the regions before it
        (the library's stream knows nothing of them); its fallback loops stay synchronous."""
        return (ir.TaskWait(stmt.span), stmt)

    def visit_TargetData(self, stmt: ir.TargetData) -> tuple[ir.Stmt, ...]:
        """The body, then one `TaskWait` before the copy-backs that end it (none where the body's last
        region is already waited for)."""
        body = self.block(stmt.body)
        copies = tuple(s for s in body if isinstance(s, ir.UpdateFrom))  # `parallelize` puts them last
        inner = body[: len(body) - len(copies)]
        wait = () if inner and isinstance(inner[-1], ir.TaskWait) else (ir.TaskWait(stmt.span),)
        return (dataclasses.replace(stmt, body=inner + wait + copies),)

    visit_If = visit_Loop = visit_While = BlockTransformer.descend
    # host code that launches nothing (scalars only) stays as it is
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Break = visit_Continue = BlockTransformer.keep
    visit_Return = visit_UpdateFrom = visit_TaskWait = BlockTransformer.keep
