"""Typed IR module -> view model: C names, C expressions and clause data for the templates.

This is where the backend decides everything the C text depends on: names (`names.py`),
expressions (`c_expr.py`), which loop bounds must be evaluated once, how map and reduction
clauses are grouped and which helpers the prelude needs. The templates then only lay it out.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterator

from runtime_shim import pool
from translator.backend.bare import ELEMENT, ELEMENT_C, TRIP, element_level, uses_bare
from translator.backend.bare_lower import BareLowering
from translator.backend.blas import BLAS_STATUS, blas_arguments, blas_view, call_and_wait
from translator.backend.checks import LENGTH_ERRORS, check_function, length_checks, never_negative, refuse_clashes
from translator.backend.c_expr import ExprEmitter, Frag, atom, const, infix, operand
from translator.backend.helpers import HelperSet
from translator.backend.names import (
    NameTable, buffer_name, chunk_symbol, device_symbol, extent_name, kernel_names, kernel_symbols, stop_name,
)
from translator.backend.staged import box_bounds, staged_view
from translator.backend.view import (
    ArrayDoc, AssignView, AtomicView, CallView, Branch, DataHelperView, Decl, DirectiveView, ForView,
    IfView, JumpView, KernelView, LibraryCallView, LocalArrayView, LoopHeader, MapGroup, ModuleView, ParallelView,
    ParamView, ReductionGroup, ReturnView, Section, StmtView, TargetDataView, TaskWaitView, TeamLoopView, TemporaryView,
    UpdateView, WhileView, c_string, loc_of as _loc,
)
from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import I64, ArrayType, Ownership, ScalarType
from translator.ir.pytext import python_text
from translator.ir.visit import Visitor, local_arrays, rewrite, temporaries, walk, walk_all
from translator.passes.indices import lower_bound
from translator.passes.launches import launches_nowait
from translator.passes.split_devices import CHUNK_SYNC
from translator.passes.ownership import box_text
from translator.version import __version__

ATOMIC_VALUE = "py2omp_value"
"""The temporary that holds an atomic min/max operand (the `py2omp_` prefix is never a user's)."""

_MAP_ORDER = ("to", "tofrom", "from", "alloc")
"""Map clauses in the order data moves: inputs, both ways, outputs, device-only scratch."""


ORDER = "py2omp_order"
"""The local whose address orders a kernel's `nowait` target regions (`depend(inout: py2omp_order)`,
`passes.launches`): one per call, so concurrent calls never wait for each other."""

COPY_BACK = "py2omp_copy_back"
"""The prelude's host function that copies a written box of a partly written `Out` array back
(`templates/prelude.c.j2`, macro `copy_back`): outside `declare target`, since it runs on the host."""

TEMPORARY_HELPERS = ("py2omp_temporary_alloc", "py2omp_temporary_free")
"""The prelude's host functions that allocate a temporary's buffer before its loop (device memory on
offload targets, host memory otherwise) and free it after (`templates/prelude.c.j2`, macro `temporaries`)."""

POOL_EXPORTS = (pool.RELEASE, pool.STATS)
"""The exported functions of the cache of freed device blocks (`templates/pool.c.j2`), which offload
libraries with temporaries or in-place BLAS products allocate through (runtime_shim/pool.py calls
them). Staging (`--staging`) does not: the header, which declares them, is the same with and without it."""

CHUNK_SYNC_TYPE = "py2omp_chunk_sync_fn"
"""The C type of a chunked variant's call back: `void (*)(int64_t phase, int64_t lo, int64_t hi, void **reduced,
int64_t after)`."""

DATA_HELPERS = (
    DataHelperView("py2omp_enter_to", "target enter data map(to: p[0:bytes])"),
    DataHelperView("py2omp_enter_alloc", "target enter data map(alloc: p[0:bytes])"),
    DataHelperView("py2omp_exit_from", "target exit data map(from: p[0:bytes])"),
    DataHelperView("py2omp_exit_release", "target exit data map(release: p[0:bytes])"),
    DataHelperView("py2omp_update_to", "target update to(p[0:bytes])"),
    DataHelperView("py2omp_update_from", "target update from(p[0:bytes])"),
)
"""Exported by offload libraries so the runtime can map host memory outside kernels (`data_region`,
`update`): OpenMP offers directives, not functions, for that; each maps `bytes` bytes at `host`."""


def comment_safe(text: str) -> str:
    """`text` made safe inside a `/* */` comment (a path could contain `*/`)."""
    return text.replace("*/", "* /")


def array_ownership(param: ir.Param) -> Ownership:
    """An array parameter's ownership; typing and the frontend guarantee there is one."""
    if param.ownership is None:
        raise ValueError(f"{param.span}: internal error: array parameter {param.name!r} has no ownership")
    return param.ownership


def python_signature(kernel: ir.Kernel) -> str:
    """`saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]])`, for comments."""
    params = ", ".join(
        f"{p.name}: {array_ownership(p).marker}[{p.type}]" if p.is_array else f"{p.name}: {p.type}"
        for p in kernel.params
    )
    return f"{kernel.name}({params})"


def build_view(module: ir.Module, staging: bool = False) -> ModuleView:
    """The view of a whole module; helpers are known only once every kernel is lowered. `staging`
    (offload targets): each exported kernel with arrays stages them (`backend.staged`)."""
    helpers = HelperSet()
    symbols = kernel_symbols(module)
    openmp = module.target is not None and module.target.openmp
    offload = module.target is not None and module.target.offloads
    functions = tuple(_KernelLowering(f, helpers, openmp).kernel(f.name) for f in module.device_functions)
    kernels = tuple(
        _KernelLowering(variant, helpers, openmp).kernel(symbol, device, staging and variant is k and offload
                                                          and any(p.is_array for p in k.params), checked=not device)
        for k in module.kernels
        for variant, symbol, device in ((k, symbols[k.name], False),
                                        (k.device_variant, device_symbol(symbols[k.name]), True),
                                        (k.chunk_variant, chunk_symbol(symbols[k.name]), True))
        if variant is not None
    )
    refuse_clashes(module, symbols, {v.name for v in kernels if v.check})
    guard = "".join(ch if ch.isalnum() else "_" for ch in module.name.upper())
    temporaries = any(isinstance(n, ir.Temporary) for k in module.kernels for n in walk_all(k.body))
    blas = blas_view(module)
    pooled = offload and (temporaries or (blas is not None and bool(blas.in_place)))
    return ModuleView(
        version=__version__,
        source=comment_safe(module.path),
        sha256=module.source_sha256[:16],
        target=comment_safe(str(module.target or "none")),
        c_file=c_string(f"{module.name}.c"),
        guard=f"PY2OMP_{guard}_H",
        offload=offload,
        data_helpers=DATA_HELPERS if offload else (),
        copy_back=COPY_BACK if any(isinstance(n, ir.UpdateFrom) for k in module.kernels
                                   for n in walk_all(k.body)) else None,
        staging=COPY_BACK if staging and offload else None,
        chunk_sync=CHUNK_SYNC_TYPE if any(k.chunk_variant is not None for k in module.kernels) else None,
        blas=blas,
        temporaries=TEMPORARY_HELPERS if temporaries else None,
        pool=POOL_EXPORTS if pooled else None,
        bare=uses_bare(module.kernels),
        complex=_uses_complex(module),
        helpers=tuple(helpers.views()),
        functions=functions,
        kernels=kernels,
    )


def _stop_hoisted(stop: ir.Expr, body: tuple[ir.Stmt, ...], levels: tuple[str, ...] = ()) -> bool:
    """Whether the loop bound reads a name the body (or an inner level) assigns.

    Python evaluates `range(stop)` once; C re-evaluates `i < stop` every iteration, so such a
    bound is copied into `<i>_stop` first.
    """
    read = {n.id for n in walk(stop) if isinstance(n, ir.Name)}
    return not read.isdisjoint(_assigned(body)) or not read.isdisjoint(levels)


def _assigned(body: tuple[ir.Stmt, ...]) -> Iterator[str]:
    for node in walk_all(body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name):
            yield node.target.id
        elif isinstance(node, (ir.Loop, ir.LoopLevel)):
            yield node.var


def _hoisted_levels(loop: ir.ParallelLoop) -> list[bool]:
    """Per level, whether to hoist; never under a directive, whose bounds OpenMP evaluates once
    and whose canonical loop form allows no second declarator."""
    vars_ = tuple(level.var for level in loop.levels)
    return [loop.directive is None and _stop_hoisted(lv.stop, loop.body, vars_) for lv in loop.levels]


def _hoisted_vars(kernel: ir.Kernel) -> Iterator[str]:
    """Python names of loop variables whose bound is hoisted somewhere in the kernel."""
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Loop) and _stop_hoisted(node.stop, node.body):
            yield node.var
        elif isinstance(node, ir.ParallelLoop):
            yield from (lv.var for lv, h in zip(node.levels, _hoisted_levels(node), strict=True) if h)


