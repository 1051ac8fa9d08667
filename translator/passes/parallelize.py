"""Turn outermost `prange` loops into `ParallelLoop` nests carrying their OpenMP directive as data.

- Perfectly nested rectangular `prange`s collapse (`collapse(2)`, `collapse(3)`); other nested
  `prange`s run serially inside each iteration, as in Numba.
- Offload targets get `OmpTarget` with map clauses from the ownership of the arrays the loop uses
  and a launch configuration (teams from the trip count, `target.default_thread_limit` threads,
  256 on GPUs: TOOLCHAIN.md measured the bare construct at 54% of hand-written CUDA's bandwidth and
  this one at 83%). When a kernel
  launches several loops (or one inside a host loop), a `TargetData` region around the whole body
  maps every array once, so nothing returns to the host between loops.
- `prange(..., num_teams=, thread_limit=, schedule=)` overrides that launch configuration;
  `@kernel(device=k)` adds `device(k)` to every target construct. On `cpu`, `thread_limit`
  becomes `num_threads` and `num_teams` is ignored (there are no teams on the host).
- A partly written (`sectioned`) `Out` array that the loops use is mapped `alloc` by such a region,
  which ends with an `UpdateFrom` per written box: the C itself copies back only what the kernel
  writes, so the elements it skips keep the caller's values whoever calls it.
- `cpu` gets `OmpParallelFor`; `serial` gets no directive.
- Locals used only inside loops are declared inside them (private per iteration).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.types import ArrayType, I64, Ownership
from translator.ir.visit import BlockTransformer, StmtTransformer, temporaries, walk, walk_all
from translator.passes.indices import lower_bound
from translator.passes.reductions import LoopKey, host_names, loop_keys, outermost_pranges
from translator.targets import Target


def parallelize(kernel: ir.Kernel, reductions: dict[LoopKey, tuple[ir.Reduction, ...]], target: Target) -> ir.Kernel:
    _check_reduction_types(kernel, reductions)
    offload = target.offloads
    loops = outermost_pranges(kernel.body)
    sectioned = _sectioned_outs(kernel, loops) if offload else ()
    nested = any(loop not in kernel.body for loop in loops)
    in_data_region = offload and (len(loops) > 1 or nested or bool(sectioned))
    host = host_names(kernel.body)
    private = tuple(v for v in kernel.locals if v.name not in host)
    lower = _Lowering(kernel, reductions, target, in_data_region, private, loop_keys(kernel.body))
    body = lower.block(kernel.body)
    if in_data_region:
        body = _wrap_in_data_region(kernel, body, sectioned)
    return dataclasses.replace(kernel, body=body, locals=tuple(v for v in kernel.locals if v.name in host))


@dataclasses.dataclass(frozen=True)
class _Lowering(StmtTransformer):
    kernel: ir.Kernel
    reductions: dict[LoopKey, tuple[ir.Reduction, ...]]
    target: Target
    present: bool
    """Inside a `target data` region that maps every array already: no map clauses."""
    private: tuple[ir.Var, ...]
    keys: dict[int, LoopKey]

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        return self.parallel_loop(stmt) if stmt.parallel else self.descend(stmt)

    # Host code: branches and loops may hold pranges; the rest runs on the host as it is.
    visit_If = visit_While = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Break = visit_Continue = StmtTransformer.keep
    visit_Return = StmtTransformer.keep

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> ir.Stmt:
        """The loops as any; the call maps the arrays as its loops' region would, unless a `target data`
        region holds them already (the call then asks the runtime for their device addresses)."""
        maps = () if not self.target.offloads or self.present else array_maps(self.kernel, stmt.body)
        return dataclasses.replace(stmt, body=self.block(stmt.body), orelse=self.block(stmt.orelse), maps=maps)

    def parallel_loop(self, loop: ir.Loop) -> ir.ParallelLoop:
        """The nest with its directive; its temporaries move onto it (allocated before the loop, one slice
        per iteration of the collapsed levels: iterations of inner, serial pranges share their slice)."""
        levels, body = collapse(loop)
        made = tuple(temporaries(body).values())
        body = _without_temporaries(body)
        used = {n.id for n in walk_all(body) if isinstance(n, ir.Name)}
        locals_ = tuple(v for v in self.private if v.name in used)
        clauses = self.reductions.get(self.keys[id(loop)], ()) + loop.reductions
        directive = self.directive(len(levels), body, clauses, loop.launch,
                                   tuple(t.name for t in made))
        if isinstance(directive, ir.OmpTarget) and loop.copied:
            directive = dataclasses.replace(directive, copied=loop.copied)
        return ir.ParallelLoop(levels, body, locals_, directive, loop.span, made)

    def directive(self, depth: int, body: tuple[ir.Stmt, ...], reductions: tuple[ir.Reduction, ...],
                  launch: ir.Launch | None, buffers: tuple[str, ...]) -> ir.OmpTarget | ir.OmpParallelFor | None:
        """The loop's construct; the user's launch keywords replace the defaults they name. The
        temporaries' `buffers` are device memory already: `is_device_ptr`."""
        if not self.target.openmp:
            return None
        given = launch or ir.Launch(None, None, None, self.kernel.span)
        if not self.target.offloads:
            return ir.OmpParallelFor(depth, reductions, given.thread_limit, given.schedule)
        maps = present_sections(self.kernel, body) if self.present else array_maps(self.kernel, body)
        return ir.OmpTarget(depth, maps, reductions, given.thread_limit or self.target.default_thread_limit,
                            teams_from_trip_count=given.num_teams is None, num_teams=given.num_teams,
                            schedule=given.schedule, device=self.kernel.device, device_ptrs=buffers)


