"""The manifest (`<module>.json`, format 1): what a built library exports and how to call it.

This module is the manifest's schema: the dataclasses below are its records, `to_json` writes them
(the translator's backend builds them and calls it, `translator/backend/manifest.py`) and the
parse functions read them back, so every key is spelled here and nowhere else; bound expressions
follow `bounds`. docs/design.md ("Manifest") documents the keys.

The manifest is the only thing that tells the runtime the C signature of each kernel, so it is read
strictly: a wrong dtype or rank here would make ctypes pass garbage to C and fail far from the cause.
Every problem is reported as a `ValueError` that names the file and the offending key. Keys this
version does not know are ignored, so that later writers can add fields without breaking old readers.
"""

from __future__ import annotations

import json
import keyword
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .bounds import extent_bound
from .checks import ERRORS as CHECK_ERRORS_BY_NAME, CheckSpec

_T = TypeVar("_T")

FORMAT = 1
"""The manifest format this runtime reads; any other number is refused rather than guessed at."""

DTYPES = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
    "complex64", "complex128",
})
"""NumPy dtype names a parameter, an array element or a return value may have (binding.CTYPES)."""

OWNERSHIPS = frozenset({"in", "out", "inout", "scratch"})
"""How a kernel uses an array: only `in` arrays are left unwritten and may alias each other."""

MAP_TYPES = {"in": "to", "out": "from", "inout": "tofrom", "scratch": "alloc"}
"""The OpenMP map type of each ownership (manifest `map`)."""


def copies_in(ownership: str) -> bool:
    """Whether a call copies an array of this ownership to the device (manifest `copy_in`)."""
    return MAP_TYPES[ownership] in ("to", "tofrom")


def copies_out(ownership: str) -> bool:
    """Whether a call copies an array of this ownership back from the device (manifest `copy_out`)."""
    return MAP_TYPES[ownership] in ("from", "tofrom")

OFFLOAD_TARGET_KINDS = ("nvptx", "amdgcn", "host-offload")
"""Targets (the part of `target` before any `:`) whose library runs its loops on a device with memory
of its own: the runtime counts transfers and may hand it device arrays (`translator.targets`)."""


@dataclass(frozen=True)
class ParamSpec:
    """One kernel parameter; scalars have rank 0 and no ownership."""

    name: str
    kind: str
    dtype: str
    rank: int = 0
    ownership: str | None = None
    copy_in: bool = False
    copy_out: bool = False
    written: tuple[object, ...] | None = None
    """Manifest `writes`: for an `Out` array not proven written entirely, boxes of `[lo, hi]` bounds
    (one per dimension, then guards: loop ranges that must be non-empty for the box to be written)."""
    sectioned: bool = False
    """Every write lies in `written`: the C copies back just those boxes (`target update from`)."""
    section: tuple[object, object] | None = None
    """Manifest `section`: `[lo, hi]` bounds of the rows (first axis) the maps move, clamped to
    `[0, extent]` as the C clamps them (`movement.section_rows`); None: the whole array."""
    shape: tuple[object, ...] | None = None
    """Manifest `allocation.shape`: set on an array the kernel makes, which the runtime allocates
    (a hidden parameter: bound expressions of the user's arguments, one per dimension)."""
    fill: str | None = None
    """Manifest `allocation.fill`: the Python text of the value the kernel fills it with (None: `np.empty`)."""
    made_at: int | None = None
    """Manifest `allocation.line`: the Python line that makes it."""
    declared: str | None = None
    """Manifest `declared`: the annotation's ownership (None: inferred); written with `reason`."""
    reason: str | None = None
    """Manifest `reason`: why the array moves as it does, with Python lines (None: not stated)."""
    default: int | float | bool | None = None
    """Manifest `default` (scalars): the value a Python call that omits the argument passes."""

    @property
    def hidden(self) -> bool:
        """An array the kernel makes: the runtime allocates it, the caller never passes it."""
        return self.shape is not None

    @property
    def is_array(self) -> bool:
        """Arrays take a pointer plus one extent per dimension in C; scalars take one value."""
        return self.kind == "array"

    @property
    def writes(self) -> bool:
        """Whether the kernel may write the array, so it must be writable and not alias anything."""
        return self.is_array and self.ownership != "in"

    def to_json(self) -> dict[str, object]:
        """The entry of a kernel's `params`; `map` follows the ownership."""
        doc: dict[str, object] = {"name": self.name, "kind": self.kind, "dtype": self.dtype}
        if not self.is_array:
            if self.default is not None:
                doc["default"] = self.default
            return doc
        assert self.ownership is not None, self.name
        doc.update(rank=self.rank, ownership=self.ownership, map=MAP_TYPES[self.ownership], copy_in=self.copy_in,
                   copy_out=self.copy_out)
        if self.reason is not None:
            doc.update(declared=self.declared, reason=self.reason)
        if self.written is not None:
            doc.update(writes=list(self.written), sectioned=self.sectioned)
        if self.section is not None:
            doc["section"] = list(self.section)
        if self.shape is not None:
            doc["allocation"] = {"shape": list(self.shape), "line": self.made_at, "fill": self.fill}
        return doc


