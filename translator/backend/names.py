"""C names for Python names: kernel symbols, parameters, locals, loop indices and generated names.

Python allows names that C reserves (`int`, `double`, `restrict`), that the included headers
declare (`sqrt`, `NAN`, `int64_t`) or that the backend itself generates (`x_n0` for the first
extent of array `x`, `i_stop` for a hoisted loop bound). Each such name gets a trailing `_`, as
often as needed, so every C name is unique within its function and never shadows something the
generated code uses. Allocation depends only on the IR, so the same input gives the same C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from translator.ir import nodes as ir
from translator.ir.types import ArrayType
from translator.ir.visit import directive_exprs, temporaries, walk, walk_all

_C_KEYWORDS = frozenset(
    """auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef union
    unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary
    _Noreturn _Static_assert _Thread_local alignas alignof bool constexpr false nullptr static_assert
    thread_local true typeof typeof_unqual asm fortran main""".split()
)
"""C11 and C23 keywords, GNU `asm`/`typeof`, and `main`, which is not a kernel's to take."""

_CXX_KEYWORDS = frozenset(
    """and and_eq bitand bitor catch char8_t char16_t char32_t class co_await co_return co_yield
    compl concept const_cast consteval constinit decltype delete dynamic_cast explicit export friend
    mutable namespace new noexcept not not_eq operator or or_eq private protected public
    reinterpret_cast requires static_cast template this throw try typeid typename using virtual
    wchar_t xor xor_eq""".split()
)
"""C++ keywords: the header, parameter names included, must also compile as C++."""

_MATH_FUNCTIONS = (
    "acos acosh asin asinh atan atan2 atanh cbrt ceil copysign cos cosh erf erfc exp exp2 expm1 fabs "
    "fdim floor fma fmax fmin fmod frexp hypot ilogb ldexp lgamma llrint llround log log10 log1p log2 "
    "logb lrint lround modf nan nearbyint nextafter nexttoward pow remainder remquo rint round "
    "scalbln scalbn sin sinh sqrt tan tanh tgamma trunc exp10 pow10 significand gamma drem finite "
    "isinf isnan j0 j1 jn y0 y1 yn scalb sincos"
).split()

_COMPLEX_FUNCTIONS = (
    "cabs carg cimag creal conj cproj cexp clog csqrt cpow csin ccos ctan casin cacos catan csinh ccosh ctanh "
    "casinh cacosh catanh clog10"
).split()

_HEADER_NAMES = frozenset(
    [*_MATH_FUNCTIONS, *(f + "f" for f in _MATH_FUNCTIONS), *(f + "l" for f in _MATH_FUNCTIONS)]
    + [*_COMPLEX_FUNCTIONS, *(f + "f" for f in _COMPLEX_FUNCTIONS), *(f + "l" for f in _COMPLEX_FUNCTIONS)]
    + "I complex imaginary CMPLX CMPLXF CMPLXL".split()
    + """NAN INFINITY HUGE_VAL HUGE_VALF HUGE_VALL HUGE MAXFLOAT math_errhandling MATH_ERRNO
    MATH_ERREXCEPT signgam fpclassify isfinite isnormal signbit isgreater isgreaterequal isless
    islessequal islessgreater isunordered issignaling iscanonical issubnormal iszero iseqsig float_t
    double_t intmax_t uintmax_t intptr_t uintptr_t size_t ptrdiff_t SIZE_MAX PTRDIFF_MIN PTRDIFF_MAX
    SIG_ATOMIC_MIN SIG_ATOMIC_MAX WCHAR_MIN WCHAR_MAX WINT_MIN WINT_MAX INTMAX_C UINTMAX_C NULL errno
    DOMAIN SING OVERFLOW UNDERFLOW TLOSS PLOSS""".split()
)
"""What `<math.h>`, `<complex.h>`, `<stdint.h>` and `<stdbool.h>` declare (glibc, GNU mode) and C's
`NULL`/`errno`; `<complex.h>` only where a module uses complex numbers, but its names are always avoided
so that the C names of a kernel do not depend on that."""

_RESERVED_PATTERNS = re.compile(
    r"py2omp_.*|_[A-Z_].*|M_\w+|FP_\w+|u?int(_least|_fast)?\d+_t"
    r"|U?INT(\d+|MAX|PTR|_LEAST\d+|_FAST\d+)_(MIN|MAX|C)"
)
"""Our helpers' prefix, the implementation's `_X`/`__x` names, math/stdint macro families.

A trailing `_` takes a name out of each of these families except the two prefixes; there it
still avoids every name that exists (helpers end in a type name, never in `_`)."""


