"""Device functions: the plain functions of a module that kernels call, typed per call site.

Python functions are generic; C functions are not. Each distinct tuple of argument types gets its
own specialization, named `py2omp_fn_<name>_<types>` (a weak Python number's type is spelled
`w<type>`: inside the function it keeps its weak promotion, as the Python int or float would), so
the same module always yields the same names. A specialization is checked and typed like a kernel
body, with its parameters as scalars; its return type is the join of what its `return`s give.
Recursion, direct or mutual, is rejected: a device stack is small and OpenMP offload compilers
handle it poorly, and specialization per call site would not terminate on type-changing recursion.
"""

from __future__ import annotations

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.types import ScalarType
from translator.ir.visit import walk_all
from translator.passes.definite_assignment import check_definite_assignment
from translator.passes.power import lower_power
from translator.passes.structure import check_local_arrays, check_loop_variables
from translator.passes.typing import type_kernel


def specialization_name(name: str, types: tuple[ScalarType, ...]) -> str:
    """`py2omp_fn_norm_f64_wi64`; the reserved prefix keeps it apart from every user name."""
    return "_".join([f"py2omp_fn_{name}", *(("w" if t.weak else "") + t.name for t in types)])


class Specializer:
    """Builds and caches the specializations of one module's functions, callees first."""

    def __init__(self, functions: tuple[ir.Function, ...]) -> None:
        self.functions = {f.name: f for f in functions}
        self.built: dict[str, ir.Kernel] = {}
        self.active: list[str] = []

    def specialize(self, call: ir.CallFunction, arg_types: tuple[ScalarType, ...]) -> ir.Kernel:
        """The typed function `call` reaches with arguments of `arg_types` (annotations win)."""
        fn = self.functions[call.func]
        types = tuple(p.annotation or t for p, t in zip(fn.params, arg_types, strict=True))
        symbol = specialization_name(fn.name, types)
        if symbol in self.built:
            return self.built[symbol]
        if fn.name in self.active:
            chain = " -> ".join([*self.active[self.active.index(fn.name):], fn.name])
            raise TranslationError.at(call.span, f"recursive calls are not supported in kernels ({chain})")
        self.active.append(fn.name)
        try:
            self.built[symbol] = self._lower(fn, types, symbol)
        finally:
            self.active.pop()
        return self.built[symbol]

    def _lower(self, fn: ir.Function, types: tuple[ScalarType, ...], symbol: str) -> ir.Kernel:
        params = tuple(ir.Param(p.name, t, None, p.span) for p, t in zip(fn.params, types, strict=True))
        kernel = ir.Kernel(symbol, params, fn.body, fn.return_type, fn.locals, fn.span)
        for loop in walk_all(kernel.body):
            if isinstance(loop, ir.Loop) and loop.parallel:
                raise TranslationError.at(loop.span, f"prange is only allowed in kernels, not in function '{fn.name}'")
        check_loop_variables(kernel)
        check_local_arrays(kernel)
        check_definite_assignment(kernel)
        typed = lower_power(type_kernel(kernel, self, strong_return=False))
        if typed.return_type is not None and not _always_returns(typed.body):
            raise TranslationError.at(fn.span, f"function '{fn.name}' may end without returning a value (Python "
                                               "would return None)")
        return typed

    def used_by(self, kernels: tuple[ir.Kernel, ...]) -> tuple[ir.Kernel, ...]:
        """The specializations the final kernels reach (typing may have tried others while
        inferring local types), callees before callers."""
        reached = set(_symbols(kernels))
        for symbol in reversed(list(self.built)):
            if symbol in reached:
                reached.update(_symbols((self.built[symbol],)))
        return tuple(k for symbol, k in self.built.items() if symbol in reached)


def _symbols(kernels: tuple[ir.Kernel, ...]) -> list[str]:
    return [n.symbol for k in kernels for n in walk_all(k.body) if isinstance(n, ir.CallFunction) and n.symbol]


def _always_returns(stmts: tuple[ir.Stmt, ...]) -> bool:
    """Every path through `stmts` ends in `return` (C would return garbage otherwise)."""
    last = stmts[-1] if stmts else None
    if isinstance(last, ir.Return):
        return True
    return isinstance(last, ir.If) and _always_returns(last.body) and _always_returns(last.orelse)
