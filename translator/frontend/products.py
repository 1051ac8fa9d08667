"""Matrix products of the array tier: `a @ b`, `np.dot`, `np.matmul`, `a.dot(b)`, `np.inner`,
`np.vdot`, `np.outer` of 1-D and 2-D operands, as NumPy defines them.

A product is a sum of elementwise products over the contracted axis, so it is built as one: the
operands get new axes where NumPy's rule lines them up (`A @ B` is `(A[:, :, None] * B).sum(axis=1)`
as an `ir.ArrayReduce` of op `dot`, whose dtype is the product's, never widened), and the tier's
reduction lowering makes the loops: the output's axes in the statement's independent loops, the
contraction a loop accumulating into a register. `np.outer` contracts nothing: `a[:, None] * b`.
This module reads the call (libcst) and builds the value from the operands' IR.
"""

from __future__ import annotations

import libcst as cst

from translator.errors import Span
from translator.frontend.context import KernelScope
from translator.ir import nodes as ir
from translator.ir.arrays import broadcast, with_new_axis
from translator.ir.types import MAX_RANK

OUTER_UFUNCS = {"add": "+", "subtract": "-", "multiply": "*"}
"""`np.add.outer(a, b)` and its kin: `a[:, None] op b` of 1-D operands (floyd_warshall's `np.add.outer`)."""
FUNCTIONS = {"numpy.dot": "dot", "numpy.matmul": "matmul", "numpy.inner": "inner", "numpy.outer": "outer",
             "numpy.vdot": "vdot", **{f"numpy.{ufunc}.outer": f"outer{op}" for ufunc, op in OUTER_UFUNCS.items()}}
LABELS = {"dot": "np.dot()", "matmul": "`@`", "inner": "np.inner()", "outer": "np.outer()", "vdot": "np.vdot()",
          **{f"outer{op}": f"np.{ufunc}.outer()" for ufunc, op in OUTER_UFUNCS.items()}}


def product_operands(node: cst.BaseExpression, scope: KernelScope
                     ) -> tuple[str, cst.BaseExpression, cst.BaseExpression] | None:
    """The kind (`FUNCTIONS`' values) and the two operands of a product; None for another expression."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.MatrixMultiply):
        return "matmul", node.left, node.right
    if not isinstance(node, cst.Call):
        return None
    name = scope.module.qualified_name(node.func)
    if isinstance(node.func, cst.Name) and (node.func.value in scope.assigned or node.func.value in scope.params):
        name = None
    args = [a.value for a in node.args]
    plain = all(a.keyword is None and not a.star for a in node.args)
    if name in FUNCTIONS and plain and len(args) == 2:
        return FUNCTIONS[name], args[0], args[1]
    if name is None and isinstance(node.func, cst.Attribute) and node.func.attr.value == "dot" and plain \
            and len(args) == 1:
        return "dot", node.func.value, args[0]
    return None


def product_shape(kind: str, left: tuple[ir.Expr, ...], right: tuple[ir.Expr, ...]) -> tuple[ir.Expr, ...] | None:
    """NumPy's shape of the product of operands of these shapes; None for ranks kernels do not take
    (each operand 1-D or 2-D; `np.outer` and `np.vdot` of 1-D ones; `@` and `np.matmul` also of
    stacks of matrices, `batched`)."""
    if batched(kind, len(left), len(right)):
        return broadcast(left[:-2], right[:-2]) + left[-2:-1] + right[-1:] if len(right) > 1 else left[:-1] if \
            len(left) > 1 else right[:-2] + right[-1:]
    if not (1 <= len(left) <= 2 and 1 <= len(right) <= 2):
        return None
    if kind == "inner":
        return left[:-1] + right[:-1]
    if kind.startswith("outer") or kind == "vdot":
        return None if len(left) != 1 or len(right) != 1 else (left + right if kind != "vdot" else ())
    return left[:-1] + right[:-2] + right[-1:] if len(right) == 2 else left[:-1]


def batched(kind: str, left: int, right: int) -> bool:
    """Whether `@`/`np.matmul` of operands of these ranks multiplies stacks of matrices (a rank above
    2; at most `MAX_RANK`), which `frontend/einsum.py` builds as `'...ij,...jk->...ik'`."""
    return kind == "matmul" and max(left, right) > 2 and min(left, right) >= 1 and max(left, right) <= MAX_RANK


def build_product(kind: str, left: ir.Expr, right: ir.Expr, ranks: tuple[int, int], span: Span) -> ir.Expr:
    """The product of the operands' IR (array values of the tier of `ranks`) as NumPy computes it."""
    if kind.startswith("outer"):
        return ir.Binary(kind[len("outer"):] or "*", with_new_axis(left, 0, span), right, span)
    if kind == "vdot":
        return ir.ArrayReduce("dot", ir.Binary("*", ir.Call("conj", (left,), span), right, span), (0,), False, span)
    if kind == "inner" and ranks == (2, 2):
        return ir.ArrayReduce("dot", ir.Binary("*", with_new_axis(left, 1, span), right, span), (2,), False, span)
    if kind == "inner":
        return ir.ArrayReduce("dot", ir.Binary("*", left, right, span), (max(ranks) - 1,), False, span)
    if ranks[1] == 1:
        return ir.ArrayReduce("dot", ir.Binary("*", left, right, span), (ranks[0] - 1,), False, span)
    product = ir.Binary("*", with_new_axis(left, 0, span), right, span)
    return ir.ArrayReduce("dot", product, (ranks[0] - 1,), False, span)
