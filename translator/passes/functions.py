"""Device functions: the plain functions of a module that kernels call, typed per call site.

Python functions are generic; C functions are not. Each distinct tuple of argument types gets its
own specialization, named `py2omp_fn_<name>_<types>` (a weak Python number's type is spelled
`w<type>`: inside the function it keeps its weak promotion, as the Python int or float would), so
the same module always yields the same names. A specialization is checked and typed like a kernel
body; its return type is the join of what its `return`s give. Arrays passed whole keep their
element type and rank (and are read-only where the caller's array is `In`).
Recursion, direct or mutual, is rejected: a device stack is small and OpenMP offload compilers
handle it poorly, and specialization per call site would not terminate on type-changing recursion.
"""

from __future__ import annotations

from translator.errors import TranslationError
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.types import ArrayType, Ownership, ScalarType
from translator.ir.visit import walk_all
from translator.passes.bounds import check_bounds
from translator.passes.definite_assignment import check_definite_assignment
from translator.passes.function_failures import report_calls, stop_at_failures
from translator.passes.indices import wrap_indices
from translator.passes.lower_arrays import lower_arrays
from translator.passes.power import lower_power
from translator.passes.structure import check_local_arrays, check_loop_variables
from translator.passes.typing import type_kernel


def specialization_name(name: str, params: tuple[ir.Param, ...]) -> str:
    """`py2omp_fn_norm_f64_wi64`, `py2omp_fn_row_sum_inf64x2_wi64` (a read-only 2-D float64
    array); the reserved prefix keeps it apart from every user name. An imported function's name
    keeps its module (`py2omp_fn_helpers_norm_f64`)."""
    return "_".join([f"py2omp_fn_{name.replace('.', '_')}", *(_type_name(p) for p in params)])


def _type_name(param: ir.Param) -> str:
    t = ir.known_type(param.type)
    if isinstance(t, ArrayType):
        return ("in" if param.ownership is Ownership.IN else "") + f"{t.dtype.name}x{t.rank}"
    return ("w" if t.weak else "") + t.name


class Specializer:
    """Builds and caches the specializations of one module's functions, callees first."""

    def __init__(self, functions: tuple[ir.Function, ...]) -> None:
        self.functions = {f.name: f for f in functions}
        self.built: dict[str, ir.Kernel] = {}
        self.unchecked: dict[str, ir.Kernel] = {}
        """The specializations before their own checks, as their callers' `passes.bounds` reads them."""
        self.active: list[str] = []

    def specialize(self, call: ir.CallFunction, args: tuple[ScalarType | ir.Param, ...],
                   boundscheck: bool = True) -> ir.Kernel:
        """The typed function `call` reaches with these arguments: scalar types (annotations win)
        or the arrays passed whole; `boundscheck`: the caller's (False: a specialization without
        index checks, `_unchecked`)."""
        fn = self.functions[call.func]
        params = tuple(_param(fn, p, arg, call) for p, arg in zip(fn.params, args, strict=True))
        symbol = specialization_name(fn.name, params) + ("" if boundscheck else "_unchecked")
        if symbol in self.built:
            return self.built[symbol]
        if fn.name in self.active:
            chain = " -> ".join([*self.active[self.active.index(fn.name):], fn.name])
            raise TranslationError.at(call.span, f"recursive calls are not supported in kernels ({chain})")
        self.active.append(fn.name)
        try:
            self.built[symbol] = self._lower(fn, params, symbol, boundscheck)
        finally:
            self.active.pop()
        return self.built[symbol]

    def _lower(self, fn: ir.Function, params: tuple[ir.Param, ...], symbol: str, boundscheck: bool) -> ir.Kernel:
        status = (checks.status_param(fn.span),) if fn.failures else ()
        kernel = ir.Kernel(symbol, params + status, fn.body, fn.return_type, fn.locals, fn.span, failures=fn.failures,
                           boundscheck=boundscheck)
        for loop in walk_all(kernel.body):
            if isinstance(loop, ir.Loop) and loop.parallel:
                raise TranslationError.at(loop.span, f"prange is only allowed in kernels, not in function '{fn.name}'")
        check_loop_variables(kernel)
        check_local_arrays(kernel)
        check_definite_assignment(kernel)
        _check_read_only(kernel, fn.name)
        typed = lower_power(lower_arrays(type_kernel(kernel, self, strong_return=False), device_function=True))
        if typed.return_type is not None and not _always_returns(typed.body):
            raise TranslationError.at(fn.span, f"function '{fn.name}' may end without returning a value (Python "
                                               "would return None)")
        self.unchecked[symbol] = typed
        checked = report_calls(check_bounds(typed, self.unchecked, device_function=True), self.built, in_function=True)
        return wrap_indices(stop_at_failures(checked))

    def used_by(self, kernels: tuple[ir.Kernel, ...]) -> tuple[ir.Kernel, ...]:
        """The specializations the final kernels reach (typing may have tried others while
        inferring local types), callees before callers."""
        reached = set(_symbols(kernels))
        for symbol in reversed(list(self.built)):
            if symbol in reached:
                reached.update(_symbols((self.built[symbol],)))
        return tuple(k for symbol, k in self.built.items() if symbol in reached)


def _param(fn: ir.Function, param: ir.FunctionParam, arg: ScalarType | ir.Param, call: ir.CallFunction) -> ir.Param:
    """The specialized parameter: the argument's scalar type, or the array passed (read-only
    when the caller's array is `In`)."""
    if isinstance(arg, ScalarType) and not param.rank:
        return ir.Param(param.name, param.annotation or arg, None, param.span)
    if isinstance(arg, ir.Param) and isinstance(arg.type, ArrayType) and arg.type.rank == param.rank:
        ownership = Ownership.IN if arg.ownership is Ownership.IN else Ownership.INOUT
        return ir.Param(param.name, arg.type, ownership, param.span)
    wanted = f"an array of {param.rank} dimension{'s' * (param.rank > 1)}" if param.rank else "a number"
    raise TranslationError.at(call.span, f"function '{fn.name}' takes {wanted} for parameter '{param.name}'")


def _check_read_only(kernel: ir.Kernel, name: str) -> None:
    """An `In` array passed to a function stays read-only there (C: a `const` pointer)."""
    read_only = {p.name for p in kernel.params if p.ownership is Ownership.IN}
    for node in walk_all(kernel.body):
        if not isinstance(node, (ir.Assign, ir.AtomicUpdate, ir.ArrayAssign)):
            continue
        if isinstance(node.target, (ir.Index, ir.View)) and node.target.array in read_only:
            raise TranslationError.at(
                node.span, f"function '{name}' writes to '{node.target.array}', which is an In array here")


def _symbols(kernels: tuple[ir.Kernel, ...]) -> list[str]:
    return [n.symbol for k in kernels for n in walk_all(k.body) if isinstance(n, ir.CallFunction) and n.symbol]


def _always_returns(stmts: tuple[ir.Stmt, ...]) -> bool:
    """Every path through `stmts` ends in `return` (C would return garbage otherwise)."""
    last = stmts[-1] if stmts else None
    if isinstance(last, ir.Return):
        return True
    return isinstance(last, ir.If) and _always_returns(last.body) and _always_returns(last.orelse)
