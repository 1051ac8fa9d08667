"""Helpers that compute with whole arrays in several statements, unfolded at the call.

NumPy code factors layers into small functions of whole arrays (NPBench's mlp):

```python
def softmax(x):
    tmp_max = np.max(x, axis=-1, keepdims=True)
    tmp_out = np.exp(x - tmp_max)
    tmp_sum = np.sum(tmp_out, axis=-1, keepdims=True)
    return tmp_out / tmp_sum
```

and calls them on array expressions (`x = relu(x @ w2 + b2)`). A device function takes arrays whole
by name and computes numbers, and an expression (`frontend.inline`) has no room for statements; so at
the kernel's top level such a call is unfolded before its statement is built: the helper's
statements come first, each local renamed to a fresh name of the kernel (an array the kernel makes,
or a number), each parameter replaced by its argument, and the statement then reads the returned
expression where it called. An argument that is an expression is evaluated once into a fresh name
first when the helper reads it more than once or it holds a matrix product (a product is an array
the kernel makes); otherwise it takes the parameter's place. This is what Python computes: the
helper's statements run once, in order, on the values the call passes.

A call is unfolded when the function qualifies for inlining (`frontend.inline.plain_helper`: of the
kernel's module, plain parameters, positional arguments, no name the kernel binds), has no import
inside, `frontend.inline` does not take it as an expression, and some argument is an array: for a
function of one `return`, an argument that is an expression holding a product (`relu(x @ w + b)`);
for a longer one, unless every array argument is an array name the body indexes element by element
only (a device function with array parameters). What cannot be unfolded is a located error: a
recursive helper, a `return` before the last statement, a helper that binds its own parameter, or
one used as a value that ends without returning one.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import DeviceFunction, KernelScope
from translator.frontend.allocations import is_array_value
from translator.frontend.expressions import nodes_in
from translator.frontend.inline import (Positioned, Substitution, body_statements, bound_names, inlinable, plain_helper,
                                        returned, sliced)
from translator.frontend.names import reads
from translator.frontend.products import product_operands
from translator.frontend.rebinding import Parts, refresh
from translator.frontend.signature import indexed_ranks

UNFOLDED_IN = (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return, cst.Expr)
"""Statements whose calls are unfolded (and whose array helpers are inlined, `frontend.inline`):
simple ones, whose expressions are all their own."""


def unfold(parts: Parts, position: int, scope: KernelScope) -> Parts:
    """The kernel's top-level statements with the calls of the one at `position` that take a helper's
    statements (module docstring) unfolded before it, one call at a time, innermost first."""
    changed = False
    while isinstance(parts[position], UNFOLDED_IN):
        statement = parts[position]
        found = next(((c, f) for c in _calls(statement) if (f := _unfoldable(c, statement, scope)) is not None), None)
        if found is None:
            break
        parts = [*parts[:position], *_unfolded(parts[position], *found, scope), *parts[position + 1:]]
        changed = True
    return refresh(parts, scope) if changed else parts


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    """The calls in `node`, each after those inside its arguments (the order Python evaluates them)."""
    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def leave_Call(self, original_node: cst.Call) -> None:
            found.append(original_node)

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False  # a lambda's body runs where it is called

    node.visit(Calls())
    return found


def _unfoldable(call: cst.Call, statement: cst.CSTNode, scope: KernelScope) -> DeviceFunction | None:
    """The function `call` calls when the call in `statement` is to be unfolded (module docstring), else None."""
    function = plain_helper(call, scope)
    if function is None or inlinable(call, scope) is not None or any(
            isinstance(n, (cst.Import, cst.ImportFrom)) for n in nodes_in(function.node.body)):
        return None
    params = [p.name.value for p in function.node.params.params]
    arrays = {p: a.value for p, a in zip(params, call.args) if is_array_value(a.value, scope)}
    if returned(function.node) is not None:
        products = any(_has_product(a, scope) for a in arrays.values())
        whole = isinstance(statement, (cst.Assign, cst.Return)) and statement.value is call
        return function if arrays and (products or whole) else None
    indexed = set(indexed_ranks(function.node.body)) - sliced(function.node.body, scope)
    by_element = all(isinstance(a, cst.Name) and p in indexed for p, a in arrays.items())
    return function if arrays and not by_element else None


def _unfolded(statement: cst.CSTNode, call: cst.Call, function: DeviceFunction, scope: KernelScope) -> Parts:
    """`statement` preceded by the helper's statements, reading the helper's result where it called."""
    _refuse_recursion(call, function, scope)
    body = body_statements(function.node)
    value = body.pop().value if body and isinstance(body[-1], cst.Return) else None  # type: ignore[attr-defined]
    early = next((n for part in body for n in nodes_in(part) if isinstance(n, cst.Return)), None)
    name = function.node.name.value
    if early is not None:
        raise scope.module.error(early, f"'{name}' takes arrays and is unfolded where it is called, so it returns once, "
                                 "as its last statement; compute the result into a name and return it at the end")
    if value is None and not (isinstance(statement, cst.Expr) and statement.value is call):
        raise scope.module.error(call, f"'{name}' ends without returning a value, and this call uses its value")
    params = [p.name.value for p in function.node.params.params]
    locals_ = sorted(bound_names(function.node.body))
    rebound = next((p for p in params if p in locals_), None)
    if rebound is not None:
        raise scope.module.error(call, f"'{name}' binds its parameter '{rebound}' again; a helper unfolded where it is "
                                 "called binds new values under names of their own")
    uses = {p: sum(n.value == p for part in [*body, value] if part is not None for n in reads(part)) for p in params}
    replacements: dict[str, cst.BaseExpression] = {local: cst.Name(scope.fresh_temp(local)) for local in locals_}
    prelude: Parts = []
    for param, arg in zip(params, (a.value for a in call.args)):
        if not isinstance(arg, (cst.Name, cst.Integer, cst.Float)) and (uses[param] > 1 or _has_product(arg, scope)):
            replacements[param] = cst.Name(scope.fresh_temp(param))
            prelude.append(_assign(replacements[param], arg, scope))  # type: ignore[arg-type]
        else:
            replacements[param] = arg
    substitute = _Renaming(scope, replacements)
    statements: Parts = [_visited(part, substitute) for part in body]
    if value is None:
        return [*prelude, *statements]
    result = _visited(value, substitute)
    assert isinstance(result, cst.BaseExpression)
    return [*prelude, *statements, _visited(statement, _Replace(scope, call, result))]


def _visited(node: cst.CSTNode, transformer: cst.CSTTransformer) -> cst.CSTNode:
    """`node` rewritten by `transformer`, which replaces nodes and never removes them."""
    result = node.visit(transformer)
    assert isinstance(result, cst.CSTNode)
    return result


def _has_product(node: cst.BaseExpression, scope: KernelScope) -> bool:
    return any(isinstance(n, (cst.BinaryOperation, cst.Call)) and product_operands(n, scope) is not None
               for n in nodes_in(node))


def _refuse_recursion(call: cst.Call, function: DeviceFunction, scope: KernelScope) -> None:
    """A located error where the helper reaches itself through the module's functions it calls."""
    functions = scope.module.functions
    pending: list[list[str]] = [[function.node.name.value]]
    seen: set[str] = set()
    while pending:
        chain = pending.pop()
        for n in nodes_in(functions[chain[-1]].node.body):
            if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value in functions:
                if n.func.value == chain[0]:
                    raise scope.module.error(
                        call, f"recursive calls are not supported in kernels ({' -> '.join([*chain, chain[0]])})")
                if n.func.value not in seen:
                    seen.add(n.func.value)
                    pending.append([*chain, n.func.value])