@dataclass(frozen=True)
class IndexNeed:
    """A precondition of one access (manifest `length_checks` entry with `index`): whenever every
    `when` bound is positive (the loops around the access run), `array`'s extent along `dim` must be
    at least `need`, else the call raises IndexError naming `at`, the access's `file:line:col`."""

    at: str
    array: str
    dim: int
    need: object
    when: tuple[object, ...] = ()

    def to_json(self, line: int) -> dict[str, object]:
        return {"line": line, "lengths": [extent_bound(self.array, self.dim), self.need],
                "index": {"at": self.at, "array": self.array, "dim": self.dim, "when": list(self.when)}}


@dataclass(frozen=True)
class ChunkPhaseSpec:
    """One split loop of a chunked entry point, numbered as its calls back are: the arrays whose rows
    `[lo, hi)` a device writes there; the rows of each array it touches (`reads`: `[first, last]`
    offsets from the chunk, from row `lo + first` to row `hi - 1 + last`, or null: every row); and its
    reductions `(op, dtype)` in the order of the call back's pointers."""

    line: int
    written: tuple[str, ...]
    reads: tuple[tuple[str, tuple[int, int] | None], ...]
    reductions: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "written": list(self.written),
                "reads": {name: None if rows is None else list(rows) for name, rows in self.reads},
                "reductions": [list(r) for r in self.reductions]}


@dataclass(frozen=True)
class ChunkSpec:
    """Manifest `chunk`: the entry point that runs one device's share of each outermost `prange`
    (`kernel.on(devices)`, runtime_shim.multi) and its split loops."""

    symbol: str
    phases: tuple[ChunkPhaseSpec, ...]

    def to_json(self) -> dict[str, object]:
        return {"symbol": self.symbol, "phases": [p.to_json() for p in self.phases]}


