"""What the frontend knows while it builds one kernel: the file, positions, and what names mean.

Python resolves names at run time; a kernel must resolve them at translation time. A name in a
kernel is a parameter, a local, a module-level numeric constant (folded in), or one of the modules
and functions py2omp understands (`math`, `numpy`, `translator` and their members), however the
user imported them. The data types every builder shares live here, so this module imports no other
frontend module and the frontend's imports have no cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable

import libcst as cst
from libcst.metadata import CodeRange

from translator.errors import Span, TranslationError
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.arrays import Offset
from translator.ir.types import ScalarType


@dataclass(frozen=True)
class DeviceFunction:
    """A plain function kernels may call: its definition, the module it is read in, and its name in
    the IR (its own name in the kernels' module; `<module>.<name>` when imported from a module marked
    with `device_functions()`, so two modules' functions never share a name)."""

    ir_name: str
    node: cst.FunctionDef
    module: "ModuleScope"


@dataclass(frozen=True)
class ModuleScope:
    """Module-level facts: constants to fold and what each imported name refers to.

    `aliases` maps a local name to a qualified name: `np` -> `numpy`, `sqrt` -> `math.sqrt`,
    `pr` -> `translator.prange`, `kernel` -> `translator.kernel`. `functions` are the plain
    functions kernels may call (device functions), by local name: the module's undecorated
    top-level functions and those it imports from marked modules (`frontend.imports`);
    `unmarked` names the functions it imports from modules that are not marked, for the message.
    """

    path: str
    positions: dict[cst.CSTNode, CodeRange]
    constants: dict[str, int | float | bool]
    aliases: dict[str, str]
    functions: dict[str, DeviceFunction] = field(default_factory=dict)
    unmarked: dict[str, str] = field(default_factory=dict)

    def span(self, node: cst.CSTNode) -> Span:
        start = self.positions[node].start
        return Span(self.path, start.line, start.column + 1)

    def error(self, node: cst.CSTNode, message: str) -> TranslationError:
        return TranslationError.at(self.span(node), message)

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """`np.sqrt` -> `numpy.sqrt`, `sqrt` (from math import sqrt) -> `math.sqrt`; None otherwise."""
        if isinstance(node, cst.Name):
            return self.aliases.get(node.value)
        if isinstance(node, cst.Attribute):
            base = self.qualified_name(node.value)
            return f"{base}.{node.attr.value}" if base else None
        return None


@dataclass(frozen=True)
class BodyFacts:
    """What a function body does with each name, read before the body is built.

    `bindings`: how many statements bind each local (an annotation without a value makes a name
    local but binds it 0 times); `written`: arrays some statement may write (elements assigned, `op=`,
    atomics, arguments of the module's functions); `mask_only`: locals used nowhere but where a mask
    may stand (a subscript's one index, an operand of `& | ^ ~` or np.logical_*, the argument of a
    reduction).
    """

    bindings: Mapping[str, int]
    written: frozenset[str]
    mask_only: frozenset[str]
    local_names: frozenset[str]
    """Every name the body binds: as in Python, local throughout the function."""
    uses: Mapping[str, int] = field(default_factory=dict)
    """How many times each name appears in the body, bound or read (`frontend.names.reads`)."""


@dataclass(frozen=True)
class Elements:
    """The element an array expression is being built for (`frontend.arrays`): one offset per axis of
    the result, whose lengths are `shape`."""

    offsets: tuple[Offset, ...]
    shape: tuple[ir.Expr, ...]
    hoisted: list[ir.Stmt] = field(compare=False, default_factory=list)
    """Where statements that do not depend on the element go: before the loops computing it."""


@dataclass
class KernelScope:
    """Per-kernel facts the builders consult and record.

    `declared` holds locals whose type the user fixed with an annotation (`s: f64 = 0`);
    `arrays` the arrays made inside loops so far, usable from there on: local arrays of constant
    shape (`t = np.zeros(16)`) and, inside a `prange`, temporaries of run-time size (`t = a[i, :] @ m`).
    `prelude` collects the statements an expression needs before the statement that holds it (the
    loop a reduction lowers to); `statements.build_body` places them. `elements` is set while an
    array expression is built (`frontend.arrays`): the element being computed; `element_of` (wired by
    the frontend) then reads each array view in it at that element. `in_prange` is set inside the
    body of a `prange` (and of device functions): array statements there lower to serial loops.
    `lifting` is set for kernels (not device functions): an array made at the top level (`depth` 0:
    outside every loop and `if`) becomes a parameter the caller allocates (`frontend.allocations`);
    `top_values` holds the top-level locals assigned so far (their first value), which its shape
    may use, `shape_locals` those it used (each must be assigned once), `results` what it returns.
    `facts` is what the whole body does with each name (read before it is built); `masks` maps the
    mask locals in reach (bound in this block or an enclosing one) to the boolean array expression
    each names (`frontend.masks`), `ended_masks` holds those whose block has ended; `open_loops` the
    `for` loops whose body is being built, outermost first.
    """

    module: ModuleScope
    params: dict[str, ir.Param]
    facts: BodyFacts
    declared: dict[str, ScalarType] = field(default_factory=dict)
    arrays: dict[str, ir.LocalArray | ir.Temporary] = field(default_factory=dict)
    prelude: list[ir.Stmt] = field(default_factory=list)
    element_of: Callable[[cst.BaseExpression, "KernelScope"], ir.Expr | None] | None = None
    elements: Elements | None = None
    in_prange: bool = False
    loop_vars: set[str] = field(default_factory=set)
    length_checks: list[ir.LengthCheck] = field(default_factory=list)
    guards: list[checks.Check] = field(default_factory=list)
    """The run-time checks the statement being built needs (`frontend.guards`)."""
    failures: list[ir.Failure] = field(default_factory=list)
    input_checks: list[ir.InputCheck] = field(default_factory=list)
    """The checks of the inputs read so far (`frontend.input_checks`), in source order."""
    lines: tuple[int, int] = (0, 0)
    """The first and last lines of the kernel's `def` (a statement outside is a helper's, unfolded)."""
    scalar_values: dict[str, list[ir.Expr]] = field(default_factory=dict)
    """The values assigned to each scalar local so far (which names are locals; typing types them)."""
    lifting: bool = False
    depth: int = 0
    top_values: dict[str, ir.Expr] = field(default_factory=dict)
    shape_locals: dict[str, Span] = field(default_factory=dict)
    results: ir.Results | None = None
    masks: dict[str, cst.BaseExpression] = field(default_factory=dict)
    ended_masks: set[str] = field(default_factory=set)
    open_loops: list[cst.For] = field(default_factory=list)
    branches: list[tuple[cst.If, bool, int]] = field(default_factory=list)
    """The `if` branches whose block is being built, outermost first: the `if`, True for its body
    (False for its `else` or `elif`), and the depth of the `if` statement (`frontend.loop_arrays`)."""
    made_under: dict[str, tuple[tuple[cst.If, bool, int], ...]] = field(default_factory=dict)
    """For each array made by the kernel, the branches under which its allocation's shape is the
    shape of the array the code makes (`rebinding.branch_shape` widens it to both branches of an `if`)."""
    made_like: dict[str, str] = field(default_factory=dict)
    """Arrays made by the kernel as a copy or plain `_like` of an array, by the name of that array
    (`frontend.refills`: `pn = p.copy()` again fills `pn`)."""
    views: dict[str, cst.BaseExpression] = field(default_factory=dict)
    """Names bound to views in reach (`u = U[1:-1, 1:-1]`): each use is the view (`frontend.view_names`)."""
    lambdas: dict[str, cst.Lambda] = field(default_factory=dict)
    """Names bound to a lambda (`f = lambda v: v * v`): each call builds its body (`expressions`)."""
    arguments: dict[str, ir.Expr] = field(default_factory=dict)
    """While a lambda's body is built: its parameters' values at the call being built."""
    calling: list[str] = field(default_factory=list)
    """The lambdas whose body is being built, outermost first: calling one of them again is recursion."""
    _temp_counter: int = 0

    def mask(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The boolean array expression `node` names when it is a mask local in reach, else None. A
        mask used after the block that binds it has ended is an error: Python may not have bound it."""
        if not isinstance(node, cst.Name):
            return None
        if node.value in self.ended_masks:
            raise self.module.error(
                node, f"mask '{node.value}' is used after the end of the block that binds it; bind it in the block "
                "where it is used, or in one enclosing it")
        return self.masks.get(node.value)

    @property
    def assigned(self) -> frozenset[str]:
        """Every name the body binds (assignment or loop target): as in Python, such a name is local
        throughout the kernel and shadows a module constant of the same name."""
        return self.facts.local_names

    @property
    def makes_temporaries(self) -> bool:
        """Whether an array of run-time size may be made here: inside a kernel's `prange` body,
        where each iteration gets a slice of a buffer allocated before the loop (`ir.Temporary`)."""
        return self.in_prange and self.lifting

    def fresh_loop_var(self, base: str) -> str:
        """A fresh name for the variable of a loop the frontend makes (typed as a Python int)."""
        name = self.fresh_temp(base)
        self.loop_vars.add(name)
        return name

    def fresh_temp(self, base: str) -> str:
        """A local name that the kernel does not use (`a__1`), for desugared tuple assignment and slice loops."""
        while True:
            self._temp_counter += 1
            name = f"{base}__{self._temp_counter}"
            if name not in self.assigned and name not in self.params:
                return name
