"""`py2omp audit`: check that the C moves every array the way its Python ownership says.

On a device with separate memory, a map clause in the wrong direction is a silent wrong answer
(an `Out` array mapped `to` never comes back), and a missing one reads garbage. The audit parses
the C with libclang (`audit_clang`) and, for every target region, checks each pointer parameter
the region dereferences against the map that governs it there: the outermost enclosing
`target data` that maps it (inner maps of data already present move nothing), else the region's
own map, else a device-pointer clause. The rules, by ownership:

| ownership | needs |
| --- | --- |
| In, read on the device | `to` or `tofrom` |
| Out, written on the device | `from` or `tofrom` |
| InOut | `tofrom` |
| Scratch | any map (`alloc` is enough) |

An `Out` array may also be mapped `alloc` by a `target data` region holding a `target update
from(...)` of it, or a call of the emitted helper `py2omp_copy_back(<array>, ...)` (which does
such updates): the C copies back the sections the kernel writes, and nothing else.

Then (`audit_checks`) what the maps move: each section must cover the elements the device touches,
each copy-back the elements the kernel writes, each reduction variable must come back; the
elements come from a run of the C's integer skeleton at sample extents (`audit_sections`), and
what that run cannot compute (indices read from memory) is printed as a note, not judged.

It prints one row per parameter and governing map, and exits with 1 on any mismatch or error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_shim.bounds import Bound
from translator import pipeline
from translator.audit_checks import Locations, Row, check_sections, reduction_problems, where
from translator.audit_clang import FunctionFacts, MapItem, ParsedC, Pragma, parse_c
from translator.backend.render import presumed_locations
from translator.frontend import module_name
from translator.ir.types import Ownership
from translator.targets import Target

_ACCEPTED = {
    Ownership.IN: ("to", "tofrom"),
    Ownership.OUT: ("from", "tofrom"),
    Ownership.INOUT: ("tofrom",),
    Ownership.SCRATCH: ("to", "from", "tofrom", "alloc"),
}
_MOVES = {"to": 1, "from": 1, "tofrom": 2, "alloc": 0}
"""How many times a map type copies its section per execution of the construct."""


_C_TYPES = {"bool": "bool", "float32": "float", "float64": "double",
            **{f"{k}{b}": f"{k}{b}_t" for k in ("int", "uint") for b in (8, 16, 32, 64)}}
"""NumPy dtype name (the manifest's) -> C element type."""

_C_SIZES = {"bool": 1, "int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4,
            "uint32_t": 4, "int64_t": 8, "uint64_t": 8, "float": 4, "double": 8}


@dataclass(frozen=True)
class ArraySpec:
    """What the Python source says about one array parameter (by its C name)."""

    ownership: Ownership
    ctype: str
    shape: tuple[Bound, ...] | None = None
    """For an array the kernel makes, the shape its caller allocates (manifest bounds of the user's
    arguments): the sample run gives it these extents, not free ones."""


def run_audit(path: str, target: Target, c_file: str | None) -> int:
    """Audit the C emitted for `path` on `target`, or the C in `c_file`; print the table."""
    specs, emitted = kernel_specs(path, target)
    c_path = c_file or f"{module_name(path)}.c"
    text = Path(c_file).read_text(encoding="utf-8") if c_file else emitted.c_source
    parsed = parse_c(c_path, text)
    lines = presumed_locations(text, c_path)
    rows, missing = audit(parsed, specs, lines, manifest_checks(emitted.manifest))
    for c_line, message in (*parsed.errors, *parsed.warnings):
        file, line = lines[c_line - 1] if 0 < c_line <= len(lines) else (c_path, c_line)
        print(message if file == c_path else f"{message} [from {file}:{line}]")
    print(format_table(rows) if rows else f"no target region dereferences an array (target {target})")
    problems = [f"{r.kernel}: {r.parameter}: {p}" for r in rows for p in r.problems] + missing
    for note in (f"{r.kernel}: {r.parameter}: {n}" for r in rows for n in r.notes):
        print(f"note: {note}")
    for problem in problems:
        print(f"mismatch: {problem}")
    failed = bool(problems or parsed.errors)
    print(f"audit {'FAILED' if failed else 'passed'}: {len(rows)} row(s), {len(problems)} mismatch(es), "
          f"{len(parsed.errors)} error(s), {len(parsed.warnings)} warning(s)")
    return 1 if failed else 0


def audit_emitted(c_source: str, manifest: dict[str, Any]) -> list[str]:
    """The audit's mismatches and clang errors for C that the backend emitted with `manifest` (the
    build path's view: no Python file to re-translate). Empty when the C passes."""
    c_path = f"{manifest['module']}.c"
    parsed = parse_c(c_path, c_source)
    lines = presumed_locations(c_source, c_path)
    rows, missing = audit(parsed, manifest_specs(manifest), lines, manifest_checks(manifest))
    problems = [f"{r.kernel}: {r.parameter}: {p}" for r in rows for p in r.problems] + missing
    return problems + [message for _, message in parsed.errors]


def manifest_specs(manifest: dict[str, Any]) -> dict[str, dict[str, ArraySpec]]:
    """Per kernel symbol (and its twins, `_symbols`), its arrays' ownership and C element type."""
    specs: dict[str, dict[str, ArraySpec]] = {}
    for kernel in manifest["kernels"]:
        arrays = {
            p["name"]: ArraySpec(Ownership(p["ownership"]), _C_TYPES.get(p["dtype"], ""),
                                 tuple(p["allocation"]["shape"]) if p.get("allocation") else None)
            for p in kernel["params"] if p["kind"] == "array"
        }
        for symbol in _symbols(kernel):
            specs[symbol] = arrays
    return specs


def _symbols(kernel: dict[str, Any]) -> Iterator[str]:
    """A kernel's C functions: its symbol and its `__device`, `__chunk` and (`--staging`) `__maps` twins."""
    for symbol in (kernel["symbol"], kernel.get("device_symbol"), (kernel.get("chunk") or {}).get("symbol"),
                   kernel.get("maps_symbol")):
        if symbol:
            yield symbol


def manifest_checks(manifest: dict[str, Any]) -> dict[str, tuple[tuple[int, Bound, Bound], ...]]:
    """Per kernel symbol (and twins), its length checks `(line, left, right)`: the sample run is a
    call only where they hold."""
    checks: dict[str, tuple[tuple[int, Bound, Bound], ...]] = {}
    for kernel in manifest["kernels"]:
        found = tuple((c["line"], *c["lengths"]) for c in kernel.get("length_checks", ()) if "index" not in c)
        for symbol in _symbols(kernel):
            checks[symbol] = found
    return checks


def kernel_specs(path: str, target: Target) -> tuple[dict[str, dict[str, ArraySpec]], Any]:
    """Per kernel symbol, its arrays' ownership and C element type; and what the backend emits."""
    emitted = pipeline.translate(path, target)
    return manifest_specs(emitted.manifest), emitted


def audit(
    parsed: ParsedC, specs: dict[str, dict[str, ArraySpec]], lines: Locations,
    checks: dict[str, tuple[tuple[int, Bound, Bound], ...]] | None = None,
) -> tuple[list[Row], list[str]]:
    """The rows of every kernel, and the kernels the C does not define; `checks`: each kernel's
    length checks, which a sample run must pass to be a call."""
    rows: list[Row] = []
    missing = [f"{k}: not defined in the C file" for k in specs if k not in parsed.functions]
    for kernel, arrays in specs.items():
        facts = parsed.functions.get(kernel)
        if facts is not None:
            if facts.sampler is not None:
                facts.sampler.allocate({name: spec.shape for name, spec in arrays.items() if spec.shape is not None},
                                       (checks or {}).get(kernel, ()))
            rows += _kernel_rows(facts, arrays, lines)
            missing += reduction_problems(facts, lines)
    return rows, missing


def _kernel_rows(facts: FunctionFacts, arrays: dict[str, ArraySpec], lines: Locations) -> list[Row]:
    """Rows keyed by (parameter, governing pragma); a region with no map gets a row of its own."""
    rows: dict[tuple[str, int], Row] = {}
    for region in (p for p in facts.pragmas if p.is_target_region):
        for access in (a for a in facts.accesses if region.encloses(a.offset) and a.pointer in arrays):
            spec = arrays[access.pointer]
            governor, item = _governing_map(facts.pragmas, region, access.pointer)
            key = (access.pointer, governor.line)
            if key not in rows:
                rows[key] = _new_row(facts.name, access.pointer, spec, governor, item, lines)
                if _updated_in(facts, governor, access.pointer):
                    rows[key].updated = True
                    rows[key].clause += " + target update from"
                    rows[key].bytes = "written section"
                rows[key].governor, rows[key].item = governor, item
            row = rows[key]
            row.read |= access.read
            row.written |= access.written
            row.offsets.append(access.offset)
    order = list(arrays)
    ordered = sorted(rows.values(), key=lambda r: (order.index(r.parameter), r.line))
    for row in ordered:
        _check(row)
        check_sections(row, facts, lines)
    return ordered


def _governing_map(
    pragmas: tuple[Pragma, ...], region: Pragma, pointer: str
) -> tuple[Pragma, MapItem | None]:
    """The pragma whose map decides how `pointer` moves for `region`, and that map (None: unmapped
    or a device pointer, which `region` itself then says)."""
    enclosing = [p for p in pragmas if p.is_target_data and p.encloses(region.start)]
    enclosing.sort(key=lambda p: p.start)
    for pragma in (*enclosing, region):
        item = next((m for m in pragma.maps if m.array == pointer), None)
        if item is not None:
            return pragma, item
    return region, None


def _updated_in(facts: FunctionFacts, governor: Pragma, pointer: str) -> bool:
    """Whether `governor` is a `target data` region with a `target update from` of `pointer`, or a
    copy-back call on it, inside."""
    updates = [p.offset for p in facts.pragmas if pointer in p.updated_from]
    calls = [offset for name, offset in facts.copied_back if name == pointer]
    return governor.is_target_data and any(governor.encloses(offset) for offset in (*updates, *calls))


def _new_row(
    kernel: str, pointer: str, spec: ArraySpec, governor: Pragma, item: MapItem | None, lines: Locations
) -> Row:
    at = where(lines, governor.line)
    if item is None:
        device = pointer in governor.device_pointers
        clause = "is_device_ptr" if device else "none"
        row = Row(kernel, pointer, spec.ownership, None, clause, "0", at)
        if not device:
            row.problems.append(f"dereferenced in the target region at line {at} but not mapped")
        return row
    moves = _MOVES.get(item.map_type, 0) * _C_SIZES.get(spec.ctype, 0)
    size = "0" if not moves else f"{moves} * {item.length}" if item.length else str(moves)
    return Row(kernel, pointer, spec.ownership, item.map_type, item.clause(), size, at)


def _check(row: Row) -> None:
    """Apply the ownership rules of the module docstring to a mapped row."""
    if row.map_type is None:
        return
    needed = _ACCEPTED[row.ownership]
    relevant = {
        Ownership.IN: row.read,
        Ownership.OUT: row.written,
        Ownership.INOUT: True,
        Ownership.SCRATCH: True,
    }[row.ownership]
    copied_back = row.ownership is Ownership.OUT and row.map_type == "alloc" and row.updated
    if relevant and row.map_type not in needed and not copied_back:
        row.problems.append(
            f"{row.ownership.marker} array {row.access} on the device needs "
            f"map({' or '.join(needed)}), has {row.clause} (line {row.line})"
        )


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned text table."""
    header = (
        "kernel", "parameter", "ownership", "access", "map clause", "bytes per call", "python line", "status"
    )
    body = [
        (r.kernel, r.parameter, r.ownership.marker, r.access, r.clause, r.bytes, r.line,
         "MISMATCH" if r.problems else "ok")
        for r in rows
    ]
    widths = [max(len(cells[i]) for cells in (header, *body)) for i in range(len(header))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip() for cells in (header, *body))
    return "\n".join(lines)
