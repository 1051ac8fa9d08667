"""The C of a nest launched in the bare form (`ir.OmpTarget.bare`, `passes/bare.py`): its trip
counts as host locals, and each level's variable recovered from the flat iteration number; and the
one level of a flat nest (`ir.ParallelLoop.flat`, `passes/flat_nests.py`) in either form.

A loop over rows in the bare form (`ir.OmpTarget.row_trip`, `passes/bare_rows.py`) is two kernels,
chosen at the call by the rows' trip count: a warp per row (8 rows a block of 256) up to
`ROW_WARP_LIMIT`, a block of 256 per row above (H100, 2026-12-06, `bench/row_variants.py`, 2^28
floats: the emitted warp kernel 1.34 ms for rows of 1024 against a block's 1.70, but 2.64 ms for
rows of 2048 against a block's 1.42). A row's loops
start at the thread's lane and step by the lanes; a reduction starts each lane but the first from
the operator's identity (the first keeps the value before the loop, as OpenMP's `reduction` adds it)
and combines the lanes with butterfly shuffles, then, in a block, the warps' results through
team-shared memory (`templates/prelude.c.j2`, the `row_*` helpers). Where no GPU runs the kernel
(the host's fallback) a row has one lane.

A loop of column reductions in the bare form (`ir.OmpTarget.columns`, `passes/bare_columns.py`) is
one kernel of blocks of `BLOCK`: the block's flat number steps by `WARP` columns (`py2omp_col_first`,
`py2omp_col_stride`), each lane takes its column (`py2omp_col_at`: clamped to the last, so that every
thread of the block reaches the combining's barriers and reads only the arrays' elements), each warp
its share of the serial loops' iterations (from its number `py2omp_col_warp`, in steps of the warps
`py2omp_col_warps`), a reduction starting in warp 0 from the value before the loop and in the others
from the operator's identity, then `py2omp_col_<op>_<type>` combining the warps' values through
team-shared memory, in the warps' order, into every warp. The statements after the last loop run in
the column's owner (`py2omp_col_owner`: warp 0, an unclamped column). Where no GPU runs the kernel
each team is one thread, one column at a time, all its rows.

The flat number runs row-major over the collapsed levels, the innermost fastest-varying, so that
consecutive threads take consecutive elements of the innermost level (coalesced loads, as the
OpenMP loop's static schedule gives them). The levels' counts are clamped at 0 when there are
several, so that two empty levels do not multiply into a positive trip count.
"""

from __future__ import annotations

import dataclasses
import functools

from translator.backend.c_expr import Frag, atom, const, infix
from translator.backend.helpers import HelperSet
from translator.backend.view import DirectiveView, RowKernelView
from translator.ir import nodes as ir
from translator.ir.types import I64, Kind, ScalarType
from translator.ir.visit import nested_statements, walk_all

TRIP = "py2omp_trip"
"""The host local holding the nest's trip count (the last of `BareView.counts`)."""
FLAT = "py2omp_k"
"""The flat iteration number in the bare kernel's loop."""
ROW = "py2omp_row"
"""The host local holding a bare row loop's row trip count (`ir.OmpTarget.row_trip`)."""
LANES = "py2omp_lanes"
"""The constant, in a bare row kernel, of the lanes sharing a row (`RowKernelView.lanes`)."""
ROW_WARP_LIMIT = 1024
"""The longest row a warp takes; a block of `BLOCK` takes longer ones (module docstring)."""
WARP = 32
BLOCK = 256
"""A bare row kernel's threads per block: 8 warps, 8 rows, in the warp kernel; one row in the block kernel."""
_COMBINERS = {"+": "row_sum", "*": "row_prod", "max": "row_max", "min": "row_min"}
_COLUMN_COMBINERS = {"+": "col_sum", "*": "col_prod", "max": "col_max", "min": "col_min"}
ELEMENT, ELEMENT_C = "<element>", "py2omp_e"
"""The variable of a flat nest's one level (no Python name has `<`) and its C name: the element
number, at which each array the body indexes at the nest's variables is read (`ExprEmitter.elements_at`)."""


def uses_bare(kernels: tuple[ir.Kernel, ...]) -> bool:
    """Whether some nest of the kernels is launched bare (the prelude's helpers then need `<omp.h>`)."""
    return any(isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget) and n.directive.bare
               for k in kernels for n in walk_all(k.body))


def count_name(level: int) -> str:
    return f"py2omp_n{level}"


def bare_counts(counts: list[Frag], clamp: str) -> tuple[tuple[str, str], ...]:
    """The host locals before the launch: each level's count (`clamp`: the `max` helper of `int64_t`)
    where there are several, then the trip count, their product."""
    if len(counts) == 1:
        return ((TRIP, counts[0].text),)
    named = tuple((count_name(d), f"{clamp}({c.text}, 0)") for d, c in enumerate(counts))
    return (*named, (TRIP, " * ".join(name for name, _ in named)))


