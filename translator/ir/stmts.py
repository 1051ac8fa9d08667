"""The statements of the IR, with the OpenMP directives and clauses they carry as data.

Loops, assignments and branches come from the frontend; `ParallelLoop`, `TargetData`, `UpdateFrom`,
`TaskWait`, `TeamLoop` and `LibraryCall` are made by the passes, with their directives
(`OmpTarget`, `OmpParallelFor`, `MapClause`, `Reduction`) as plain values for the backend's
templates. Separate from the expressions below it (which it only reads) and from the kernels above
it (which hold its statements); the union `Stmt` is complete here. Import it through
`translator.ir.nodes`, the one public face of the IR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from translator.errors import Span
from translator.ir.exprs import ArrayArg, ArrayLike, CallFunction, Expr, Gather, Index, Name, View
from translator.ir.types import ArrayType, ScalarType


@dataclass(frozen=True)
class Assign:
    target: Name | Index
    value: Expr
    span: Span


@dataclass(frozen=True)
class ArrayValue:
    """The type of an array expression: its element type and its shape, one length per axis, each an
    expression of the kernel's extents and scalars (`(A.shape[0] - 2, A.shape[1] - 2)`)."""

    dtype: ScalarType
    shape: tuple[Expr, ...]


@dataclass(frozen=True)
class ArrayAssign:
    """`target = value` for a view (`B[1:-1, 1:-1] = 0.2 * (A[1:-1, :-2] + ...)`): every element of
    the view takes the value's element there, broadcast as NumPy does; `target op= value` arrives as
    `target = target op value`, as for scalars. `value` is elementwise over views and scalars;
    `type` (set by typing) is its `ArrayValue`. With `where` (a boolean elementwise expression of
    the target's shape: `x[x < 0] = 0`), only the elements where it holds are assigned.
    `passes.lower_arrays` turns it into loops."""

    target: View
    value: Expr
    span: Span
    type: ArrayValue | None = None
    where: Expr | None = None


@dataclass(frozen=True)
class Scatter:
    """NumPy's integer array indexing on the left (`x[idx] = v`, `A[rows, cols] = 0.0`): the value,
    broadcast to the indices' broadcast shape, is stored at the elements the indices name there, in
    C order, so that where an index repeats, the last value stays, as in NumPy. The frontend gives
    the value a name of its own first where it reads the target (`x[idx] += v`), since NumPy computes
    it whole before storing. `passes.lower_arrays` turns it into a serial loop nest."""

    target: Gather
    value: Expr
    span: Span


@dataclass(frozen=True)
class CallStatement:
    """A device function called for its effect on arrays (`fill_row(out, i)`); it may return nothing."""

    call: CallFunction
    span: Span


@dataclass(frozen=True)
class LocalArray:
    """`t = np.zeros((4, 4), np.float32)` at the top of a `prange` body: a C array of constant
    `shape` on the thread's stack (private to the iteration), zero-filled when `zeroed`."""

    name: str
    type: "ArrayType | ArrayLike"
    shape: tuple[int, ...]
    zeroed: bool
    span: Span


@dataclass(frozen=True)
class Temporary:
    """An array made inside a `prange` body whose size is known only at run time: `t = A[r, q, :] @ C4`,
    `t = np.empty(n)`, or the right side of an array statement that reads the assigned array at other
    elements (`x[i, 1:] = x[i, :-1] + x[i, 1:]`), which NumPy evaluates whole before assigning.

    Each iteration of the offloaded loop nest owns a slice of one buffer the C function allocates
    before the loop (no allocation on the device), so `shape` holds host expressions (constants,
    scalar parameters, extents, locals set before the loop): `passes.structure` rejects lengths
    that change inside the loop. The frontend puts it where Python makes the array;
    `passes.parallelize` moves it onto the `ParallelLoop` whose iterations own the slices."""

    name: str
    type: "ArrayType | ArrayLike"
    shape: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span
    guard: bool = False
    """A run-time check around one statement (`frontend.guards`): `orelse` only records the failure,
    after which the caller raises, so the statement counts as run (for definite assignment)."""


@dataclass(frozen=True)
class Launch:
    """The escape hatch `prange(n, num_teams=e, thread_limit=e, schedule="dynamic, 4")`.

    The user's launch clauses override the defaults `passes.parallelize` would choose; the
    expressions are host scalars, evaluated once before the loop. `schedule` is already
    normalized OpenMP text (`dynamic, 4`).
    """

    num_teams: Expr | None
    thread_limit: Expr | None
    schedule: str | None
    span: Span