@dataclass(frozen=True)
class KernelSpec:
    """One exported kernel: Python name, C symbol, return dtype (None for void) and parameters;
    `device` is the OpenMP device number its offloaded loops name (None: the default device)."""

    name: str
    symbol: str
    returns: str | None
    params: tuple[ParamSpec, ...]
    line: int | None = None
    device_symbol: str | None = None
    """The entry point taking device pointers (offload targets)."""
    maps_symbol: str | None = None
    """Manifest `maps_symbol`, in libraries built with `--staging` (translator/backend/staged.py): the
    kernel with its map clauses, a static function the exported `symbol` calls for calls it does not
    stage (for the audit: the runtime calls `symbol`)."""
    device: int | None = None
    length_checks: tuple[tuple[int, object, object, str], ...] = ()
    """Manifest `length_checks`: `(line, left, right, kind)`, two lengths (bound expressions) an array
    statement combines; the runtime refuses a call where they differ, with NumPy's error for `kind`
    (`LENGTH_KINDS`)."""
    index_needs: tuple[tuple[int, IndexNeed], ...] = ()
    """Manifest `length_checks` entries with `index`: `(line, need)`, the preconditions of accesses."""
    reshapes: tuple[tuple[int, tuple[object, ...]], ...] = ()
    """Manifest `length_checks` entries with `reshape`: `(k, shape)`, length check `k` is a reshape's
    size check (the new shape's size, the operand's), `shape` the shape it asks (bound expressions,
    -1 as itself), for NumPy's message."""
    failures: tuple[str, ...] = ()
    """Manifest `failures.messages`: the message of each run-time check, by number from 1."""
    failure_errors: tuple[str, ...] = ()
    """Manifest `failures.errors`: the exception each check raises (`ERRORS`); absent: ValueError."""
    status: str | None = None
    """Manifest `failures.param`: the hidden int32 array, zeroed before the call, where the kernel
    stores the number of a failed check."""
    results: tuple[str | None, ...] | None = None
    """What the call returns when the kernel returns arrays: parameter names, None for the C return value."""
    results_tuple: bool = False
    """`results` come back as a tuple (else the one item)."""
    chunk_over: str | None = None
    """Manifest `chunk_over`: the 1-D array whose length is the trip count of a kernel elementwise in
    its `prange` index (translator/passes/chunking.py), which the runtime may call on pieces of its
    arrays to overlap transfers with compute (`overlap`)."""
    results_elements: tuple[str, ...] = ()
    """`results` items that come back as their one element (scalars after the first)."""
    chunk: ChunkSpec | None = None
    """The chunked entry point, in libraries built for `kernel.on(devices)`."""
    checks: tuple[CheckSpec, ...] = ()
    """Manifest `checks`: the checks of the inputs the caller makes before the call (`runtime_shim.checks`)."""

    def to_json(self) -> dict[str, object]:
        """The entry of `kernels`; optional keys only where they say something."""
        doc: dict[str, object] = {"name": self.name, "symbol": self.symbol, "returns": self.returns, "line": self.line,
                                  "params": [p.to_json() for p in self.params]}
        if self.device_symbol is not None:
            doc["device_symbol"] = self.device_symbol
        if self.maps_symbol is not None:
            doc["maps_symbol"] = self.maps_symbol
        if self.chunk_over is not None:
            doc["chunk_over"] = self.chunk_over
        if self.failures:
            doc["failures"] = {"param": self.status, "messages": list(self.failures)}
            if self.failure_errors:
                doc["failures"]["errors"] = list(self.failure_errors)  # type: ignore[index]
        if self.length_checks or self.index_needs:
            asked = dict(self.reshapes)
            doc["length_checks"] = [
                {**_length_json(*check), **({"reshape": list(asked[k])} if k in asked else {})}
                for k, check in enumerate(self.length_checks)] + [
                need.to_json(line) for line, need in self.index_needs]
        if self.checks:
            doc["checks"] = [c.to_json() for c in self.checks]
        if self.results is not None:
            doc["results"] = {"items": list(self.results), "tuple": self.results_tuple}
            if self.results_elements:
                doc["results"]["elements"] = list(self.results_elements)  # type: ignore[index]
        if self.device is not None:
            doc["device"] = self.device
        if self.chunk is not None:
            doc["chunk"] = self.chunk.to_json()
        return doc


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest; `path` is the JSON file, which `library` is relative to."""

    path: Path
    format: int
    module: str
    library: str
    kernels: tuple[KernelSpec, ...]
    target: str | None = None
    source: str | None = None
    source_sha256: str | None = None
    py2omp_version: str | None = None
    library_sha256: str | None = None
    """The SHA-256 of the library as built (written by the build cache once the library exists):
    a truncated or replaced library is refused before it is loaded, never a crash inside ctypes."""

    @property
    def library_path(self) -> Path:
        """The shared library, resolved next to the manifest so a built directory can be moved whole."""
        return self.path.parent / self.library

    @property
    def offloads(self) -> bool:
        """Whether the library runs its loops on a device with memory of its own."""
        return (self.target or "").partition(":")[0] in OFFLOAD_TARGET_KINDS

    def to_json(self) -> dict[str, object]:
        """The JSON document (`path` is where it lives, not part of it)."""
        return {
            "format": self.format, "py2omp_version": self.py2omp_version, "module": self.module, "source": self.source,
            "source_sha256": self.source_sha256, "target": self.target, "library": self.library,
            **({"library_sha256": self.library_sha256} if self.library_sha256 is not None else {}),
            "kernels": [k.to_json() for k in self.kernels],
        }


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate the manifest at `path`; `ValueError` (naming the file) if it is malformed."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: not valid JSON: {exc}") from exc
    return parse_manifest(data, file)


def parse_manifest(data: object, path: Path) -> Manifest:
    """Validate already-decoded JSON; `path` is where it came from, for messages and `library_path`."""
    top = _Reader(path, "")
    doc = top.mapping(data)
    if "format" not in doc:
        raise top.error("missing key 'format'; is this a py2omp manifest?")
    fmt = doc["format"]
    if type(fmt) is not int or fmt != FORMAT:
        raise top.error(f"unsupported manifest format {fmt!r}; this runtime_shim reads format {FORMAT}")
    kernel_list = top.field(doc, "kernels", list)
    kernels = tuple(_kernel(top.at(f"kernels[{i}]"), item) for i, item in enumerate(kernel_list))
    top.unique((k.name for k in kernels), "kernels", "kernel")
    return Manifest(
        path=path,
        format=FORMAT,
        module=top.field(doc, "module", str),
        library=top.field(doc, "library", str, nonempty=True),
        kernels=kernels,
        target=top.optional(doc, "target", str),
        source=top.optional(doc, "source", str),
        source_sha256=top.optional(doc, "source_sha256", str),
        py2omp_version=top.optional(doc, "py2omp_version", str),
        library_sha256=top.optional(doc, "library_sha256", str),
    )


def _kernel(where: _Reader, data: object) -> KernelSpec:
    """One entry of `kernels`."""
    doc = where.mapping(data)
    name = where.identifier(doc, "name")
    param_list = where.field(doc, "params", list)
    params = tuple(_param(where.at(f"params[{i}]"), item) for i, item in enumerate(param_list))
    where.unique((p.name for p in params), "params", "parameter")
    if "returns" not in doc:
        raise where.error("missing key 'returns' (null for a kernel that returns nothing)")
    returns = doc["returns"]
    if returns is not None:
        returns = where.choice(doc, "returns", DTYPES)
    results = _results(where.at("results"), doc.get("results"), params, returns)
    failures = _failures(where.at("failures"), doc.get("failures"), params)
    checks = [where.mapping(c) for c in where.optional(doc, "length_checks", list) or ()]
    return KernelSpec(
        name=name,
        symbol=where.field(doc, "symbol", str, nonempty=True),
        returns=returns,
        params=params,
        line=where.optional(doc, "line", int),
        device_symbol=where.optional(doc, "device_symbol", str),
        maps_symbol=where.optional(doc, "maps_symbol", str),
        device=where.optional(doc, "device", int),
        chunk_over=where.optional(doc, "chunk_over", str),
        length_checks=tuple(_length_check(where.at("length_checks"), c) for c in checks if "index" not in c),
        reshapes=tuple((k, tuple(where.at("length_checks").field(c, "reshape", list)))
                       for k, c in enumerate(c for c in checks if "index" not in c) if "reshape" in c),
        index_needs=tuple(_index_need(where.at("length_checks"), c) for c in checks if "index" in c),
        results=None if results is None else results[0],
        results_tuple=results is not None and results[1],
        results_elements=() if results is None else results[2],
        failures=failures[1],
        failure_errors=_errors(where.at("failures"), doc.get("failures")),
        status=failures[0],
        chunk=_chunk(where.at("chunk"), doc.get("chunk"), params),
        checks=tuple(_check(where.at(f"checks[{i}]"), c) for i, c in enumerate(where.optional(doc, "checks", list) or ())),
    )


def _check(where: _Reader, data: object) -> CheckSpec:
    """One entry of `checks` (its values are read when the runtime compiles them)."""
    doc = where.mapping(data)
    message = doc.get("message")
    if message is not None and not isinstance(message, list):
        raise where.error("'message' must be null or a list of parts")
    if "fails" not in doc:
        raise where.error("missing key 'fails'")
    return CheckSpec(where.field(doc, "line", int), where.field(doc, "col", int), where.choice(doc, "error", CHECK_ERRORS),
                     doc["fails"], None if message is None else tuple(message))


def _chunk(where: _Reader, data: object, params: tuple[ParamSpec, ...]) -> ChunkSpec | None:
    """`chunk`: the chunked entry point; its phases name array parameters and reduce to known dtypes."""
    if data is None:
        return None
    doc = where.mapping(data)
    arrays = {p.name for p in params if p.is_array}
    phases = []
    for i, item in enumerate(where.field(doc, "phases", list)):
        phase, at = where.mapping(item), where.at(f"phases[{i}]")
        written = tuple(at.field(phase, "written", list))
        reads = tuple((name, None if rows is None else tuple(rows)) for name, rows in at.field(phase, "reads", dict).items())
        reductions = tuple(tuple(r) for r in at.field(phase, "reductions", list))
        if not set(written) <= arrays or not {name for name, _ in reads} <= arrays:
            raise at.error(f"'written' and 'reads' must name array parameters: {list(written)!r}, {dict(reads)!r}")
        if any(rows is not None and (len(rows) != 2 or not all(isinstance(r, int) for r in rows)) for _, rows in reads):
            raise at.error("'reads' must map arrays to null or [first, last] row offsets")
        if any(len(r) != 2 or r[0] not in REDUCTIONS or r[1] not in DTYPES for r in reductions):
            raise at.error(f"'reductions' must be [op, dtype] pairs with op among {', '.join(REDUCTIONS)}")
        phases.append(ChunkPhaseSpec(at.field(phase, "line", int), written, reads, reductions))
    return ChunkSpec(where.field(doc, "symbol", str, nonempty=True), tuple(phases))


REDUCTIONS = ("+", "*", "max", "min")
"""The reductions a chunked entry point's call back combines."""


