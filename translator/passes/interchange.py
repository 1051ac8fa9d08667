"""Products on offload targets: the loops over a row that a `prange` iteration runs, fused and
interchanged so that the (row, column) pairs are the parallel iterations and the serial loop runs
inside each, accumulating in a register.

NPBench's gemm writes `C[i, :] *= beta`, then `for k: C[i, :] += alpha * A[i, k] * B[k, :]`: after
`passes.lower_arrays` the `prange` body is an independent loop over j, then a serial loop over k
around another independent loop over j. When every statement of the body has that shape (an
independent nest, alone or as the only statement of a serial loop, all over the same rectangular
range) and every array the body writes is touched only at one element per (i, j), the nest becomes
one `target teams distribute parallel for collapse(2)` over (i, j) whose body is the statements for
one j, in order, each serial loop reading and writing that element through a local (`C[i, j]` is
loaded once before the k loop and stored once after it). Per j the statements touch only their own
element of what they write and read nothing another j writes, so running them j by j instead of
statement by statement gives the same values.

The decision comes from the H200 (NPBench gemm at paper size, its C edited by hand and timed):
one level 2210 ms, each row statement a `parallel for` in a team 50 ms, the same accumulating in a
register 21 ms, `collapse(2)` over (i, j) with k inside and a register accumulator 13.7 ms (cuBLAS
0.47 ms). So this form is tried first and `passes.two_level` maps what it does not take.
`fusion_of` is the legality analysis, `interchange` the transformation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple, TypeGuard

from translator.ir import nodes as ir
from translator.ir.arrays import same
from translator.ir.visit import Node, rewrite_body, walk, walk_all
from translator.passes.equal_lengths import EqualLengths
from translator.passes.parallelize import collapse


@dataclasses.dataclass(frozen=True)
class Part:
    """One statement of the body: an independent nest's innermost body (its variables renamed to
    the first nest's), inside the serial loop `serial` when there is one."""
    serial: ir.Loop | None
    body: tuple[ir.Stmt, ...]


@dataclasses.dataclass(frozen=True)
class Fusion:
    """Why the body may run j by j: its parts, the levels they share (the first nest's), and the
    one element (indices in those levels' names) at which each written array is touched."""
    parts: tuple[Part, ...]
    levels: tuple[ir.LoopLevel, ...]
    written: dict[str, tuple[ir.Expr, ...]]


def fusion_of(loop: ir.ParallelLoop, checks: tuple[ir.LengthCheck, ...] = ()) -> Fusion | None:
    """The facts that make `loop` (a one-level offload nest) legal to fuse and interchange, or None
    when its body has another shape or an array it writes is touched at two elements. Ranges are
    the same when their bounds are, or when the runtime checks that they are equal before the call
    (`checks`, the kernel's length checks: `out[i, :] = h[i, :]` runs over `out`'s row, the statements
    before it over `h`'s)."""
    directive = loop.directive
    if (not isinstance(directive, ir.OmpTarget) or directive.two_level or directive.schedule is not None
            or directive.reductions or loop.temporaries or not loop.body):
        return None
    nests = [_nest(stmt) for stmt in loop.body]
    if not _all_nests(nests):
        return None
    first, lengths = nests[0].levels, EqualLengths(checks)
    if len(loop.levels) + len(first) > 3 or not all(_same_levels(n.levels, first, lengths) for n in nests):
        return None
    bound = {lv.var for lv in (*loop.levels, *first)} | {n.serial.var for n in nests if n.serial is not None}
    if any(_names(lv.start) & bound or _names(lv.stop) & bound for lv in first):
        return None  # not rectangular: no collapse
    parts = tuple(Part(n.serial, _renamed(n.body, n.levels, first)) for n in nests)
    written = _written_elements(parts, {lv.var for lv in first})
    return None if written is None else Fusion(parts, first, written)


def interchange(loop: ir.ParallelLoop, fusion: Fusion, fresh: Callable[[str], str]) -> ir.ParallelLoop:
    """`loop` as one collapsed nest over its levels and the fused ones, each serial loop keeping the
    elements it updates in locals (named by `fresh`)."""
    body: list[ir.Stmt] = []
    registers: list[ir.Var] = []
    for part in fusion.parts:
        if part.serial is None:
            body += part.body
            continue
        loads, inner, stores, made = _in_registers(part, fresh)
        body += [*loads, dataclasses.replace(part.serial, body=inner), *stores]
        registers += made
    levels = (*loop.levels, *fusion.levels)
    directive = dataclasses.replace(loop.directive, collapse=len(levels))  # type: ignore[type-var]
    return dataclasses.replace(loop, levels=levels, body=tuple(body), locals=(*loop.locals, *registers),
                               directive=directive)


class _Nest(NamedTuple):
    """A body statement: an independent nest's levels and innermost body, in `serial` if not None."""
    serial: ir.Loop | None
    levels: tuple[ir.LoopLevel, ...]
    body: tuple[ir.Stmt, ...]


