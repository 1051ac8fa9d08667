"""The audit's section checks: does each map section cover what the device touches, does each
copy-back cover what the kernel writes, does each reduction result come back.

The element sets come from `audit_sections` (the function run at sample extents). An element
outside its section is a failure only if it is outside in two runs: all extents equal, and the
array's own extents larger than the others' (by `Sampler.growth`); the second run forgives what a shape precondition the C
does not state would make right (CSR's `indptr` is one longer than the rows, a convolution's
image longer than its output; for "an element of a `from` section is never written", the other
arrays' extents are the larger ones: an output may be shorter than its input), and a section shrunk in terms of the loop bounds, or a loop bound
raised past the section, fails both. The price: a section shrunk only in the array's own extents
(`y[0:y_n0 - 1]` where the loop runs to `x_n0`) passes, since with a larger `y` it would be right. Dereferences the run could not compute
(indices read from memory) are notes: neither proof nor failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from translator.audit_clang import FunctionFacts, MapItem, Pragma
from translator.audit_sections import SAMPLE_EXTENT, Observation, evaluate_text
from translator.ir.types import Ownership

Locations = list[tuple[str, int]]
"""Per physical C line, the (file, line) that `#line` gives it (`render.presumed_locations`)."""

_RETURNS = ("tofrom", "from")
"""Map types that bring a reduction's result back to the host."""


@dataclass
class Row:
    """One table row: how `parameter` of `kernel` is governed by one map (or by none)."""

    kernel: str
    parameter: str
    ownership: Ownership
    map_type: str | None
    clause: str
    bytes: str
    line: str
    read: bool = False
    written: bool = False
    updated: bool = False
    """The governing `target data` holds a `target update from` of the array."""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the section check could not decide (data-dependent indices): neither pass nor failure."""
    governor: Pragma | None = None
    item: MapItem | None = None
    offsets: list[int] = field(default_factory=list)
    """The C offsets of the row's dereferences."""

    @property
    def access(self) -> str:
        return "+".join(word for word, used in (("read", self.read), ("write", self.written)) if used)


def where(lines: Locations, c_line: int) -> str:
    """The Python line (or `file.c:line`) that physical C line `c_line` stands for."""
    if not 0 < c_line <= len(lines):
        return str(c_line)
    file, line = lines[c_line - 1]
    return str(line) if file.endswith(".py") else f"{Path(file).name}:{line}"


def check_sections(row: Row, facts: FunctionFacts, lines: Locations) -> None:
    """Add to `row` the elements its section misses, the written elements no copy-back returns,
    and notes for what the sample run could not decide."""
    if facts.sampler is None or row.item is None or not row.item.length or row.governor is None:
        return
    first = facts.sampler.run()
    if first.incomplete:
        row.notes.append(f"section not checked: {first.incomplete}")
        return
    unknown = sorted({where(lines, facts.lines.get(o, 0)) for o in row.offsets if o in first.unknown}, key=_line_key)
    if unknown:
        row.notes.append(f"section coverage not proved for the dereference(s) at line {', '.join(unknown)}: "
                         "the index depends on data")
    complaint = _outside(row, first, facts, lines) or _uncopied(row, first, facts)
    if complaint:
        larger = facts.sampler.run(row.parameter)
        if _outside(row, larger, facts, lines) or _uncopied(row, larger, facts):
            row.problems.append(complaint)
    unwritten = _unwritten(row, first, facts)
    if unwritten and _unwritten(row, facts.sampler.run(row.parameter, others=True), facts):
        row.problems.append(unwritten)


def _line_key(line: str) -> tuple[int, str]:
    return (int(line), "") if line.isdigit() else (0, line)


def _bounds(item: MapItem, seen: Observation) -> tuple[int, int] | None:
    start, length = evaluate_text(item.start, seen.params), evaluate_text(item.length, seen.params)
    return None if start is None or length is None else (start, start + length)


def _outside(row: Row, seen: Observation, facts: FunctionFacts, lines: Locations) -> str:
    """The first dereference of the row that touches an element outside the map's section, described."""
    assert row.item is not None
    bounds = _bounds(row.item, seen)
    if bounds is None:
        return ""
    low, high = bounds
    for offset in row.offsets:
        bad = sorted(k for k in seen.touched.get((offset, row.parameter), ()) if not low <= k < high)
        if bad:
            return (f"the dereference at line {where(lines, facts.lines.get(offset, 0))} touches element {bad[0]}, "
                    f"outside the mapped section {row.parameter}[{row.item.start}:{row.item.length}] = "
                    f"[{low}, {high}) at sample extents {SAMPLE_EXTENT} (line {row.line})")
    return ""


def _uncopied(row: Row, seen: Observation, facts: FunctionFacts) -> str:
    """For an `Out` array mapped `alloc`, whose written elements come back by copy-back calls: the
    elements written that no copy-back (that runs) returns."""
    if row.ownership is not Ownership.OUT or row.governor is None or row.map_type != "alloc":
        return ""
    written = _written(row, seen, facts)
    governor = row.governor
    copied = set().union(*(c for p, o, c in seen.copied if p == row.parameter and governor.encloses(o)))
    missed = sorted(written - copied)
    if not missed:
        return ""
    return (f"element {missed[0]} is written on the device but no copy-back that runs returns it "
            f"({len(missed)} of {len(written)} written elements at sample extents {SAMPLE_EXTENT}, line {row.line})")


def _written(row: Row, seen: Observation, facts: FunctionFacts) -> set[int]:
    return {k for a in facts.accesses if a.written and a.pointer == row.parameter and a.offset in row.offsets
            for k in seen.touched.get((a.offset, a.pointer), ())}


def _unwritten(row: Row, seen: Observation, facts: FunctionFacts) -> str:
    """For an `Out` array mapped `from`: an element of its section that the kernel never writes (the
    copy back then overwrites the host's value with uninitialized device memory)."""
    if row.ownership is not Ownership.OUT or row.map_type != "from" or row.item is None:
        return ""
    bounds = _bounds(row.item, seen)
    if bounds is None or any(o in seen.unknown for o in row.offsets):
        return ""
    unwritten = sorted(set(range(*bounds)) - _written(row, seen, facts))
    return (f"mapped from, but element {unwritten[0]} of the section is never written: the copy back "
            f"overwrites the host's value with the device's garbage (line {row.line})") if unwritten else ""


def reduction_problems(facts: FunctionFacts, lines: Locations) -> list[str]:
    """A reduction variable mapped so that its result stays on the device (`to`, `alloc`)."""
    problems = []
    for region in (p for p in facts.pragmas if p.is_target_region):
        for name in sorted(region.reductions):
            item = next((m for m in region.maps if m.array == name), None)
            if item is not None and item.map_type not in _RETURNS:
                problems.append(f"{facts.name}: {name}: reduction variable mapped {item.map_type} at line "
                                f"{where(lines, region.line)}: its result never comes back (needs map(tofrom))")
    return problems
