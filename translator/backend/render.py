"""Jinja2 rendering of the view model, and the `#line` bookkeeping on the resulting C text.

The templates put `#line <python line> "<python file>"` in front of every statement, so that a
clang error in user-derived code names the Python line. Most of those are redundant (the next
line already has that number), and removing them keeps the C readable; that needs the final
text, so it happens here, after rendering. The same pass resolves the sentinel the template
writes after each kernel into `#line <real line> "<module>.c"`, so that errors in helpers and
other generated code point at the C file itself.
"""

from __future__ import annotations

import functools
import re

import jinja2

from translator.backend.view import ModuleView
from translator.resources import shipped_dir


TEMPLATES = shipped_dir("templates")

PRAGMA_WIDTH = 100
"""Pragma lines longer than this are continued with backslashes, one clause per line."""

FORTRAN_WIDTH = 100
"""Fortran free-form lines may hold 132 characters; longer argument lists continue with `&`."""

_C_LINE_SENTINEL = "#line __PY2OMP_C_FILE__"
_LINE = re.compile(r'#line (\d+) (".*")')
_C_ESCAPE = re.compile(r'\\([0-7]{3}|["\\])')


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment: undefined names are errors, block tags leave no blank lines."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["wrap_pragma"] = wrap_pragma
    env.filters["wrap_fortran"] = wrap_fortran
    env.globals["C_LINE"] = _C_LINE_SENTINEL
    return env


def render_module(view: ModuleView) -> tuple[str, str]:
    """The C source (with `#line` resolved) and the header of a module."""
    env = environment()
    c_source = env.get_template("module.c.j2").render(m=view)
    h_source = env.get_template("module.h.j2").render(m=view)
    return resolve_line_directives(c_source, view.c_file), h_source


def wrap_pragma(text: str, indent: str) -> str:
    """Break a pragma longer than `PRAGMA_WIDTH` before each clause, with `\\` continuations.

    Clauses are the words that carry parentheses (`map(to: x[0:x_n0])`); the directive name
    before them stays on the first line.
    """
    if len(indent) + len(text) <= PRAGMA_WIDTH:
        return text
    words = _top_level_words(text)
    first_clause = next((i for i, w in enumerate(words) if "(" in w), len(words))
    lines = [" ".join(words[:first_clause]), *words[first_clause:]]
    return f" \\\n{indent}    ".join(lines)


def wrap_fortran(text: str, indent: str) -> str:
    """Break a Fortran statement longer than `FORTRAN_WIDTH` after commas, with `&` continuations."""
    lines = [indent]
    for piece in re.findall(r"[^,]+,?", text):
        if len(lines[-1]) + len(piece) > FORTRAN_WIDTH and lines[-1].strip():
            lines.append(indent + "    ")
            piece = piece.lstrip()
        lines[-1] += piece
    return " &\n".join(lines)


def _top_level_words(text: str) -> list[str]:
    """`text` split at spaces outside parentheses."""
    words, depth, start = [], 0, 0
    for pos, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == " " and depth == 0:
            words.append(text[start:pos])
            start = pos + 1
    words.append(text[start:])
    return [w for w in words if w]


def resolve_line_directives(text: str, c_file: str) -> str:
    """Drop each `#line` that restates the line the preprocessor already has, and replace the
    C-file sentinel by `#line <its real next line> <c_file>` (or drop it where redundant).

    `presumed` is the (file, line) the preprocessor assigns to the next output line.
    """
    out: list[str] = []
    presumed = (c_file, 1)
    for raw in text.split("\n"):
        if raw == _C_LINE_SENTINEL:
            target = (c_file, len(out) + 1)
            if presumed != target:
                out.append(f"#line {len(out) + 2} {c_file}")
                presumed = (c_file, len(out) + 1)
            continue
        match = _LINE.fullmatch(raw)
        if match is None:
            out.append(raw)
            presumed = (presumed[0], presumed[1] + 1)
        elif presumed != (match[2], int(match[1])):
            out.append(raw)
            presumed = (match[2], int(match[1]))
    return "\n".join(out)


def presumed_locations(text: str, c_file: str) -> list[tuple[str, int]]:
    """For each physical line of C `text`, the (file, line) the preprocessor gives it after the
    `#line` directives: how a compiler error or an audit finding names the Python source.

    File names are returned without their C quotes; a directive line maps to itself.
    """
    locations: list[tuple[str, int]] = []
    file, line = c_file, 1
    for raw in text.split("\n"):
        locations.append((file, line))
        match = _LINE.fullmatch(raw)
        if match is None:
            line += 1
        else:
            file, line = _C_ESCAPE.sub(_unescape, match[2][1:-1]), int(match[1])
    return locations


def _unescape(match: re.Match[str]) -> str:
    """Undo one escape of `lower.c_string`: `\\"`, `\\\\` or an octal `\\ooo`."""
    escaped = match[1]
    return chr(int(escaped, 8)) if escaped.isdigit() else escaped