class _KernelLowering(BareLowering, Visitor[[], StmtView]):
    """Lowers one kernel, a `visit_<Class>` per statement; shares the module's `HelperSet` so the
    prelude covers every kernel. A `Temporary` never reaches it: `parallelize` moves each onto its loop."""

    def __init__(self, kernel: ir.Kernel, helpers: HelperSet, openmp: bool) -> None:
        self.k = kernel
        self.openmp = openmp
        self.names: NameTable = kernel_names(kernel, _hoisted_vars(kernel))
        self.names.generated(ELEMENT, ELEMENT_C)
        shapes = {n: a.shape for n, a in local_arrays(kernel.body).items()}
        self.made = temporaries(kernel.body)
        ranks = {p.name: p.type.rank for p in kernel.params if isinstance(p.type, ArrayType)}
        ranks.update((n, t.type.rank) for n, t in self.made.items())
        self.expr = ExprEmitter(self.names, helpers, shapes, ranks)
        self.helpers = helpers
        self.param_order = {p.name: i for i, p in enumerate(kernel.params)}
        self.first_assigned = _first_assignments(kernel)

    def kernel(self, symbol: str, device: bool = False, staged: bool = False, checked: bool = False) -> KernelView:
        """The C function; `device`: the entry point whose arrays are device pointers; `staged`: exported
        around its maps and its device entry point (`backend.staged`); `checked`: an exported entry point
        taking host arrays, which gets a function making Python's checks (`backend.checks`)."""
        k = self.k
        params = tuple(self._param(p) for p in k.params) + self._call_back()
        preconditions = tuple(self._precondition(c) for c in k.length_checks if c.array is not None)
        input_checks = tuple(f"{c.error} when {self._c_text(c.fails)} (line {c.span.line})" for c in k.input_checks)
        lengths = tuple(self._length_check(c) for c in length_checks(k))
        return KernelView(
            name=symbol,
            ret=k.return_type.c_name if k.return_type else "void",
            params=params,
            signature=python_signature(k),
            where=f"{comment_safe(k.span.path)}:{k.span.line}",
            loc=_loc(k.span),
            locals=self._decls(k.locals, k.span) + self._order(),
            body=self._block(k.body),
            arrays=tuple(self._array_doc(p, device) for p in k.params if p.is_array),
            preconditions=preconditions,
            input_checks=input_checks,
            length_checks=lengths,
            check=None if not checked else check_function(k, symbol, params, self.expr,
                                                          (input_checks, lengths, preconditions), _loc, c_string),
            staged=staged_view(k, symbol, self.expr, self._section) if staged else None,
        )

    def _call_back(self) -> tuple[ParamView, ...]:
        """A chunked variant's last parameter: the runtime's function it calls after each split loop."""
        return (ParamView(CHUNK_SYNC, CHUNK_SYNC_TYPE, False, False, ()),) if self.k.chunk_phases else ()

    def _order(self) -> tuple[Decl, ...]:
        """`char py2omp_order;` where some target region is launched `nowait` (its address is all that counts)."""
        return (Decl("char", ORDER, _loc(self.k.span)),) if launches_nowait(self.k.body) else ()

    def _precondition(self, check: ir.LengthCheck) -> str:
        """`y_n0 >= x_n0 when x_n0 > 0 (y, line 12)`: the length an access needs, in C names."""
        text = f"{self._c_text(check.left)} >= {self._c_text(check.right)}"
        if check.when:
            text += " when " + " and ".join(f"{self._c_text(w)} > 0" for w in check.when)
        return f"{text} ({check.array}, line {check.span.line})"

    def _length_check(self, check: ir.LengthCheck) -> str:
        """`ValueError when a_n0 != b_n0 (line 5)`: two lengths an array statement combines (a
        length below zero, a slice past the end, counts as zero: `max(n - 1, 0)`)."""
        left, right = (self._c_text(e) if never_negative(e) else f"max({self._c_text(e)}, 0)"
                       for e in (check.left, check.right))
        return f"{LENGTH_ERRORS[check.kind]} when {left} != {right} (line {check.span.line})"

    def _c_text(self, expr: ir.Expr) -> str:
        """An expression of the arguments, in the C parameters' names (`a_n0`, `n`)."""
        def c_names(node: object) -> object:
            if isinstance(node, ir.Extent):
                return ir.Name(extent_name(self.names[node.array], node.dim), node.span)
            return ir.Name(self.names[node.id], node.span) if isinstance(node, ir.Name) else node
        return python_text(rewrite(expr, c_names))

    def _array_doc(self, p: ir.Param, device: bool) -> ArrayDoc:
        """The map clause an array parameter gets from its ownership (None: a device pointer), for the
        header; a partly written `Out` array is mapped `alloc` and its written boxes copied back."""
        ownership = array_ownership(p)
        section = self._section(p.name)
        if p.allocation is not None:
            mapped = None if device else MapGroup(ownership.map_type, (section,))
            return ArrayDoc(section.array, ownership.marker, mapped, made=self._made(p, p.allocation))
        if device:
            return ArrayDoc(section.array, ownership.marker, None)
        movement = next((m for m in self.k.movement if m.array == p.name), None)
        copied = any(isinstance(n, ir.UpdateFrom) and n.array == p.name for n in walk_all(self.k.body))
        if movement is not None and movement.section is not None:
            rows = f"{p.name}[{python_text(movement.section.lo)}:{python_text(movement.section.hi)}]"
            return ArrayDoc(section.array, ownership.marker, MapGroup(ownership.map_type, (section,)), rows=rows)
        if not copied or movement is None or movement.written is None:
            return ArrayDoc(section.array, ownership.marker, MapGroup(ownership.map_type, (section,)))
        slices = " and ".join(box_text(p.name, box, self._rank(p.name)) for box in movement.written)
        return ArrayDoc(section.array, ownership.marker, MapGroup("alloc", (section,)), slices)

    def _made(self, p: ir.Param, made: ir.Allocation) -> str:
        """`made by the kernel (line 7), allocated by the caller: y_n0 = a_n0; returned`: the
        shape of a hidden array in terms of the other C parameters."""
        dims = ", ".join(f"{extent_name(self.names[p.name], d)} = {self._c_text(e)}" for d, e in enumerate(made.shape))
        if p.name == ir.STATUS:
            checks = ", ".join(f"{k} = {self._line(f.span)} {f.error}" for k, f in enumerate(self.k.failures, 1))
            return (f"status of the kernel's run-time checks, one element: zero it before the call; a nonzero "
                    f"value v after it means check {ir.FAILED} - v failed, where Python raises ({checks})")
        role = "returned" if p.ownership is Ownership.OUT else "a temporary, not returned"
        return f"made by the kernel (Python line {made.span.line}), allocated by the caller: {dims}; {role}"

    def _line(self, span: Span) -> str:
        """`line 12` in the kernel's file, `helpers.py:12` in a device function's of another."""
        return f"line {span.line}" if span.path == self.k.span.path else f"{comment_safe(span.path)}:{span.line}"

    def _param(self, p: ir.Param) -> ParamView:
        name = self.names[p.name]
        t = ir.known_type(p.type)
        if isinstance(t, ArrayType):
            extents = tuple(extent_name(name, d) for d in range(t.rank))
            return ParamView(name, t.dtype.c_name, True, p.ownership is Ownership.IN, extents)
        return ParamView(name, t.c_name, False, False, ())

    def _decls(self, variables: tuple[ir.Var, ...], scope: Span) -> tuple[Decl, ...]:
        """Declarations located at each variable's first assignment (else at `scope`'s line)."""
        return tuple(
            Decl(v.type.c_name, self.names[v.name], _loc(self.first_assigned.get(v.name, scope)))
            for v in variables
        )

    def _block(self, body: tuple[ir.Stmt, ...]) -> tuple[StmtView, ...]:
        return tuple(self.visit(s) for s in body)

    def visit_Assign(self, s: ir.Assign) -> StmtView:
        return AssignView(_loc(s.span), self.expr(s.target), self.expr(s.value))

    def visit_CallStatement(self, s: ir.CallStatement) -> StmtView:
        if s.call.func == CHUNK_SYNC:
            return CallView(_loc(s.span), self._chunk_sync(s.call))
        return CallView(_loc(s.span), self.expr(s.call))

    def _chunk_sync(self, call: ir.CallFunction) -> str:
        """`py2omp_chunk_sync(phase, lo, hi, (void *[]){&s}, 1)`: the reductions go by address, so that
        the runtime writes their combined values back."""
        phase, lo, hi, after, *reduced = (self.expr(a) for a in call.args)
        pointers = "(void *[]){" + ", ".join(f"&{r}" for r in reduced) + "}" if reduced else "(void **)0"
        return f"{CHUNK_SYNC}({phase}, {lo}, {hi}, {pointers}, {after})"

    def visit_LocalArray(self, s: ir.LocalArray) -> StmtView:
        return LocalArrayView(_loc(s.span), ir.known_array(s.type).dtype.c_name, self.names[s.name], math.prod(s.shape),
                              s.zeroed)

    def visit_AtomicUpdate(self, s: ir.AtomicUpdate) -> StmtView:
        """`x += v` under `atomic update`; min/max under `atomic compare` (OpenMP 5.1) as
        `x = v < x ? v : x`, which keeps Python's `min(x, v)` (x wins ties and NaNs)."""
        target, t = self.expr(s.target), s.target.type
        assert t is not None
        if s.op in ("+", "-"):
            update = f"{target} {s.op}= {self.expr(s.value)}"
            return AtomicView(_loc(s.span), "update" if self.openmp else None, t.c_name, None, None, update)
        order = "<" if s.op == "min" else ">"
        update = f"{target} = {ATOMIC_VALUE} {order} {target} ? {ATOMIC_VALUE} : {target}"
        return AtomicView(_loc(s.span), "compare" if self.openmp else None, t.c_name, ATOMIC_VALUE,
                          self.expr(s.value), update)

    def visit_If(self, s: ir.If) -> StmtView:
        branches = [Branch(_loc(s.span), self.expr(s.cond), self._block(s.body))]
        orelse = s.orelse
        while len(orelse) == 1 and isinstance(orelse[0], ir.If):
            elif_ = orelse[0]
            branches.append(Branch(_loc(elif_.span), self.expr(elif_.cond), self._block(elif_.body)))
            orelse = elif_.orelse
        return IfView(_loc(s.span), tuple(branches), self._block(orelse))

    def visit_Loop(self, s: ir.Loop) -> StmtView:
        hoist = _stop_hoisted(s.stop, s.body)
        header = self._header(s.var, s.start, s.stop, s.step, hoist)
        return ForView(_loc(s.span), header, self._block(s.body))

    def visit_While(self, s: ir.While) -> StmtView:
        return WhileView(_loc(s.span), self.expr(s.cond), self._block(s.body))

    def visit_Break(self, s: ir.Break) -> StmtView:
        return JumpView(_loc(s.span), "break")

    def visit_Continue(self, s: ir.Continue) -> StmtView:
        return JumpView(_loc(s.span), "continue")

    def visit_Return(self, s: ir.Return) -> StmtView:
        return ReturnView(_loc(s.span), None if s.value is None else self.expr(s.value))

    def visit_ParallelLoop(self, s: ir.ParallelLoop) -> StmtView:
        if s.flat:
            return self._flat(s)
        if isinstance(s.directive, ir.OmpTarget) and s.directive.bare:
            if s.directive.columns:
                return self._bare_columns(s, s.directive)
            return self._bare(s, s.directive) if s.directive.row_trip is None else self._bare_rows(s, s.directive)
        if self.row_scope is not None and isinstance(s.directive, ir.OmpParallelFor):
            return self._lane_loop(s, s.directive, self.row_scope)
        levels = tuple(
            self._header(lv.var, lv.start, lv.stop, lv.step, hoist)
            for lv, hoist in zip(s.levels, _hoisted_levels(s), strict=True)
        )
        directive = None if s.directive is None else self._directive(s.directive, s.levels)
        level_locs = tuple(_loc(lv.span) for lv in s.levels)
        return ParallelView(
            _loc(s.span), directive, levels, level_locs, self._decls(s.locals, s.span), self._block(s.body),
            tuple(self._temporary_view(t, s.levels) for t in s.temporaries),
        )

    def _flat(self, s: ir.ParallelLoop) -> StmtView:
        """A flat nest (`passes.flat_nests`) as the one level over the element number, in either form,
        each element at the nest's variables read at that number (no division per element)."""
        assert s.directive is not None
        one = dataclasses.replace(s, levels=(element_level(s.levels),), flat=False,
                                  directive=dataclasses.replace(s.directive, collapse=1))
        with self.expr.elements_at(tuple(lv.var for lv in s.levels), atom(ELEMENT_C)):
            return self.visit_ParallelLoop(one)

    def _temporary_view(self, t: ir.Temporary, levels: tuple[ir.LoopLevel, ...]) -> TemporaryView:
        """The buffer of one slice per iteration of `levels`: its size is the product of the levels' trip
        counts, the extents and the element size, which the helper multiplies with overflow checks."""
        name = self.names[t.name]
        buffer = buffer_name(name)
        extents = tuple((extent_name(name, d), self.expr(n)) for d, n in enumerate(t.shape))
        factors = [*(self._level_count(lv).text for lv in levels), *(e for e, _ in extents)]
        ctype = ir.known_array(t.type).dtype.c_name
        device = -1 if self.k.device is None else self.k.device
        where = c_string(f"{t.span.path}:{t.span.line}")
        alloc = (f"{TEMPORARY_HELPERS[0]}({len(factors)}, (int64_t[]){{{', '.join(factors)}}}, sizeof({ctype}), "
                 f"{device}, {where})")
        size = functools.reduce(lambda total, e: infix("*", total, e), (atom(e) for e, _ in extents))
        return TemporaryView(_loc(t.span), ctype, name, buffer, extents, alloc,
                             infix("*", self._slot(levels), size).text, f"{TEMPORARY_HELPERS[1]}({buffer}, {device})")

    def _slot(self, levels: tuple[ir.LoopLevel, ...]) -> Frag:
        """The iteration's number in the nest, row-major from 0: `(i - start) / step` per level."""
        slot: Frag | None = None
        for lv in levels:
            index = atom(self.names[lv.var])
            if not (isinstance(lv.start, ir.Const) and lv.start.value == 0):
                index = infix("-", index, self.expr.frag(lv.start))
            if lv.step != 1:
                index = infix("/", index, const(lv.step, I64))
            slot = index if slot is None else infix("+", infix("*", slot, self._level_count(lv)), index)
        assert slot is not None
        return slot

    def visit_LibraryCall(self, s: ir.LibraryCall) -> StmtView:
        """`py2omp_blas_dgemm(...)` (prelude, macro `blas`) on the operands' device addresses, the
        loops where it was not called, the failure where the library reported one."""
        pointers = tuple(self.names[a.array] for a in s.operands)
        at = [p if isinstance(o, ir.Const) and o.value == 0 else infix("+", atom(p), self.expr.frag(o)).text
              for p, o in zip(pointers, s.offsets)]
        args = blas_arguments(s, [self.expr(n) for n in s.sizes], at, [self.expr(n) for n in s.strides],
                              self.expr(s.alpha), self.expr(s.beta))
        call, wait, guard = call_and_wait(s, args)
        ready = atom("py2omp_blas_ready()")
        cond = (ready if isinstance(s.when, ir.Const) else infix("&&", self.expr.frag(s.when), ready)).text
        unique = tuple(dict.fromkeys(pointers))  # syrk reads A twice: once in `use_device_ptr`
        return LibraryCallView(_loc(s.span), BLAS_STATUS, cond, self._maps(s.maps), () if s.device_ptrs else unique,
                               call, self._block(s.body), self._block(s.orelse), wait, guard)

    def visit_TargetData(self, s: ir.TargetData) -> StmtView:
        return TargetDataView(_loc(s.span), _device(s.device), self._maps(s.maps), self._block(s.body))

    def visit_TeamLoop(self, s: ir.TeamLoop) -> StmtView:
        """Both forms, the team's taken where every region of its loop has at most `limit` iterations."""
        regions = [r for r in walk_all(s.loop.body) if isinstance(r, ir.ParallelLoop)]
        counts = dict.fromkeys(self._trip_count(r.levels) for r in regions)  # once each, in order
        cond = " && ".join(infix("<=", atom(f"({count})"), const(s.limit, I64)).text for count in counts)
        pointers = tuple(self.names[a] for a in s.device_ptrs)
        return TeamLoopView(_loc(s.span), cond, _device(s.device), s.threads, self._maps(s.maps), pointers,
                            self.visit(s.loop), self.visit(s.fallback), ORDER if s.nowait else None)

    def visit_TaskWait(self, s: ir.TaskWait) -> StmtView:
        return TaskWaitView(_loc(s.span))

    def visit_UpdateFrom(self, s: ir.UpdateFrom) -> StmtView:
        """A call of the copy-back helper (`COPY_BACK`) with the box's extents and bounds (it
        clamps them and skips an empty box), guarded by the box's guards; on the kernel's device."""
        array = self.names[s.array]
        rank = self._rank(s.array)
        param = self.k.param(s.array)
        assert param is not None and isinstance(param.type, ArrayType)
        extents = ", ".join(extent_name(array, d) for d in range(rank))
        box = box_bounds(s, rank, self.expr)
        device = -1 if self.k.device is None else self.k.device
        call = (f"{COPY_BACK}({array}, sizeof({param.type.dtype.c_name}), {rank}, (int64_t[]){{{extents}}}, "
                f"(int64_t[]){{{', '.join(box.lows)}}}, (int64_t[]){{{', '.join(box.highs)}}}, {device})")
        return UpdateView(_loc(s.span), None if box.live == "1" else box.live, call)

    def _header(self, var: str, start: ir.Expr, stop: ir.Expr, step: int, hoist: bool) -> LoopHeader:
        """A `for` header; `bound` is parenthesized as the right operand of the comparison."""
        c_var = self.names[var]
        cmp = "<" if step > 0 else ">"
        stop_frag = self.expr.frag(stop)
        stop_var = stop_name(c_var) if hoist else None
        return LoopHeader(
            var=c_var,
            start=self.expr(start),
            stop_var=stop_var,
            stop_init=stop_frag.text if hoist else None,
            cmp=cmp,
            bound=operand(cmp, atom(stop_var) if stop_var else stop_frag, left=False),
            step_op="+=" if step > 0 else "-=",
            step=abs(step),
        )

    def _directive(
        self, d: ir.OmpTarget | ir.OmpParallelFor, levels: tuple[ir.LoopLevel, ...]
    ) -> DirectiveView:
        reductions = self._reductions(d.reductions)
        if isinstance(d, ir.OmpParallelFor):
            threads = None if d.num_threads is None else self.expr(d.num_threads)
            return DirectiveView("for" if d.worksharing else "parallel_for", d.collapse, None, None, None, threads, d.schedule, (), (), reductions)
        limit = str(d.thread_limit) if isinstance(d.thread_limit, int) else self.expr(d.thread_limit)
        teams = None if d.num_teams is None else self.expr(d.num_teams)
        if d.teams_from_trip_count:  # one iteration per thread, or per team where its threads share the body
            per_team = "1" if d.two_level else limit
            trip = TRIP if d.bare else self._trip_count(levels)
            teams = f"{self.helpers.use('num_teams')}({trip}, {per_team})"
        reduction_maps = tuple(self.names[v] for v in (*(r.var for r in d.reductions), *d.copied))
        kind = "bare" if d.bare else "teams" if d.two_level else "target"
        return DirectiveView(kind, 1 if d.bare else d.collapse, _device(d.device), teams, limit, None, d.schedule, self._maps(d.maps),
                             reduction_maps, reductions,
                             tuple(buffer_name(self.names[a]) if a in self.made else self.names[a]
                                   for a in d.device_ptrs),
                             ORDER if d.nowait else None, d.max_threads)

    def _trip_count(self, levels: tuple[ir.LoopLevel, ...]) -> str:
        """The nest's iteration count as C, for `num_teams`: a product of per-level counts."""
        counts = [self._level_count(lv) for lv in levels]
        return functools.reduce(lambda total, count: infix("*", total, count), counts).text

    def _level_count(self, lv: ir.LoopLevel) -> Frag:
        stop = self.expr.frag(lv.stop)
        if lv.step == 1 and isinstance(lv.start, ir.Const) and lv.start.value == 0:
            return stop
        if lv.step == 1:
            return infix("-", stop, self.expr.frag(lv.start))
        func = self.helpers.use("trip_count")
        return atom(f"{func}({self.expr(lv.start)}, {stop.text}, {lv.step})")

    def _maps(self, maps: tuple[ir.MapClause, ...]) -> tuple[MapGroup, ...]:
        """Group by map type (`_MAP_ORDER`), arrays in parameter order within a group."""
        groups = []
        for map_type in _MAP_ORDER:
            chosen = sorted(
                (m for m in maps if m.map_type == map_type), key=lambda m: self.param_order[m.array]
            )
            if chosen:
                groups.append(MapGroup(map_type, tuple(self._section(m.array, m.section) for m in chosen)))
        return tuple(groups)

    def _rank(self, py_array: str) -> int:
        param = self.k.param(py_array)
        assert param is not None and isinstance(param.type, ArrayType), py_array
        return param.type.rank

    def _section(self, py_array: str, rows: ir.Interval | None = None) -> Section:
        """The whole array, `a[0:a_n0 * a_n1]`, or its `rows` clamped to the extent:
        `a[lo' * a_n1:(hi' - lo') * a_n1]` (`lo'`, `hi'` in `[0, a_n0]`, `hi' >= lo'`)."""
        array = self.names[py_array]
        rank = self._rank(py_array)
        if rows is None:
            return Section(array, " * ".join(extent_name(array, d) for d in range(rank)))
        span = rows.lo.span
        row = [ir.Extent(py_array, d, span, I64) for d in range(1, rank)]
        start, count = clamped_rows(py_array, rows)
        scaled = [e if isinstance(e, ir.Const) else
                  functools.reduce(lambda a, b: ir.Binary("*", a, b, span, I64), row, e) for e in (start, count)]
        return Section(array, self.expr(scaled[1]), self.expr(scaled[0]))

    def _reductions(self, reductions: tuple[ir.Reduction, ...]) -> tuple[ReductionGroup, ...]:
        """One clause per operator, operators in order of first use."""
        ops = list(dict.fromkeys(r.op for r in reductions))
        return tuple(
            ReductionGroup(op, tuple(self.names[r.var] for r in reductions if r.op == op)) for op in ops
        )


