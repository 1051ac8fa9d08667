"""Helpers that compute an array expression from slices of their array arguments, inlined.

NumPy code factors stencils into small functions (`def lap(g): return g[2:, 1:-1] + g[:-2, 1:-1] +
... - 4 * g[1:-1, 1:-1]`, then `u[1:-1, 1:-1] += dt * lap(u)`). A device function takes arrays whole
and returns one number, so such a call is replaced, before the statement is built, by the function's
returned expression with each parameter replaced by the caller's argument: the same array
expression, built and typed in the caller, exactly what Python computes (the function has no other
statement, so nothing else happens in the call).

A function returning a tuple (`def bounds(a, b): return min(a, b), max(a, b)`, unpacked by the
caller: `lo, hi = bounds(x[i], y[i])`) is inlined the same way: a C function returns one value.

A function is inlined when its body is one `return` of an expression (a docstring aside), its
parameters have no annotations (an annotation converts the argument) and no defaults, it lives in the
kernel's module (its text shares the positions errors point at, and its names mean the same there:
not where the kernel imports names of its own), some parameter that receives a
whole array is sliced in the body (`g[1:-1]`: no device function could take that) or it returns a
tuple, and the body reads no name the caller also binds (the inlined expression must mean what it
meant in the function). Other calls stay device function calls.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import DeviceFunction, KernelScope
from translator.frontend.expressions import array_type, nodes_in
from translator.frontend.names import reads
from translator.frontend.views import is_new_axis

class Positioned(cst.CSTTransformer):
    """A transformer whose new nodes take the positions of the nodes they replace, so errors about
    them point where the user wrote them."""

    def __init__(self, scope: KernelScope) -> None:
        super().__init__()
        self.scope = scope

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        result = super().on_leave(original_node, updated_node)
        positions = self.scope.module.positions
        if isinstance(result, cst.CSTNode) and result not in positions and original_node in positions:
            positions[result] = positions[original_node]
        return result  # type: ignore[return-value]


def wants_inlining(call: cst.Call, scope: KernelScope) -> bool:
    """Whether `call` calls a function to be inlined (module docstring): the rewrite stage's rule."""
    return inlinable(call, scope) is not None


def inlined(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """The function's returned expression with each parameter replaced by the call's argument (those
    rewritten already), where `updated` calls a function to be inlined; else None."""
    function = inlinable(updated, scope)
    if function is None:
        return None
    params = [p.name.value for p in function.node.params.params]
    arguments = dict(zip(params, (a.value for a in updated.args)))
    body = returned(function.node)
    assert body is not None
    return body.visit(Substitution(scope, arguments))  # type: ignore[return-value]


class Substitution(Positioned):
    """A helper's code with its names replaced (its parameters by the caller's arguments): the names
    of attributes (`.shape`) and keywords (`axis=`) are not replaced, being no parameter's."""

    def __init__(self, scope: KernelScope, replacements: dict[str, cst.BaseExpression]) -> None:
        super().__init__(scope)
        self.replacements = replacements

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return updated_node.with_changes(attr=original_node.attr)  # `.shape` names no parameter

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)  # nor does `axis=`

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.replacements.get(original_node.value, updated_node)


def plain_helper(call: cst.Call, scope: KernelScope) -> DeviceFunction | None:
    """The function of the kernel's module that `call` calls, when it could be inlined: plain
    parameters without annotations or defaults, one positional argument each, and a body that
    reads no name the caller binds besides its parameters and its own locals; else None."""
    func = call.func
    if not isinstance(func, cst.Name) or func.value in scope.assigned or func.value in scope.params:
        return None
    function = scope.module.functions.get(func.value)
    same_module = function is not None and function.module.positions is scope.module.positions and (
        function.module.aliases == scope.module.aliases)  # not a helper module, nor under the kernel's own imports
    if function is None or not same_module:
        return None
    params = function.node.params
    plain = not (params.posonly_params or params.kwonly_params or isinstance(params.star_arg, cst.Param)
                 or params.star_kwarg) and all(p.annotation is None and p.default is None for p in params.params)
    if not plain or len(call.args) != len(params.params) or any(a.keyword is not None or a.star for a in call.args):
        return None
    own = {p.name.value for p in params.params} | bound_names(function.node.body)
    names = {n.value for n in reads(function.node.body)}
    return None if (names - own) & (set(scope.assigned) | set(scope.params)) else function


def inlinable(call: cst.Call, scope: KernelScope) -> DeviceFunction | None:
    """The function `call` calls when it is to be inlined (module docstring), else None."""
    function = plain_helper(call, scope)
    body = None if function is None else returned(function.node)
    if function is None or body is None:
        return None
    params = function.node.params
    arrays = {p.name.value for p, a in zip(params.params, call.args)
              if isinstance(a.value, cst.Name) and array_type(a.value.value, scope) is not None}
    sliced_arrays = arrays & sliced(body, scope)
    return function if sliced_arrays or isinstance(body, cst.Tuple) else None


def bound_names(body: cst.CSTNode) -> set[str]:
    """The names a function's body binds (assignment and loop targets): its locals."""
    found: set[str] = set()

    class Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            found.update(_target_names(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            found.update(_target_names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            found.update(_target_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            found.update(_target_names(node.target))

    body.visit(Targets())
    return found


def _target_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds: `x`, `a, (b, c)`; not the array of `a[i]`."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for e in target.elements for name in _target_names(e.value)]
    return []


def body_statements(fn: cst.FunctionDef) -> list[cst.CSTNode]:
    """The statements of a function's body one by one, after its docstring."""
    if not isinstance(fn.body, cst.IndentedBlock):
        statements = [fn.body.body]
    else:
        statements = [s.body if isinstance(s, cst.SimpleStatementLine) else [s] for s in fn.body.body]
    smalls: list[cst.CSTNode] = [small for line in statements for small in line]
    if smalls and isinstance(smalls[0], cst.Expr) and isinstance(smalls[0].value, cst.SimpleString):
        smalls = smalls[1:]
    return smalls


def returned(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    """The expression of a function whose body is `return <expression>` (after a docstring), else None."""
    smalls = body_statements(fn)
    if len(smalls) == 1 and isinstance(smalls[0], cst.Return) and smalls[0].value is not None:
        return smalls[0].value
    return None


def sliced(node: cst.CSTNode, scope: KernelScope) -> set[str]:
    """The names the expression subscripts with a slice or a new axis somewhere (`g[1:-1, :]`)."""
    return {n.value.value for n in nodes_in(node) if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name)
            and any(isinstance(e.slice, cst.Slice) or is_new_axis(e.slice, scope) for e in n.slice)}

