"""Ownership of array parameters, checked against what the kernel does, or inferred from it.

The ownership of an array decides its OpenMP map (`In` -> `to`, `Out` -> `from`, `InOut` -> `tofrom`),
so a wrong one is a wrong answer on a device with its own memory: an `In` array that is written
loses the writes, an `Out` array that is read or only partly written hands back device garbage.
This pass turns the facts of `passes.access` into errors (located at the offending statement),
warnings (an ownership that moves more than needed), and a decision with a reason for each array.

No host element of an `Out` array that the kernel does not write may change. When a write box is
`[0, extent)` in each dimension, the whole array is written (proven here). When every write has a
box, the array is `sectioned`: the C copies back just the boxes (`passes.parallelize`), so a stencil
that skips the border leaves the caller's border alone; the manifest states them for the counts. When only some writes have boxes, the runtime checks at
each call that those cover the array, and refuses the call otherwise; when none has, or they surely
miss an end, it is an error suggesting `InOut`.
"""

from __future__ import annotations

import dataclasses
import enum

from translator.errors import Diagnostic, TranslationError
from translator.ir import nodes as ir
from translator.ir.arrays import same
from translator.ir.pytext import python_text
from translator.ir.types import ArrayType, Ownership, real_value
from translator.passes.access import ArrayAccess, strip


class Coverage(enum.Enum):
    """Whether the kernel's sure writes cover a whole array."""

    COMPLETE = "every element"
    SECTIONED = "only the written section comes back"
    CHECKED = "every element: checked at each call"
    UNKNOWN = "not every element"


def decide_ownership(kernel: ir.Kernel, facts: dict[str, ArrayAccess]) -> ir.Kernel:
    """`kernel` with every array's ownership set, its `movement` and its warnings; errors raise."""
    movements, warnings, params = [], list(kernel.warnings), []
    for param in kernel.params:
        if not isinstance(param.type, ArrayType):
            params.append(param)
            continue
        if param.allocation is not None:
            movements.append(_made(param))
            params.append(param)
            continue
        access = facts[param.name]
        coverage = _coverage(param.name, access)
        inferred = _infer(access, coverage)
        ownership = param.ownership or inferred
        if param.ownership is not None:
            warnings += _check(param, ownership, access, coverage)
        checked = ownership is Ownership.OUT and coverage in (Coverage.SECTIONED, Coverage.CHECKED)
        movements.append(ir.Movement(
            param.name, param.ownership, inferred, _reason(ownership, access, coverage),
            _boxes(access) if checked else None, sectioned=coverage is Coverage.SECTIONED,
        ))
        params.append(dataclasses.replace(param, ownership=ownership))
    return dataclasses.replace(kernel, params=tuple(params), movement=tuple(movements), warnings=tuple(warnings))


def _made(param: ir.Param) -> ir.Movement:
    """An array the kernel makes is fresh: nothing of the caller's to keep or check, so none of
    the checks above apply; `Out` (returned) comes back whole, `Scratch` never moves."""
    assert param.allocation is not None and param.ownership is not None
    if param.name == ir.STATUS:
        return ir.Movement(param.name, None, Ownership.INOUT, "the number of a failed run-time check, zero before "
                           "the call: copied in and back")
    dims = param.allocation.shape
    shape = ", ".join(python_text(d) for d in dims) + "," * (len(dims) == 1)
    made = f"allocated by the caller with shape ({shape}) (lifted from line {param.allocation.span.line})"
    if param.ownership is Ownership.OUT:
        return ir.Movement(param.name, None, Ownership.OUT, f"{made}, returned: copied back, never copied in")
    return ir.Movement(param.name, None, Ownership.SCRATCH, f"{made}, not returned: device memory only, never copied")


def _infer(access: ArrayAccess, coverage: Coverage) -> Ownership:
    if not access.writes:
        return Ownership.IN
    if access.first_read_before_write is None and coverage is not Coverage.UNKNOWN:
        return Ownership.OUT
    return Ownership.INOUT


def _check(param: ir.Param, declared: Ownership, access: ArrayAccess, coverage: Coverage) -> list[Diagnostic]:
    """Errors raise; the warnings (ownership that moves more data than needed) are returned."""
    name = param.name
    if declared is Ownership.IN and access.writes:
        raise TranslationError.at(access.writes[0].span, f"'{name}' is declared In but the kernel writes it here; "
                                  "declare it InOut (or Out if the kernel never reads it)")
    if declared is Ownership.OUT:
        _check_out(param, access, coverage)
    if declared is not Ownership.INOUT:
        return []
    if not access.writes:
        return [Diagnostic(param.span, f"'{name}' is declared InOut but the kernel never writes it; "
                           "declare it In to skip copying it back", "warning")]
    if access.first_read_before_write is None and coverage in (Coverage.COMPLETE, Coverage.SECTIONED):
        return [Diagnostic(param.span, f"'{name}' is declared InOut but the kernel never reads the values "
                           "it is given; declare it Out to skip copying it in", "warning")]
    return []


