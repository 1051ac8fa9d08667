"""The C helper functions a module needs, collected while its expressions are emitted.

Python's `//`, `%`, `min`, `max`, `abs`, integer powers, index wrapping, `np.gcd` and `np.lcm` have no one-operator C
equivalent with the same result, so each becomes a small `static inline` function in the
module's prelude (`templates/prelude.c.j2` holds their bodies). The complex functions (`abs`,
`np.sqrt`, `np.exp`, ..., `**`) are helpers too, written with real `<math.h>` functions: the NVPTX
device runtime has the real ones but not C99's `cabs`/`cexp`/... (nvlink: "Undefined reference to
'cabs'"), and the same code on every target keeps what CI tests equal to what the GPU runs. Complex `/` is a
helper too (`cdiv`): C99's division scales by powers of two and gives NaN where NumPy's gives
infinities (a subnormal divisor; found by the fuzzer).
Only the helpers a module uses are emitted, each once per type, in a fixed order, so that the
output stays short and stable.
"""

from __future__ import annotations

from dataclasses import dataclass

from translator.ir.types import SCALARS, Kind, ScalarType

_COMPLEX = ("cabs", "csqrt", "cexp", "clog", "csinh", "ccosh", "ctanh", "csin", "ccos", "ctan", "cpow")
_KINDS = ("trip_count", "num_teams", "team_threads", "bare_first", "bare_stride", "row_first", "row_stride", "row_lane",
          "row_lanes", "row_sync", "row_shuffle", "row_sum", "row_prod", "row_max", "row_min", "col_first",
          "col_stride", "col_at", "col_warp", "col_warps", "col_owner", "col_sum", "col_prod", "col_max", "col_min", "failed_now", "wrap_index", "abs", "min", "max", "ipow", "floordiv", "mod", "gcd", "lcm",
          *_COMPLEX, "cdiv")
"""Helper families in prelude order (a helper after those it calls); the `kind` of a `HelperView`
adds the type's flavour."""

_CALLS: dict[str, tuple[str, ...]] = {
    "row_sum": ("row_shuffle",), "row_prod": ("row_shuffle",), "row_max": ("row_shuffle",), "row_min": ("row_shuffle",),
    "csin": ("csinh",), "ccos": ("ccosh",), "ctan": ("ctanh",), "cpow": ("cexp", "clog"), "lcm": ("gcd",),
}
"""Complex helpers written with another: sin(z) = -i sinh(iz), cos(z) = cosh(iz), tan(z) = -i tanh(iz),
a ** b = exp(b log a); `np.lcm` divides by the gcd; a bare row kernel's combining shuffles values."""

COMPLEX_HELPERS = frozenset(family[1:] for family in _COMPLEX)
"""The complex functions that have a helper, by their Python name (`abs`, `sqrt`, ..., `pow`)."""

_TYPE_ORDER = tuple(SCALARS)


@dataclass(frozen=True)
class HelperView:
    """One helper as the prelude template sees it.

    `kind` picks the template macro (e.g. `floordiv_int`, `mod_float`); `ctype` is the C type it
    works on; `suffix` is the `f` a float32 variant puts on math functions and literals (empty for
    float64 and integers).
    """

    kind: str
    name: str
    ctype: str
    suffix: str
    real: str
    """The C type of a complex helper's real and imaginary parts (its own type otherwise)."""
    calls: tuple[str, ...]
    """The C names of the helpers this one calls (`_CALLS`)."""


def helper_name(family: str, type_: ScalarType | None = None) -> str:
    """The C function name, `py2omp_<family>` or `py2omp_<family>_<type>` (`py2omp_mod_i32`)."""
    return f"py2omp_{family}" if type_ is None else f"py2omp_{family}_{type_.name}"


class HelperSet:
    """The helpers used so far; `views()` gives them in prelude order."""

    def __init__(self) -> None:
        self._used: set[tuple[str, str | None]] = set()

    def use(self, family: str, type_: ScalarType | None = None) -> str:
        """Record that `family` (for `type_`, if typed) is needed and return its C name."""
        self._used.add((family, None if type_ is None else type_.name))
        for callee in _CALLS.get(family, ()):
            self.use(callee, type_)
        return helper_name(family, type_)

    def views(self) -> list[HelperView]:
        """The used helpers, grouped by family in `_KINDS` order, then by type."""
        ordered = sorted(
            self._used,
            key=lambda u: (_KINDS.index(u[0]), -1 if u[1] is None else _TYPE_ORDER.index(u[1])),
        )
        return [_view(family, None if t is None else SCALARS[t]) for family, t in ordered]


def _view(family: str, type_: ScalarType | None) -> HelperView:
    """Pick the template flavour: integer division differs for signed and unsigned types."""
    if type_ is None:
        return HelperView(family, helper_name(family), "int64_t", "", "int64_t", ())
    kind = family
    if family in ("floordiv", "mod", "gcd", "lcm"):
        kind += {Kind.INT: "_int", Kind.UINT: "_uint", Kind.FLOAT: "_float"}[type_.kind]
    real = type_.component if type_.is_complex else type_
    suffix = "f" if real.is_float and real.bits == 32 else ""
    calls = tuple(helper_name(callee, type_) for callee in _CALLS.get(family, ()))
    return HelperView(kind, helper_name(family, type_), type_.c_name, suffix, real.c_name, calls)