ERRORS = ("ValueError", "IndexError", "OverflowError", "RuntimeError", "LinAlgError")
"""The exceptions a failed run-time check raises (manifest `failures.errors`; RuntimeError: a vendor
library reported an error; LinAlgError: `numpy.linalg.LinAlgError`, a singular matrix in
`np.linalg.solve`/`inv`)."""
CHECK_ERRORS = frozenset(CHECK_ERRORS_BY_NAME)
"""The exceptions a check of the inputs raises (manifest `checks[].error`)."""
LENGTH_KINDS = frozenset({"broadcast", "mask", "gather"})
"""What two unequal lengths of a `length_checks` entry are, for NumPy's error (`movement.check_lengths`):
operands that do not broadcast (ValueError), an array read through a boolean mask of another shape
(IndexError), index arrays that do not broadcast together (IndexError)."""


def _errors(where: _Reader, data: object) -> tuple[str, ...]:
    errors = where.optional(where.mapping(data), "errors", list) if data is not None else None
    if errors is None:
        return ()
    if not all(e in ERRORS for e in errors):
        raise where.error(f"'errors' must hold exception names among {', '.join(ERRORS)}")
    return tuple(errors)


def _index_need(where: _Reader, data: object) -> tuple[int, IndexNeed]:
    """A `length_checks` entry with `index`: an access's precondition."""
    doc = where.mapping(data)
    index = where.mapping(doc["index"])
    lengths = where.field(doc, "lengths", list)
    if len(lengths) != 2:
        raise where.error(f"'lengths' must hold two bound expressions, got {len(lengths)}")
    need = IndexNeed(where.field(index, "at", str), where.field(index, "array", str, nonempty=True),
                     where.field(index, "dim", int), lengths[1], tuple(where.field(index, "when", list)))
    return where.field(doc, "line", int), need


