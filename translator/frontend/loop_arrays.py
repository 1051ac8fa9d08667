"""Arrays made inside host loops: `grad = X.T @ (X @ w - y) / n` in each step of gradient descent.

NumPy makes a new array each iteration; the kernel's array is allocated once by the caller, as an
array made at the top level is (`frontend.allocations`), and the statement fills it each time it
runs. The two agree when nothing can see that the array is the same one each time and nothing can
use it where Python would not have bound it:

- its shape is in the caller's terms (extents, scalar parameters, top-level locals: the allocation
  happens before the loop, so a shape that changes from one iteration to the next is refused);
- it is made in the body of a `for` loop, directly or in branches of `if`s there (no `while`
  between), and every use of its name is in that loop's body, where each iteration binds it before
  any use: a statement of the body binds it, or an `if` whose every branch does (NPBench's
  contour_integral: `X = np.linalg.inv(Tz)` under `if NR == NM:`, `np.linalg.solve(Tz, Y)` under
  `else:`), before any other statement reads it. So each use sees this iteration's value, and none
  comes where Python would raise NameError (after a loop of no iterations, or before the first
  binding). `Tz += ...` writes the array in place, as NumPy's `+=` does: not a binding.

The first binding the frontend builds makes the array; the others fill it (`frontend.rebinding`).
Where the two branches of one `if` make arrays of different shapes, the allocation takes the shape
of the branch the condition chooses (`branch_shape`), so the condition must be in the caller's
terms too.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.names import reads


LOOP_ARRAY_RULE = ("an array made inside a loop or branch is allocated once, before the kernel runs: bind it in "
                   "a `for` body, directly or in every branch of an `if` there (not under a `while`), before any "
                   "use of it in that body, and use it only there; or make it at the top level and assign into "
                   "it (`r[:] = ...`)")


def made_in_loop(target: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `target = <new array>` here makes an array the caller allocates once (see the module)."""
    if not isinstance(target, cst.Name) or not scope.lifting or scope.in_prange or not scope.open_loops:
        return False
    name = target.value
    if scope.depth != len(scope.open_loops) + len({depth for _, _, depth in scope.branches}):
        return False  # a `while` block between
    loop = scope.open_loops[-1]
    uses = [n for n in reads(loop.body) if n.value == name]
    return len(uses) == scope.facts.uses.get(name) and _bound_first(small_statements(loop.body), name)


def small_statements(block: Sequence[cst.BaseStatement] | cst.BaseSuite) -> list[cst.CSTNode]:
    """The statements of a block one by one: a line's `;`-separated statements apart."""
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    lines = block.body if isinstance(block, cst.IndentedBlock) else block
    parts: list[cst.CSTNode] = []
    for line in lines:  # type: ignore[union-attr]
        parts += line.body if isinstance(line, cst.SimpleStatementLine) else [line]
    return parts


def _bound_first(statements: Sequence[cst.CSTNode], name: str) -> bool:
    """Whether running `statements` binds `name` on every path before anything reads it."""
    for statement in statements:
        if _binds(statement, name):
            return True
        if any(n.value == name for n in reads(statement)):
            return False
    return False


def _binds(statement: cst.CSTNode, name: str) -> bool:
    """Whether `statement` binds `name` whatever path it takes, reading it only after binding it."""
    if isinstance(statement, cst.Assign):
        return (len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name)
                and statement.targets[0].target.value == name
                and all(n.value != name for n in reads(statement.value)))
    if not isinstance(statement, cst.If) or statement.orelse is None:
        return False
    if any(n.value == name for n in reads(statement.test)):
        return False
    orelse = statement.orelse
    other = _binds(orelse, name) if isinstance(orelse, cst.If) else _bound_first(small_statements(orelse.body), name)
    return other and _bound_first(small_statements(statement.body), name)
