"""Which calls are NumPy reductions of the array tier, and their arguments: `np.sum(a, axis=1)`,
`x.max(axis=(0, 1), keepdims=True)`, `np.var(x, ddof=1)`, `np.linalg.norm(v)`, ... (`ir.REDUCE_OPS`).

This module only reads the call (libcst); `frontend.array_statements` decides whether its operand is
an array value of the tier and builds the `ir.ArrayReduce`, typing gives its dtype and
`passes.lower_arrays` its loops. Axes, `keepdims` and `ddof` are constants, as NumPy's result shape
must be known when the kernel is translated.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.source import fold_constant

FUNCTIONS = {"numpy.sum": "sum", "numpy.prod": "prod", "numpy.max": "max", "numpy.amax": "max", "numpy.min": "min",
             "numpy.amin": "min", "numpy.mean": "mean", "numpy.average": "mean", "numpy.var": "var",
             "numpy.std": "std", "numpy.any": "any", "numpy.all": "all", "numpy.argmax": "argmax",
             "numpy.argmin": "argmin", "numpy.linalg.norm": "norm", "numpy.count_nonzero": "count_nonzero"}
METHODS = ("sum", "prod", "max", "min", "mean", "var", "std", "any", "all", "argmax", "argmin")
_KEYWORDS = {"sum": ("axis", "keepdims"), "prod": ("axis", "keepdims"), "max": ("axis", "keepdims"),
             "min": ("axis", "keepdims"), "mean": ("axis", "keepdims"), "var": ("axis", "keepdims", "ddof"),
             "std": ("axis", "keepdims", "ddof"), "any": ("axis", "keepdims"), "all": ("axis", "keepdims"),
             "argmax": ("axis", "keepdims"), "argmin": ("axis", "keepdims"), "norm": ("ord", "axis", "keepdims"),
             "count_nonzero": ("axis", "keepdims")}


@dataclass(frozen=True)
class ReductionCall:
    """A reduction call as written: what it reduces (`operand`), its `axis=` (None: all axes), and
    its constant options."""

    node: cst.Call
    op: str
    label: str
    operand: cst.BaseExpression
    axis: cst.BaseExpression | None
    keepdims: bool
    ddof: int
    weights: cst.BaseExpression | None = None
    """`np.average(a, weights=w)`'s weights."""


def reduction_call(node: cst.BaseExpression, scope: KernelScope) -> ReductionCall | None:
    """The reduction `node` calls (a NumPy function of `FUNCTIONS`, or a method of `METHODS` on an
    expression), its arguments checked; None for any other expression."""
    if not isinstance(node, cst.Call):
        return None
    name = scope.module.qualified_name(node.func)
    if isinstance(node.func, cst.Name) and (node.func.value in scope.assigned or node.func.value in scope.params):
        name = None
    if name in FUNCTIONS:
        op, label, receiver = FUNCTIONS[name], f"np.{name[6:]}", None
    elif name is None and isinstance(node.func, cst.Attribute) and node.func.attr.value in METHODS:
        op, label, receiver = node.func.attr.value, f".{node.func.attr.value}", node.func.value
    else:
        return None
    options = _arguments(node, op, label, receiver, scope)
    operand = options.pop("a")
    assert operand is not None
    keepdims = bool(_constant(options.get("keepdims"), bool, scope))
    returned = options.get("returned")
    if returned is not None and _constant(returned, bool, scope):
        raise scope.module.error(returned, "np.average(..., returned=True) returns a tuple, which kernels do not "
                                 "make: compute the sum of the weights separately")
    weights = options.get("weights")
    return ReductionCall(node, op, label, operand, options.get("axis"), keepdims,
                         int(_constant(options.get("ddof"), int, scope)),
                         None if isinstance(weights, cst.Name) and weights.value == "None" else weights)


def _arguments(node: cst.Call, op: str, label: str, receiver: cst.BaseExpression | None,
               scope: KernelScope) -> dict[str, cst.BaseExpression | None]:
    """The arguments by name (`a`, then those of `_KEYWORDS[op]`), positional or keyword, as NumPy
    names them; `ord=` of a norm must be None (the 2-norm, Frobenius for a matrix)."""
    names = ["a", *_KEYWORDS[op]] if op != "norm" else ["a", "ord", "axis", "keepdims"]
    if label == "np.average":
        names = ["a", "axis", "weights", "returned", "keepdims"]
    given: dict[str, cst.BaseExpression | None] = {} if receiver is None else {"a": receiver}
    positional = [name for name in names if name not in given]
    for k, arg in enumerate(node.args):
        if arg.star:
            raise scope.module.error(arg, f"starred arguments are not supported in {label}() in kernels")
        key = arg.keyword.value if arg.keyword is not None else positional[k] if k < len(positional) else None
        if key is None or key not in names or key in given:
            raise scope.module.error(arg, f"{label}() in a kernel takes {', '.join(n + '=' for n in names[1:])} "
                                     "only")
        given[key] = arg.value
    if "a" not in given:
        raise scope.module.error(node, f"{label}() takes an array")
    norm_order = given.get("ord")
    if norm_order is not None and not (isinstance(norm_order, cst.Name) and norm_order.value == "None"):
        raise scope.module.error(norm_order, "np.linalg.norm() in a kernel computes the default norm only: drop ord=")
    return given


def _constant(node: cst.BaseExpression | None, kind: type, scope: KernelScope) -> bool | int:
    """The constant value of `keepdims=` (a bool) or `ddof=` (an int); False or 0 when absent."""
    if node is None:
        return kind()  # type: ignore[no-any-return]
    value = fold_constant(node, scope.module, scope.module.constants)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise scope.module.error(node, f"this argument takes {'True or False' if kind is bool else 'an integer'} "
                                 "constant in kernels")
    return value  # type: ignore[return-value]


def reduced_axes(call: ReductionCall, rank: int, scope: KernelScope) -> tuple[int, ...]:
    """The operand's axes `call` reduces, sorted and non-negative (all of them without `axis=`),
    checked as NumPy checks them."""
    if call.axis is None or (isinstance(call.axis, cst.Name) and call.axis.value == "None"):
        return tuple(range(rank))
    parts = [e.value for e in call.axis.elements] if isinstance(call.axis, cst.Tuple) else [call.axis]
    if len(parts) != 1 and call.op in ("argmax", "argmin"):
        raise scope.module.error(call.axis, f"{call.label}() takes one axis (an integer), not a tuple")
    axes: list[int] = []
    for part in parts:
        axis = fold_constant(part, scope.module, scope.module.constants)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise scope.module.error(part, "axis= takes an integer constant, or a tuple of them, in kernels")
        if not -rank <= axis < rank:
            raise scope.module.error(part, f"axis {axis} is out of range for this {rank}-dimensional array")
        if axis % rank in axes:
            raise scope.module.error(part, f"duplicate value in 'axis': {axis}")
        axes.append(axis % rank)
    return tuple(sorted(axes))