def _failures(where: _Reader, data: object, params: tuple[ParamSpec, ...]) -> tuple[str | None, tuple[str, ...]]:
    """`failures`: the status parameter (a hidden one-element int32 array) and the messages."""
    if data is None:
        return None, ()
    doc = where.mapping(data)
    param = where.field(doc, "param", str, nonempty=True)
    status = next((p for p in params if p.name == param), None)
    if status is None or not status.hidden or status.dtype != "int32" or status.rank != 1:
        raise where.error(f"'param' must name a hidden int32 array parameter, not {param!r}")
    messages = where.field(doc, "messages", list)
    if not messages or not all(isinstance(m, str) for m in messages):
        raise where.error("'messages' must be a non-empty list of strings")
    return param, tuple(messages)


def _length_check(where: _Reader, data: object) -> tuple[int, object, object, str]:
    doc = where.mapping(data)
    lengths = where.field(doc, "lengths", list)
    if len(lengths) != 2:
        raise where.error(f"'lengths' must hold two bound expressions, got {len(lengths)}")
    kind = where.choice(doc, "kind", LENGTH_KINDS) if "kind" in doc else "broadcast"
    return where.field(doc, "line", int), lengths[0], lengths[1], kind


def _length_json(line: int, left: object, right: object, kind: str) -> dict[str, object]:
    """One `length_checks` entry; `kind` is left out where it is the usual "broadcast"."""
    doc: dict[str, object] = {"line": line, "lengths": [left, right]}
    if kind != "broadcast":
        doc["kind"] = kind
    return doc


