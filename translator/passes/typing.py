"""Typing: infer each local's one type, then type every expression with explicit conversions.

A local's type is the join of the types of everything assigned to it (found by iterating to a fixed
point, since assignments can read other locals), unless the user annotated it (`s: f64 = 0`).
Loop variables are Python ints. Values are converted on store, as NumPy converts on assignment.
"""

from __future__ import annotations

import dataclasses

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.types import PY_INT, ScalarType, join
from translator.ir.visit import walk_all
from translator.passes.expr_types import ExprTyper, UnknownName, cast


def type_kernel(kernel: ir.Kernel) -> ir.Kernel:
    env = infer_local_types(kernel)
    typer = ExprTyper(env, kernel)
    body = _block(kernel.body, typer, kernel.return_type)
    returned = next((s for s in body if isinstance(s, ir.Return) and s.value is not None), None)
    return_type = kernel.return_type or (returned.value.type.strong() if returned else None)  # type: ignore[union-attr]
    if return_type is not None and returned is not None:
        body = body[:-1] + (ir.Return(cast(returned.value, return_type), returned.span),)  # type: ignore[arg-type]
    params = {p.name for p in kernel.params}
    loop_vars = {n.var for n in walk_all(kernel.body) if isinstance(n, ir.Loop)}
    locals_ = tuple(ir.Var(n, t) for n, t in env.items() if n not in params and n not in loop_vars)
    return dataclasses.replace(kernel, body=body, return_type=return_type, locals=locals_)


def infer_local_types(kernel: ir.Kernel) -> dict[str, ScalarType]:
    """Types of parameters, loop variables and locals; locals reach their join by iteration."""
    env: dict[str, ScalarType] = {p.name: p.type for p in kernel.params if not p.is_array}  # type: ignore[misc]
    env.update({n.var: PY_INT for n in walk_all(kernel.body) if isinstance(n, ir.Loop)})
    env.update({v.name: v.type for v in kernel.locals})
    fixed = set(env)
    assigns = [n for n in walk_all(kernel.body)
               if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name) and n.target.id not in fixed]
    typer = ExprTyper(env, kernel)
    changed = True
    while changed:
        changed = False
        for assign in assigns:
            try:
                t = typer(assign.value).type
            except (UnknownName, TranslationError):
                continue  # depends on a local not typed yet; a real error resurfaces in type_kernel
            name = assign.target.id  # type: ignore[union-attr]
            new = t if name not in env else join(env[name], t)
            if new != env.get(name):
                env[name] = new
                changed = True
    return env


def _block(stmts: tuple[ir.Stmt, ...], typer: ExprTyper, return_type: ScalarType | None) -> tuple[ir.Stmt, ...]:
    return tuple(_stmt(s, typer, return_type) for s in stmts)


def _stmt(stmt: ir.Stmt, typer: ExprTyper, return_type: ScalarType | None) -> ir.Stmt:
    if isinstance(stmt, ir.Assign):
        target = typer(stmt.target)
        return ir.Assign(target, cast(typer(stmt.value), target.type), stmt.span)  # type: ignore[arg-type]
    if isinstance(stmt, ir.If):
        return ir.If(typer(stmt.cond), _block(stmt.body, typer, return_type),
                     _block(stmt.orelse, typer, return_type), stmt.span)
    if isinstance(stmt, ir.While):
        return ir.While(typer(stmt.cond), _block(stmt.body, typer, return_type), stmt.span)
    if isinstance(stmt, ir.Loop):
        return dataclasses.replace(stmt, start=typer.index_value(stmt.start), stop=typer.index_value(stmt.stop),
                                   body=_block(stmt.body, typer, return_type))
    if isinstance(stmt, ir.Return) and stmt.value is not None:
        return ir.Return(typer(stmt.value), stmt.span)
    return stmt


def check_typed(kernel: ir.Kernel) -> None:
    """Names read but never typed cannot happen after definite assignment; assert it cheaply."""
    known = {v.name for v in kernel.locals} | {p.name for p in kernel.params}
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Name) and node.type is None and node.id not in known:
            raise TranslationError.at(node.span, f"cannot infer a type for '{node.id}'")
