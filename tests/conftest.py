"""Shared test setup: one build cache per test session, and `--update-golden` for the golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Builds are cached per session, so each test module compiles its kernels once."""
    cache = tmp_path_factory.mktemp("py2omp-cache")
    os.environ["PY2OMP_CACHE_DIR"] = str(cache)
    os.environ.setdefault("KMP_WARNINGS", "0")
    return cache


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
