"""What the fuzzer calls a kernel with (issue 13, item 7): small valid inputs, then up to two
mutations a careless or unlucky caller makes.

A case starts from the subject's own input maker (an example's `demo_inputs`) at small sizes, so
the pure-Python function that judges it finishes in milliseconds, and the mutations then break the
call the ways the safety promise covers: extents of 0 and 1 and mismatched lengths, wrong dtypes and
ranks, views that are not C-contiguous, aligned or writable, the same array twice and overlapping
views of one buffer, and extreme scalars and elements (NaN, infinities, huge and negative integers).
Each case carries the steps that made it, which is how a finding is reported (`Case.__repr__`).
"""

from __future__ import annotations

import inspect
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from translator.api import Kernel

SIZE_CAP = 20
"""The largest size a case passes to an input maker's integer keyword (the Python function runs
the kernel's loops in the interpreter)."""

DTYPES = (np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64, np.complex128)
"""The dtypes an array is recast to, the kernel's own among them or not."""

EXTREME_SCALARS: tuple[float | int, ...] = (
    float("nan"), float("inf"), -float("inf"), -0.0, 0, -1, -7, 2**31, -2**31 - 1, 2**63 - 1, -2**63, 2**64,
    10**30, 1e308, 5e-324,
)
"""Scalars at the edges of Python's and C's number types."""

Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass(frozen=True)
class Subject:
    """A kernel and the function that makes valid inputs for it: `make_inputs(rng, **sizes)`;
    `sizes` names its integer keyword parameters, each capped at `SIZE_CAP`."""

    kernel: Kernel
    make_inputs: Callable[..., tuple[Any, ...]]

    @property
    def name(self) -> str:
        return self.kernel.py_func.__name__

    @property
    def assumes(self) -> str | None:
        """What the kernel's `prange` loops assume of the values (its module's `PRANGE_ASSUMES`):
        on values without it the iterations race, and Python's sequential result is not the spec."""
        return getattr(sys.modules.get(self.kernel.__module__), "PRANGE_ASSUMES", None)

    @property
    def sizes(self) -> dict[str, int]:
        """Each integer keyword of the input maker and the largest value a case passes."""
        found = {}
        for parameter in list(inspect.signature(self.make_inputs).parameters.values())[1:]:
            if isinstance(parameter.default, int) and not isinstance(parameter.default, bool):
                found[parameter.name] = min(parameter.default, SIZE_CAP)
        return found


@dataclass(frozen=True)
class Case:
    """The arguments of one call, and how they were made."""

    args: tuple[Any, ...]
    steps: tuple[str, ...]

    def __repr__(self) -> str:
        return "; ".join(self.steps)


def cases(subject: Subject) -> st.SearchStrategy[Case]:
    """Small valid inputs of `subject`, then zero to two mutations."""
    names = list(inspect.signature(subject.kernel.py_func).parameters)
    return _case(subject, names)


@st.composite
def _case(draw: Draw, subject: Subject, names: list[str]) -> Case:
    sizes = {name: draw(st.integers(0, cap)) for name, cap in subject.sizes.items()}
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    try:
        with np.errstate(all="ignore"):
            args = list(subject.make_inputs(rng, **sizes))
    except ValueError:  # sizes the input maker cannot honour (a negative extent)
        reject()
    steps = [f"{subject.name}: inputs of {subject.make_inputs.__name__}(seed {seed}, {sizes})"]
    for _ in range(draw(st.integers(0, 2))):
        mutation = draw(st.sampled_from(MUTATIONS))
        with np.errstate(all="ignore"):
            step = mutation(draw, rng, args, names)
        if step is not None:
            steps.append(step)
    return Case(tuple(args), tuple(steps))


def _arrays(args: list[Any]) -> list[int]:
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]


