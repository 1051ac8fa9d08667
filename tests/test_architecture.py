"""The layering of the code base: no import cycles, and a runtime that needs only NumPy.

The import graph is read with `ast` from the source files (nothing is imported), counting every
`import` statement wherever it stands: inside functions and under `TYPE_CHECKING` too, because a
cycle hidden in a function is still a cycle in the design. Importing a module loads its parent
packages' `__init__` as well; that edge is not counted (every module would otherwise depend on
`translator/__init__.py`, which imports the public API).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("translator", "runtime_shim")

KNOWN_CYCLES: Mapping[str, frozenset[str]] = {}
"""Strongly connected components that exist today and are being removed, by name. A new cycle, or
a known one that grows, fails the test."""

RUNTIME_MAY_NOT_IMPORT = ("translator", "libcst", "jinja2", "clang")
"""`runtime_shim` is what a user ships next to a built library: standard library and NumPy only."""


def module_files() -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the two packages."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imported_modules(path: Path, module: str, modules: Collection[str]) -> Iterator[str]:
    """Every module of `modules` an import statement of the file loads: `from a.b import c` loads
    `a.b.c` when that is a module, else `a.b`; relative imports are resolved against `module`."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules or base in modules:
                    yield submodule if submodule in modules else base


def imported_names(path: Path) -> Iterator[str]:
    """The dotted names of every import statement of the file, for checks on third-party imports."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module or ""


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the two packages it imports."""
    files = module_files()
    return {
        module: set(imported_modules(path, module, files.keys())) - {module}
        for module, path in files.items()
    }


def cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: set[str] = set()
            while node not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_but_the_known_ones() -> None:
    new = [sorted(c) for c in cycles(import_graph()) if c not in KNOWN_CYCLES.values()]
    assert not new, "import cycles: " + "; ".join(" <-> ".join(c) for c in new)


def test_known_cycles_are_still_there() -> None:
    """An allow-list entry for a cycle that is gone (or changed) must be removed or updated."""
    found = cycles(import_graph())
    stale = [name for name, component in KNOWN_CYCLES.items() if component not in found]
    assert not stale, f"known cycles that no longer exist as listed: {stale}"


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_runtime_shim_needs_only_numpy() -> None:
    files = module_files()
    offending = sorted(
        f"{module} imports {name}"
        for module, path in files.items() if module.startswith("runtime_shim")
        for name in imported_names(path)
        if name.split(".")[0] in RUNTIME_MAY_NOT_IMPORT
    )
    assert not offending, offending


def test_the_frontend_types_nothing() -> None:
    """The frontend builds untyped IR and leaves every dtype to typing (docs/design.md, "Tiers and
    typing"): it imports no pass, so it cannot type, lower or analyse early."""
    graph = import_graph()
    offending = sorted(f"{module} imports {name}" for module, names in graph.items()
                       if module.startswith("translator.frontend")
                       for name in names if name.startswith("translator.passes"))
    assert not offending, offending
