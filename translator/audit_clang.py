"""What a C file does with its pointer parameters, as libclang sees it: OpenMP pragmas with their
map clauses, the statements they govern, and every read and write through a pointer.

The file is parsed twice. With `-fopenmp`, clang checks the OpenMP semantics, and its diagnostics
are the audit's; but libclang's cursors stop at an OpenMP directive's captured statement (they
show the captured variables, not the statements), so the bodies come from a second parse without
OpenMP, where a pragma is only tokens and every statement is visible. Both parses see the same
bytes, so their offsets agree.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

from clang import cindex

from translator.audit_sections import Sampler
from translator.backend.lower import COPY_BACK
from translator.toolchain.discover import find_toolchain

_DIRECTIVE_WORDS = frozenset("target teams distribute parallel for simd loop data enter exit update".split())
_NOT_REGIONS = ("data", "enter", "exit", "update")
_DEVICE_POINTER_CLAUSES = ("is_device_ptr", "has_device_addr")
_TRANSPARENT = (cindex.CursorKind.UNEXPOSED_EXPR, cindex.CursorKind.PAREN_EXPR)


@dataclass(frozen=True)
class MapItem:
    """One list item of a map clause: `map(<map_type>: <array>[0:<length>])`; `length` is the
    section length as C text, or empty when the item is a bare name."""

    map_type: str
    array: str
    length: str
    start: str = "0"

    def clause(self) -> str:
        section = f"[{self.start}:{self.length}]" if self.length else ""
        return f"map({self.map_type}: {self.array}{section})"


@dataclass(frozen=True)
class Pragma:
    """An `omp` pragma at physical C line `line`, governing the statement at offsets [start, end)."""

    words: tuple[str, ...]
    maps: tuple[MapItem, ...]
    device_pointers: frozenset[str]
    line: int
    start: int
    end: int
    offset: int = 0
    """Where the pragma itself ends: a stand-alone directive (`target update`) governs nothing."""
    updated_from: frozenset[str] = frozenset()
    """The arrays a `target update from(...)` copies (some section of each) to the host."""
    reductions: frozenset[str] = frozenset()
    """The variables of the pragma's `reduction(...)` clauses."""

    @property
    def directive(self) -> str:
        return " ".join(self.words)

    @property
    def is_target_region(self) -> bool:
        """A construct whose body runs on the device (not a data-only construct)."""
        return self.words[:1] == ("target",) and not set(self.words[1:2]) & set(_NOT_REGIONS)

    @property
    def is_target_data(self) -> bool:
        return self.words[:2] == ("target", "data")

    def encloses(self, offset: int) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True)
class Access:
    """A read and/or write through pointer parameter `pointer`, at C offset `offset`."""

    pointer: str
    read: bool
    written: bool
    offset: int


@dataclass(frozen=True)
class FunctionFacts:
    """One function definition: its pointer parameters (name -> pointee C type), pragmas, accesses."""

    name: str
    pointers: dict[str, str]
    pragmas: tuple[Pragma, ...]
    accesses: tuple[Access, ...]
    copied_back: tuple[tuple[str, int], ...] = ()
    """(pointer, C offset) of each call `py2omp_copy_back(<pointer>, ...)`: the emitted helper that
    copies a section of the mapped array back to the host (`target update from` inside it)."""
    sampler: Sampler | None = None
    """The function's integer skeleton, to run at sample extents (`audit_sections`)."""
    lines: dict[int, int] = field(default_factory=dict)
    """Per access offset, its physical C line."""


@dataclass(frozen=True)
class ParsedC:
    """The facts of every function; `errors` and `warnings` are clang's diagnostics, formatted,
    each with its physical C line (for mapping through `#line`)."""

    functions: dict[str, FunctionFacts]
    errors: tuple[tuple[int, str], ...]
    warnings: tuple[tuple[int, str], ...]


def parse_c(path: str, text: str) -> ParsedC:
    """Parse C `text` (named `path`) and collect the facts the audit checks."""
    index = cindex.Index.create()
    unsaved = [(path, text)]
    checked = index.parse(path, args=[*_base_args(), "-fopenmp"], unsaved_files=unsaved)
    plain = index.parse(path, args=[*_base_args(), "-Wno-unknown-pragmas"], unsaved_files=unsaved)
    continued = {n for n, raw in enumerate(text.split("\n"), start=1) if raw.endswith("\\")}
    functions = {
        c.spelling: _function(c, plain, continued)
        for c in plain.cursor.get_children()
        if c.kind == cindex.CursorKind.FUNCTION_DECL and c.is_definition() and c.location.file
        and c.location.file.name == path
    }
    diagnostics = list(checked.diagnostics)
    errors = tuple(_diagnostic(d) for d in diagnostics if d.severity >= cindex.Diagnostic.Error)
    warnings = tuple(_diagnostic(d) for d in diagnostics if d.severity == cindex.Diagnostic.Warning)
    return ParsedC(functions, errors, warnings)


