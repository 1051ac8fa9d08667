"""NumPy reductions and products in kernels and device functions: `np.sum`, `np.max`, `np.mean`,
`np.count_nonzero`, `np.dot`, `@`, ... Each is the array tier's (`array_statements.tier_reduction`,
`tier_product`): of views, elementwise expressions of them, gathers, masked reads, and the array
functions that are tier values (`frontend.tier_functions`: `np.flip`, `np.arange`, `np.diff`,
`np.roll`, reshapes, `np.tile`, `np.repeat`). What the tier does not take is an error saying what to
write instead: an operand only the frontend's own lowering builds (joins, `np.linspace`, ...:
`frontend/array_functions.py`) is computed into an array first. Importing this module registers the calls with the expression builder.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.array_statements import tier_einsum, tier_product, tier_reduction
from translator.frontend.arrays import shape_of
from translator.frontend.context import KernelScope
from translator.frontend.einsum import GUFUNCS
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, METHODS
from translator.frontend.products import FUNCTIONS as PRODUCTS, LABELS, batched, product_operands, product_shape
from translator.frontend.reductions import METHODS as REDUCTION_METHODS
from translator.frontend.reductions import reduction_call
from translator.ir import nodes as ir

FROM_AN_ARRAY = ("compute it into an array first (`t = np.concatenate((x, y))`), then {what} of that array")
TIER_VALUES = "gathers, np.flip, np.arange, np.diff, np.roll, reshapes, np.tile and np.repeat included"
"""The tier's values that are not elementwise in their operands, for the messages below."""
OTHERS = "for other operands (joins, np.linspace, np.insert, np.pad, ...) "


def _reduction(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """A reduction (`np.sum`, `a.max(axis=0)`, ...): the array tier's, or an error that says why not."""
    assert isinstance(node, cst.Call)
    tier = tier_reduction(node, scope)
    if tier is not None:
        return tier
    call = reduction_call(node, scope)
    if call is None:
        raise scope.module.error(node, f"call to '{cst.Module([]).code_for_node(node.func)}' is not supported in kernels")
    if not shape_of(call.operand, scope):
        raise scope.module.error(node, f"{call.label}() in a kernel reduces an array or a slice (`a[i, :]`, `x[lo:hi]`)")
    _in_element(node, f"{call.label}()", scope)
    raise scope.module.error(node, f"{call.label}() in a kernel reduces an array value: a view, an elementwise expression "
                             f"of views ({TIER_VALUES}) or a masked read; {OTHERS}"
                             + FROM_AN_ARRAY.format(what="the reduction"))


def _in_element(node: cst.BaseExpression, what: str, scope: KernelScope) -> None:
    """An array-valued reduction or product inside a statement the frontend lowers itself (one holding
    a join, `np.linspace`, ...: `scope.elements`) is refused: the tier computes such values only in
    statements it takes whole."""
    if scope.elements is not None and shape_of(node, scope):
        raise scope.module.error(node, f"{what} makes an array here, inside a statement the array tier does not "
                                 "take (it holds a join, np.linspace, np.insert, np.pad, ...): compute it into an array first")


def _product(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """A matrix product (`np.dot`, `@`, `np.matmul`, `np.inner`, `np.outer`, `np.vdot`, `a.dot(b)`): the
    array tier's, or an error that says why not."""
    assert isinstance(node, (cst.Call, cst.BinaryOperation))
    tier = tier_product(node, scope)
    if tier is not None:
        return tier
    dot = not isinstance(node, cst.Call) or scope.module.qualified_name(node.func) == "numpy.dot"
    product = product_operands(node, scope)
    if product is None:
        if dot:
            raise scope.module.error(node, "np.dot() in a kernel takes two arrays or slices")
        assert isinstance(node, cst.Call)
        raise scope.module.error(node, f"call to '{cst.Module([]).code_for_node(node.func)}' is not supported in "
                                 "kernels (a product takes two arrays)")
    kind, left, right = product
    if batched(kind, len(shape_of(left, scope)), len(shape_of(right, scope))):
        raise scope.module.error(node, f"{LABELS[kind]} of stacks of matrices in a kernel multiplies array values: views "
                                 f"or elementwise expressions of views ({TIER_VALUES}); {OTHERS}"
                                 + FROM_AN_ARRAY.format(what="the product"))
    if product_shape(kind, shape_of(left, scope), shape_of(right, scope)) is None:
        if dot:
            raise scope.module.error(node, "np.dot() and `@` in a kernel take 1-D or 2-D arrays or slices")
        raise scope.module.error(node, f"{LABELS[kind]} in a kernel takes 1-D or 2-D array values (1-D for np.outer "
                                 "and np.vdot): views or elementwise expressions of views, in a kernel (not a device "
                                 "function)")
    _in_element(node, LABELS[kind], scope)
    raise scope.module.error(node, f"{LABELS[kind]} in a kernel multiplies array values: views or elementwise "
                             f"expressions of views ({TIER_VALUES}), in a kernel (not a device function); {OTHERS}"
                             + FROM_AN_ARRAY.format(what="the product"))


def _einsum(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.einsum(subscripts, ...)`, which only the array tier computes."""
    assert isinstance(node, cst.Call)
    tier = tier_einsum(node, scope)
    if tier is not None:
        return tier
    label = f"np.{(scope.module.qualified_name(node.func) or 'numpy.einsum')[6:]}()"
    raise scope.module.error(node, f"{label} in a kernel takes arrays and views as operands (`A`, `A[i]`, "
                             "`B[1:, :]`, `A.T`): assign an expression to a new name first")


CALLS.update({**dict.fromkeys(("numpy.sum", "numpy.max", "numpy.min", "numpy.amax", "numpy.amin", "numpy.mean",
                               "numpy.var", "numpy.std", "numpy.count_nonzero", "numpy.prod", "numpy.any", "numpy.all",
                               "numpy.argmax", "numpy.argmin", "numpy.average", "numpy.linalg.norm"), _reduction),
              **dict.fromkeys(PRODUCTS, _product)})
METHODS.update({**dict.fromkeys(REDUCTION_METHODS, _reduction), "dot": _product})
KEYWORDS_TAKEN.update(f"a.{method}" for method in REDUCTION_METHODS)
CALLS.update(dict.fromkeys(("numpy.einsum", *GUFUNCS), _einsum))
KEYWORDS_TAKEN.update({"numpy.einsum", *GUFUNCS})
