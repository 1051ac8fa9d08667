"""Settings of the translation read from the environment, in one place: the pipeline reads them when
it translates, and the call index (`toolchain.index`) keys its records by them, so a build made under
other settings is never taken for this one."""

from __future__ import annotations

import os


def asynchronous_launches() -> bool:
    """`PY2OMP_ASYNC` (default 1): whether a kernel's sequence of target regions is launched `nowait`
    (`passes.launches`); `PY2OMP_ASYNC=0` keeps every launch synchronous, for a before/after measurement
    from one source (bench/launch_floor.py)."""
    return os.environ.get("PY2OMP_ASYNC", "1") != "0"


def translation_settings() -> dict[str, bool]:
    """Every setting that changes the emitted C, for the call index's key."""
    return {"asynchronous_launches": asynchronous_launches()}