def bare_indices(levels: list[tuple[str, Frag | None, int]], flat: Frag = atom(FLAT)) -> tuple[tuple[str, str], ...]:
    """Each level's variable (`levels`: name, start (None: 0), step) from the flat number `flat`: level `d`
    is that number divided by the counts of the levels inside it, modulo its own count (but the outermost)."""
    found = []
    for d, (var, start, step) in enumerate(levels):
        inside = [atom(count_name(m)) for m in range(d + 1, len(levels))]
        number = flat
        if inside:
            number = infix("/", number, _product(inside))
        if d > 0:
            number = infix("%", number, atom(count_name(d)))
        if step != 1:
            number = infix("*", number, const(step, I64))
        found.append((var, (number if start is None else infix("+", start, number)).text))
    return tuple(found)


def element_level(levels: tuple[ir.LoopLevel, ...]) -> ir.LoopLevel:
    """A flat nest's one level: the element number from `start0 * N` to `stop0 * N`, N the product of
    the inner levels' stops (each from 0 by 1: `passes.flat_nests`), the outer level's line."""
    outer = levels[0]
    span = outer.span or outer.stop.span
    inner = functools.reduce(lambda a, b: ir.Binary("*", a, b, span, I64), (lv.stop for lv in levels[1:]))
    first = outer.start.value if isinstance(outer.start, ir.Const) else None
    start = outer.start if first == 0 else inner if first == 1 else ir.Binary("*", outer.start, inner, span, I64)
    return ir.LoopLevel(ELEMENT, start, ir.Binary("*", outer.stop, inner, span, I64), 1, outer.span)


def _product(factors: list[Frag]) -> Frag:
    product = factors[0]
    for factor in factors[1:]:
        product = infix("*", product, factor)
    return product


@dataclasses.dataclass(frozen=True)
class RowScope:
    """What lowering a bare row loop's body needs: its scalars' types (for the reductions), and the
    loops over the row that follow one (by `id`): the lanes waited after that one (its writes) or
    combined its reduction (its reads), so these need no wait before them. Any other loop that
    writes waits first: the statements before it read in every lane what one lane may then write."""
    types: dict[str, ScalarType]
    waited: frozenset[int]


def row_scope(loop: ir.ParallelLoop) -> RowScope:
    """The scope of the bare row loop `loop` (`RowScope`)."""
    waited: set[int] = set()
    blocks = [loop.body]
    while blocks:
        block = blocks.pop()
        waited |= {id(s) for prev, s in zip(block, block[1:]) if isinstance(prev, ir.ParallelLoop)}
        blocks += [nested_statements(s) for s in block if isinstance(s, ir.If)]
    return RowScope({v.name: v.type for v in loop.locals}, frozenset(waited))


def row_kernels(directive: DirectiveView, teams: str, helpers: HelperSet) -> tuple[RowKernelView, RowKernelView]:
    """The warp kernel and the block kernel of a bare row loop (`directive`: the loop's, with
    `BLOCK` threads; `teams`: the `num_teams` helper's name): teams from the rows over the rows a block
    holds, the thread's first row and its step over them."""
    first, stride = helpers.use("row_first"), helpers.use("row_stride")
    return tuple(  # type: ignore[return-value]
        RowKernelView(dataclasses.replace(directive, num_teams=f"{teams}({TRIP}, {BLOCK // lanes})"),
                      f"{first}({lanes})", f"{stride}({lanes})", lanes)
        for lanes in (WARP, BLOCK))


def row_reduction(op: str, var: str, t: ScalarType, helpers: HelperSet) -> tuple[tuple[str, str], tuple[str, str]]:
    """The statements around a reduction's loop over the row, (name, C value) each: the start of
    each lane (the first keeps `var`, the others the identity of `op`) and the lanes combined."""
    lane = helpers.use("row_lane")
    start = (var, f"{lane}({LANES}) == 0 ? {var} : {_identity(op, t)}")
    return start, (var, f"{helpers.use(_COMBINERS[op], t)}({var}, {LANES})")


def column_reduction(op: str, var: str, t: ScalarType, helpers: HelperSet) -> tuple[tuple[str, str], tuple[str, str]]:
    """The statements around a reduction loop of the column form, (name, C value) each: the start of
    each warp (warp 0 keeps `var`, the others the identity of `op`) and the warps combined."""
    start = (var, f"{helpers.use('col_warp')}() == 0 ? {var} : {_identity(op, t)}")
    return start, (var, f"{helpers.use(_COLUMN_COMBINERS[op], t)}({var})")


def _identity(op: str, t: ScalarType) -> str:
    """The value that `op` leaves any other unchanged (-0.0 for a float sum: -0.0 + -0.0 is -0.0)."""
    if op in ("+", "*"):
        return ("-0.0" if op == "+" else "1.0") if t.is_float else "0" if op == "+" else "1"
    if t.is_float:
        return "-INFINITY" if op == "max" else "INFINITY"
    if t.kind is Kind.UINT:
        return "0" if op == "max" else f"UINT{t.bits}_MAX"
    return f"INT{t.bits}_MIN" if op == "max" else f"INT{t.bits}_MAX"
