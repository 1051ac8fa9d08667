"""Array values written inside a larger expression, given a name of their own first.

NumPy code indexes any array expression (`(a + 1)[2:5]`, `np.sqrt(A)[0, :]`, `(A @ x)[1:]`) and
calls functions that make arrays in the middle of one (`x + np.ones_like(x)`, `np.eye(n) * 3.0`,
`np.linalg.solve(A, b) + 1`). The frontend builds those values only as the whole right side of a
statement (`t = expr`), so this rewrite gives each such value a fresh name bound by a statement of
its own just before the statement that uses it, as a NumPy temporary: the statement then reads the
name (`t[2:5]`, `x + t`). Python evaluates the values in the same order; they are pure, so the
result is NumPy's, and only which of two failing operands raises first can differ.

Nothing is moved out of a branch Python may not evaluate (`x if c else y`, `and`/`or`), nor out of a
lambda or a comprehension. One round moves the innermost values; the caller builds their statements
and asks again, since an outer value's shape is known only once the inner one has its name.
"""

from __future__ import annotations

import libcst as cst

from translator.errors import TranslationError
from translator.frontend.allocations import FILLS, is_array_value
from translator.frontend.arrays import is_array_statement
from translator.frontend.context import KernelScope
from translator.frontend.inline import Positioned
from translator.frontend.linalg import FUNCTIONS as LINALG

MAKERS = {*FILLS, "numpy.eye", "numpy.identity", *LINALG}
"""Calls that make an array, built only as a statement's whole right side."""
HOISTED_FROM = (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return)
"""Statements whose value is searched: an assignment's right side, a returned value."""


def hoist_values(node: cst.CSTNode, scope: KernelScope) -> tuple[list[cst.Assign], cst.CSTNode]:
    """The statements that bind the values `node` uses inside an expression, and `node` reading them."""
    value = getattr(node, "value", None)
    if not isinstance(node, HOISTED_FROM) or value is None:
        return [], node
    hoister = _Hoister(scope, None if _assigns_a_view(node, scope) else value)
    rewritten = value.visit(hoister)
    if not hoister.bindings:
        return [], node
    reading = node.with_changes(value=rewritten)
    scope.module.positions[reading] = scope.module.positions[node]
    return hoister.bindings, reading


def _assigns_a_view(node: cst.Assign | cst.AugAssign | cst.AnnAssign | cst.Return, scope: KernelScope) -> bool:
    """Whether `node` returns, updates, or assigns into a view (`y[:] = np.linalg.solve(A, b)`,
    `y += np.ones_like(y)`): there a whole right side that makes an array is named too; after
    `t = ...` or `x[i] = ...` it stays as it is."""
    if isinstance(node, (cst.Return, cst.AugAssign)):
        return True
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    return len(targets) == 1 and isinstance(targets[0], cst.Subscript) and is_array_statement(targets[0], scope)


class _Hoister(Positioned):
    """Replace each innermost array value that needs a name by a fresh one, recording its binding."""

    def __init__(self, scope: KernelScope, whole: cst.BaseExpression | None) -> None:
        super().__init__(scope)
        self.whole = whole  # an assignment's whole right side, which is built as it is
        self.bindings: list[cst.Assign] = []
        self._before: list[int] = []  # bindings made before each open Subscript or Call

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        self._before.append(len(self.bindings))
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        self._before.append(len(self.bindings))
        return True

    def _inner_moved(self) -> bool:
        """Whether a value inside the node just left was named: the node waits for the next round."""
        return self._before.pop() != len(self.bindings)

    def visit_IfExp(self, node: cst.IfExp) -> bool:
        return False

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return False

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        indexed = original_node.value
        if self._inner_moved() or isinstance(indexed, (cst.Name, cst.Attribute, cst.Subscript)):
            return updated_node  # a value holding one just named, a name, or a view of a view
        if not self._is_array(indexed):
            return updated_node
        return updated_node.with_changes(value=self._bind(indexed, "value"))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self._inner_moved() or original_node is self.whole:
            return updated_node
        maker = self.scope.module.qualified_name(original_node.func)
        if maker not in MAKERS:
            return updated_node
        return self._bind(original_node, maker.rsplit(".", 1)[-1])

    def _is_array(self, node: cst.BaseExpression) -> bool:
        """Whether `node` has a shape; one the frontend cannot measure stays put and meets its error."""
        try:
            return is_array_value(node, self.scope)
        except TranslationError:
            return False

    def _bind(self, value: cst.BaseExpression, base: str) -> cst.Name:
        binding, name = bind_first(value, base, self.scope)
        self.bindings.append(binding)
        return name


def bind_first(value: cst.BaseExpression, base: str, scope: KernelScope) -> tuple[cst.Assign, cst.Name]:
    """`base__N = value`, to be built before the statement that reads `base__N`, positioned at
    `value` so that errors point there; and the name."""
    name = cst.Name(scope.fresh_temp(base))
    target = cst.AssignTarget(target=name)
    binding = cst.Assign(targets=[target], value=value)
    positions = scope.module.positions
    positions[name] = positions[target] = positions[binding] = positions[value]
    return binding, name
