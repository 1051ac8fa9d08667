"""A staged call cut into pieces, so that transfers overlap compute (issue 14, "Overlap").

For a kernel elementwise in its `prange` index (manifest `chunk_over`, translator/passes/chunking.py),
calling the device entry point on the elements `[lo, hi)` of every array computes exactly those
elements of the whole call. A staged call of such a kernel (`staging`) therefore runs piece by
piece on three threads in a row: one copies piece k + 1 in, one runs the kernel on piece k, one
copies piece k - 1 back, each in piece order. The offload runtime gives each host thread its own
queue (a CUDA stream per thread's async info), so the copy engines and the GPU work at once and a
call takes about its longest stage instead of their sum.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import staging
from .device import DeviceArray
from .resident import OpenMP

_STAGES = [ThreadPoolExecutor(1, f"py2omp-{name}") for name in ("in", "compute", "out")]


@dataclass(frozen=True)
class Piece:
    """Elements of a device array handed to the device entry point as a device array of its own."""

    ptr: int
    length: int
    dtype: np.dtype

    @property
    def __cuda_array_interface__(self) -> dict[str, object]:
        return {"shape": (self.length,), "typestr": self.dtype.str, "data": (self.ptr, False), "version": 3,
                "strides": None}


def pieces(n: int, itemsize: int) -> list[tuple[int, int]]:
    """`[lo, hi)` of each piece of `n` elements (`staging.SETTINGS.piece_bytes` of the widest array
    each); a single piece when there is nothing to overlap."""
    step = max(staging.SETTINGS.piece_bytes // max(itemsize, 1), 1)
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


Staged = Sequence[tuple[np.ndarray, DeviceArray]]


def run(openmp: OpenMP, cuts: list[tuple[int, int]], copied_in: Staged, copied_out: Staged,
        compute: Callable[[int, int], object]) -> None:
    """Copy in, `compute(lo, hi)` and copy back each piece, the three stages overlapping (module docstring)."""
    ins, computes, outs = _STAGES
    futures: list[Future[None] | None] = []
    with staging.Draining(futures):
        for lo, hi in cuts:
            moved_in = ins.submit(_copy, openmp, copied_in, lo, hi, True)
            computed = computes.submit(staging.after, moved_in, compute, lo, hi)
            moved_out = outs.submit(staging.after, computed, functools.partial(_copy, openmp, copied_out, to_device=False),
                                    lo, hi)
            futures += [moved_in, computed, moved_out]


def _copy(openmp: OpenMP, arrays: Staged, lo: int, hi: int, to_device: bool) -> None:
    """Elements `[lo, hi)` of each pair, host to device or back, through the staging pools."""
    for host, device in arrays:
        offset, nbytes = lo * host.itemsize, (hi - lo) * host.itemsize
        if to_device:
            staging.copy_to_device(openmp, device.ptr + offset, host.ctypes.data + offset, nbytes, device.device)
        else:
            staging.copy_from_device(openmp, host.ctypes.data + offset, device.ptr + offset, nbytes, device.device)