@dataclass(frozen=True)
class Loop:
    """`for var in range(start, stop, step)` (or `prange`, with `parallel`); `step` is a constant."""

    var: str
    start: Expr
    stop: Expr
    step: int
    body: tuple["Stmt", ...]
    span: Span
    parallel: bool = False
    launch: Launch | None = None
    independent: bool = False
    """Set by `passes.lower_arrays` on the loops it makes: the iterations write disjoint elements and
    read nothing another iteration writes, so they may run in any order, on any threads."""
    disjoint: bool = False
    """The same fact about a loop whose indices are the user's (`passes.blas_loops`' loop after a
    triangle's call: `f` and the mirror), which `passes.bounds` checks as any user loop's, where
    `independent` tells it the indices are clamped slices already in range."""
    reductions: tuple["Reduction", ...] = ()
    """Set by `passes.lower_arrays` on the loops that compute a reduction (`ArrayReduce`): the scalars
    they accumulate and how, so that a parallel one gets its `reduction(op: var)` clauses."""
    host_code: bool = False
    """Set by `passes.device_regions` on the one-iteration `prange` around host code that touches
    array elements: it runs that code on one device thread, where the arrays are."""
    copied: tuple[str, ...] = ()
    """The scalars a `host_code` loop assigns that the rest of the kernel uses: mapped `tofrom`."""


@dataclass(frozen=True)
class AtomicUpdate:
    """`atomic_add(a, (i, j), v)`: `a[i, j] op= v` as one indivisible update.

    `op` is `+`, `-`, `min` or `max`; typing makes `value` the element's type.
    """

    op: str
    target: Index
    value: Expr
    span: Span


@dataclass(frozen=True)
class While:
    cond: Expr
    body: tuple["Stmt", ...]
    span: Span


@dataclass(frozen=True)
class Break:
    span: Span


@dataclass(frozen=True)
class Continue:
    span: Span


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span


@dataclass(frozen=True)
class LoopLevel:
    """One level of a (possibly collapsed) parallel loop nest; `span` is its Python `for` line
    (None where the IR is built by hand: the nest's line stands in)."""

    var: str
    start: Expr
    stop: Expr
    step: int
    span: Span


@dataclass(frozen=True)
class MapClause:
    """`map(<map_type>: <array>[0:<extents product>])`; `map_type` is to/from/tofrom/alloc.
    With `section` (`Movement.section`) only the rows `[lo, hi)` of the first axis, clamped to the
    extent: `<array>[lo * <row size>:(hi - lo) * <row size>]`."""

    map_type: str
    array: str
    rank: int
    section: Interval | None = None


@dataclass(frozen=True)
class Reduction:
    """`reduction(<op>: <var>)`; `op` is an OpenMP reduction identifier (`+`, `*`, `min`, `max`)."""

    op: str
    var: str


@dataclass(frozen=True)
class ChunkPhase:
    """One outermost `prange` of a kernel's chunked variant (`passes/split_devices.py`): the arrays whose rows
    its chunk writes (rows indexed by the split variable), the rows of each array it touches (`reads`:
    offsets from the chunk `[lo, hi)`, from `lo + first` to `hi - 1 + last`; None: any row), which the
    runtime brings up to date when the variant calls back before the loop, and its reductions, which
    the runtime combines across devices when the variant calls back after it."""

    written: tuple[str, ...]
    reads: tuple[tuple[str, tuple[int, int] | None], ...]
    reductions: tuple[tuple[Reduction, ScalarType], ...]
    span: Span


