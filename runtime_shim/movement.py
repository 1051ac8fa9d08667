"""Data movement at call time: what the compiler left to check, and what each call moved.

- An `Out` array is copied back whole, so the kernel must write all of it. When the compiler could
  not prove that, the manifest lists the boxes the kernel surely writes (bounds as expressions of
  the extents and scalar arguments); each call evaluates them and refuses to run if they leave an
  element unwritten, since that element would come back from the device undefined. A `sectioned`
  array is the exception: the C maps it `alloc` and copies back just the boxes itself (`runs`).
- `KernelStats` counts calls and the bytes the map clauses moved, leaving out arrays already on the
  device (mapped by a `data_region` or passed as device arrays): the figures the offload runtime's
  own log (`LIBOMPTARGET_INFO`) shows for the arrays. An array with a `section` moves only those
  rows (`section_rows`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import cast
from dataclasses import dataclass

import numpy as np

from .bounds import arrays_in, evaluate, extent_bound, first_failing
from .manifest import IndexNeed, ParamSpec

@dataclass
class KernelStats:
    """Accumulated over a kernel's calls: `seconds` is wall time of the C calls, transfers included.

    Bytes count array parameters only; the few bytes of a reduction result mapped back are not counted.
    """

    calls: int = 0
    bytes_to_device: int = 0
    bytes_from_device: int = 0
    seconds: float = 0.0
    bytes_between_devices: int = 0
    """Rows one device sent another in calls split over several (`kernel.on`, runtime_shim.multi)."""

    def add(self, to_device: int, from_device: int, seconds: float) -> None:
        self.calls += 1
        self.bytes_to_device += to_device
        self.bytes_from_device += from_device
        self.seconds += seconds

    def reset(self) -> None:
        self.calls, self.bytes_to_device, self.bytes_from_device, self.seconds = 0, 0, 0, 0.0
        self.bytes_between_devices = 0


def covers(boxes: Sequence[Sequence[tuple[int, int]]], shape: tuple[int, ...]) -> bool:
    """Whether the union of the boxes (half-open ranges per dimension) is the whole array.

    Exact and cheap: the box edges cut each dimension into a few cells, and every cell must lie in
    some box (a grid of at most (2 * boxes + 1) cells per dimension, whatever the array size).
    A box reaching below index 0 counts for nothing: negative indices wrap around, as in Python.
    """
    if any(extent == 0 for extent in shape):
        return True
    boxes = [box for box in boxes if all(lo >= 0 for lo, _ in box)]
    cuts = [sorted({0, n, *(min(max(b[d][i], 0), n) for b in boxes for i in (0, 1))}) for d, n in enumerate(shape)]
    covered = np.zeros([len(c) - 1 for c in cuts], dtype=bool)
    for box in boxes:
        covered[tuple(slice(c.index(min(max(lo, 0), n)), c.index(min(max(hi, 0), n)))
                      for c, (lo, hi), n in zip(cuts, box, shape))] = True
    return bool(covered.all())


def written_boxes(param: ParamSpec, shapes: Mapping[str, tuple[int, ...]],
                  scalars: Mapping[str, object]) -> list[list[tuple[int, int]]]:
    """The boxes an `Out` array's writes surely cover for these arguments, without their guards
    (intervals past the rank: ranges of loops around the write), leaving out boxes a guard empties."""
    boxes = cast("tuple[tuple[tuple[object, object], ...], ...]", param.written or ())
    evaluated = [[(evaluate(lo, shapes, scalars), evaluate(hi, shapes, scalars)) for lo, hi in box] for box in boxes]
    return [box[:param.rank] for box in evaluated if all(lo < hi for lo, hi in box[param.rank:])]


def uncovered(kernel: str, param: ParamSpec, shapes: Mapping[str, tuple[int, ...]],
              scalars: Mapping[str, object]) -> list[list[tuple[int, int]]] | None:
    """The boxes an `Out` array's writes surely cover for these arguments, or None when they cover it.

    Boxes that do not cover are fine for a `sectioned` array (its C copies back just them) and
    an error otherwise, since the other elements would come back undefined.
    """
    boxes = written_boxes(param, shapes, scalars)
    shape = shapes[param.name]
    if covers(boxes, shape):
        return None
    if not param.sectioned:
        written = " and ".join(f"{param.name}[{', '.join(f'{lo}:{hi}' for lo, hi in box)}]" for box in boxes)
        raise ValueError(
            f"{kernel}(): argument '{param.name}' is declared Out, but with these arguments the kernel writes only "
            f"{written} of its shape {shape}; the other elements would come back undefined: declare it InOut"
        )
    return boxes


def runs(boxes: Sequence[Sequence[tuple[int, int]]], shape: tuple[int, ...], itemsize: int) -> list[tuple[int, int]]:
    """The byte ranges `(offset, length)` that the C's copy-back helper (`py2omp_copy_back`, called
    by the kernel's `UpdateFrom` statements) transfers for a `sectioned` array, so that the counts
    match: one per transfer.

    As in the C, a dimension whose lower bound is negative also copies `[lo + n, hi + n)` (where
    Python's wrapping puts such writes), each interval is clamped to `[0, n]` and empty boxes are
    skipped. A box is contiguous runs: rows of the last dimension, merged over trailing dimensions
    it spans entirely. Where the gaps between its runs hold no more bytes than the box, the C moves
    the range from its first run to its last in one transfer (into a host buffer, whose runs it then
copies into the array: the gaps on the host are never written);
    otherwise one transfer per run.
    """
    strides = byte_strides(shape, itemsize)
    return [run for clipped in clipped_boxes(boxes, shape) for run in box_runs(clipped, shape, strides)]


def byte_strides(shape: tuple[int, ...], itemsize: int) -> list[int]:
    """The strides in bytes of a C-ordered array of this shape."""
    return [itemsize * int(np.prod(shape[d + 1:], dtype=np.int64)) for d in range(len(shape))]


def clipped_boxes(boxes: Sequence[Sequence[tuple[int, int]]], shape: tuple[int, ...]) -> Iterator[list[tuple[int, int]]]:
    """The non-empty boxes the C's copy-back helper copies (`runs`): each box, and where a lower
    bound is negative its wrapped variants too, clamped to `[0, n]` per dimension."""
    for box in boxes:
        variants = [[(lo, hi), *([(lo + n, hi + n)] if lo < 0 else [])] for (lo, hi), n in zip(box, shape)]
        for variant in itertools.product(*variants):
            clipped = [(min(max(lo, 0), n), min(max(hi, 0), n)) for (lo, hi), n in zip(variant, shape)]
            if all(lo < hi for lo, hi in clipped):
                yield clipped


def box_runs(clipped: list[tuple[int, int]], shape: tuple[int, ...], strides: list[int]) -> list[tuple[int, int]]:
    """One clipped box's transfers (`runs`): one merged range, or one per contiguous run."""
    split = len(shape) - 1
    while split > 0 and clipped[split] == (0, shape[split]):
        split -= 1
    return _box_runs(clipped, split, strides)


def _box_runs(clipped: list[tuple[int, int]], split: int, strides: list[int]) -> list[tuple[int, int]]:
    """One box's transfers; the merged one is computed from the first and last rows alone, so a
    call's accounting costs no more than the C's transfers (not one Python step per row)."""
    lo, hi = clipped[split]
    run = (hi - lo) * strides[split]
    outer = clipped[:split]
    first = sum(a * strides[d] for d, (a, _) in enumerate(outer)) + lo * strides[split]
    end = sum((b - 1) * strides[d] for d, (_, b) in enumerate(outer)) + lo * strides[split] + run
    box_bytes = run * int(np.prod([b - a for a, b in outer], dtype=np.int64))
    if end - first - box_bytes <= box_bytes:
        return [(first, end - first)]
    return [(sum(i * strides[d] for d, i in enumerate(prefix)) + lo * strides[split], run)
            for prefix in itertools.product(*(range(a, b) for a, b in outer))]


def section_rows(param: ParamSpec, shapes: Mapping[str, tuple[int, ...]], scalars: Mapping[str, object]
                 ) -> tuple[int, int]:
    """The rows `[lo, hi)` of the first axis a call's maps move for `param`: its manifest `section`
    clamped as the C clamps it (`lo' = min(max(lo, 0), n)`, `hi' = max(min(hi, n), lo')`), or every
    row when it has none."""
    extent = shapes[param.name][0]
    if param.section is None:
        return 0, extent
    lo, hi = (evaluate(bound, shapes, scalars) for bound in param.section)
    start = min(max(lo, 0), extent)
    return start, max(min(hi, extent), start)


Box = Sequence[tuple[int, int]]
"""Half-open ranges, one per dimension."""


@dataclass(frozen=True)
class Moves:
    """What a call's maps move for one NumPy array: the bytes `[start, start + length)` of the rows
    mapped (a `section`'s, or all of them), copied in when `copy_in` and back when `copy_out`; for
    a `sectioned` `Out` array instead the `boxes` its C copies back (`runs`, `back` bytes), and
    nothing in."""

    start: int
    length: int
    copy_in: bool
    copy_out: bool
    boxes: Sequence[Box] | None = None
    back: int = 0

    @property
    def to_device(self) -> int:
        return self.length if self.copy_in else 0

    @property
    def from_device(self) -> int:
        return self.back if self.boxes is not None else self.length if self.copy_out else 0


def moves(param: ParamSpec, shape: tuple[int, ...], itemsize: int, shapes: Mapping[str, tuple[int, ...]],
          scalars: Mapping[str, object]) -> Moves:
    """What the maps of one call move for array `param` of this shape (`Moves`)."""
    if param.sectioned and param.written is not None:
        boxes = written_boxes(param, shapes, scalars)
        return Moves(0, 0, False, False, boxes, sum(length for _, length in runs(boxes, shape, itemsize)))
    nbytes = itemsize * int(np.prod(shape, dtype=np.int64))
    if param.section is None or not shape:
        return Moves(0, nbytes, param.copy_in, param.copy_out)
    lo, hi = section_rows(param, shapes, scalars)
    row = nbytes // shape[0] if shape[0] else 0
    return Moves(lo * row, (hi - lo) * row, param.copy_in, param.copy_out)


def length_failure(kernel: str, checks: Sequence[tuple[int, object, object, str]],
                   shapes: Mapping[str, tuple[int, ...]], scalars: Mapping[str, object],
                   reshapes: Sequence[tuple[int, tuple[object, ...]]] = ()) -> tuple[int, Exception] | None:
    """The line and error of the first array statement in the source whose arrays do not fit
    (`y[:] = a + b` with `len(a) != len(b)`): NumPy raises there, the C loops would read past an
    array. A reshape's size check (`reshapes`) has NumPy's message. None: every one fits."""
    asked = dict(reshapes)
    found: list[tuple[int, Exception]] = []
    for k, (line, left, right, kind) in enumerate(checks):  # a slice past its end (`x[1:]` of an empty x): length 0
        if k in asked:
            error = _reshape_error(kernel, line, right, asked[k], shapes, scalars)
            found += [(line, error)] if error is not None else []
            continue
        lengths = max(evaluate(left, shapes, scalars), 0), max(evaluate(right, shapes, scalars), 0)
        if lengths[0] != lengths[1]:
            names = sorted({n for bound in (left, right) for n in arrays_in(bound)})
            error_type, numpy_says = _LENGTH_ERRORS[kind]
            found.append((line, error_type(
                f"{kernel}(): the array statement at line {line} combines lengths {lengths[0]} and {lengths[1]} "
                f"(from the shapes of {_names(names)}); NumPy raises here: {numpy_says}")))
    return min(found, key=lambda failed: failed[0], default=None)


_LENGTH_ERRORS: dict[str, tuple[type[Exception], str]] = {
    "broadcast": (ValueError, "operands could not be broadcast together"),
    "mask": (IndexError, "boolean index did not match indexed array"),
    "gather": (IndexError, "shape mismatch: indexing arrays could not be broadcast together"),
}
"""Per `manifest.LENGTH_KINDS`: the exception and NumPy's words."""


def _reshape_error(kernel: str, line: int, size: object, shape: Sequence[object], lengths: Mapping[str, tuple[int, ...]],
                   scalars: Mapping[str, object]) -> ValueError | None:
    """NumPy's check of a reshape of an array of `size` elements into `shape` (one -1 at most, the
    rest non-negative), and its message, which leaves out leading -1s as NumPy does."""
    total, asked = evaluate(size, lengths, scalars), [evaluate(n, lengths, scalars) for n in shape]
    known = math.prod(n for n in asked if n != -1)
    if (total % known == 0 if -1 in asked and known else total == known) and min(asked, default=0) >= -1:
        return None
    first = next((k for k, n in enumerate(asked) if n >= 0), len(asked))
    parts = [str(asked[first])] if first < len(asked) else []
    parts += ["newaxis" if n < 0 else str(n) for n in asked[first + 1:]]
    text = f"({parts[0]},)" if len(asked) == 1 and parts else f"({','.join(parts)})"
    return ValueError(f"{kernel}(): the reshape at line {line}: cannot reshape array of size {total} into shape {text}")


class NeedChecks:
    """A kernel's access preconditions (`IndexNeed`s), compiled once when its library loads."""

    def __init__(self, kernel: str, needs: Sequence[tuple[int, IndexNeed]], positions: Mapping[str, int],
                 shape: Callable[[object], Sequence[int]]) -> None:
        self.kernel, self.positions, self.shape = kernel, positions, shape
        self.lines, self.needs = tuple(line for line, _ in needs), tuple(need for _, need in needs)
        self.first_failing = first_failing([(extent_bound(n.array, n.dim), n.need, n.when) for n in self.needs],
                                           positions, shape)

    def failure(self, values: Sequence[object]) -> tuple[int, IndexError] | None:
        """The line and error of the first precondition that fails, or None. Refuse a call where an access the translator proved in range given its preconditions
        would leave its array (`y[i]` over `range(len(x))` with `len(y) < len(x)`): Python raises
        IndexError there, the C would read or write past the array. `values`: the arguments,
        hidden ones included."""
        failed = self.first_failing(values)
        if failed < 0:
            return None
        need = self.needs[failed]  # the slow path, once: the numbers for the message
        shapes = {name: tuple(self.shape(values[self.positions[name]])) for name in {need.array, *arrays_in(need.need)}}
        length = evaluate(need.need, shapes, {name: values[i] for name, i in self.positions.items() if i < len(values)})
        given = shapes[need.array][need.dim]
        return self.lines[failed], IndexError(
            f"{self.kernel}(): index out of range at {need.at}: '{need.array}' needs at least {length} "
            f"elements along axis {need.dim}, and has {given}")


def _names(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names] or ["the scalar arguments"]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