def _check_out(param: ir.Param, access: ArrayAccess, coverage: Coverage) -> None:
    name = param.name
    early = access.first_read_before_write
    if early is not None:
        raise TranslationError.at(early, f"'{name}' is declared Out but the kernel reads it here before writing "
                                  "it, so the caller's values are needed on the device; declare it InOut")
    if not access.writes:
        raise TranslationError.at(param.span, f"'{name}' is declared Out but the kernel never writes it; declare it In")
    if coverage is Coverage.UNKNOWN:
        raise TranslationError.at(param.span, f"'{name}' is declared Out but the kernel may not write every "
                                  f"element ({_what_is_written(name, access)}); the elements it skips would "
                                  "come back from the device undefined; declare it InOut")


def _coverage(name: str, access: ArrayAccess) -> Coverage:
    """Boxes with guards (longer than `rank`) may be empty, so they never prove coverage here."""
    boxes, rank = _boxes(access), access.rank
    if any(all(_full(name, d, iv) for d, iv in enumerate(box)) for box in boxes if len(box) == rank):
        return Coverage.COMPLETE
    if boxes and all(w.box is not None for w in access.writes):
        return Coverage.SECTIONED
    if not boxes or any(all(_misses_an_end(name, d, box[d]) for box in boxes) for d in range(rank)):
        return Coverage.UNKNOWN
    return Coverage.CHECKED


def _boxes(access: ArrayAccess) -> tuple[tuple[ir.Interval, ...], ...]:
    """The distinct write boxes: two statements writing the same box (softmax's `out[i, j] = e`,
    then `out[i, j] /= total`) are one box, copied back once (and counted once by the runtime)."""
    kept: list[tuple[ir.Interval, ...]] = []
    for box in (w.box for w in access.writes if w.box is not None):
        if not any(len(box) == len(other) and all(same(a.lo, b.lo) and same(a.hi, b.hi) for a, b in zip(box, other))
                   for other in kept):
            kept.append(box)
    return tuple(kept)


def _full(name: str, dim: int, interval: ir.Interval) -> bool:
    lo, hi = strip(interval.lo), strip(interval.hi)
    return isinstance(lo, ir.Const) and lo.value == 0 and _is_extent(hi, name, dim)


def _misses_an_end(name: str, dim: int, interval: ir.Interval) -> bool:
    """Surely skips index 0 (starts at a positive constant) or the last (stops at extent - c, c > 0)."""
    lo, hi = strip(interval.lo), strip(interval.hi)
    if isinstance(lo, ir.Const) and real_value(lo.value) > 0:
        return True
    return (isinstance(hi, ir.Binary) and hi.op == "-" and _is_extent(strip(hi.left), name, dim)
            and isinstance(hi.right, ir.Const) and real_value(hi.right.value) > 0)


def _is_extent(expr: ir.Expr, name: str, dim: int) -> bool:
    return isinstance(expr, ir.Extent) and expr.array == name and expr.dim == dim


def box_text(name: str, box: tuple[ir.Interval, ...], rank: int) -> str:
    """`v[1:u.shape[0] - 1, 1:u.shape[1] - 1]`: a write box (without its guards) as a Python slice."""
    return f"{name}[{', '.join(f'{python_text(iv.lo)}:{python_text(iv.hi)}' for iv in box[:rank])}]"


def _what_is_written(name: str, access: ArrayAccess) -> str:
    boxes = _boxes(access)
    if not boxes:
        return "it writes only under conditions or at indices that are not loop ranges"
    return "it surely writes only " + " and ".join(box_text(name, b, access.rank) for b in boxes)


def _lines(spans: tuple[object, ...]) -> str:
    lines = sorted({s.line for s in spans})  # type: ignore[attr-defined]
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines))


def _reason(ownership: Ownership, access: ArrayAccess, coverage: Coverage) -> str:
    """Why the array moves as it does, with the Python lines that decide it."""
    written = _lines(tuple(w.span for w in access.writes)) if access.writes else ""
    if ownership is Ownership.SCRATCH:
        return "Scratch: device memory only, never copied"
    if ownership is Ownership.IN:
        return f"read at {_lines(access.reads)}, never written" if access.reads else "never read or written"
    if ownership is Ownership.OUT and coverage is Coverage.SECTIONED:
        sections = " and ".join(box_text(access.name, b, access.rank) for b in _boxes(access))
        return f"written at {written}, never read before written; {coverage.value} ({sections})"
    if ownership is Ownership.OUT:
        return f"written at {written} ({coverage.value}), never read before written"
    early = access.first_read_before_write
    if early is not None:
        return f"read before written at line {early.line}, written at {written}"
    if not access.writes:
        return f"read at {_lines(access.reads)}, never written" if access.reads else "never read or written"
    if coverage is Coverage.UNKNOWN:
        return f"written at {written} ({coverage.value}): copied in to keep the elements it does not write"
    return f"written at {written}, never read before written: Out would not copy it in"
