"""Settings of the translation read from the environment, in one place: the pipeline reads them when
it translates, and the call index (`toolchain.index`) keys its records by them, so a build made under
other settings is never taken for this one."""

from __future__ import annotations

import os

from translator.targets import Target


def asynchronous_launches() -> bool:
    """`PY2OMP_ASYNC`: whether a kernel's sequence of target regions is launched `nowait`
    (`passes.launches`). `1`: on every offload target; unset or anything else: never. It was on by
    default on GPUs while the offload runtime waited for each synchronous region by sleeping
    (`CU_CTX_SCHED_BLOCKING_SYNC`); since the host waits by spinning (`runtime_shim.host_wait`) the
    synchronous launches are faster in every kernel that had `nowait` ones (H100, 2026-12-06, one
    run, bench/peers.py on builds with and without: covariance 0.31 ms against 0.64, correlation 0.43
    against 0.68, heat_3d 27.9 against 32.1, jacobi_2d 123 against 132, floyd_warshall 169 against
    184, gemver and go_fast within the noise). On host-offload a nowait launch cost 2-6 ms against
    5-21 us synchronous on the loaded 2-core development machine (bench/launch_floor.py). The
    asynchronous form stays for measurements and its tests (which set `1`)."""
    return os.environ.get("PY2OMP_ASYNC", "") == "1"


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
