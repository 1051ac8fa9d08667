"""The manifest's bound expressions: integers the runtime computes from a call's arguments.

A bound is JSON: an int; `{"extent": [array, dim]}`, the length of an array argument's dimension;
`{"param": name}`, an integer scalar argument; or `{"op": o, "args": [left, right]}` with `o` one of
`OPS` (Python semantics; `//` by zero gives 0, as NumPy's integer arrays do). The translator's
backend builds bounds with the functions here, and the runtime evaluates them here, so the grammar
is spelled once (`writes` boxes, `allocation.shape`, `length_checks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def arrays_in(bound: object) -> list[str]:
    """The array arguments whose extents the bound reads, for messages."""
    if not isinstance(bound, dict):
        return []
    if "extent" in bound:
        return [bound["extent"][0]]
    return [n for arg in bound.get("args", ()) for n in arrays_in(arg)]
