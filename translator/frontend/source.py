"""Reading a Python module: parse it with libcst, learn its imports and constants, find its kernels."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
import operator
from pathlib import Path
from types import ModuleType
from typing import Callable, Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from translator.errors import Span, TranslationError
from translator.frontend.context import DeviceFunction, ModuleScope
from translator.frontend.imports import add_imported_functions, dotted_name, is_marked, small_statements

BUILTINS = ("int", "float", "bool", "complex", "abs", "min", "max", "len", "range", "divmod", "enumerate", "zip",
            "sum")
KNOWN_MODULES = {"math": "math", "numpy": "numpy", "translator": "translator", "translator.lang": "translator"}
_DEFINING_MODULES = tuple(name for name, qualified in KNOWN_MODULES.items() if name == qualified)
"""The known modules under their own names: not `translator.lang`, whose other public names are its
own imports (`Any`, `dataclass`), which must not make the user's `Any` a py2omp name."""
NAMED_CONSTANTS = {
    "math.pi": math.pi, "math.e": math.e, "math.tau": math.tau, "math.inf": math.inf, "math.nan": math.nan,
    "numpy.pi": math.pi, "numpy.e": math.e, "numpy.inf": math.inf, "numpy.nan": math.nan,
}
_FOLDABLE_BINARY: dict[type, Callable[[object, object], object]] = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv, cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}


def parse_file(path: str, source: str | None = None, prefix: str = "",
               seen: dict[str, tuple[ModuleScope, bool]] | None = None,
               outer_names: Mapping[str, str] | None = None) -> tuple[cst.Module, ModuleScope]:
    """Parse `path` (or `source`, reported as `path`) into a module and its `ModuleScope`, with the
    functions it imports from marked modules (`frontend.imports`; `seen`: the modules read so far).
    `prefix` starts the IR names of its own functions (empty for the kernels' module); `outer_names`
    are names bound before the module's own statements run (`namespace_aliases`)."""
    text = Path(path).read_text(encoding="utf-8") if source is None else source
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except cst.ParserSyntaxError as exc:
        raise TranslationError.at(Span(path, exc.raw_line, exc.raw_column + 1), f"syntax error: {exc.message}")
    positions = dict(wrapper.resolve(PositionProvider))
    module = wrapper.module
    scope = ModuleScope(path, positions, {}, _aliases(module, outer_names or {}))
    scope.functions.update({name: DeviceFunction(prefix + name, fn, scope) for name, fn in _plain_functions(module)})
    scope.constants.update(_constants(module, scope))
    seen = {} if seen is None else seen
    marked = is_marked(module, scope)
    seen[str(Path(path).resolve())] = (scope, marked)

    def parse_helper(helper: str, helper_prefix: str) -> tuple[ModuleScope, bool]:
        parse_file(helper, None, helper_prefix, seen)
        return seen[str(Path(helper).resolve())]

    if not prefix or marked:  # the kernels' module, or a marked helper: its own imports count
        root = Path(next(iter(seen))).parent  # the kernels' module, read first
        add_imported_functions(module, scope, parse_helper, seen, KNOWN_MODULES, root)
    return module, scope


def find_kernels(module: cst.Module, scope: ModuleScope) -> list[cst.FunctionDef]:
    """Top-level functions decorated with `kernel` or `kernel(...)`, in source order."""
    return [
        stmt for stmt in module.body
        if isinstance(stmt, cst.FunctionDef) and any(_is_kernel_decorator(d, scope) for d in stmt.decorators)
    ]


def _plain_functions(module: cst.Module) -> list[tuple[str, cst.FunctionDef]]:
    """Top-level functions without decorators: the candidates for device functions."""
    return [(stmt.name.value, stmt) for stmt in module.body if isinstance(stmt, cst.FunctionDef) and not stmt.decorators]


def _is_kernel_decorator(decorator: cst.Decorator, scope: ModuleScope) -> bool:
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    return scope.qualified_name(target) == "translator.kernel"


def _aliases(module: cst.Module, outer_names: Mapping[str, str]) -> dict[str, str]:
    """Local name -> qualified name, from the module's imports over `outer_names` and builtins, unless
    the module shadows them."""
    aliases = {name: f"builtins.{name}" for name in BUILTINS} | dict(outer_names)
    for stmt in module.body:
        for small in small_statements(stmt):
            if isinstance(small, cst.Import):
                _add_import(small, aliases)
            elif isinstance(small, cst.ImportFrom):
                _add_import_from(small, aliases)
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            aliases.pop(stmt.name.value, None)
    return aliases


