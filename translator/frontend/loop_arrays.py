"""Arrays made inside host loops: `grad = X.T @ (X @ w - y) / n` in each step of gradient descent.

NumPy makes a new array each iteration; the kernel's array is allocated once by the caller, as an
array made at the top level is (`frontend.allocations`), and the statement fills it each time it
runs. The two agree when nothing can see that the array is the same one each time and nothing can
use it where Python would not have bound it:

- its shape is in the caller's terms (extents, scalar parameters, top-level locals: the allocation
  happens before the loop, so a shape that changes from one iteration to the next is refused);
- one statement binds it, in the body of a `for` loop, not under an `if` or a `while` (every
  enclosing block is a `for`), and every use of its name is in that loop's body, after the statement
  (so each use sees this iteration's value, and none comes where Python would raise NameError: after
  a loop of no iterations, or before the first binding).
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.names import reads


LOOP_ARRAY_RULE = ("an array made inside a loop or branch is allocated once, before the kernel runs: bind it in "
                   "one statement directly in a `for` body (not under an `if` or a `while`) and use it only after "
                   "that statement, in that body; or make it at the top level and assign into it (`r[:] = ...`)")


def made_in_loop(target: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `target = <new array>` here makes an array the caller allocates once (see the module)."""
    if not isinstance(target, cst.Name) or not scope.lifting or scope.in_prange or not scope.open_loops:
        return False
    name = target.value
    if scope.depth != len(scope.open_loops) or scope.facts.bindings.get(name) != 1:
        return False
    loop = scope.open_loops[-1]
    uses = [n for n in reads(loop.body) if n.value == name]
    bound_at = scope.module.positions[target].start
    return len(uses) == scope.facts.uses.get(name) and all(
        (scope.module.positions[n].start.line, scope.module.positions[n].start.column)
        >= (bound_at.line, bound_at.column) for n in uses)
