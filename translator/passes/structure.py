"""Checks of a kernel's shape that C and OpenMP impose on top of Python's rules.

- A kernel's top level is host code: scalar statements, control flow, and `prange` loops, which
  become offloaded loop nests. Launch keywords configure an outermost `prange` only.
- `return` may only end the kernel (C and OpenMP cannot return out of a parallel region).
- A loop variable is only bound by its loops (C's `for` owns it; Python's value after the loop is
  not the C one) and never shadows a parameter.
"""

from __future__ import annotations

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.visit import Node, launch_exprs, local_arrays, nested_statements, temporaries, walk, walk_all
from translator.passes.reductions import outermost_pranges


def check_structure(kernel: ir.Kernel) -> None:
    _check_returns(kernel)
    check_loop_variables(kernel)
    _check_launches(kernel.body)
    check_local_arrays(kernel)


def check_local_arrays(kernel: ir.Kernel) -> None:
    """Local arrays are created at the top level of a `prange` body, one per iteration on its
    thread's stack, temporaries anywhere in one; both are used only after that, inside the block
    that makes them (C's block scope). A temporary's length must not change inside the loop."""
    made = frozenset(local_arrays(kernel.body)) | frozenset(temporaries(kernel.body))
    _local_array_scopes(kernel.body, frozenset(), made, False)
    for loop in outermost_pranges(kernel.body):
        _check_temporary_shapes(loop)


def _local_array_scopes(stmts: tuple[ir.Stmt, ...], visible: frozenset[str], arrays: frozenset[str],
                        top_of_prange: bool) -> None:
    for stmt in stmts:
        if isinstance(stmt, (ir.LocalArray, ir.Temporary)):
            if isinstance(stmt, ir.LocalArray) and not top_of_prange:
                raise TranslationError.at(
                    stmt.span, "local arrays are created at the top level of a prange body (one per iteration, "
                    "on its thread's stack)")
            visible |= {stmt.name}
            continue
        for node in walk_all(_host_parts(stmt)):
            if (isinstance(node, (ir.Index, ir.ArrayArg, ir.View)) and node.array in arrays
                    and node.array not in visible):
                raise TranslationError.at(
                    node.span, f"array '{node.array}', made inside a prange (one per iteration), is used outside "
                    "the block that makes it, or before")
        _local_array_scopes(nested_statements(stmt), visible, arrays, isinstance(stmt, ir.Loop) and stmt.parallel)


def _check_temporary_shapes(loop: ir.Loop) -> None:
    """A temporary's buffer is allocated before the loop, so its lengths are host values that the
    loop does not change: no variable the loop nest binds or assigns, no array element."""
    bound = {n.var for n in walk(loop) if isinstance(n, ir.Loop)}
    bound |= {n.target.id for n in walk(loop) if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
    for made in temporaries(loop.body).values():
        for node in walk_all(made.shape):
            if isinstance(node, ir.Name) and node.id in bound:
                raise TranslationError.at(
                    made.span, f"this statement makes an array in each prange iteration whose length depends on "
                    f"'{node.id}', which changes inside the loop; such arrays are allocated before the loop, so "
                    "their lengths may only use values set before it (extents, parameters, locals)")
            if isinstance(node, (ir.Index, ir.ArrayArg, ir.CallFunction)):
                raise TranslationError.at(
                    made.span, "the length of an array made in a prange iteration cannot read array elements or "
                    "call functions: it is computed on the host, before the loop")


def _check_returns(kernel: ir.Kernel) -> None:
    last = kernel.body[-1] if kernel.body else None
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Return) and node is not last:
            raise TranslationError.at(node.span, "`return` is only supported as the last statement of a kernel")
    if isinstance(last, ir.Return) and last.value is None and kernel.return_type is not None:
        raise TranslationError.at(last.span, f"kernel '{kernel.name}' is annotated to return {kernel.return_type.name}")


def check_loop_variables(kernel: ir.Kernel) -> None:
    loop_vars = {n.var for n in walk_all(kernel.body) if isinstance(n, ir.Loop)}
    for var in loop_vars:
        if kernel.param(var) is not None:
            loop = next(n for n in walk_all(kernel.body) if isinstance(n, ir.Loop) and n.var == var)
            raise TranslationError.at(loop.span, f"loop variable '{var}' shadows a parameter")
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name) and node.target.id in loop_vars:
            raise TranslationError.at(
                node.span, f"cannot assign to '{node.target.id}': it is a loop variable (use another name)")


def _check_launches(stmts: tuple[ir.Stmt, ...]) -> None:
    """Launch keywords sit on outermost `prange`s only. (Host code that touches array elements is
    run on the device later, `passes.device_regions`.)"""
    for stmt in stmts:
        if isinstance(stmt, ir.Loop) and stmt.parallel:
            _check_nested_launch(stmt)
            continue
        _check_launches(nested_statements(stmt))


def _check_nested_launch(loop: ir.Loop) -> None:
    """Launch keywords configure one OpenMP construct: the outermost `prange` of a nest."""
    for node in walk_all(loop.body):
        if isinstance(node, ir.Loop) and node.launch is not None:
            raise TranslationError.at(
                node.launch.span, "num_teams=, thread_limit= and schedule= only apply to an outermost prange")


def _host_parts(stmt: ir.Stmt) -> tuple[Node, ...]:
    """The expressions and simple statements of `stmt` that run on the host (not its nested blocks)."""
    if isinstance(stmt, ir.If):
        return (stmt.cond,)
    if isinstance(stmt, ir.While):
        return (stmt.cond,)
    if isinstance(stmt, ir.Loop):
        return (stmt.start, stmt.stop, *launch_exprs(stmt.launch))
    if isinstance(stmt, ir.LibraryCall):  # its loops are its nested block
        return (*stmt.operands, *stmt.offsets, *stmt.strides, *stmt.sizes, stmt.alpha, stmt.beta, stmt.when)
    return (stmt,)
