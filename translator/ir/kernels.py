"""Kernels, device functions and modules: what holds a body of statements, and what the caller
does around a call (length and input checks, run-time failures, data movement, arrays it allocates,
results).

The top of the IR's three modules: it reads expressions and statements and neither reads it.
Import it through `translator.ir.nodes`, the one public face of the IR.
"""

from __future__ import annotations

from dataclasses import dataclass

from translator.errors import Diagnostic, Span
from translator.ir.exprs import ArrayLike, Expr
from translator.ir.stmts import ChunkPhase, Interval, Stmt, Var
from translator.ir.types import ArrayType, Ownership, ScalarType
from translator.targets import Target


@dataclass(frozen=True)
class LengthCheck:
    """Two lengths an array statement at `span` combines element by element (`y[:] = a + b`): NumPy
    raises when they differ, the loops would read past an array. Both are expressions of extents
    and scalar parameters only, so the runtime checks them before the call.

    With `array` set it is an access's precondition instead (`passes.bounds`): `left`, the extent of
    `array` along `dim`, must be at least `right`, the length the access at `span` needs, whenever
    every length in `when` (the trip counts of the loops around the access) is positive.

    `kind` says which NumPy error a mismatch is: "broadcast" (ValueError, operands that do not
    broadcast), "mask" (IndexError, an array read through a boolean mask of another shape) or
    "gather" (IndexError, index arrays that do not broadcast together)."""

    left: Expr
    right: Expr
    span: Span
    array: str | None = None
    dim: int = 0
    when: tuple[Expr, ...] = ()
    kind: str = "broadcast"
    reshape: tuple[Expr, ...] | None = None
    """A reshape's size check (`left` the new shape's size, `right` the operand's): the shape it
    asks, a -1 as itself, for NumPy's message ("cannot reshape array of size 12 into shape (5,)")."""


@dataclass(frozen=True)
class Failure:
    """A check only the running kernel can make (`frontend.guards`), for the error the caller raises
    when it fails: its number is its position in `Kernel.failures` plus one."""

    message: str
    span: Span
    error: str = "ValueError"
    """The Python exception the caller raises: `ValueError`, `IndexError`, `OverflowError`,
    `RuntimeError` or `LinAlgError` (`numpy.linalg.LinAlgError`)."""


@dataclass(frozen=True)
class Formatted:
    """One replacement field of a check's f-string message (`{A.shape}`, `{n:d}`): `value` is an
    expression of the arguments, or a tuple of them for an array's whole shape (formatted as Python
    formats the tuple `A.shape`); `spec` the format spec, `conversion` `r`, `s`, `a` or None."""

    value: "Expr | tuple[Expr, ...]"
    spec: str
    conversion: str | None
    span: Span


@dataclass(frozen=True)
class InputCheck:
    """An `assert` or `if ...: raise E(...)` at the kernel's top level whose condition reads only
    scalar parameters, extents, constants and arithmetic (`frontend.input_checks`): the caller
    evaluates `fails` (Python's truth of it) before the call, in source order with the length checks,
    and raises `error` with `message` (None: the exception without argument; else text and fields
    in order). It is no statement of the body: the C never sees it."""

    fails: Expr
    error: str
    message: "tuple[str | Formatted, ...] | None"
    span: Span


STATUS = "py2omp_failed"
"""The hidden `InOut[i32[:]]` parameter of one element, zero before the call, where a kernel with
`failures` records a failed check: `FAILED - number`, the largest value for the check first in the
source (`py2omp_` names are reserved)."""
FAILED = 2**31 - 1

STATUS_BASE = "py2omp_failed_base"
"""A device function's hidden `i32` parameter after `STATUS` (`passes.function_failures`): the number
in the calling kernel's `failures` before the function's first, so that its failure `k` records
`FAILED - (base + k)`."""


@dataclass(frozen=True)
class Movement:
    """How one array parameter moves, as `passes.ownership` decided it from what the kernel does.

    `declared` is the annotation's ownership (None: none written), `inferred` what the analysis alone
    gives (the ownership used when none is declared); `reason` says why, with Python lines;
    `written` is set for an `Out` array the compiler could not prove the kernel writes entirely:
    the boxes of elements it surely writes. When `sectioned` (every write has a box) the C maps it
    `alloc` and copies back just those boxes (`UpdateFrom`, on offload targets); otherwise the runtime
    refuses a call where they do not cover it.
    `section` (`In`/`InOut` arrays, `passes.sections`): the rows `[lo, hi)` of the first axis the
    device reads (and writes), the range the maps move, clamped to the extent by the C and the
    runtime; None: the whole array, and then `unsectioned` locates an access whose rows are known
    only on the device, if that is why.
    """

    array: str
    declared: Ownership | None
    inferred: Ownership
    reason: str
    written: tuple[tuple[Interval, ...], ...] | None = None
    sectioned: bool = False
    section: Interval | None = None
    unsectioned: Span | None = None


