"""The view model: what the templates see, already in C terms.

Every name, type and expression here is final C text, and every OpenMP clause is plain data, so
the templates only lay things out: they decide line breaks, indentation and punctuation, never
meaning. Statement views carry a `kind` (a class attribute) that the statement macro dispatches
on, and a `loc` for the `#line` directive in front of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Union

from translator.backend.helpers import HelperView
from translator.errors import Span


@dataclass(frozen=True)
class Loc:
    """A Python line for `#line`; `file` is already a C string literal (quoted, escaped)."""

    line: int
    file: str


@dataclass(frozen=True)
class Decl:
    """`<ctype> <name>;`: a local declared without an initializer. `loc` is the Python line that
    first assigns it, so that every line of a kernel body maps back to related Python."""

    ctype: str
    name: str
    loc: Loc


@dataclass(frozen=True)
class ParamView:
    """One C parameter; an array also brings its extent parameters (`x_n0`, ...)."""

    name: str
    ctype: str
    is_array: bool
    const: bool
    extents: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """An array section `name[start:length]` for a map clause: the whole array (`start` "0"), or
    the rows the kernel reaches (`ir.MapClause.section`), clamped to the extent in the C."""

    array: str
    length: str
    start: str = "0"


@dataclass(frozen=True)
class MapGroup:
    """`map(<map_type>: <sections>)`."""

    map_type: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class ReductionGroup:
    """`reduction(<op>: <vars>)`."""

    op: str
    vars: tuple[str, ...]


@dataclass(frozen=True)
class DirectiveView:
    """A loop directive: `kind` is `target` (teams distribute parallel for), `teams` (teams
    distribute, the body's loops parallel), `bare` (teams `ompx_bare`, `BareView`), `parallel_for`,
    or `for` (inside a team's region).

    Clause values are C text, None where the clause is absent: `num_teams` (computed from the
    iteration count unless the user gave one), `thread_limit`, `num_threads` (cpu), `schedule`
    (`dynamic, 4`), `device`; `reduction_maps` are the reduction variables a target region must
    map back; `order` (None: a synchronous launch) the variable of `nowait depend(inout: order)`.
    """

    kind: str
    collapse: int
    device: str | None
    num_teams: str | None
    thread_limit: str | None
    num_threads: str | None
    schedule: str | None
    maps: tuple[MapGroup, ...]
    reduction_maps: tuple[str, ...]
    reductions: tuple[ReductionGroup, ...]
    device_ptrs: tuple[str, ...] = ()
    order: str | None = None
    max_threads: int | None = None
    """`ompx_attribute(__attribute__((launch_bounds(max_threads))))` (`OmpTarget.max_threads`)."""


@dataclass(frozen=True)
class LoopHeader:
    """`for (int64_t var = start[, stop_var = stop_init]; var cmp bound; var step_op step)`; `step` is
    C text only in a copy-back loop (`UpdateView`), whose step depends on the box."""

    var: str
    start: str
    stop_var: str | None
    stop_init: str | None
    cmp: str
    bound: str
    step_op: str
    step: int | str


@dataclass(frozen=True)
class AssignView:
    kind: ClassVar[str] = "assign"
    loc: Loc
    target: str
    value: str


@dataclass(frozen=True)
class ReturnView:
    kind: ClassVar[str] = "return"
    loc: Loc
    value: str | None


@dataclass(frozen=True)
class JumpView:
    """`break;` or `continue;`; `keyword` is the C keyword."""

    kind: ClassVar[str] = "jump"
    loc: Loc
    keyword: str


@dataclass(frozen=True)
class Branch:
    """One `if`/`else if` arm."""

    loc: Loc
    cond: str
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class IfView:
    """An `if` with its `else if` chain (an `else` holding a single `if` flattened) and `else`."""

    kind: ClassVar[str] = "if"
    loc: Loc
    branches: tuple[Branch, ...]
    orelse: tuple[StmtView, ...]


@dataclass(frozen=True)
class ForView:
    kind: ClassVar[str] = "for"
    loc: Loc
    header: LoopHeader
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class WhileView:
    kind: ClassVar[str] = "while"
    loc: Loc
    cond: str
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class TemporaryView:
    """A temporary of a parallel loop nest (`ir.Temporary`). Before the loop: `int64_t <n> = <value>;`
    per pair of `extents`, then `<ctype> *<buffer> = <alloc>;`; at the top of each iteration
    `<ctype> *restrict <name> = <buffer> + <offset>;` (its slice); after the loop `<free>;`."""

    loc: Loc
    ctype: str
    name: str
    buffer: str
    extents: tuple[tuple[str, str], ...]
    alloc: str
    offset: str
    free: str


@dataclass(frozen=True)
class ParallelView:
    """A parallel loop nest: directive (None on `serial`), one header and one `#line` location
    per collapsed level, and the temporaries allocated around it."""

    kind: ClassVar[str] = "parallel"
    loc: Loc
    directive: DirectiveView | None
    levels: tuple[LoopHeader, ...]
    level_locs: tuple[Loc, ...]
    locals: tuple[Decl, ...]
    body: tuple[StmtView, ...]
    temporaries: tuple[TemporaryView, ...] = ()


@dataclass(frozen=True)
class BareView:
    """A nest launched in the bare form (`ir.OmpTarget.bare`), in a block of its own: the host
    locals `counts` (name, C value; the last is the trip count), the directive, then one loop over
    the flat iteration number `flat` from the thread's `first` in steps of `stride` (C expressions:
    the helpers of the elementwise or the column form, `backend.bare`), whose body declares each
    level's variable (`indices`: name, C value) and the locals before the statements."""

    kind: ClassVar[str] = "bare"
    loc: Loc
    directive: DirectiveView
    counts: tuple[tuple[str, str], ...]
    flat: str
    first: str
    stride: str
    level_loc: Loc
    indices: tuple[tuple[str, str], ...]
    locals: tuple[Decl, ...]
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class RowKernelView:
    """One of a `BareRowsView`'s two kernels: its directive, its rows from the thread's `first` in
    steps of `stride`, and the `lanes` that share a row (32: a warp; 256: the block)."""

    directive: DirectiveView
    first: str
    stride: str
    lanes: int


@dataclass(frozen=True)
class BareRowsView:
    """A loop over rows in the bare form (`ir.OmpTarget.row_trip`), in a block of its own: the host
    locals `counts` (as `BareView`'s), `row` (name, C value: the rows' trip count), then the warp
    kernel where `row` is at most `limit`, else the block kernel (`kernels`), each a loop over the
    flat row number `flat` declaring `lanes_name`, the levels' variables (`indices`) and the locals
    before the body, whose loops over the row are `LaneLoopView`s."""

    kind: ClassVar[str] = "bare_rows"
    loc: Loc
    counts: tuple[tuple[str, str], ...]
    row: tuple[str, str]
    limit: int
    kernels: tuple[RowKernelView, RowKernelView]
    flat: str
    lanes_name: str
    level_loc: Loc
    indices: tuple[tuple[str, str], ...]
    locals: tuple[Decl, ...]
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class LaneLoopView:
    """A loop over the row in a bare row kernel: `wait` (the lanes' barrier before a loop that writes,
    `backend.bare.RowScope`), `before` (name, C value: each reduction's start in
    its lane), the loop over the lane's elements (`header`, `locals`, `body`), `after` (each
    reduction combined over the row's lanes), then `sync` (the row's lanes waiting for each other
    after a loop that writes, None after a reduction, whose combining waits)."""

    kind: ClassVar[str] = "lane_loop"
    loc: Loc
    wait: str | None
    before: tuple[tuple[str, str], ...]
    header: LoopHeader
    locals: tuple[Decl, ...]
    body: tuple[StmtView, ...]
    after: tuple[tuple[str, str], ...]
    sync: str | None


@dataclass(frozen=True)
class TeamLoopView:
    """A host loop in both forms (`ir.TeamLoop`): `loop` inside `target parallel` (with `threads`,
    `maps`, `device_ptrs`, `device`; `order` as `DirectiveView.order`) where `cond` holds, else
    `fallback`, the launches."""

    kind: ClassVar[str] = "team_loop"
    loc: Loc
    cond: str
    device: str | None
    threads: int | None
    maps: tuple[MapGroup, ...]
    device_ptrs: tuple[str, ...]
    loop: StmtView
    fallback: StmtView
    order: str | None = None


@dataclass(frozen=True)
class TargetDataView:
    kind: ClassVar[str] = "target_data"
    loc: Loc
    device: str | None
    maps: tuple[MapGroup, ...]
    body: tuple[StmtView, ...]


@dataclass(frozen=True)
class LibraryCallView:
    """A vendor BLAS call with its fallback: `status` is -1 unless `cond` holds and the `call` ran
    (inside `target data` with `maps` and `use_device_ptr(pointers)` where the operands are host
    pointers); then `status = wait` where `wait` is given (and `wait_guard` holds): the wait for the
    calls queued before; -1 runs `body` (the loops), a positive status `orelse` (records the failure)."""

    kind: ClassVar[str] = "library_call"
    loc: Loc
    status: str
    cond: str
    maps: tuple[MapGroup, ...]
    pointers: tuple[str, ...]
    call: str
    body: tuple[StmtView, ...]
    orelse: tuple[StmtView, ...]
    wait: str | None = None
    wait_guard: str | None = None


@dataclass(frozen=True)
class BlasView:
    """The prelude's loader of the vendor BLAS and its wrappers (`templates/prelude.c.j2`, macro
    `blas`): `routines` the BLAS names used (`dgemm`, `sgemv`); `names`: where to look for the library
    when `PY2OMP_CUBLAS` names none (`runtime_shim.blas.SYSTEM_NAMES` on a GPU, the list `py2omp doctor`
    searches too; none on host-offload, where only that variable can name one: cuBLAS needs a GPU);
    `in_place`: the routines also called with the target among the operands (`dgemm_in_place`)."""

    routines: tuple[str, ...]
    names: tuple[str, ...]
    in_place: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallView:
    """`<call>;`: a device function called as a statement."""

    kind: ClassVar[str] = "call"
    loc: Loc
    call: str


@dataclass(frozen=True)
class LocalArrayView:
    """`<ctype> <name>[<size>];` (flat, row-major), with `= {0}` when `zeroed`."""

    kind: ClassVar[str] = "local_array"
    loc: Loc
    ctype: str
    name: str
    size: int
    zeroed: bool


@dataclass(frozen=True)
class AtomicView:
    """`#pragma omp atomic <clause>` over `update` (`clause` None on `serial`: no atomics needed).

    Where `update` reads its operand twice (the min/max compare form), `value` is first stored in
    the temporary `temp` of type `ctype`, inside a block of its own; else both are None.
    """

    kind: ClassVar[str] = "atomic"
    loc: Loc
    clause: str | None
    ctype: str
    temp: str | None
    value: str | None
    update: str


@dataclass(frozen=True)
class UpdateView:
    """A copy-back box: `if (<guard>)` (None: always) around the call `<call>;` of the prelude's
    `py2omp_copy_back` helper, which copies the box back in few transfers."""

    kind: ClassVar[str] = "update_from"
    loc: Loc
    guard: str | None
    call: str


@dataclass(frozen=True)
class TaskWaitView:
    """`#pragma omp taskwait`: the host waits for the regions launched `nowait`."""

    kind: ClassVar[str] = "taskwait"
    loc: Loc


StmtView = Union[
    CallView, LocalArrayView, AtomicView, AssignView, ReturnView, JumpView, IfView, ForView, WhileView, ParallelView,
    TargetDataView, UpdateView, TaskWaitView, LibraryCallView, TeamLoopView, BareView, BareRowsView, LaneLoopView,
]


@dataclass(frozen=True)
class ArrayDoc:
    """An array parameter as the header documents it: ownership marker and map clause."""

    name: str
    marker: str
    map: MapGroup | None
    """None in a device entry point: the array is a device pointer (`is_device_ptr`)."""
    copied_back: str | None = None
    """For a partly written `Out` array (mapped `alloc`): the Python slices the C copies back."""
    rows: str | None = None
    """For an array mapped by rows (`ir.MapClause.section`): the Python slice of the rows moved."""
    made: str | None = None
    """For an array the kernel makes (a hidden parameter): how the caller allocates it."""


@dataclass(frozen=True)
class StagedBox:
    """A box a partly written `Out` array copies back: its C bounds per dimension and `live`, the C
    condition of its guards ("1" when it has none)."""

    lows: tuple[str, ...]
    highs: tuple[str, ...]
    live: str


@dataclass(frozen=True)
class StagedArray:
    """One array parameter of a staged call (the C's `py2omp_staged`): `start` and `length` in elements
    of the flattened array are what its maps move, in when `copy_in`, back when `copy_out`; a partly
    written `Out` array copies back its `boxes` instead (and nothing in)."""

    name: str
    ctype: str
    extents: tuple[str, ...]
    start: str
    length: str
    copy_in: bool
    copy_out: bool
    boxes: tuple[StagedBox, ...]


@dataclass(frozen=True)
class StagedView:
    """The exported entry point of a `--staging` build: `maps` and `device_entry` are the functions it
    calls, `device` the kernel's device (-1: the default one), `arrays` its array parameters in order."""

    maps: str
    device_entry: str
    device: int
    arrays: tuple[StagedArray, ...]


@dataclass(frozen=True)
class CheckView:
    """One check of a `<kernel>_check` function: `return <message>;` when `fails` (C) holds."""

    loc: Loc
    fails: str
    message: str
    """A C string literal: the header comment's text of the check, naming the exception first."""


@dataclass(frozen=True)
class CheckFunctionView:
    """`const char *<name>(<params>)`, exported beside a kernel whose Python call checks its arguments
    first (`backend.checks`): `checks` in the order Python makes them, the first failing one's message
    returned, else NULL. `ret` and `params` as `KernelView`'s, for the prototype macro."""

    name: str
    ret: str
    params: tuple[ParamView, ...]
    loc: Loc
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class KernelView:
    """One C function; `signature` and `where` are the Python signature and `path:line`."""

    name: str
    ret: str
    params: tuple[ParamView, ...]
    signature: str
    where: str
    loc: Loc
    locals: tuple[Decl, ...]
    body: tuple[StmtView, ...]
    arrays: tuple[ArrayDoc, ...]
    preconditions: tuple[str, ...] = ()
    """What the caller must check before the call (docs/embedding.md), for the header."""
    input_checks: tuple[str, ...] = ()
    """The checks of the inputs Python makes before the call (`ir.InputCheck`), for the header."""
    length_checks: tuple[str, ...] = ()
    """The lengths array statements combine, which Python checks before the call (`ir.LengthCheck`
    without an array, but a reshape's), for the header."""
    check: CheckFunctionView | None = None
    """The function that makes the checks Python makes before the call (None: there are none)."""
    staged: StagedView | None = None
    """Built with `--staging`: the exported entry point around this body (then `static`, named
    `staged.maps`) and the device entry point (`backend.staged`)."""


@dataclass(frozen=True)
class DataHelperView:
    """`void <name>(void *host, int64_t bytes)` running `#pragma omp <directive>` on `char *p = host`."""

    name: str
    directive: str


@dataclass(frozen=True)
class ModuleView:
    """The whole C file and header. `complex` includes `<complex.h>`; `offload` wraps the helpers
    and the device functions (`functions`: static, callees first, not in the header) in
    `declare target`."""

    version: str
    source: str
    sha256: str
    target: str
    c_file: str
    guard: str
    offload: bool
    complex: bool
    helpers: tuple[HelperView, ...]
    functions: tuple[KernelView, ...]
    kernels: tuple[KernelView, ...]
    data_helpers: tuple[DataHelperView, ...] = ()
    copy_back: str | None = None
    """The name of the host helper that copies back written boxes (None: no kernel has one); it
    needs `<omp.h>`, `<stdlib.h>` and `<string.h>`."""
    staging: str | None = None
    """Built with `--staging`: the name of the copy-back helper, whose `_run` function the staging
    helpers (`templates/staging.c.j2`) share; they need `<omp.h>`, `<stdio.h>`, `<stdlib.h>` and
    `<string.h>`."""
    chunk_sync: str | None = None
    """The typedef of the chunked variants' call back (None: no kernel has such a variant)."""
    blas: BlasView | None = None
    """The vendor BLAS loader and wrappers (None: no kernel calls it); they need `<dlfcn.h>`,
    `<limits.h>`, `<stdlib.h>` and `<string.h>`."""
    temporaries: tuple[str, str] | None = None
    """The names of the host helpers that allocate and free temporaries' buffers (None: no kernel has
    temporaries); they need `<stdio.h>`, `<stdlib.h>` and, on offload targets, `<omp.h>`."""
    pool: tuple[str, str] | None = None
    """The exported release and statistics functions of the cache of freed device blocks
    (`templates/pool.c.j2`; None: nothing allocates through it); it needs `<omp.h>` and `<stdlib.h>`."""
    bare: bool = False
    """Some nest is launched bare: the host fallback of its helpers (`bare_first`) needs `<omp.h>`."""


def c_string(text: str) -> str:
    """`text` as a C string literal (for `#line` file names)."""
    escaped = "".join(
        "\\" + ch if ch in '"\\' else ch if ch.isprintable() else f"\\{ord(ch):03o}" for ch in text
    )
    return f'"{escaped}"'


def loc_of(span: Span) -> Loc:
    """The `#line` location of `span`."""
    return Loc(span.line, c_string(span.path))
