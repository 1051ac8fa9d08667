"""libomp's settings for the host-offload virtual device, made before its first library loads.

On host-offload each team of a target region is a host thread of libomp, forked from the calling
thread, so every region is a fork and a join of host threads on the host's own cores. libomp's
threads wait for the next fork, and at barriers, by spinning (with `sched_yield`) for
`KMP_BLOCKTIME` (200 ms) before they sleep. On a machine whose cores are busy (CI's two cores
running two test workers) the spinning threads take the cores from the threads they wait for, and
twice a test hung for minutes with its threads spinning inside `__kmpc_fork_teams`
(tests/test_staging.py's four threads, tests/test_multi.py's shares). That hang did not recur in
the stress runs of scripts/livelock_stress.py, with or without this setting, so the setting is
chosen for what was measured: with `KMP_BLOCKTIME=0` a waiting thread sleeps at once and is woken
when its work comes, which halves the slowdown under load and keeps threads out of the spin-wait
the hung ones were found in.

Measured on the 2-core machine with bench/host_offload_wait.py (four threads, each running a saxpy
region ten times, new threads each round; bench/results/ci-2core-2026-12-06-host-offload-wait.txt),
rounds in 40 s beside three busy processes: 360 with the default, 760 with `KMP_BLOCKTIME=0`, the
longest stall between ten rounds 1.55 s against 0.78 s. Without them the default is faster (25110
rounds against 14060): host-offload is the testing target, run on loaded CI machines, so the setting
favours the loaded case. scripts/livelock_stress.py ran the Python calls 30 rounds in 4.7 s against
5.5 s beside the same load. A lock running one host-offload region at a time in the process was
measured too and did worse (140 rounds loaded, 17870 without the load), so concurrent calls stay
concurrent.

Set only where the user has not (`setdefault`), and in effect only if libomp starts after it: a
`cpu` library called earlier in the process has started libomp with its own settings (the tests
set it for their whole session). `KMP_WARNINGS=0`: libomp warns when it cannot form as many teams
as a region asks, which is expected on the virtual device and only noise for the user.
"""

from __future__ import annotations

import os

SETTINGS = {"KMP_BLOCKTIME": "0", "KMP_WARNINGS": "0"}


def prepare() -> None:
    """Give libomp the host-offload settings the environment does not already choose."""
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)
