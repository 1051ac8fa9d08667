"""What the cache of freed DeviceArray blocks saves (runtime_shim/device_cache.py): making and freeing
one DeviceArray, with the cache (the default cap) and without it (`limit` 0: `omp_target_alloc` and
`omp_target_free` each time).

    python bench/device_cache.py [TARGET] [BYTES ...]   # default: host-offload, 4 KiB 1 MiB 64 MiB

For each size: microseconds per `empty_on_device` + `free()` pair, the best of 15 runs of many pairs,
the two settings' runs interleaved. On host-offload the runtime's allocator is the host plugin's
`malloc`, so the cached figure is the cache's own Python cost; on nvptx the uncached one includes
`cuMemAlloc` and `cuMemFree`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's runtime, not an installed one
RUNS = 15


def microseconds_per_pair(nbytes: int, pairs: int) -> float:
    """Microseconds per make-and-free pair of a `nbytes` uint8 DeviceArray, over `pairs` pairs."""
    from runtime_shim import empty_on_device

    start = time.perf_counter()
    for _ in range(pairs):
        empty_on_device((nbytes,), np.uint8).free()
    return (time.perf_counter() - start) / pairs * 1e6


def main(argv: list[str]) -> None:
    target = argv[0] if argv else "host-offload"
    sizes = [int(a) for a in argv[1:]] or [4 << 10, 1 << 20, 64 << 20]
    os.environ.setdefault("PY2OMP_CACHE_DIR", tempfile.mkdtemp(prefix="py2omp-bench-"))
    from bench.kernels import call_types
    from runtime_shim.device_cache import DEVICE_CACHE, DEFAULT_LIMIT

    call_types.saxpy_annotated.library(target)  # a loaded offload library: the device API
    print(f"target {target}: microseconds per empty_on_device + free(), best of {RUNS} runs\n")
    print("| bytes | cache on | cache off |\n| ---: | ---: | ---: |")
    for nbytes in sizes:
        pairs = 2000 if nbytes <= 1 << 20 else 200
        best = {DEFAULT_LIMIT: float("inf"), 0: float("inf")}
        for _ in range(RUNS):
            for limit in best:
                DEVICE_CACHE.limit = limit
                best[limit] = min(best[limit], microseconds_per_pair(nbytes, pairs))
        DEVICE_CACHE.limit = DEFAULT_LIMIT
        print(f"| {nbytes} | {best[DEFAULT_LIMIT]:.2f} | {best[0]:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