def clamped_rows(array: str, rows: ir.Interval) -> tuple[ir.Expr, ir.Expr]:
    """The first row and the number of rows of `rows` clamped to `[0, extent]`, as the runtime
    clamps them too (`runtime_shim.movement.section_rows`): `lo' = min(max(lo, 0), n)`,
    `hi' = max(min(hi, n), lo')`, simpler where a bound is a constant or the extent itself."""
    span = rows.lo.span
    extent = ir.Extent(array, 0, span, I64)
    lo, hi = (e if e.type == I64 else ir.Cast(e, span, I64) for e in (rows.lo, rows.hi))
    if isinstance(lo, ir.Const) and lo.value == 0:
        start: ir.Expr = lo
    else:
        positive = isinstance(lo, ir.Const) and int(lo.value) > 0  # type: ignore[arg-type]
        low = lo if positive else ir.Call("max", (lo, ir.Const(0, span, I64)), span, I64)
        start = ir.Call("min", (low, extent), span, I64)
    zero = isinstance(start, ir.Const) and start.value == 0
    if isinstance(hi, ir.Extent) and hi.array == array and hi.dim == 0:
        stop: ir.Expr = extent
    elif zero and (lowest := lower_bound(hi, {})) is not None and lowest >= 0:
        stop = ir.Call("min", (hi, extent), span, I64)
    else:
        stop = ir.Call("max", (ir.Call("min", (hi, extent), span, I64), start), span, I64)
    return start, stop if zero else ir.Binary("-", stop, start, span, I64)


def _first_assignments(kernel: ir.Kernel) -> dict[str, Span]:
    """Python name -> the span of the first assignment to it, in source order."""
    first: dict[str, Span] = {}
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name):
            first.setdefault(node.target.id, node.span)
    return first
def _uses_complex(module: ir.Module) -> bool:
    """Whether the C needs `<complex.h>`: some array, local or expression is complex."""
    functions = module.kernels + module.device_functions
    params = (p.type for k in functions for p in k.params)
    typed = (getattr(n, "type", None) for k in functions for n in walk_all(k.body))
    for t in (*params, *typed):
        element = t.dtype if isinstance(t, ArrayType) else t
        if isinstance(element, ScalarType) and element.is_complex:
            return True
    return False


def _device(device: int | None) -> str | None:
    return None if device is None else str(device)
