"""Fresh names for what a pass adds to a kernel (loop variables, locals): `base__k`, numbered once
per kernel, never a name the kernel already uses."""

from __future__ import annotations

import itertools


class FreshNames:
    """The names a pass makes for one kernel; `used` (shared with the pass) grows with each."""

    def __init__(self, used: set[str]) -> None:
        self.used = used
        self._counter = itertools.count(1)

    def __call__(self, base: str) -> str:
        """`base__k` for the next number `k` whose name is not in use (`i__3`), in use from then on."""
        while True:
            name = f"{base}__{next(self._counter)}"
            if name not in self.used:
                self.used.add(name)
                return name
