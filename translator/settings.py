"""Settings of the translation read from the environment, in one place: the pipeline reads them when
it translates, and the call index (`toolchain.index`) keys its records by them, so a build made under
other settings is never taken for this one."""

from __future__ import annotations

import os

from translator.targets import Target


def asynchronous_launches(target: Target) -> bool:
    """`PY2OMP_ASYNC`: whether a kernel's sequence of target regions is launched `nowait`
    (`passes.launches`). `1`: on every offload target; `0`: never (today's synchronous launches, for a
    before/after measurement from one source, bench/launch_floor.py); unset: on GPUs only. On
    host-offload the "device" is the host's own cores, so there is nothing to overlap, and on the
    2-core development machine under load a nowait launch cost 2-6 ms against 5-21 us synchronous
    (bench/launch_floor.py, jacobi_1d at n = 16 and 2000); the tests set `1` to run them there."""
    choice = os.environ.get("PY2OMP_ASYNC", "")
    return choice == "1" or (choice != "0" and target.is_gpu)


TEAM_LOOP_LIMIT = 32768
"""The default of `team_loop_limit` on GPUs: below the crossing of the two forms measured by
bench/launch_floor.py (near 56000 iterations for jacobi_1d on an H100, docs/benchmarks.md), with room
for heavier bodies."""


def team_loop_limit(target: Target) -> int:
    """`PY2OMP_TEAM_LOOPS`: the largest trip count of the regions of a host loop that runs as one
    team's region (`passes.team_loops`); `0` never. Unset: `TEAM_LOOP_LIMIT` on GPUs, where a launch
    costs about 18 us, and never elsewhere: on host-offload a launch costs a few microseconds and the
    team is the host's few cores (the tests set it to run both forms there)."""
    choice = os.environ.get("PY2OMP_TEAM_LOOPS", "")
    if choice:
        return int(choice)
    return TEAM_LOOP_LIMIT if target.is_gpu else 0


def bare_launches(target: Target) -> bool:
    """`PY2OMP_BARE`: whether elementwise loop nests, loops over rows (`passes.bare_rows`) and loops of
    column reductions (`passes.bare_columns`) are launched in the bare form (`passes.bare`) on targets
    that have it (`Target.bare_launch`: nvptx). `0`: never (the `target teams distribute parallel for`
    of every other nest and the OpenMP team form of the loops over rows, so that one build family
    times both forms, bench/row_variants.py and bench/column_sums.py too, bench/bandwidth_variants.py);
    unset or anything else: where the target has it (the elementwise form checked on an H100: every
    example, NPBench and corpus kernel built with it matched Python, 2026-12-06; the row form ran
    there too, bench/row_variants.py's `emitted_bare`; the column form only with `bare_columns`)."""
    return target.bare_launch and os.environ.get("PY2OMP_BARE", "") != "0"


def bare_columns() -> bool:
    """`PY2OMP_BARE_COLUMNS`: whether loops of column reductions take the bare column form
    (`passes.bare_columns`) where the bare forms are on. `1`: they do; unset or anything else: they
    keep the OpenMP loop, one thread per column. Its first GPU run (H100, 2026-12-06,
    bench/column_sums.py) found it slower in every shape: column sums of (1400, 1200) 0.101 ms against
    0.085 for the OpenMP loop (CuPy 0.048), (22000, 18000) 1.54 against 1.21, (100000, 64) 4.02 against
    2.03; NPBench covariance's means 34.5 us against 23.2. Each warp's loop over rows keeps one load in
    flight and a few dozen blocks leave most of the GPU idle; splitting rows over blocks is the next
    step (docs/benchmarks.md, "Column sums")."""
    return os.environ.get("PY2OMP_BARE_COLUMNS", "") == "1"


def translation_settings() -> dict[str, str]:
    """Every setting that changes the emitted C, for the call index's key."""
    return {name: os.environ.get(name, "") for name in ("PY2OMP_ASYNC", "PY2OMP_TEAM_LOOPS", "PY2OMP_BARE",
                                                     "PY2OMP_BARE_COLUMNS")}
