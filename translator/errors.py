"""Source spans and the one error type every compiler stage raises.

Every diagnostic the user sees names a place in their Python file, in the form compilers use
(`file:line:col: error: message`), followed by the source line and a caret, so that editors and
terminals can jump to it. Stages never print; they raise `TranslationError` or return warnings.
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A place in a Python source file: 1-based line, 1-based column (as clang and gcc print them)."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One message tied to a span; `severity` is "error", "warning" or "note"."""

    span: Span
    message: str
    severity: str = "error"

    def render(self, source_line: str | None = None) -> str:
        """The message, then the source line and a caret under the column (when the line is known)."""
        head = f"{self.span}: {self.severity}: {self.message}"
        if source_line is None:
            source_line = linecache.getline(self.span.path, self.span.line)
        text = source_line.rstrip("\n")
        if not text:
            return head
        prefix = text[: self.span.col - 1]
        caret = "".join("\t" if ch == "\t" else " " for ch in prefix) + "^"
        return f"{head}\n{text}\n{caret}"


class TranslationError(Exception):
    """A kernel cannot be translated or built; `str()` is the full, located report."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    @classmethod
    def at(cls, span: Span, message: str) -> "TranslationError":
        """The common case: one error at one place."""
        return cls(Diagnostic(span, message))


class BuildError(Exception):
    """The toolchain is missing or failed in a way that no Python line explains (no compiler, bad flags)."""


class TranslationWarning(UserWarning):
    """A kernel translates, but could do better (an ownership that moves more data than needed)."""


class CacheWarning(UserWarning):
    """The build cache cannot be used as configured (not writable); builds go to a fallback cache."""
