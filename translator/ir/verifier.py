"""Invariants of the IR, checked between stages in tests (and by `py2omp translate --verify`).

A verifier failure is a bug in py2omp, never the user's: it raises `IRError` naming the node.
`typed=True` checks what the backend relies on: every expression typed, operands of arithmetic
and comparisons of one C type, no `**` left, every name declared where it is used.
"""

from __future__ import annotations

from translator.ir import nodes as ir
from translator.ir.types import ArrayType, type_of
from translator.ir.visit import (
    Visitor, children, directive_exprs, expr_children, is_expr, is_stmt, launch_exprs, local_arrays, temporaries,
)


class IRError(AssertionError):
    """The IR broke an invariant."""


def verify_module(module: ir.Module, typed: bool) -> None:
    for kernel in module.kernels + module.device_functions:
        verify_kernel(kernel, typed)


def verify_kernel(kernel: ir.Kernel, typed: bool) -> None:
    scope = {p.name for p in kernel.params if not p.is_array} | {v.name for v in kernel.locals}
    _Checker(kernel, typed).block(kernel.body, frozenset(scope))
    _check_made(kernel)


def _check_made(kernel: ir.Kernel) -> None:
    """Arrays the kernel makes follow the user's parameters, with shapes the caller can compute
    from the user's arguments alone; results name array parameters, with at most one scalar."""
    user = [p for p in kernel.params if p.allocation is None]
    if kernel.params[:len(user)] != tuple(user):
        raise IRError(f"{kernel.span}: arrays made by the kernel must follow the user's parameters")
    for param in kernel.params[len(user):]:
        for dim in param.allocation.shape:  # type: ignore[union-attr]
            _check_shape_expr(dim, {p.name: p for p in user})
    if kernel.results is not None:
        arrays = {p.name for p in kernel.params if p.is_array}
        items = kernel.results.items
        if items.count(None) > 1 or any(item is not None and item not in arrays for item in items):
            raise IRError(f"{kernel.results.span}: results must name array parameters, with at most one scalar")


def _check_shape_expr(expr: ir.Expr, user: dict[str, ir.Param]) -> None:
    if isinstance(expr, ir.Binary) and expr.op in ("+", "-", "*", "//"):
        _check_shape_expr(expr.left, user)
        _check_shape_expr(expr.right, user)
        return
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        for arg in expr.args:
            _check_shape_expr(arg, user)
        return
    known = (isinstance(expr, ir.Const) and type(expr.value) is int
             or isinstance(expr, ir.Extent) and expr.array in user and user[expr.array].is_array
             or isinstance(expr, ir.Name) and expr.id in user and not user[expr.id].is_array)
    if not known:
        raise IRError(f"{expr.span}: an allocated shape uses what the caller does not know: {type(expr).__name__}")