@dataclass(frozen=True)
class OmpTarget:
    """`target teams distribute parallel for` with its clauses, as data for the template."""

    collapse: int
    maps: tuple[MapClause, ...]
    reductions: tuple[Reduction, ...]
    thread_limit: int | Expr
    teams_from_trip_count: bool
    device_ptrs: tuple[str, ...] = ()
    """Arrays passed as device pointers (`is_device_ptr`) instead of mapped."""
    num_teams: Expr | None = None
    schedule: str | None = None
    device: int | None = None
    two_level: bool = False
    """`target teams distribute` alone (`passes.two_level`): each iteration runs on a team's initial
    thread, and the `ParallelLoop`s with `OmpParallelFor` in the body spread over the team's threads;
    the trip count then gives one team per iteration."""
    copied: tuple[str, ...] = ()
    """Scalars of host code run on the device (`Loop.copied`), mapped `tofrom` and shared."""
    nowait: bool = False
    """Launched without waiting (`passes.launches`): `nowait depend(inout: <the kernel's order
    variable>)`, so the kernel's regions still run one after another in program order; the host
    waits for them at the next `TaskWait`."""
    bare: bool = False
    """The bare form (`passes.bare`): `target teams ompx_bare`, no OpenMP loop; each of the
    `thread_limit` threads of the teams from the trip count runs the iterations of the collapsed
    levels numbered from its global thread number in steps of all the threads (one each where the
    teams cover the trip count), the levels' variables recovered from that number."""
    max_threads: int | None = None
    """The most threads `thread_limit` may give, where it is an expression the passes chose
    (`passes.team_threads`): `ompx_attribute(launch_bounds)`, so the compiler keeps the register budget
    of a constant `thread_limit`."""
    row_trip: Expr | None = None
    """The bare row form (`passes.bare_rows`, with `bare` and `two_level`): the trip count of the loops
    over each iteration's row, evaluated on the host before the launch; it picks a warp per row (at
    most `backend.bare.ROW_WARP_LIMIT`) or a block per row, each row's loops dealt to its lanes."""
    columns: bool = False
    """The bare column form (`passes.bare_columns`, with `bare`): a block of 256 threads takes 32
    consecutive iterations, its 8 warps each a share of the serial reduction loops' iterations
    (`Loop.reductions` says how each combines), the partial results combined in team-shared memory."""


@dataclass(frozen=True)
class OmpParallelFor:
    """`parallel for` on the host (target `cpu`), or across a team's threads inside a `two_level`
    `OmpTarget`; `num_threads` comes from `prange(thread_limit=...)`."""

    collapse: int
    reductions: tuple[Reduction, ...]
    num_threads: Expr | None = None
    schedule: str | None = None
    worksharing: bool = False
    """`for` alone: the iterations shared among the threads of an enclosing `parallel` region (a
    `TeamLoop`'s steps), with the construct's barrier at its end."""


@dataclass(frozen=True)
class Var:
    """A C local declaration."""

    name: str
    type: ScalarType


@dataclass(frozen=True)
class ParallelLoop:
    """A top-level parallel loop nest, or one in the body of a `two_level` `OmpTarget` loop (with
    `OmpParallelFor`, no temporaries); `directive` is None for the `serial` target."""

    levels: tuple[LoopLevel, ...]
    body: tuple["Stmt", ...]
    locals: tuple[Var, ...]
    directive: OmpTarget | OmpParallelFor | None
    span: Span
    temporaries: tuple[Temporary, ...] = ()
    """Arrays of run-time size made in the body: one buffer each, allocated before the loop and freed
    after it, holding one slice per iteration of `levels` (numbered row-major from 0)."""
    flat: bool = False
    """The levels run as one loop over the element number `i * n1 + j` (`passes.flat_nests`): the
    body reads the levels' variables only as the elements `x[i, j]` of arrays whose inner extents
    are the inner levels' stops, each then the element of that number in its storage."""


@dataclass(frozen=True)
class TargetData:
    """`target data` around several offloaded loops, so arrays stay on the device between them."""

    maps: tuple[MapClause, ...]
    body: tuple["Stmt", ...]
    span: Span
    device: int | None = None


@dataclass(frozen=True)
class Interval:
    """The half-open index range `[lo, hi)`; both bounds are loop-invariant integer expressions."""

    lo: Expr
    hi: Expr


@dataclass(frozen=True)
class UpdateFrom:
    """`target update from` of one written box of a partly written `Out` array, after the loops.

    The array is mapped `alloc` around the kernel, so only this copies device values back: the
    elements the kernel does not write keep the caller's values. `box` holds `rank` intervals, then
    guards (`passes.access`): nothing is copied unless each guard is non-empty. The C calls the
    prelude's `py2omp_copy_back`, which clamps each interval to the extents and copies the box in one
    transfer where its rows lie close together (else one per row).
    """

    array: str
    box: tuple[Interval, ...]
    span: Span


@dataclass(frozen=True)
class TaskWait:
    """`taskwait`: the host waits for the target regions launched `nowait` so far (`passes.launches`),
    where it next needs what they compute (a reduction's value, a buffer to free, a copy-back, the
    end of the data region or of the call)."""

    span: Span


