"""Mask locals: names for boolean array expressions (`mask = (r1 <= radius) & (radius < r2)`).

NumPy makes `mask` a bool array. A kernel does not: inside a loop it could not (an array of
run-time length), and at the top level it would be an array the caller allocates for nothing. The
name stands for its expression instead, built again at the element being computed wherever the
name is used (`arrays.element_of`): `np.mean(data[mask])` reads `radius` directly. That is Python's
meaning only when nothing the expression reads changes between the binding and a use, so the
binding is accepted only when the mask is bound once, the arrays it reads are never written in the
kernel, and the scalars it reads are parameters, locals assigned once before the mask, or the
variable of a loop around it (never assigned, `passes.structure`). A mask is in reach until the end
of the block that binds it (`statements._block`), so every use is in that block, after the binding.

At the top level of a kernel, where an array can be made, a boolean array bound to a name that the
kernel uses other than where masks go, or that breaks the rule, stays what it always was: an array
made by the kernel (`allocations.make_array`), NumPy's meaning at the cost of the array.

A masked read bound to a name (`values = data[mask]`) is a mask local too, under the same rule: the
name stands for the selection, which a kernel takes only where it reduces it whole
(`values.mean()`, `ir.ArrayReduce.where`), as its length is known only at run time.

`read_body` reads the facts the rule needs from the whole body before it is built (`BodyFacts`).
"""

from __future__ import annotations

import collections

import libcst as cst

from translator.frontend.allocations import lifts
from translator.frontend.array_statements import array_value, in_tier
from translator.frontend.arrays import REDUCTIONS, is_boolean, mask_of, shape_of
from translator.frontend.context import BodyFacts, KernelScope, ModuleScope
from translator.frontend.expressions import ATOMIC_CALLS, LOGICAL_CALLS, array_type
from translator.frontend.inline import Positioned
from translator.frontend.loop_arrays import made_in_loop
from translator.frontend.names import NameVisitor, reads
from translator.frontend.reductions import METHODS as REDUCTION_METHODS
from translator.frontend.views import whole_view
from translator.ir import nodes as ir

MASK_CALLS = (*REDUCTIONS, *LOGICAL_CALLS)
"""Calls whose arguments are array expressions, where a mask local may stand."""
EVALUATED_AT_USE = "a mask names its boolean expression, which is evaluated where the mask is used"


class _BodyReader(NameVisitor):
    def __init__(self, module: ModuleScope) -> None:
        self.module = module
        self.bindings: collections.Counter[str] = collections.Counter()
        self.written: set[str] = set()
        self.loads: collections.Counter[str] = collections.Counter()
        self.mask_uses: collections.Counter[str] = collections.Counter()
        self.targets: set[int] = set()

    def _bind(self, target: cst.BaseExpression, times: int = 1) -> None:
        if isinstance(target, cst.Name):
            self.bindings[target.value] += times
            self.targets.add(id(target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, times)
        elif isinstance(target, cst.Subscript):
            base: cst.BaseExpression = target
            while isinstance(base, cst.Subscript):
                base = base.value
            if isinstance(base, cst.Name):
                self.written.add(base.value)

    def _mask_use(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.mask_uses[node.value] += 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)
        if isinstance(node.target, cst.Name):
            self.written.add(node.target.value)  # `c *= 2` of an array made by the kernel

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, times=0 if node.value is None else 1)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        name = self.module.qualified_name(node.func)
        args = [a.value for a in node.args]
        if name in ATOMIC_CALLS and args and isinstance(args[0], cst.Name):
            self.written.add(args[0].value)
        elif isinstance(node.func, cst.Name) and node.func.value in self.module.functions:
            self.written.update(a.value for a in args if isinstance(a, cst.Name))
        elif name in MASK_CALLS:
            for arg in args:
                self._mask_use(arg)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in REDUCTION_METHODS:
            self._mask_use(node.func.value)  # `values.mean()` of a masked read bound to a name

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            self._mask_use(node.slice[0].slice.value)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)):
            self._mask_use(node.left)
            self._mask_use(node.right)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.BitInvert):
            self._mask_use(node.expression)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.targets:
            self.loads[node.value] += 1


def read_body(body: cst.BaseSuite, module: ModuleScope) -> BodyFacts:
    """The `BodyFacts` of a function body."""
    reader = _BodyReader(module)
    body.visit(reader)
    mask_only = frozenset(n for n in reader.bindings if reader.loads[n] == reader.mask_uses[n])
    uses = collections.Counter(name.value for name in reads(body))
    return BodyFacts(dict(reader.bindings), frozenset(reader.written), mask_only, frozenset(reader.bindings), uses)