class _Checker(Visitor[[frozenset[str]], None]):
    """Checks each statement with the names in `scope` declared."""

    def __init__(self, kernel: ir.Kernel, typed: bool) -> None:
        self.kernel = kernel
        self.typed = typed
        self.arrays = {n: a.type for n, a in local_arrays(kernel.body).items()}
        self.temporaries = {n: a.type for n, a in temporaries(kernel.body).items()}

    def fail(self, node: object, message: str) -> IRError:
        span = getattr(node, "span", None)
        return IRError(f"{span}: {message}: {type(node).__name__}")

    def block(self, stmts: tuple[ir.Stmt, ...], scope: frozenset[str]) -> None:
        for stmt in stmts:
            self.visit(stmt, scope)

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop, scope: frozenset[str]) -> None:
        inner = scope | {lv.var for lv in stmt.levels} | {v.name for v in stmt.locals}
        for level in stmt.levels:
            self.expr(level.start, scope)
            self.expr(level.stop, scope)
        for clause in directive_exprs(stmt.directive):
            self.expr(clause, scope)
        for made in stmt.temporaries:
            self.visit_Temporary(made, scope)
        self.block(stmt.body, inner)

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign, scope: frozenset[str]) -> None:
        """An array statement: untyped IR only (`passes.lower_arrays` lowers it right after typing)."""
        if self.typed:
            raise self.fail(stmt, "array statement left after lower_arrays")
        self.view(stmt.target, scope)
        for part in (stmt.value, *([stmt.where] if stmt.where is not None else [])):
            self.expr(part, scope)

    def visit_Scatter(self, stmt: ir.Scatter, scope: frozenset[str]) -> None:
        """An assignment through index arrays: untyped IR only, as array statements."""
        if self.typed:
            raise self.fail(stmt, "scatter left after lower_arrays")
        self.expr(stmt.target, scope)
        self.expr(stmt.value, scope)

    def visit_Loop(self, stmt: ir.Loop, scope: frozenset[str]) -> None:
        for bound in (stmt.start, stmt.stop, *launch_exprs(stmt.launch)):
            self.expr(bound, scope)
        self.block(stmt.body, scope | {stmt.var})

    def visit_TargetData(self, stmt: ir.TargetData, scope: frozenset[str]) -> None:
        self.block(stmt.body, scope)

    def visit_TeamLoop(self, stmt: ir.TeamLoop, scope: frozenset[str]) -> None:
        self.block((stmt.loop, stmt.fallback), scope)

    def visit_CallStatement(self, stmt: ir.CallStatement, scope: frozenset[str]) -> None:
        """The call may have no value, hence no type."""
        for arg in stmt.call.args:
            self.expr(arg, scope)
        if self.typed and stmt.call.symbol is None:
            raise self.fail(stmt.call, "device function call without a specialization")

    def parts(self, stmt: ir.Stmt, scope: frozenset[str]) -> None:
        """A statement that declares nothing: its expressions and nested statements in `scope`."""
        for child in children(stmt):
            if is_stmt(child):
                self.visit(child, scope)
            elif is_expr(child):
                self.expr(child, scope)
            else:
                raise self.fail(child, "unexpected node in a statement")

    visit_Assign = visit_AtomicUpdate = visit_If = visit_While = visit_Return = parts
    visit_Break = visit_Continue = visit_LocalArray = visit_LibraryCall = parts

    def visit_Temporary(self, made: ir.Temporary, scope: frozenset[str]) -> None:
        """An array of run-time size: one length per dimension, each a host expression (`scope` is the
        one before its loop once it sits on a `ParallelLoop`)."""
        if len(made.shape) != made.type.rank:
            raise self.fail(made, "a temporary's shape and rank differ")
        for length in made.shape:
            self.expr(length, scope)

    def visit_TaskWait(self, stmt: ir.TaskWait, scope: frozenset[str]) -> None:
        """Nothing to check: it names nothing."""

    def visit_UpdateFrom(self, stmt: ir.UpdateFrom, scope: frozenset[str]) -> None:
        """A copy-back box: an array parameter, one interval per dimension (then guards)."""
        param = self.kernel.param(stmt.array)
        if param is None or not isinstance(param.type, ArrayType):
            raise self.fail(stmt, f"'{stmt.array}' is not an array parameter")
        if len(stmt.box) < param.type.rank:
            raise self.fail(stmt, "box has fewer intervals than the array has dimensions")
        for interval in stmt.box:
            self.expr(interval.lo, scope)
            self.expr(interval.hi, scope)

    def view(self, view: ir.View, scope: frozenset[str]) -> None:
        """A view (untyped IR only): an array indexed in some dimensions, running in the others,
        each running dimension in one axis."""
        if self.typed:
            raise self.fail(view, "array view left after lower_arrays")
        array = self.array_type(view)
        running = sorted(part.dim for axis in view.axes for part in (axis, *axis.diagonal) if part.dim is not None)
        if len(view.fixed) != array.rank or running != [d for d, i in enumerate(view.fixed) if i is None]:
            raise self.fail(view, "a view's indices and axes do not cover the array's dimensions once each")
        bounds = (bound for axis in view.axes for part in (axis, *axis.diagonal) for bound in (
            part.lo, part.hi, *(() if isinstance(part.step, int) else (part.step,))))
        for part in (*view.fixed, *bounds):
            if part is not None:
                self.expr(part, scope)

    def expr(self, expr: ir.Expr, scope: frozenset[str]) -> None:
        if isinstance(expr, ir.View):
            self.view(expr, scope)
            return
        if isinstance(expr, ir.ArrayReduce) and self.typed:
            raise self.fail(expr, "array reduction left after lower_arrays")
        if isinstance(expr, ir.Gather) and self.typed:
            raise self.fail(expr, "array gather left after lower_arrays")
        if isinstance(expr, ir.Arange) and self.typed:
            raise self.fail(expr, "array range left after lower_arrays")
        if isinstance(expr, (ir.Remap, ir.Position)) and self.typed:
            raise self.fail(expr, "array index map left after lower_arrays")
        for child in expr_children(expr):
            self.expr(child, scope)
        if self.typed and expr.type is None:
            raise self.fail(expr, "untyped expression")
        if isinstance(expr, (ir.Index, ir.Extent, ir.ArrayArg, ir.Gather)):
            self.array_access(expr)
        if self.typed:
            self.typed_rules(expr, scope)

    def array_type(self, expr: ir.Index | ir.Extent | ir.ArrayArg | ir.View | ir.Gather) -> ArrayType | ir.ArrayLike:
        """The array's type; one whose dtype typing decides (`ir.ArrayLike`) only before typing."""
        param = self.kernel.param(expr.array)
        made = self.temporaries.get(expr.array)
        array = param.type if param is not None else made or self.arrays.get(expr.array)
        kinds = ArrayType if self.typed else (ArrayType, ir.ArrayLike)
        if not isinstance(array, kinds) or (isinstance(expr, ir.Extent) and param is None and made is None):
            raise self.fail(expr, f"'{expr.array}' is not an array parameter or a temporary (nor, for an index, a "
                            "local array)")
        return array

    def array_access(self, expr: ir.Index | ir.Extent | ir.ArrayArg | ir.Gather) -> None:
        array = self.array_type(expr)
        if isinstance(expr, (ir.Index, ir.Gather)) and len(expr.indices) != array.rank:
            raise self.fail(expr, "index count differs from the array's rank")
        if isinstance(expr, ir.Extent) and not 0 <= expr.dim < array.rank:
            raise self.fail(expr, "extent dimension out of range")

    def typed_rules(self, expr: ir.Expr, scope: frozenset[str]) -> None:
        if isinstance(expr, ir.Name) and expr.id not in scope:
            raise self.fail(expr, f"'{expr.id}' is not declared here")
        if isinstance(expr, ir.CallFunction) and expr.symbol is None:
            raise self.fail(expr, "device function call without a specialization")
        if isinstance(expr, ir.Binary):
            if expr.op == "**":
                raise self.fail(expr, "`**` left after power lowering")
            if not type_of(expr.left).c_name == type_of(expr.right).c_name == type_of(expr).c_name:
                raise self.fail(expr, "operands and result of arithmetic differ in type")
        if isinstance(expr, ir.Compare) and type_of(expr.left).c_name != type_of(expr.right).c_name:
            raise self.fail(expr, "compared operands differ in type")
        if isinstance(expr, ir.Logical) and not (type_of(expr.left).is_bool and type_of(expr.right).is_bool):
            raise self.fail(expr, "`and`/`or` on non-bools left after typing")