def with_body_imports(fn: cst.FunctionDef, scope: ModuleScope) -> ModuleScope:
    """`scope` with the imports written inside `fn` (`import numpy as np`, `from math import sqrt` in
    the body): as Python binds them in the function, so the body's names mean what they import."""
    found: list[cst.Import | cst.ImportFrom] = []

    class Imports(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            found.append(node)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            found.append(node)

    fn.body.visit(Imports())
    if not found:
        return scope
    aliases = dict(scope.aliases)
    for stmt in found:
        if isinstance(stmt, cst.Import):
            _add_import(stmt, aliases)
        elif isinstance(stmt.names, cst.ImportStar):
            raise scope.error(stmt, "`import *` is only allowed at module level (Python rejects it in a function)")
        else:
            _add_import_from(stmt, aliases)
    return dataclasses.replace(scope, aliases=aliases)


def _add_import(stmt: cst.Import, aliases: dict[str, str]) -> None:
    for alias in stmt.names:
        full = dotted_name(alias.name)
        if full not in KNOWN_MODULES:
            continue
        if alias.asname is not None:
            aliases[cst.ensure_type(alias.asname.name, cst.Name).value] = KNOWN_MODULES[full]
        elif "." not in full:
            aliases[full] = KNOWN_MODULES[full]


def _add_import_from(stmt: cst.ImportFrom, aliases: dict[str, str]) -> None:
    if stmt.module is None:
        return
    full = dotted_name(stmt.module)
    base = KNOWN_MODULES.get(full)
    if base is None:
        return
    if isinstance(stmt.names, cst.ImportStar):
        aliases.update(_star_names(full))
        return
    for alias in stmt.names:
        name = dotted_name(alias.name)
        local = cst.ensure_type(alias.asname.name, cst.Name).value if alias.asname is not None else name
        aliases[local] = f"{base}.{name}"


@functools.cache
def _star_names(module: str) -> dict[str, str]:
    """What `from <module> import *` binds, local name -> qualified name, as Python computes it: the
    module's `__all__`, else its names without a leading underscore. The known modules are py2omp's
    own vocabulary (math, numpy, translator), imported already, so they are asked rather than listed
    here; a name bound to a module means that module (`np` in `translator.lang`)."""
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", None) or [name for name in vars(imported) if not name.startswith("_")]
    return {name: _star_target(KNOWN_MODULES[module], name, getattr(imported, name)) for name in names}


def namespace_aliases(namespace: Mapping[str, object]) -> dict[str, str]:
    """What the names of a run-time namespace mean to py2omp, local name -> qualified name: those bound
    to a known module (`np` -> `numpy`) or to a public member of one (`kernel` -> `translator.kernel`,
    `root` -> `numpy.sqrt` after `from numpy import sqrt as root`). A notebook cell sees the imports of
    the cells run before it this way; other values (numbers, arrays, functions) are not read."""
    found = {name: _qualified_value(name, value) for name, value in namespace.items()}
    return {name: qualified for name, qualified in found.items() if qualified is not None}


def _qualified_value(name: str, value: object) -> str | None:
    if isinstance(value, ModuleType):
        return KNOWN_MODULES.get(value.__name__)
    if not _is_member_like(value):
        return None
    for module in _DEFINING_MODULES:  # the module's own name first: `np.abs` is also `np.absolute`
        if name in _star_names(module) and getattr(importlib.import_module(module), name) is value:
            return _star_names(module)[name]
    return _members().get(id(value))


def _is_member_like(value: object) -> bool:
    """Whether identity can tell `value` apart: not an int, bool, string or None, which Python shares
    between unrelated names (`numpy.ALLOW_THREADS` is the user's `1`)."""
    return value is not None and not isinstance(value, (int, str, bytes))


@functools.cache
def _members() -> dict[int, str]:
    """The known modules' public members by identity: `id(numpy.sqrt)` -> `numpy.sqrt`; the first name
    wins where a member has several."""
    members: dict[int, str] = {}
    for module in _DEFINING_MODULES:
        imported = importlib.import_module(module)
        for name, qualified in _star_names(module).items():
            value = getattr(imported, name)
            if _is_member_like(value) and not isinstance(value, ModuleType):
                members.setdefault(id(value), qualified)
    return members


def _star_target(base: str, name: str, value: object) -> str:
    if isinstance(value, ModuleType):
        return KNOWN_MODULES.get(value.__name__, f"{base}.{name}")
    return f"{base}.{name}"


def _constants(module: cst.Module, scope: ModuleScope) -> dict[str, int | float | bool]:
    """Module-level names bound once to a numeric constant expression; they are folded into kernels."""
    found: dict[str, int | float | bool] = {}
    assigned_twice: set[str] = set()
    for stmt in module.body:
        for small in small_statements(stmt):
            name, value = _constant_binding(small, scope, found)
            if name is None:
                continue
            if name in found or name in assigned_twice:
                assigned_twice.add(name)
                found.pop(name, None)
            elif value is not None:
                found[name] = value
    return found


def _constant_binding(
    small: cst.BaseSmallStatement, scope: ModuleScope, known: dict[str, int | float | bool]
) -> tuple[str | None, int | float | bool | None]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None, None
    if not isinstance(target, cst.Name):
        return None, None
    return target.value, fold_constant(value, scope, known)


def fold_constant(
    node: cst.BaseExpression, scope: ModuleScope, known: dict[str, int | float | bool]
) -> int | float | bool | None:
    """The value of a constant numeric expression, computed as Python computes it; None if not constant."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return float(node.evaluated_value)
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, cst.Name) and node.value in known:
        return known[node.value]
    qualified = scope.qualified_name(node)
    if qualified in NAMED_CONSTANTS:
        return NAMED_CONSTANTS[qualified]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        inner = fold_constant(node.expression, scope, known)
        if inner is None:
            return None
        return -inner if isinstance(node.operator, cst.Minus) else +inner
    if isinstance(node, cst.BinaryOperation) and type(node.operator) in _FOLDABLE_BINARY:
        left = fold_constant(node.left, scope, known)
        right = fold_constant(node.right, scope, known)
        if left is None or right is None:
            return None
        try:
            result = _FOLDABLE_BINARY[type(node.operator)](left, right)
        except (ArithmeticError, ValueError):
            return None
        return result if isinstance(result, (int, float)) else None
    return None