@functools.cache
def _base_args() -> tuple[str, ...]:
    """C11 with clang-19's resource directory: libclang's wheel has no `stddef.h`/`stdbool.h`."""
    args = ("-x", "c", "-std=c11")
    toolchain = find_toolchain()
    if toolchain is None:
        return args
    resource = subprocess.run([toolchain.clang, "-print-resource-dir"], capture_output=True, text=True)
    return (*args, "-resource-dir", resource.stdout.strip()) if resource.returncode == 0 else args


def _diagnostic(diagnostic: cindex.Diagnostic) -> tuple[int, str]:
    where = diagnostic.location
    names = {cindex.Diagnostic.Warning: "warning", cindex.Diagnostic.Error: "error"}
    severity = names.get(diagnostic.severity, "fatal error")
    return where.line, f"{where.file}:{where.line}:{where.column}: {severity}: {diagnostic.spelling}"


def _function(cursor: cindex.Cursor, tu: cindex.TranslationUnit, continued: set[int]) -> FunctionFacts:
    pointers = {
        a.spelling: a.type.get_pointee().spelling.replace("const ", "")
        for a in cursor.get_arguments()
        if a.type.kind == cindex.TypeKind.POINTER
    }
    statements = [c for c in cursor.walk_preorder() if c.kind.is_statement()]
    tokens = tu.get_tokens(extent=cursor.extent)
    pragmas = tuple(_pragma(words, line, end, statements) for words, line, end in _pragma_tokens(tokens, continued))
    accesses = tuple(_accesses(cursor, frozenset(pointers), ()))
    lines = {c.extent.start.offset: c.location.line for c in cursor.walk_preorder()
             if _dereferenced(c, frozenset(pointers)) is not None}
    copied = tuple(_copy_backs(cursor, pointers))
    return FunctionFacts(cursor.spelling, pointers, pragmas, accesses, copied, Sampler(cursor, pointers), lines)


def _copy_backs(cursor: cindex.Cursor, pointers: dict[str, str]) -> Iterator[tuple[str, int]]:
    """(pointer, offset) of each call of the copy-back helper whose first argument is a pointer parameter."""
    for call in cursor.walk_preorder():
        if call.kind == cindex.CursorKind.CALL_EXPR and call.spelling == COPY_BACK:
            first = _strip(next(call.get_arguments()))
            if first.kind == cindex.CursorKind.DECL_REF_EXPR and first.spelling in pointers:
                yield str(first.spelling), call.extent.start.offset


def _pragma_tokens(
    tokens: Iterator[cindex.Token], continued: set[int]
) -> Iterator[tuple[list[str], int, int]]:
    """Each `#pragma omp ...` as (the words after `omp`, its first line, its end offset).

    A pragma ends with its logical line: the physical lines joined by trailing backslashes.
    """
    pending = list(tokens)
    for i, token in enumerate(pending):
        spelled = [t.spelling for t in pending[i:i + 3]]
        if spelled != ["#", "pragma", "omp"]:
            continue
        first = last = token.location.line
        while last in continued:
            last += 1
        body = [t for t in pending[i + 3:] if t.location.line <= last]
        yield [t.spelling for t in body], first, (body[-1] if body else token).extent.end.offset


def _pragma(words: list[str], line: int, end: int, statements: list[cindex.Cursor]) -> Pragma:
    """The clauses of one pragma, and the statement it governs: the first one after it."""
    governed = next((s for s in statements if s.extent.start.offset >= end), None)
    start, stop = (governed.extent.start.offset, governed.extent.end.offset) if governed else (end, end)
    directive = tuple(_leading(words))
    clauses = list(_clauses(words[len(directive):]))
    maps = tuple(item for name, args in clauses if name == "map" for item in _map_items(args))
    device = frozenset(
        item[0]
        for name, args in clauses if name in _DEVICE_POINTER_CLAUSES
        for item in _split(args, ",") if item
    )
    updated = frozenset(
        item[0]
        for name, args in clauses if directive[:2] == ("target", "update") and name == "from"
        for item in _split(args, ",") if item
    )
    reduced = frozenset(
        word
        for name, args in clauses if name == "reduction"
        for item in _split(args[args.index(":") + 1:] if ":" in args else args, ",") for word in item[:1]
    )
    return Pragma(directive, maps, device, line, start, stop, end, updated, reduced)


