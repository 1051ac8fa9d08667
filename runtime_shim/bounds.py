"""The manifest's bound expressions: integers the runtime computes from a call's arguments.

A bound is JSON: an int; `{"extent": [array, dim]}`, the length of an array argument's dimension;
`{"param": name}`, an integer scalar argument; or `{"op": o, "args": [left, right]}` with `o` one of
`OPS` (Python semantics; `//` by zero gives 0, as NumPy's integer arrays do). The translator's
backend builds bounds with the functions here, and the runtime evaluates them here, so the grammar
is spelled once (`writes` boxes, `allocation.shape`, `length_checks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Union

Bound = Union[int, dict[str, object]]

OPS: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b if b else 0,
    "min": min,
    "max": max,
}


def extent_bound(array: str, dim: int) -> Bound:
    return {"extent": [array, dim]}


def param_bound(name: str) -> Bound:
    return {"param": name}


def op_bound(op: str, left: Bound, right: Bound) -> Bound:
    if op not in OPS:
        raise ValueError(f"internal error: {op!r} is not a bound operator ({', '.join(OPS)})")
    return {"op": op, "args": [left, right]}


def evaluate(bound: object, shapes: Mapping[str, tuple[int, ...]], scalars: Mapping[str, object]) -> int:
    """The value of one bound for a call with these array shapes and scalar arguments."""
    if isinstance(bound, int):
        return bound
    if not isinstance(bound, dict):
        raise ValueError(f"malformed bound in manifest: {bound!r}")
    if "extent" in bound:
        array, dim = bound["extent"]
        return int(shapes[array][dim])
    if "param" in bound:
        value: int = scalars[bound["param"]]  # type: ignore[assignment]  # an integer scalar argument
        return int(value)
    left, right = (evaluate(arg, shapes, scalars) for arg in bound["args"])
    return int(OPS[bound["op"]](left, right))


def first_failing(conditions: Sequence[tuple[object, object, Sequence[object]]], positions: Mapping[str, int],
                  shape: Callable[[object], Sequence[int]] | None, flat: bool = False) -> Callable[[Sequence[object]], int]:
    """One function, made once when a library loads, that returns the index of the first
    `(left, right, when)` with `left < right` while every `when` bound is positive, or -1, from a
    call's arguments (`positions`: parameter name -> index in them; `shape`: an array argument's
    shape). It is Python source compiled once, so a call costs the integer compares and the
    shape lookups only: no walk of the JSON, no dictionary built. `flat`: the function reads the
    C arguments instead (`positions`: where each parameter's start; an array's extents follow
    its address; no `shape`), which the fast path has already made, so a call costs the compares alone."""
    lines = ["def first_failing(v):"]
    for k, (left, right, when) in enumerate(conditions):
        tests = [f"{_text(left, positions, flat)} < {_text(right, positions, flat)}",
                 *(f"{_text(w, positions, flat)} > 0" for w in when)]
        lines.append(f"    if {' and '.join(tests)}: return {k}")
    lines.append("    return -1")
    namespace: dict[str, object] = {"S": shape, "floordiv": OPS["//"]}
    exec(compile("\n".join(lines), "<py2omp preconditions>", "exec"), namespace)  # noqa: S102  # our own text
    return namespace["first_failing"]  # type: ignore[return-value]


def compiled_rows(sections: Sequence[tuple[str, object, object]], positions: Mapping[str, int],
                  shape: Callable[[object], Sequence[int]]) -> Callable[[Sequence[object]], list[tuple[int, int]]]:
    """One function, made once, giving for each `(array, lo, hi)` the rows `[lo', hi')` a call's map
    moves: `lo' = min(max(lo, 0), n)`, `hi' = max(min(hi, n), lo')` with `n` the array's first
    extent, as the C clamps them (`movement.section_rows` evaluates the same from the JSON)."""
    lines = ["def rows(v):", "    found = []"]
    for array, lo, hi in sections:
        lines += [f"    n = S(v[{positions[array]}])[0]",
                  f"    lo = min(max({_text(lo, positions, False)}, 0), n)",
                  f"    found.append((lo, max(min({_text(hi, positions, False)}, n), lo)))"]
    lines.append("    return found")
    namespace: dict[str, object] = {"S": shape, "floordiv": OPS["//"]}
    exec(compile("\n".join(lines), "<py2omp sections>", "exec"), namespace)  # noqa: S102  # our own text
    return namespace["rows"]  # type: ignore[return-value]


def compiled_shape(dims: Sequence[object], positions: Mapping[str, int]) -> Callable[[Sequence[object]], tuple[int, ...]]:
    """One function, made once, giving the shape of an array the kernel makes (manifest `allocation`,
    a bound per dimension, as `evaluate` computes it) from the C arguments (`positions` as for
    `first_failing(flat=True)`): the device path's walk has made them, shapes were a dict to build."""
    source = "lambda v: (" + "".join(f"{_text(d, positions, True)}, " for d in dims) + ")"
    namespace: dict[str, object] = {"floordiv": OPS["//"]}
    return eval(compile(source, "<py2omp shapes>", "eval"), namespace)  # type: ignore[no-any-return]  # noqa: S307


def _text(bound: object, positions: Mapping[str, int], flat: bool) -> str:
    """A bound as a Python expression of the argument list `v` (`S` gives an array's shape)."""
    if isinstance(bound, int) and not isinstance(bound, bool):
        return repr(bound)
    if not isinstance(bound, dict):
        raise ValueError(f"malformed bound in manifest: {bound!r}")
    if "extent" in bound:
        return extent_text(bound["extent"], positions, flat)
    if "param" in bound:
        return f"int(v[{positions[bound['param']]}])"
    op = bound["op"]
    if op not in OPS:
        raise ValueError(f"malformed bound in manifest: {bound!r}")
    left, right = (_text(arg, positions, flat) for arg in bound["args"])
    if op in ("+", "-", "*"):
        return f"({left} {op} {right})"
    return f"{'floordiv' if op == '//' else op}({left}, {right})"


def extent_text(extent: object, positions: Mapping[str, int], flat: bool) -> str:
    """`{"extent": [array, dim]}`'s value as Python text over the argument list `v`: the shape `S` of
    the array argument, or (`flat`) the C argument after its address that holds the extent."""
    array, dim = str(extent[0]), int(extent[1])  # type: ignore[index]  # [name, dim], as the manifest spells it
    return f"v[{positions[array] + 1 + dim}]" if flat else f"S(v[{positions[array]}])[{dim}]"


def arrays_in(bound: object) -> list[str]:
    """The array arguments whose extents the bound reads, for messages."""
    if not isinstance(bound, dict):
        return []
    if "extent" in bound:
        return [bound["extent"][0]]
    return [n for arg in bound.get("args", ()) for n in arrays_in(arg)]
