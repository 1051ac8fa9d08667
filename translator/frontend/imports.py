"""Device functions imported from another module that the user marks.

A kernel module may call plain functions of a helper module (`from helpers import pair_strength`,
`from .physics import drag as f`) when that module says, at its top level, `device_functions()`
(exported by `translator`). py2omp looks for the module's file as Python would for a program run
from the kernels' directory (`root`): absolute imports in that directory (`helpers.py`,
`pkg/helpers.py`) or above the packages it is in (`from tests.kernels.helpers import f`), relative
ones from the importing file's package; never on `sys.path`: installed packages and the standard
library are not kernel code, and reading them would be slow. It parses the file (never imports it)
and reads each called function in the helper's own scope (its imports and constants); a marked
helper may import from marked modules too. The mark keeps translation out of modules never meant
for kernels: a function imported from an unmarked module is reported as such where a kernel calls it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Collection

import libcst as cst

from translator.frontend.context import ModuleScope

MARK = "translator.device_functions"

Parser = Callable[[str, str], tuple[ModuleScope, bool]]
"""Reads a helper module, given its path and the prefix of its functions' IR names: its scope and
whether it is marked (`source.parse_helper`, injected because it calls back here)."""


def add_imported_functions(module: cst.Module, scope: ModuleScope, parse: Parser,
                           seen: dict[str, tuple[ModuleScope, bool]], known: Collection[str], root: Path) -> None:
    """Register in `scope.functions` the plain functions the module imports from marked modules;
    `known` modules (numpy, math, translator) are py2omp's own vocabulary, not helpers."""
    for stmt in module.body:
        for small in small_statements(stmt):
            if (isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)
                    and not (small.module is not None and not small.relative and dotted_name(small.module) in known)):
                _import_from(small, scope, parse, seen, root)


def is_marked(module: cst.Module, scope: ModuleScope) -> bool:
    """Whether the module calls `device_functions()` at its top level."""
    for stmt in module.body:
        for small in small_statements(stmt):
            if (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                    and scope.qualified_name(small.value.func) == MARK):
                return True
    return False


def _import_from(stmt: cst.ImportFrom, scope: ModuleScope, parse: Parser,
                 seen: dict[str, tuple[ModuleScope, bool]], root: Path) -> None:
    dotted = dotted_name(stmt.module) if stmt.module is not None else ""
    path = _locate(dotted, len(stmt.relative), Path(scope.path), root)
    if path is None:
        return
    key = str(path.resolve())
    if key not in seen:
        seen[key] = parse(str(path), f"{dotted}.")
    helper, marked = seen[key]
    for alias in stmt.names:  # type: ignore[union-attr]
        name = dotted_name(alias.name)
        local = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
        if name in helper.functions and marked:
            scope.functions[local] = helper.functions[name]
        elif name in helper.functions:
            scope.unmarked[local] = dotted


def _locate(dotted: str, level: int, importer: Path, root: Path) -> Path | None:
    """The file of module `dotted` imported with `level` leading dots from `importer`, if any."""
    parts = [p for p in dotted.split(".") if p]
    if not parts:
        return None
    if level:
        base = importer.resolve().parent
        for _ in range(level - 1):
            base = base.parent
        roots = [base]
    else:
        roots = [root, _above_packages(root)]
    for base in roots:
        stem = base.joinpath(*parts)
        found = next((c for c in (stem.with_suffix(".py"), stem / "__init__.py") if c.is_file()), None)
        if found is not None:  # named as the user named the kernels' file: relative stays relative
            return found if importer.is_absolute() else Path(os.path.relpath(found))
    return None


def _above_packages(directory: Path) -> Path:
    """The directory above the packages `directory` is in (`tests/kernels` -> the project root when
    both have an `__init__.py`): where `from tests.kernels.helpers import f` starts."""
    directory = directory.resolve()
    while (directory / "__init__.py").is_file():
        directory = directory.parent
    return directory


def small_statements(stmt: cst.CSTNode) -> tuple[cst.BaseSmallStatement, ...]:
    """The `;`-separated statements of a simple statement line (none for a compound statement)."""
    return tuple(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else ()


def dotted_name(node: cst.BaseExpression) -> str:
    """`a.b.c` of an attribute chain; empty for anything else."""
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""