def _results(where: _Reader, data: object, params: tuple[ParamSpec, ...],
             returns: str | None) -> tuple[tuple[str | None, ...], bool, tuple[str, ...]] | None:
    """A kernel's `results`: names of its array parameters, and null for its one return value; the
    `elements`, items returned as their one element."""
    if data is None:
        return None
    doc = where.mapping(data)
    items = where.field(doc, "items", list)
    arrays = {p.name for p in params if p.is_array}
    if any(item is not None and item not in arrays for item in items) or items.count(None) > (returns is not None):
        raise where.error(f"'items' must name array parameters, with null for the return value: {items!r}")
    elements = where.optional(doc, "elements", list) or []
    if any(name not in items for name in elements):
        raise where.error(f"'elements' must be among the items: {elements!r}")
    return tuple(items), where.field(doc, "tuple", bool), tuple(elements)


def _param(where: _Reader, data: object) -> ParamSpec:
    """One entry of a kernel's `params`."""
    doc = where.mapping(data)
    name = where.identifier(doc, "name")
    kind = where.choice(doc, "kind", frozenset({"scalar", "array"}))
    dtype = where.choice(doc, "dtype", DTYPES)
    if kind == "scalar":
        default = doc.get("default")
        if default is not None and not isinstance(default, (int, float, bool)):
            raise where.error(f"'default' is {default!r}; expected a number or a bool")
        return ParamSpec(name=name, kind=kind, dtype=dtype, default=default)
    rank = where.field(doc, "rank", int)
    if rank < 1:
        raise where.error(f"'rank' must be at least 1 for an array, got {rank}")
    ownership = where.choice(doc, "ownership", OWNERSHIPS)
    writes = where.optional(doc, "writes", list)
    section = where.optional(doc, "section", list)
    if section is not None and len(section) != 2:
        raise where.error(f"'section' has {len(section)} bounds; expected [lo, hi]")
    allocation = where.optional(doc, "allocation", dict)
    made = where.at("allocation")
    shape = None if allocation is None else made.field(allocation, "shape", list)
    if shape is not None and len(shape) != rank:
        raise where.error(f"'allocation.shape' has {len(shape)} dimensions; the rank is {rank}")
    declared = where.optional(doc, "declared", str)
    if declared is not None and declared not in OWNERSHIPS:
        raise where.error(f"'declared' is {declared!r}; expected null or one of {', '.join(sorted(OWNERSHIPS))}")
    return ParamSpec(
        name, kind, dtype, rank, ownership,
        copy_in=_optional_bool(where, doc, "copy_in", copies_in(ownership)),
        copy_out=_optional_bool(where, doc, "copy_out", copies_out(ownership)),
        written=None if writes is None else tuple(writes),
        sectioned=_optional_bool(where, doc, "sectioned", False),
        section=None if section is None else (section[0], section[1]),
        shape=None if shape is None else tuple(shape),
        fill=None if allocation is None else made.optional(allocation, "fill", str),
        made_at=None if allocation is None else made.optional(allocation, "line", int),
        declared=declared,
        reason=where.optional(doc, "reason", str),
    )