@dataclass(frozen=True)
class Allocation:
    """How an array the kernel makes (`y = np.zeros((n, m))` at its top level) is made: the caller
    allocates it (`shape`: integer expressions of constants, scalar parameters and extents of the
    user's arrays) and the kernel fills it on the device where the Python statement was; `fill` is
    the value of every element (`np.zeros`: 0, `np.ones`: 1, `np.full`: its value; None for `np.empty`).
    `chosen`: the two branches of an `if` make it with different shapes, and `shape` is the one the
    condition chooses, so its extents equal a statement's lengths only where that branch runs: they
    are not settled before the run (`ir.arrays.of_arguments`), and statements check them in place."""

    shape: tuple[Expr, ...]
    fill: Expr | None
    span: Span
    rebound: tuple[Expr, ...] = ()
    """Elements of the values bound again to the array's name in a loop or branch (`y = y > 0`,
    `frontend.rebinding.fill_again`), which fill it: typing checks that each has the array's dtype,
    as a kernel keeps one array per name there (NumPy would go on with the new array)."""
    chosen: bool = False


@dataclass(frozen=True)
class Results:
    """What a kernel that returns arrays returns, in Python order: each item names an array
    parameter (the user's or one the kernel made), or is None for the one scalar, which is the
    C function's return value; `as_tuple`: a tuple (`return y, s`), else the one item (`return y`)."""

    items: tuple[str | None, ...]
    as_tuple: bool
    span: Span
    elements: tuple[str, ...] = ()
    """Items returned as their one element: the scalars after the first (`return mean, var`), each
    kept in a one-element array the kernel makes, as the C function returns one value."""


@dataclass(frozen=True)
class Param:
    name: str
    type: "ScalarType | ArrayType | ArrayLike"
    ownership: Ownership | None
    span: Span
    allocation: Allocation | None = None
    """Set on an array the kernel makes: a hidden parameter after the user's, allocated by the caller."""
    default: int | float | bool | None = None
    """A scalar parameter's default value (`alpha: f64 = 1.5`): Python callers may omit the argument
    and the runtime passes it (manifest `default`); C and Fortran callers pass every argument."""

    @property
    def is_array(self) -> bool:
        return isinstance(self.type, (ArrayType, ArrayLike))


@dataclass(frozen=True)
class Kernel:
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    return_type: ScalarType | None
    locals: tuple[Var, ...]
    span: Span
    doc: str | None = None
    movement: tuple[Movement, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    device_variant: "Kernel | None" = None
    """The same kernel taking device pointers (`is_device_ptr`, no maps), on offload targets."""
    device: int | None = None
    length_checks: tuple[LengthCheck, ...] = ()
    chunk_variant: "Kernel | None" = None
    """The device-pointer variant that runs one share of each outermost `prange` (`kernel.on(devices)`),
    made only when asked (`Selection.chunked`)."""
    chunk_phases: tuple[ChunkPhase, ...] = ()
    """On a chunked variant: its outermost `prange`s, numbered as its calls back number them."""
    results: Results | None = None
    """Set when the kernel returns arrays (then `return_type` is the returned scalar, if any)."""
    failures: tuple[Failure, ...] = ()
    """Run-time checks; when there are any, the hidden parameter `STATUS` says which failed."""
    symbol: str | None = None
    """The exported C symbol when it is not the kernel's name: a specialization for a call's types."""
    boundscheck: bool = True
    """`@kernel(boundscheck=False)`: no in-kernel index checks (the caller's preconditions stay)."""
    input_checks: tuple[InputCheck, ...] = ()
    """The checks of its inputs the caller makes before the call (`InputCheck`), in source order."""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class FunctionParam:
    """A device function's parameter; `annotation` fixes its type, else each call site decides.
    `rank` > 0 marks an array parameter (the body indexes it with `rank` indices)."""

    name: str
    annotation: ScalarType | None
    span: Span
    rank: int = 0


@dataclass(frozen=True)
class Function:
    """A plain function called from a kernel, untyped: typing specializes it per argument types
    into a `Kernel` (`Module.device_functions`) that the backend emits as a `declare target` C function."""

    name: str
    params: tuple[FunctionParam, ...]
    body: tuple[Stmt, ...]
    return_type: ScalarType | None
    locals: tuple[Var, ...]
    span: Span
    failures: tuple[Failure, ...] = ()
    """The run-time checks of the statements the frontend lowers itself (`frontend.guards`)."""


@dataclass(frozen=True)
class Module:
    """All kernels of one Python file: they become one C file and one shared library.

    `functions` are the plain functions the kernels call (untyped); `device_functions` their typed
    specializations, callees before callers, filled by the pipeline.
    """

    path: str
    name: str
    source_sha256: str
    kernels: tuple[Kernel, ...]
    target: Target | None = None
    functions: tuple[Function, ...] = ()
    device_functions: tuple[Kernel, ...] = ()