def is_reserved(name: str) -> bool:
    """Whether `name` cannot be used as is in the generated C (or in the header, as C++)."""
    return (
        name in _C_KEYWORDS
        or name in _CXX_KEYWORDS
        or name in _HEADER_NAMES
        or _RESERVED_PATTERNS.fullmatch(name) is not None
    )


def extent_name(array_c_name: str, dim: int) -> str:
    """The C parameter that carries extent `dim` of an array (design.md's calling convention)."""
    return f"{array_c_name}_n{dim}"


def buffer_name(array_c_name: str) -> str:
    """The buffer holding every iteration's slice of a temporary (`<name>` points at one slice)."""
    return f"{array_c_name}_buf"


def stop_name(var_c_name: str) -> str:
    """The variable that holds a loop's bound when the body may change what the bound reads."""
    return f"{var_c_name}_stop"


class NameTable:
    """Python name -> C name for one kernel, plus the names generated from them. The frontend's
    hidden status parameter (and a device function's status base) keeps its reserved name."""

    def __init__(self) -> None:
        self._c_names: dict[str, str] = {}
        self._taken: set[str] = set()

    def __getitem__(self, py_name: str) -> str:
        return self._c_names[py_name]

    def add(self, py_name: str, generates: tuple[str, ...] = ()) -> str:
        """Give `py_name` a C name such that it and the names derived from it (`generates`, each a
        `{}` pattern) are free; a name seen before keeps its C name."""
        if py_name in self._c_names:
            return self._c_names[py_name]
        candidate = py_name + "_" if is_reserved(py_name) and py_name not in (ir.STATUS, ir.STATUS_BASE) else py_name
        while self._clashes(candidate, generates):
            candidate += "_"
        self._c_names[py_name] = candidate
        self._taken.add(candidate)
        self._taken.update(pattern.format(candidate) for pattern in generates)
        return candidate

    def generated(self, key: str, c_name: str) -> None:
        """The backend's own variable `key` (no Python name: it holds `<`) as `c_name`, a reserved
        name (`py2omp_...`), which a user's name never takes as is."""
        self._c_names[key] = c_name
        self._taken.add(c_name)

    def _clashes(self, candidate: str, generates: tuple[str, ...]) -> bool:
        derived = [pattern.format(candidate) for pattern in generates]
        return any(n in self._taken for n in [candidate, *derived])


def kernel_names(kernel: ir.Kernel, hoisted: Iterable[str]) -> NameTable:
    """Allocate the C names of one kernel.

    Names that generate others go first, so that a user's `x_n0` or `i_stop` yields to the
    extent or hoisted bound rather than the other way round: arrays (with their extents), then
    temporaries (with their extents and buffer), then
    loop variables whose bound is hoisted (`hoisted`, Python names), then every other name in
    order of first appearance.
    """
    table = NameTable()
    for param in kernel.params:
        if isinstance(param.type, ArrayType):
            table.add(param.name, tuple(extent_name("{}", d) for d in range(param.type.rank)))
    for made in temporaries(kernel.body).values():
        table.add(made.name, (*(extent_name("{}", d) for d in range(made.type.rank)), buffer_name("{}")))
    for var in hoisted:
        table.add(var, (stop_name("{}"),))
    for name in _names_in_order(kernel):
        table.add(name)
    return table


def _names_in_order(kernel: ir.Kernel) -> Iterator[str]:
    """Every scalar name the kernel's C uses, in a deterministic order."""
    yield from (p.name for p in kernel.params)
    yield from (v.name for v in kernel.locals)
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Name):
            yield node.id
        elif isinstance(node, (ir.Loop, ir.LoopLevel)):
            yield node.var
        elif isinstance(node, ir.LocalArray):
            yield node.name
        elif isinstance(node, ir.ParallelLoop):
            yield from (v.name for v in node.locals)
            yield from _directive_vars(node.directive)


def _directive_vars(directive: ir.OmpTarget | ir.OmpParallelFor | None) -> Iterator[str]:
    """Reduction variables, which clauses name even where the body only reads them, and the
    names the launch clauses read."""
    if directive is not None:
        yield from (r.var for r in directive.reductions)
        yield from (n.id for e in directive_exprs(directive) for n in walk(e) if isinstance(n, ir.Name))


def kernel_symbols(module: ir.Module) -> dict[str, str]:
    """Python kernel name -> exported C symbol (its `symbol`, else its name, unless C reserves it)."""
    table = NameTable()
    return {k.name: table.add(k.symbol or k.name) for k in module.kernels}


def device_symbol(symbol: str) -> str:
    """The entry point of a kernel's device-pointer variant (`is_device_ptr`, no maps)."""
    return f"{symbol}__device"


def chunk_symbol(symbol: str) -> str:
    """The entry point that runs one device's share of each outermost `prange` (`kernel.on`)."""
    return f"{symbol}__chunk"