def _without_temporaries(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """The statements with the `Temporary` declarations taken out, however deeply nested."""
    return _TemporariesTakenOut().block(stmts)


class _TemporariesTakenOut(BlockTransformer):
    """Each statement of a `prange` body becomes itself, or nothing for a `Temporary` (it moves onto
    its `ParallelLoop`)."""

    def visit_Temporary(self, stmt: ir.Temporary) -> tuple[ir.Stmt, ...]:
        return ()

    visit_If = visit_Loop = visit_While = BlockTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = BlockTransformer.keep
    visit_Break = visit_Continue = visit_Return = BlockTransformer.keep


def _check_reduction_types(kernel: ir.Kernel, reductions: dict[LoopKey, tuple[ir.Reduction, ...]]) -> None:
    """OpenMP reduces complex numbers with 16-byte atomics, which need libatomic (absent from
    offload images); the user splits such a sum into its real and imaginary parts instead."""
    complex_vars = {v.name for v in kernel.locals if v.type.is_complex}
    for (span, _), clauses in reductions.items():
        for clause in clauses:
            if clause.var in complex_vars:
                raise TranslationError.at(
                    span, f"'{clause.var}' is a complex reduction, which OpenMP cannot do here; reduce its real "
                    "and imaginary parts in two float variables")


def collapse(loop: ir.Loop, joins: Callable[[ir.Loop], bool] = lambda inner: inner.parallel
             ) -> tuple[tuple[ir.LoopLevel, ...], tuple[ir.Stmt, ...]]:
    """The levels of a perfect, rectangular nest (at most 3) of loops that `joins` (`prange`s unless
    told) and the innermost body."""
    levels = [ir.LoopLevel(loop.var, loop.start, loop.stop, loop.step, loop.span)]
    body = loop.body
    while len(levels) < 3 and len(body) == 1 and isinstance(body[0], ir.Loop) and joins(body[0]):
        inner = body[0]
        bound_names = {n.id for bound in (inner.start, inner.stop) for n in walk(bound) if isinstance(n, ir.Name)}
        if any(level.var in bound_names for level in levels):
            break  # not rectangular: the inner prange runs serially in each outer iteration
        levels.append(ir.LoopLevel(inner.var, inner.start, inner.stop, inner.step, inner.span))
        body = inner.body
    return tuple(levels), body


def array_maps(kernel: ir.Kernel, stmts: tuple[ir.Stmt, ...],
               sectioned: tuple[ir.Movement, ...] = ()) -> tuple[ir.MapClause, ...]:
    """One map clause per array the statements use, in parameter order, typed by its ownership,
    of the rows the kernel reaches (`Movement.section`); `sectioned` arrays get `alloc`, since only
    their `UpdateFrom`s may copy them back."""
    used = {n.array for n in walk_all(stmts) if isinstance(n, (ir.Index, ir.Extent, ir.ArrayArg))}
    allocated = {m.array for m in sectioned}
    sections = {m.array: m.section for m in kernel.movement}
    return tuple(
        ir.MapClause("alloc" if p.name in allocated else p.ownership.map_type,  # type: ignore[union-attr]
                     p.name, p.type.rank, sections.get(p.name))  # type: ignore[union-attr]
        for p in kernel.params if p.is_array and p.name in used
    )


def present_sections(kernel: ir.Kernel, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.MapClause, ...]:
    """The maps of a target loop inside the kernel's `target data` region: those of the arrays it
    maps by rows, again. They move nothing (present), but a device pointer for an array mapped from
    row `lo > 0` on is found through its mapped rows, not through its first element, which only a
    clause of its own gives (without one, OpenMP looks the base address up, finds nothing mapped
    there, and passes the host address)."""
    return tuple(m for m in array_maps(kernel, stmts) if m.section is not None)


def _sectioned_outs(kernel: ir.Kernel, loops: list[ir.Loop]) -> tuple[ir.Movement, ...]:
    """The movements of partly written `Out` arrays that parallel loops use (arrays used only by host
    code live in host memory, so they have nothing to copy back)."""
    used = {n.array for n in walk_all(tuple(loops)) if isinstance(n, (ir.Index, ir.Extent))}
    return tuple(
        m for m in kernel.movement
        if m.sectioned and m.written is not None and m.array in used
        and (param := kernel.param(m.array)) is not None and param.ownership is Ownership.OUT
    )


def _wrap_in_data_region(kernel: ir.Kernel, body: tuple[ir.Stmt, ...],
                         sectioned: tuple[ir.Movement, ...]) -> tuple[ir.Stmt, ...]:
    """`target data` around the body, ending with the copy-back of `sectioned` arrays (they are
    still mapped there); a final `return` stays outside (it cannot leave the region)."""
    tail = body[-1:] if body and isinstance(body[-1], ir.Return) else ()
    inner = body[: len(body) - len(tail)]
    copy_back = tuple(stmt for m in sectioned for stmt in _copy_back(kernel, m))
    region = ir.TargetData(array_maps(kernel, inner, sectioned), inner + copy_back, kernel.span, kernel.device)
    return (region, *tail)


def _copy_back(kernel: ir.Kernel, movement: ir.Movement) -> tuple[ir.UpdateFrom, ...]:
    """One `UpdateFrom` per written box, and per wrapped variant of it (see `_wrapped`), located at
    the first Python line that writes the array (the C then maps back to a line naming it)."""
    param = kernel.param(movement.array)
    assert param is not None and isinstance(param.type, ArrayType) and movement.written is not None
    rank = param.type.rank
    span = next(n.span for n in walk_all(kernel.body)
                if isinstance(n, ir.Assign) and isinstance(n.target, ir.Index) and n.target.array == movement.array)
    return tuple(
        ir.UpdateFrom(movement.array, (*variant, *box[rank:]), span)
        for box in movement.written
        for variant in itertools.product(*(_wrapped(movement.array, d, box[d], span) for d in range(rank)))
    )


def _wrapped(array: str, dim: int, interval: ir.Interval, span: Span) -> tuple[ir.Interval, ...]:
    """The interval, and where its lower bound may be negative also `[lo + n, hi + n)`: a write at a
    negative index lands at index + n (Python's wrapping), which the C's clamping alone would miss."""
    if (bound := lower_bound(interval.lo, {})) is not None and bound >= 0:
        return (interval,)
    extent = ir.Extent(array, dim, span, I64)
    shifted = ir.Interval(*(ir.Binary("+", _as_i64(b, span), extent, span, I64) for b in (interval.lo, interval.hi)))
    return (interval, shifted)


def _as_i64(expr: ir.Expr, span: Span) -> ir.Expr:
    return expr if expr.type == I64 else ir.Cast(expr, span, I64)
