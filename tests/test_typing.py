"""The modules listed under `[mypy] files` in setup.cfg stay clean under `mypy --strict`.

Typing is how the passes state what each stage hands the next (typed expressions after typing,
statements staying statements through a rewrite), so a new error in those modules fails here
rather than in a later reader's head.
"""

from __future__ import annotations

import configparser

import pytest

from tests.conftest import ROOT


def clean_modules() -> list[str]:
    """The files setup.cfg lists as clean, relative to the repository root."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return [name.strip() for name in config["mypy"]["files"].split(",") if name.strip()]


def test_clean_modules_list_existing_files() -> None:
    modules = clean_modules()
    assert modules, "setup.cfg lists no clean modules"
    assert [m for m in modules if not (ROOT / m).is_file()] == []


def test_clean_modules_pass_mypy_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        from mypy import api
    except ImportError:
        pytest.skip("mypy is not installed: pip install -e '.[test]' brings it")
    monkeypatch.chdir(ROOT)
    modules = clean_modules()
    stdout, stderr, status = api.run(["--config-file", "setup.cfg", *modules])
    assert status == 0, stdout + stderr
    assert f"Success: no issues found in {len(modules)} source files" in stdout