def _all_nests(nests: list[_Nest | None]) -> TypeGuard[list[_Nest]]:
    return all(nest is not None for nest in nests)


def _nest(stmt: ir.Stmt) -> _Nest | None:
    """An independent nest of element assignments, alone or as the only statement of a serial
    loop; None for any other statement."""
    serial = None
    if isinstance(stmt, ir.Loop) and not stmt.independent and not stmt.parallel and len(stmt.body) == 1:
        serial, stmt = stmt, stmt.body[0]
    if not isinstance(stmt, ir.Loop) or not stmt.independent:
        return None
    levels, body = collapse(stmt, lambda inner: inner.independent)
    if not all(isinstance(s, ir.Assign) and isinstance(s.target, ir.Index) for s in body):
        return None
    return _Nest(serial, levels, body)


def _same_levels(a: tuple[ir.LoopLevel, ...], b: tuple[ir.LoopLevel, ...], lengths: EqualLengths) -> bool:
    """Whether two nests run the same iterations: the same steps and starts, and stops that are the
    same or checked equal from a start that is never negative (the checks equate `max(stop, 0)`)."""
    return len(a) == len(b) and all(
        x.step == y.step and same(x.start, y.start)
        and (same(x.stop, y.stop) or (_never_negative(x.start) and lengths.equal(x.stop, y.stop)))
        for x, y in zip(a, b))


def _never_negative(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and isinstance(expr.value, int) and expr.value >= 0


def _names(node: Node) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, ir.Name)}


def _renamed(body: tuple[ir.Stmt, ...], levels: tuple[ir.LoopLevel, ...], into: tuple[ir.LoopLevel, ...]
             ) -> tuple[ir.Stmt, ...]:
    """`body` with the variables of `levels` renamed to those of `into`."""
    names = {lv.var: new.var for lv, new in zip(levels, into)}

    def rename(node: Node) -> object:
        return dataclasses.replace(node, id=names[node.id]) if isinstance(node, ir.Name) and node.id in names else node
    return rewrite_body(body, rename)


def _written_elements(parts: tuple[Part, ...], fused: set[str]) -> dict[str, tuple[ir.Expr, ...]] | None:
    """The element each written array is touched at, or None when one is touched at two elements
    (its indices differ, or use a serial loop's variable), passed whole to a function, read by a
    serial loop's bounds, or not at a bare fused variable in each of them (so that two values of j
    never share an element)."""
    written = _targets(tuple(s for p in parts for s in p.body))
    elements: dict[str, tuple[ir.Expr, ...]] = {}
    for part in parts:
        bounds = () if part.serial is None else (part.serial.start, part.serial.stop)
        if any(isinstance(n, (ir.Index, ir.Extent, ir.ArrayArg)) and n.array in written for n in walk_all(bounds)):
            return None
        for node in walk_all(part.body):
            if isinstance(node, ir.ArrayArg) and node.array in written:
                return None
            if isinstance(node, ir.Index) and node.array in written:
                seen = elements.setdefault(node.array, node.indices)
                if len(seen) != len(node.indices) or not all(same(a, b) for a, b in zip(seen, node.indices)):
                    return None
    serial = {p.serial.var for p in parts if p.serial is not None}
    if any(_names(index) & serial for indices in elements.values() for index in indices):
        return None
    bare = {name: {i.id for i in indices if isinstance(i, ir.Name)} for name, indices in elements.items()}
    return elements if all(fused <= names for names in bare.values()) else None


def _targets(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    """The arrays the element assignments write."""
    return {s.target.array for s in stmts if isinstance(s, ir.Assign) and isinstance(s.target, ir.Index)}


def _in_registers(part: Part, fresh: Callable[[str], str]
                  ) -> tuple[list[ir.Stmt], tuple[ir.Stmt, ...], list[ir.Stmt], list[ir.Var]]:
    """The serial loop's body with each element it touches replaced by a local, the loads before
    it, the stores after it and the locals."""
    arrays = _targets(part.body)
    elements = {n.array: n for n in walk_all(part.body) if isinstance(n, ir.Index) and n.array in arrays}
    names = {array: fresh(f"{array}_element") for array in elements}

    def to_register(node: Node) -> object:
        if isinstance(node, ir.Index) and node.array in names:
            return ir.Name(names[node.array], node.span, node.type)
        return node
    inner = rewrite_body(part.body, to_register)
    loads: list[ir.Stmt] = [ir.Assign(ir.Name(names[a], e.span, e.type), e, e.span) for a, e in elements.items()]
    stores: list[ir.Stmt] = [ir.Assign(e, ir.Name(names[a], e.span, e.type), e.span) for a, e in elements.items()]
    made = [ir.Var(names[a], e.type) for a, e in elements.items()]  # type: ignore[arg-type]
    return loads, inner, stores, made