def bind_mask(target: cst.Name, value: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `target = value` binds a mask local: `value` is a boolean array expression or a
    masked read, and the rule of the module docstring holds (a located error where it does not, except at the top level,
    where such a name is an array made by the kernel). The mask goes into `scope.masks`; the
    binding itself becomes no statement."""
    name = target.value
    masked_read = mask_of(value, scope) is not None
    if name in scope.params or name in scope.arrays or not (
            masked_read or (is_boolean(value, scope) and shape_of(value, scope))):
        return False
    problem = _problem(target, value, scope)
    if (lifts(scope) or made_in_loop(target, scope)) and (problem is not None or name not in scope.facts.mask_only):
        return False  # an array made by the kernel, at the top level or in each iteration of a host loop
    if problem is not None:
        raise scope.module.error(*problem)
    scope.masks[name] = value
    return True


def _problem(target: cst.Name, value: cst.BaseExpression, scope: KernelScope) -> tuple[cst.CSTNode, str] | None:
    """Where and why binding `target` to `value` as a mask would not be Python's meaning, or None."""
    name, facts = target.value, scope.facts
    if facts.bindings[name] != 1:
        return target, (f"mask '{name}' is bound more than once; {EVALUATED_AT_USE}: bind each mask once, under a "
                        "name of its own")
    for read in reads(value):
        local = read.value
        param = scope.params.get(local)
        if scope.mask(read) is not None or (param is not None and not param.is_array):
            continue
        if local in scope.arrays or param is not None:
            if local not in facts.written:
                continue
            return read, (f"mask '{name}' reads array '{local}', which the kernel writes; {EVALUATED_AT_USE}, so the "
                          "arrays it reads must never be written: write the expression itself where the mask is used")
        if local in scope.assigned and not fixed_scalar(local, scope):
            return read, (f"mask '{name}' reads '{local}', which is not assigned exactly once before the mask; "
                          f"{EVALUATED_AT_USE}, so the scalars it reads must be parameters or locals assigned once, "
                          f"before it: copy '{local}' into a new local just before the mask")
    return None


def fixed_scalar(local: str, scope: KernelScope) -> bool:
    """Whether the scalar local keeps its value from here to the end of the current block: it is
    bound once in the kernel, already, or it is the variable of a loop around here whose body binds
    it nowhere (`for i in prange(n)` in several loops of a kernel)."""
    if scope.facts.bindings.get(local) == 1 and (local in scope.scalar_values or local in scope.loop_vars):
        return True
    loop = next((f for f in reversed(scope.open_loops) if isinstance(f.target, cst.Name) and f.target.value == local),
                None)
    return loop is not None and local not in read_body(loop.body, scope.module).bindings



def read_through_mask(target: cst.Subscript, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt] | None:
    """`x[m] = f(x[m], y[m])` (nbody's `inv_r3[inv_r3 > 0] = inv_r3[inv_r3 > 0] ** (-1.5)`): NumPy's
    value holds `f` of the elements where `m` holds, in order, and puts them back at those elements;
    so it is `x = f(x, y)` where `m` holds, an elementwise assignment with a mask. Taken when the
    value reads arrays only through the target's mask (the same expression), each of the target's
    rank, and is elementwise then; None otherwise. Lengths that may differ are checked when the kernel
    runs (`passes.lower_arrays`), so an array of another shape than the mask's raises."""
    mask = mask_of(target, scope)
    if mask is None:
        return None
    code = cst.Module([]).code_for_node(mask)
    through: list[cst.Name] = []

    class Unmasked(Positioned):
        def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
            if mask_of(original_node, scope) is None or cst.Module([]).code_for_node(mask_of(  # type: ignore[arg-type]
                    original_node, scope)) != code:
                return updated_node
            name = cst.Name(original_node.value.value)  # type: ignore[attr-defined]
            scope.module.positions[name] = scope.module.positions[original_node]
            through.append(name)
            return name

    unmasked = value.visit(Unmasked(scope))
    shape = shape_of(target.value, scope)
    arrays = [n for n in reads(unmasked) if array_type(n.value, scope) is not None]  # type: ignore[arg-type]
    if not through or any(all(n is not t for t in through) for n in arrays) or not all(
            len(shape_of(n, scope)) == len(shape) for n in through):
        return None
    if not in_tier(target.value, unmasked, scope):  # type: ignore[arg-type]
        return None
    place = whole_view(target.value.value, scope, scope.module.span(target))  # type: ignore[attr-defined]
    return [ir.ArrayAssign(place, array_value(unmasked, scope), place.span,  # type: ignore[arg-type]
                           where=array_value(mask, scope))]