def _leading(words: list[str]) -> Iterator[str]:
    """The directive name: the leading directive words (`target teams distribute parallel for`)."""
    for pos, word in enumerate(words):
        if word not in _DIRECTIVE_WORDS or words[pos + 1:pos + 2] == ["("]:
            return
        yield word


def _clauses(words: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(clause name, tokens inside its parentheses) for each clause, in order."""
    pos = 0
    while pos < len(words):
        name, pos = words[pos], pos + 1
        if words[pos:pos + 1] != ["("]:
            yield name, []
            continue
        depth, begin = 0, pos
        while pos < len(words):
            depth += (words[pos] in "([") - (words[pos] in ")]")
            pos += 1
            if depth == 0:
                break
        yield name, words[begin + 1:pos - 1]


def _split(words: list[str], separator: str) -> list[list[str]]:
    """`words` split at `separator` outside parentheses and brackets."""
    parts: list[list[str]] = [[]]
    depth = 0
    for word in words:
        depth += (word in "([") - (word in ")]")
        if word == separator and depth == 0:
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def _map_items(args: list[str]) -> Iterator[MapItem]:
    """`map([modifiers,] type: list)`; without a type the map is `tofrom` (OpenMP's default)."""
    head = _split(args, ":")
    # A section's own colon is inside brackets: only the type's colon splits `head`.
    map_type, items = (head[0][-1], head[1]) if len(head) > 1 else ("tofrom", args)
    for item in _split(items, ","):
        if item:
            section = _split(item[2:-1], ":") if item[1:2] == ["["] else []
            start = " ".join(section[0]) if len(section) > 1 and section[0] else "0"
            yield MapItem(map_type, item[0], " ".join(section[-1]) if section else "", start)


def _accesses(
    cursor: cindex.Cursor, pointers: frozenset[str], parents: tuple[cindex.Cursor, ...]
) -> Iterator[Access]:
    """Every `p[i]` and `*p` on a pointer parameter below `cursor`, read and/or written."""
    for child in cursor.get_children():
        pointer = _dereferenced(child, pointers)
        if pointer is not None:
            read, written = _use(child, (*parents, cursor))
            yield Access(pointer, read, written, child.extent.start.offset)
        yield from _accesses(child, pointers, (*parents, cursor))


def _dereferenced(cursor: cindex.Cursor, pointers: frozenset[str]) -> str | None:
    """The pointer parameter `cursor` dereferences, if it is `p[...]` or `*p` / `*(p + ...)`."""
    if cursor.kind == cindex.CursorKind.ARRAY_SUBSCRIPT_EXPR:
        base = _strip(next(cursor.get_children()))
    elif cursor.kind == cindex.CursorKind.UNARY_OPERATOR and _first_token(cursor) == "*":
        base = _strip(next(cursor.get_children()))
        if base.kind == cindex.CursorKind.BINARY_OPERATOR:
            base = _strip(next(base.get_children()))
    else:
        return None
    if base.kind == cindex.CursorKind.DECL_REF_EXPR and base.spelling in pointers:
        return str(base.spelling)
    return None


def _use(access: cindex.Cursor, parents: tuple[cindex.Cursor, ...]) -> tuple[bool, bool]:
    """(read, written) for an lvalue: written by `=`, both by `+=` and `++`, else only read."""
    node = access
    for parent in reversed(parents):
        if parent.kind not in _TRANSPARENT:
            break
        node = parent
    else:
        return True, False
    first = next(parent.get_children()).extent.start.offset == node.extent.start.offset
    if parent.kind == cindex.CursorKind.COMPOUND_ASSIGNMENT_OPERATOR and first:
        return True, True
    increments = {"++", "--"} & {t.spelling for t in parent.get_tokens()}
    if parent.kind == cindex.CursorKind.UNARY_OPERATOR and increments:
        return True, True
    if parent.kind == cindex.CursorKind.BINARY_OPERATOR and first and _operator(parent) == "=":
        return False, True
    return True, False


def _strip(cursor: cindex.Cursor) -> cindex.Cursor:
    while cursor.kind in _TRANSPARENT:
        cursor = next(cursor.get_children())
    return cursor


def _first_token(cursor: cindex.Cursor) -> str:
    return next((t.spelling for t in cursor.get_tokens()), "")


def _operator(cursor: cindex.Cursor) -> str:
    """A binary operator's spelling: the first token after its left operand."""
    left_end = next(cursor.get_children()).extent.end.offset
    return next((t.spelling for t in cursor.get_tokens() if t.extent.start.offset >= left_end), "")
