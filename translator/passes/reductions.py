"""Which outer scalars each `prange` loop updates, and whether those updates are reductions.

Iterations of a `prange` run concurrently, so a scalar that lives outside the loop may only be
updated there in a way OpenMP can combine: `s += e`, `s -= e`, `s *= e`, `s = min(s, e)`,
`s = max(s, e)` (one operator per variable, `s` read nowhere else in the loop). Anything else
is a data race in C and is rejected. Runs on the untyped IR, where the user's shapes are intact.
"""

from __future__ import annotations

from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.visit import Node, children, launch_exprs, nested_statements, walk, walk_all

_COMBINE = {"+": "+", "-": "+", "*": "*", "min": "min", "max": "max"}


LoopKey = tuple[Span, int]
"""An outermost `prange` across passes: its span, and how many earlier ones share it (the frontend
makes several loops from one Python line: `np.var` reads its operand twice)."""


def find_reductions(kernel: ir.Kernel) -> dict[LoopKey, tuple[ir.Reduction, ...]]:
    """For each outermost `prange` loop (`loop_keys`): its `reduction` clauses, in first-update order."""
    outer = host_names(kernel.body) | {p.name for p in kernel.params if not p.is_array}
    keys = loop_keys(kernel.body)
    return {keys[id(loop)]: _loop_reductions(loop, outer) for loop in outermost_pranges(kernel.body)}


def loop_keys(stmts: tuple[ir.Stmt, ...]) -> dict[int, LoopKey]:
    """The key of each outermost `prange` (by object identity), the same before and after typing; the
    loops `passes.device_regions` adds later (no reductions) get their own and shift no other."""
    keys: dict[int, LoopKey] = {}
    seen: dict[Span, int] = {}
    for loop in outermost_pranges(stmts):
        if loop.host_code:
            keys[id(loop)] = (loop.span, -1)
            continue
        keys[id(loop)] = (loop.span, seen.get(loop.span, 0))
        seen[loop.span] = seen.get(loop.span, 0) + 1
    return keys


def outermost_pranges(stmts: tuple[ir.Stmt, ...]) -> list[ir.Loop]:
    """`prange` loops not nested in another `prange` (they may sit in host loops and branches)."""
    found: list[ir.Loop] = []
    for stmt in stmts:
        if isinstance(stmt, ir.Loop) and stmt.parallel:
            found.append(stmt)
        else:
            found += outermost_pranges(nested_statements(stmt))
    return found


def host_names(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    """Names read or written by host code, i.e. outside every `prange` body."""
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, ir.Loop) and stmt.parallel:
            names |= _names_in((stmt.start, stmt.stop, *launch_exprs(stmt.launch))) | set(stmt.copied)
        elif isinstance(stmt, ir.If):
            names |= _names_in((stmt.cond,)) | host_names(stmt.body) | host_names(stmt.orelse)
        elif isinstance(stmt, ir.While):
            names |= _names_in((stmt.cond,)) | host_names(stmt.body)
        elif isinstance(stmt, ir.Loop):
            names |= _names_in((stmt.start, stmt.stop)) | {stmt.var} | host_names(stmt.body)
        elif isinstance(stmt, ir.LibraryCall):
            call = (*stmt.offsets, *stmt.strides, *stmt.sizes, stmt.alpha, stmt.beta, stmt.when)
            names |= _names_in(call) | host_names(stmt.body) | host_names(stmt.orelse)
        else:
            names |= _names_in((stmt,))
    return names


def _names_in(nodes: tuple[Node, ...]) -> set[str]:
    return {n.id for node in nodes for n in walk(node) if isinstance(n, ir.Name)}


def _loop_reductions(loop: ir.Loop, outer: set[str]) -> tuple[ir.Reduction, ...]:
    ops: dict[str, str] = {}
    updates: set[int] = set()
    for node in walk_all(loop.body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name) and node.target.id in outer:
            var = node.target.id
            op = update_op(var, node.value)
            if op is None or ops.setdefault(var, _COMBINE[op]) != _COMBINE[op]:
                raise TranslationError.at(node.span, _race_message(var))
            updates.add(id(node.value))
    _check_no_other_reads(loop, ops, updates)
    return tuple(ir.Reduction(op, var) for var, op in ops.items())


def update_op(var: str, value: ir.Expr) -> str | None:
    """The operator of `s = s op e` / `s = e op s` / `s = min(s, e)`, if `var = value` has that shape."""
    if isinstance(value, ir.Binary) and value.op in ("+", "-", "*"):
        if _is_var(value.left, var) and not _reads(value.right, var):
            return value.op
        if value.op != "-" and _is_var(value.right, var) and not _reads(value.left, var):
            return value.op
    if isinstance(value, ir.Call) and value.func in ("min", "max") and len(value.args) == 2:
        first, second = value.args
        if (_is_var(first, var) and not _reads(second, var)) or (_is_var(second, var) and not _reads(first, var)):
            return value.func
    return None


def _is_var(expr: ir.Expr, var: str) -> bool:
    return isinstance(expr, ir.Name) and expr.id == var


def _reads(expr: ir.Expr, var: str) -> bool:
    return any(isinstance(n, ir.Name) and n.id == var for n in walk(expr))


def _check_no_other_reads(loop: ir.Loop, ops: dict[str, str], updates: set[int]) -> None:
    """A reduction variable's partial value is meaningless inside the loop: only its update reads it."""
    def visit(node: Node) -> None:
        if isinstance(node, ir.Assign) and id(node.value) in updates:
            return
        if isinstance(node, ir.Name) and node.id in ops:
            raise TranslationError.at(node.span, _race_message(node.id))
        for child in children(node):
            visit(child)
    for stmt in loop.body:
        visit(stmt)


def _race_message(var: str) -> str:
    return (f"'{var}' is defined outside this prange loop and updated inside it in a way that is not a "
            f"reduction (allowed: {var} += e, {var} -= e, {var} *= e, {var} = min({var}, e), "
            f"{var} = max({var}, e), with '{var}' read nowhere else in the loop)")