def _scalars(args: list[Any]) -> list[int]:
    return [i for i, a in enumerate(args) if not isinstance(a, np.ndarray)]


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Seeded values of `dtype` (never zeros): small integers, so they also serve as indices."""
    values = rng.standard_normal(shape) * 4
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def resize(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """An array one axis of which has another extent: 0, 1, one less or more, or twice as long."""
    arrays = [i for i in _arrays(args) if args[i].ndim]
    if not arrays:
        return None
    i = draw(st.sampled_from(arrays))
    axis = draw(st.integers(0, args[i].ndim - 1))
    old = args[i].shape[axis]
    extent = draw(st.sampled_from(sorted({0, 1, max(old - 1, 0), old + 1, 2 * old + 1})))
    shape = args[i].shape[:axis] + (extent,) + args[i].shape[axis + 1:]
    args[i] = _random(rng, shape, args[i].dtype)
    return f"{names[i]} has extent {extent} along axis {axis} (was {old})"


def retype(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """An argument of another type: an array cast to another dtype, a scalar of another kind."""
    i = draw(st.integers(0, len(args) - 1))
    if isinstance(args[i], np.ndarray):
        dtype = np.dtype(draw(st.sampled_from(DTYPES)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)  # the cast is the point
            args[i] = args[i].astype(dtype)
        return f"{names[i]} is {dtype}"
    kinds: list[Callable[[Any], Any]] = [float, complex, bool, np.float32, np.float64, np.int64, np.array, str]
    if np.isfinite(complex(args[i]).real) and abs(complex(args[i]).real) < 2**63:
        kinds.append(lambda v: int(complex(v).real))
    kind = draw(st.sampled_from(kinds))
    try:
        args[i] = kind(args[i])
    except (TypeError, OverflowError):  # complex -> float
        return None
    return f"{names[i]} is {args[i]!r} ({type(args[i]).__name__})"


def rerank(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """An array with an axis more or fewer."""
    arrays = _arrays(args)
    if not arrays:
        return None
    i = draw(st.sampled_from(arrays))
    args[i] = args[i].ravel() if draw(st.booleans()) and args[i].ndim > 1 else args[i][..., None]
    return f"{names[i]} has shape {args[i].shape}"


def relayout(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """The same values in a view that is reversed, strided, Fortran-ordered, unaligned or read-only."""
    arrays = [i for i in _arrays(args) if args[i].ndim]
    if not arrays:
        return None
    i = draw(st.sampled_from(arrays))
    how = draw(st.sampled_from(["reversed", "strided", "fortran", "unaligned", "read-only"]))
    a = args[i]
    if how == "reversed":
        args[i] = a[::-1].copy()[::-1]
    elif how == "strided":
        args[i] = np.repeat(a, 2, axis=-1)[..., ::2]
    elif how == "fortran":
        args[i] = np.asfortranarray(a)
    elif how == "unaligned":
        raw = np.zeros(a.nbytes + a.itemsize + 1, np.uint8)[1:1 + a.nbytes]
        args[i] = raw.view(a.dtype).reshape(a.shape)
        args[i][...] = a
    else:
        args[i] = a.copy()
        args[i].flags.writeable = False
    return f"{names[i]} is a {how} view"


def alias(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """The same array passed for two parameters."""
    arrays = _arrays(args)
    if len(arrays) < 2:
        return None
    i, j = draw(st.permutations(arrays))[:2]
    args[j] = args[i]
    return f"{names[j]} is {names[i]}"


def overlap(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """Two arrays that are views of one buffer, `shift` elements apart (of the first's dtype)."""
    arrays = _arrays(args)
    if len(arrays) < 2:
        return None
    i, j = draw(st.permutations(arrays))[:2]
    first, second = args[i], args[j]
    shift = draw(st.integers(0, first.size))
    buffer = _random(rng, (shift + max(first.size - shift, second.size),), first.dtype)
    args[i] = buffer[:first.size].reshape(first.shape)
    args[j] = buffer[shift:shift + second.size].reshape(second.shape)
    return f"{names[j]} starts {shift} elements into {names[i]}'s buffer ({first.dtype})"


def extreme_scalar(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """A scalar at an edge: NaN, an infinity, zero, a negative or a huge integer, of the same type
    where that type holds it."""
    scalars = _scalars(args)
    if not scalars:
        return None
    i = draw(st.sampled_from(scalars))
    value = draw(st.sampled_from(EXTREME_SCALARS))
    if isinstance(args[i], np.generic):
        try:
            value = type(args[i])(value)
        except (OverflowError, ValueError):
            pass
    args[i] = value
    return f"{names[i]} = {value!r}"


def extreme_elements(draw: Draw, rng: np.random.Generator, args: list[Any], names: list[str]) -> str | None:
    """One to three elements of an array at an edge of its dtype (NaN, infinities, the integer limits)."""
    arrays = [i for i in _arrays(args) if args[i].size and args[i].dtype.kind in "iufc"]
    if not arrays:
        return None
    i = draw(st.sampled_from(arrays))
    a = args[i].copy()
    if a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        choices: list[Any] = [int(info.max), int(info.min), -1 if a.dtype.kind == "i" else 0]
    else:
        choices = [np.nan, np.inf, -np.inf, 1e308 if a.dtype.itemsize >= 8 else 3e38, 5e-324]
    value = draw(st.sampled_from(choices))
    positions = draw(st.lists(st.integers(0, a.size - 1), min_size=1, max_size=3))
    a.reshape(-1)[positions] = value
    args[i] = a
    return f"{names[i]} holds {value!r} at flat positions {positions}"


Mutation = Callable[[Draw, np.random.Generator, list[Any], list[str]], "str | None"]
MUTATIONS: tuple[Mutation, ...] = (resize, retype, rerank, relayout, alias, overlap, extreme_scalar, extreme_elements)