@dataclass(frozen=True)
class LibraryCall:
    """A matrix product that a vendor BLAS computes when one is loaded at run time (`passes/blas.py`),
    in row-major terms: `routine` "gemm" is `C = alpha * op(A) @ op(B) + beta * C` with `op(A)`
    `sizes[0]` x `sizes[2]` and `op(B)` `sizes[2]` x `sizes[1]`; "gemv" is `y = alpha * op(A) @ x +
    beta * y` with `op(A)` `sizes[0]` x `sizes[2]` (`sizes[1]` is 1); "syrkx" is gemm's product computed
    only on the `triangle` ("lower" or "upper", `j <= i` or `j >= i` of `C[i, j]`) of the square C, with
    op(B) the other transpose than op(A) (cuBLAS's `syrkx` takes one op for both); "syr2k" is that
    triangle of `alpha * (op(A) @ op(B) + op(B)^T @ op(A)^T) + beta * C`; "trmm" is `B = alpha * op(T)
    @ B` (always `in_place`), T the `triangle` of the square A (with ones on its diagonal, not read, where
    `unit_diagonal`), B `sizes[0]` x `sizes[1]` (the operands A, B, B). `operands` are the arrays (A, B,
    C or A, x, y), each read from element `offsets[k]` with row stride (matrices) or step (vectors)
    `strides[k]`; `transposed[k]` is `op` of the first two. `when` must hold for the library to
    compute what NumPy does (a BLAS skips `alpha * A @ B` when alpha is 0 and ignores C when beta
    is 0, where NumPy's NaN and infinities still propagate).

    `body` is the statement's own loop nest (trmm with its scaling folded into alpha: the loops, then
    the scaling's), run when no library is loaded (or `PY2OMP_BLAS=0`), so every pass treats it as
    the statements it stands for; `orelse` records the failure when the library
    reports an error. `maps` (set by `parallelize`) map the operands around the call where no `target
    data` region holds them; `device_ptrs` (the device-pointer variant) says the operands are device
    pointers already."""

    library: str
    routine: str
    dtype: ScalarType
    operands: tuple[ArrayArg, ...]
    offsets: tuple[Expr, ...]
    strides: tuple[Expr, ...]
    transposed: tuple[bool, bool]
    sizes: tuple[Expr, Expr, Expr]
    alpha: Expr
    beta: Expr
    when: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span
    maps: tuple[MapClause, ...] = ()
    device_ptrs: bool = False
    triangle: str | None = None
    unit_diagonal: bool = False
    in_place: bool = False
    """The target is an operand too (a gemm's A, doitgen's `A[r, q, :] = A[r, q, :] @ C4`, beta 0; every
    trmm's B): the product goes to a buffer on the device first, then over the target (the wrapper
    waits for the library before its copy, so the call joins no run); the gemm's loops need a
    temporary for the same reason."""
    checks_hold: bool = False
    """`when` implies that every run-time check of `body` passes (`passes.blas_loops` puts the
    bounds and lengths the loops check into it): checks inside the loops then keep the call."""
    queued: bool = False
    """The product is left running on the library's stream when the call returns (`passes.library_runs`):
    the next statement is a library call too, which the handle runs after it. Otherwise the host waits
    for the library right after the call (the in-place wrapper waits itself, before its copy)."""
    after_queued: bool = False
    """The call before is `queued`: its product may still be running, so the loops that replace this
    call wait for it first, and the wait after this call, the last of the run, is made whatever
    this call's status."""

    @property
    def symbol(self) -> str:
        """The BLAS name of the routine for the dtype (`dgemm`, `sgemv`)."""
        return ("d" if self.dtype.bits == 64 else "s") + self.routine


@dataclass(frozen=True)
class TeamLoop:
    """A host loop whose steps only launch small target regions, run as one region instead
    (`passes.team_loops`): where every region's trip count is at most `limit` at the call, all of
    `loop` runs inside one `target parallel` region (one team on a GPU), each former region a
    worksharing `for` whose barrier orders the steps; elsewhere `fallback`, the launches as they
    were. `maps`/`device_ptrs` are the regions' own; `threads` the team's size (None: the runtime's);
    `nowait`: the kernel's regions are launched `nowait` (`passes.launches`), so the team's region is
    too, after the same order variable: it must not start before the regions launched before it."""

    loop: Loop
    fallback: Loop
    maps: tuple[MapClause, ...]
    device_ptrs: tuple[str, ...]
    threads: int | None
    limit: int
    device: int | None
    span: Span
    nowait: bool = False


Stmt = Union[Assign, ArrayAssign, Scatter, AtomicUpdate, CallStatement, LocalArray, Temporary, If, Loop, While, Break, Continue,
             Return, ParallelLoop, TargetData, UpdateFrom, TaskWait, LibraryCall, TeamLoop]