def _optional_bool(where: _Reader, doc: dict[str, object], key: str, default: bool) -> bool:
    """A data-movement flag; manifests written before it existed follow the ownership."""
    value = where.optional(doc, key, bool)
    return default if value is None else value


@dataclass(frozen=True)
class _Reader:
    """Typed access to one JSON object, raising errors that say which file and which key."""

    path: Path
    location: str

    def at(self, sub: str) -> _Reader:
        """A reader for a nested object, for messages like `kernels[0].params[1]`."""
        return _Reader(self.path, f"{self.location}.{sub}" if self.location else sub)

    def error(self, message: str) -> ValueError:
        """An error naming the file and, below the top level, where in it."""
        where = f" {self.location}:" if self.location else ""
        return ValueError(f"{self.path}:{where} {message}")

    def mapping(self, data: object) -> dict[str, object]:
        """`data` itself, which must be a JSON object."""
        if not isinstance(data, dict):
            raise self.error(f"expected a JSON object, got {type(data).__name__}")
        return data

    def field(self, doc: dict[str, object], key: str, kind: type[_T], *, nonempty: bool = False) -> _T:
        """A required key of JSON type `kind` (JSON true/false never count as numbers)."""
        if key not in doc:
            raise self.error(f"missing key '{key}'")
        value = doc[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(f"'{key}' must be {kind.__name__}, got {type(value).__name__}")
        if nonempty and not value:
            raise self.error(f"'{key}' must not be empty")
        return value

    def optional(self, doc: dict[str, object], key: str, kind: type[_T]) -> _T | None:
        """An informational key: absent or null reads as None, anything else must have type `kind`."""
        return None if doc.get(key) is None else self.field(doc, key, kind)

    def choice(self, doc: dict[str, object], key: str, allowed: frozenset[str]) -> str:
        """A required string key with a closed set of values."""
        value = self.field(doc, key, str)
        if value not in allowed:
            raise self.error(f"'{key}' is {value!r}; expected one of {', '.join(sorted(allowed))}")
        return value

    def identifier(self, doc: dict[str, object], key: str) -> str:
        """A name that Python code will use as an attribute or keyword argument."""
        value = self.field(doc, key, str)
        if not value.isidentifier() or keyword.iskeyword(value):
            raise self.error(f"'{key}' is {value!r}, which is not a Python identifier")
        return value

    def unique(self, names: Iterable[str], key: str, what: str) -> None:
        """Refuse repeated names, which would make binding by name ambiguous."""
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self.error(f"'{key}' has two entries named {name!r}; each {what} name must be unique")
            seen.add(name)
