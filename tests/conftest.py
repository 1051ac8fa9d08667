"""Shared test setup: one build cache per test session, `--update-golden` for the golden files, and
the audit of every offload library the suite builds (off with `PY2OMP_AUDIT_BUILDS=0`).

The host-offload device shares the host's address space: a target region reads host memory through
a pointer that was never mapped, so a dropped map or a short section passes an end-to-end test
there (docs/embedding.md, "Why the audit and not the host device"). So every C file the suite
builds for an offload target goes through `py2omp audit` first (its section, copy-back and
reduction checks included), and a mismatch fails the test that built it: CI (the README's test
command) audits every kernel the tests build. Measured: 226 C files, 65 s of a 17-minute run on
a loaded 2-core machine (about 6%; the summary line says how much); `PY2OMP_AUDIT_BUILDS=0` skips
it for a quick local run.

The README's test command runs under pytest-xdist (`-n auto --dist loadgroup`): the workers share
the session's build cache, which the cache's per-entry lock makes safe (tests/test_cache_integrity.py),
and send their audit times to the controller's summary. Tests that share one expensive module fixture
built outside the cache carry `xdist_group`, so that one worker makes it. A worker runs the files in
an order of its own; test_multi and test_mpi once saw 0 offload devices when a `cpu` library had
loaded libomp first, a product bug (fixed in `discover.portable_flags`; tests/test_mpi.py)."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime_shim import host_offload

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Builds are cached per session, so each test module compiles its kernels once. Under pytest-xdist
    the workers share one cache (in the run's base folder, above each worker's own): a kernel that
    tests on several workers need is built once, and the cache's lock is exercised on every run."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        cache = tmp_path_factory.getbasetemp().parent / "py2omp-cache"
        cache.mkdir(exist_ok=True)
    else:
        cache = tmp_path_factory.mktemp("py2omp-cache")
    os.environ["PY2OMP_CACHE_DIR"] = str(cache)
    # For the whole session, before any library starts libomp: a `cpu` kernel run before the first
    # host-offload library loads would start it with the defaults (runtime_shim/host_offload.py).
    host_offload.prepare()
    return cache


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


AUDIT_BUILDS = os.environ.get("PY2OMP_AUDIT_BUILDS", "1") != "0"
_AUDITED: dict[str, float] = {}
"""sha256 of each audited C file -> seconds its audit took."""
_BROKEN_ON_PURPOSE = False
"""Whether the running test is marked `broken_c`: it builds corrupted C to show what goes wrong."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "broken_c: the test builds deliberately corrupted C (not audited)")


@pytest.fixture(autouse=True)
def _broken_on_purpose(request: pytest.FixtureRequest) -> Iterator[None]:
    global _BROKEN_ON_PURPOSE
    _BROKEN_ON_PURPOSE = request.node.get_closest_marker("broken_c") is not None
    yield
    _BROKEN_ON_PURPOSE = False


def _audited(build: Callable[..., Path]) -> Callable[..., Path]:
    """`build_cached`, auditing the C first when the target offloads."""

    def build_cached(module_name: str, c_source: str, h_source: str, manifest: dict[str, Any], target: Any) -> Path:
        key = hashlib.sha256(c_source.encode()).hexdigest()
        if target.offloads and manifest.get("kernels") and key not in _AUDITED and not _BROKEN_ON_PURPOSE:
            from translator.audit import audit_emitted

            start = time.perf_counter()
            problems = audit_emitted(c_source, manifest)
            _AUDITED[key] = time.perf_counter() - start
            if problems:
                pytest.fail(f"py2omp audit refuses the C of {module_name}:\n" + "\n".join(problems))
        return build(module_name, c_source, h_source, manifest, target)

    return build_cached


@pytest.fixture(scope="session", autouse=True)
def audit_builds() -> Iterator[None]:
    """Route every `build_cached` the suite reaches through the audit (unless `PY2OMP_AUDIT_BUILDS=0`)."""
    if not AUDIT_BUILDS:
        yield
        return
    from translator.toolchain import cache

    original = cache.build_cached
    audited = _audited(original)
    holders = [m for m in list(sys.modules.values()) if getattr(m, "build_cached", None) is original]
    for module in holders:
        module.build_cached = audited  # type: ignore[attr-defined]
    yield
    for module in holders:
        module.build_cached = original  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its audits to the controller, which prints the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["py2omp_audited"] = dict(_AUDITED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """(pytest-xdist, in the controller) A worker finished: count the C files it audited."""
    _AUDITED.update(getattr(node, "workeroutput", {}).get("py2omp_audited", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if AUDIT_BUILDS:
        terminalreporter.write_line(
            f"py2omp audit of built C: {len(_AUDITED)} file(s), {sum(_AUDITED.values()):.1f} s")