def _assign(target: cst.Name, value: cst.BaseExpression, scope: KernelScope) -> cst.Assign:
    """`target = value`, placed where `value` is (for errors)."""
    assign_target = cst.AssignTarget(target)
    statement = cst.Assign([assign_target], value)
    where = scope.module.positions[value]
    for node in (target, assign_target, statement):
        scope.module.positions[node] = where
    return statement


def _clone(node: cst.CSTNode, scope: KernelScope) -> cst.CSTNode:
    """A copy of `node` whose nodes keep the positions of the originals: an argument read in several
    places is a tree of its own in each."""
    copy = node.deep_clone()
    positions = scope.module.positions

    def copy_positions(old: cst.CSTNode, new: cst.CSTNode) -> None:
        if old in positions:
            positions[new] = positions[old]
        for old_child, new_child in zip(old.children, new.children):
            copy_positions(old_child, new_child)

    copy_positions(node, copy)
    return copy


class _Renaming(Substitution):
    """The helper's statements with its parameters replaced by the arguments (a copy at each use)
    and its locals renamed."""

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        replacement = self.replacements.get(original_node.value)
        if replacement is None:
            return updated_node
        copy = _clone(replacement, self.scope)
        if original_node in self.scope.module.positions and isinstance(copy, cst.Name):
            self.scope.module.positions[copy] = self.scope.module.positions[original_node]  # a renamed local
        return copy  # type: ignore[return-value]


class _Replace(Positioned):
    """The statement with the one call replaced by the helper's result."""

    def __init__(self, scope: KernelScope, call: cst.Call, result: cst.BaseExpression) -> None:
        super().__init__(scope)
        self.call, self.result = call, result

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self.result if original_node is self.call else updated_node
