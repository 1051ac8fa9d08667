"""The staged entry point of a kernel built with `--staging` (docs/data-movement.md, "Staging for C and
Fortran callers").

C and Fortran callers pass host memory, which the map clauses copy at the pageable rate. Built with
`--staging`, each exported kernel `k` becomes a host function around two others: `k__maps`, the
kernel with its map clauses (the body an ordinary build exports as `k`), and `k__device`, the
device-pointer variant (`passes.device_pointers`). A call whose arrays move enough bytes gives each
array device memory of its own, copies in through the prelude's pinned pool what the maps would copy
in, runs `k__device`, and copies back what the maps would copy back: an `In`/`InOut` section's rows
(`ir.Movement.section`), the boxes of a partly written `Out` array (its `ir.UpdateFrom`s, so no other
host element is written); any other call runs `k__maps`. This module computes that as data for
`templates/staging.c.j2`; the C lives there.
"""

from __future__ import annotations

from collections.abc import Callable

from translator.backend.c_expr import ExprEmitter, infix
from translator.backend.names import device_symbol, extent_name
from translator.backend.view import Section, StagedArray, StagedBox, StagedView
from translator.ir import nodes as ir
from translator.ir.types import ArrayType
from translator.ir.visit import walk_all


def maps_symbol(symbol: str) -> str:
    """The kernel with its map clauses, under `--staging` (static: the exported `symbol` calls it)."""
    return f"{symbol}__maps"


def box_bounds(update: ir.UpdateFrom, rank: int, expr: ExprEmitter) -> StagedBox:
    """An `UpdateFrom`'s box in C: its first `rank` intervals are the box, the others guards (the box
    is copied only where each is non-empty), as the maps' copy-back (`lower.visit_UpdateFrom`) has them."""
    guards = [infix("<", expr.frag(iv.lo), expr.frag(iv.hi)).text for iv in update.box[rank:]]
    return StagedBox(tuple(expr(iv.lo) for iv in update.box[:rank]), tuple(expr(iv.hi) for iv in update.box[:rank]),
                     " && ".join(guards) or "1")


def staged_view(kernel: ir.Kernel, symbol: str, expr: ExprEmitter,
                section: Callable[[str, ir.Interval | None], Section]) -> StagedView:
    """The staged entry point of `kernel` (exported as `symbol`); `section(array, rows)` gives the
    elements a map of those rows moves, as the map clauses have them."""
    movements = {m.array: m for m in kernel.movement}
    updates = [n for n in walk_all(kernel.body) if isinstance(n, ir.UpdateFrom)]
    arrays = []
    for p in kernel.params:
        if not isinstance(p.type, ArrayType) or p.ownership is None:
            continue
        boxes = tuple(box_bounds(u, p.type.rank, expr) for u in updates if u.array == p.name)
        movement = movements.get(p.name)
        rows = section(p.name, None if boxes or movement is None else movement.section)
        map_type = p.ownership.map_type
        arrays.append(StagedArray(
            rows.array, p.type.dtype.c_name, tuple(extent_name(rows.array, d) for d in range(p.type.rank)),
            rows.start, rows.length, not boxes and map_type in ("to", "tofrom"),
            not boxes and map_type in ("from", "tofrom"), boxes))
    return StagedView(maps_symbol(symbol), device_symbol(symbol), -1 if kernel.device is None else kernel.device,
                      tuple(arrays))
