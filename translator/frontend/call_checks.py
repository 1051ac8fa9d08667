"""Checks of calls and subscripts that the expression builder makes before building them, each a
located error that says what to write instead: helpers' parameters, helpers of whole arrays called
where they cannot be unfolded, and subscripts of what is not an array."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from translator.frontend.context import DeviceFunction, KernelScope, ModuleScope


def nodes_in(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node` and every node inside it."""
    return [node, *(part for child in node.children for part in nodes_in(child))]


def not_indexable(node: cst.BaseExpression, scope: KernelScope) -> str:
    """Why `node` cannot be indexed, and what to write instead."""
    if not isinstance(node, cst.Name):
        return ("only array parameters and local arrays can be indexed (array expressions are not supported); bind "
                "the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once (`x[1:-1]`, not "
                "`x[1:][:-1]`)")
    if node.value in scope.params or node.value in scope.assigned:
        return f"'{node.value}' is a number, not an array: only arrays can be indexed or iterated over"
    return (f"'{node.value}' is not an array of this kernel: kernels index their array parameters and the arrays they "
            f"make; pass '{node.value}' as an array parameter")


REDUCING_METHODS = ("sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any", "all")


def refuse_whole_array_helper(node: cst.Call, name: str, function: DeviceFunction, indexed: set[str],
                              reductions: Sequence[str], scope: KernelScope) -> None:
    """A function called here is a device function: a parameter it does not index is a number (an
    array argument is applied element by element), which it cannot reduce (`m = np.max(a)`). Such
    helpers of whole arrays are unfolded where they are called, at the kernel's top level only
    (`frontend.unfold`): elsewhere the call is refused, with what to write instead. `reductions`:
    the qualified names of NumPy's reductions."""
    params = {p.name.value for p in function.node.params.params} - indexed
    for part in nodes_in(function.node.body):
        if not isinstance(part, cst.Call):
            continue
        qualified = function.module.qualified_name(part.func)
        method = isinstance(part.func, cst.Attribute) and qualified is None and part.func.attr.value in REDUCING_METHODS
        operand = part.func.value if method else (part.args[0].value if part.args else None)  # type: ignore[attr-defined]
        reduces = method or qualified in reductions
        if reduces and isinstance(operand, cst.Name) and operand.value in params:
            raise scope.module.error(
                node, f"'{name}' reduces its parameter '{operand.value}' over a whole array, so it is unfolded where "
                "it is called, which kernels do at their top level only: compute it into an array before the loop "
                f"(`t = {name}(...)`), or write its statements in the loop's body")


def check_plain_parameters(fn: cst.FunctionDef, module: ModuleScope) -> None:
    """A device function's parameters are plain positional ones: checked where it is read and before
    a call binds its arguments (a `*args` would otherwise read as no parameter at all)."""
    params = fn.params
    extra = params.posonly_params or params.kwonly_params
    star = next((p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)), None)
    first = extra[0] if extra else star
    if first is not None:
        raise module.error(first, "device functions take plain positional parameters only")
