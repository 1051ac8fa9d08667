"""The modules listed under `[mypy] files` in setup.cfg stay clean under `mypy --strict`.

Typing is how the passes state what each stage hands the next (typed expressions after typing,
statements staying statements through a rewrite), so a new error in those modules fails here
rather than in a later reader's head.
"""

from __future__ import annotations

import configparser

import pytest

from tests.conftest import ROOT
from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.types import F32, type_of
from translator.ir.visit import rewrite


def clean_modules() -> list[str]:
    """The files setup.cfg lists as clean, relative to the repository root."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return [name.strip() for name in config["mypy"]["files"].split(",") if name.strip()]


def test_clean_modules_list_existing_files() -> None:
    modules = clean_modules()
    assert modules, "setup.cfg lists no clean modules"
    assert [m for m in modules if not (ROOT / m).is_file()] == []


def test_every_module_is_listed_clean() -> None:
    """All of `translator` and `runtime_shim` is clean: a new module is added to the list, and so
    kept clean, from the start."""
    modules = {str(path.relative_to(ROOT)) for package in ("translator", "runtime_shim")
               for path in (ROOT / package).rglob("*.py")}
    assert sorted(modules - set(clean_modules())) == []


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


SPAN = Span("k.py", 3, 5)


def test_type_of_reports_an_untyped_expression_at_its_line() -> None:
    assert type_of(ir.Name("x", SPAN, F32)) is F32
    with pytest.raises(TranslationError) as error:
        type_of(ir.Name("x", SPAN))
    assert str(error.value) == "k.py:3:5: error: internal error: expression used untyped after typing"


def test_rewrite_keeps_expressions_expressions() -> None:
    """The typed `rewrite` overloads promise an expression back for an expression; a pass that
    breaks that is stopped at the rewrite, not later in the backend."""
    expr = ir.Binary("+", ir.Name("x", SPAN), ir.Const(1, SPAN), SPAN)
    doubled = rewrite(expr, lambda n: ir.Const(2, SPAN) if isinstance(n, ir.Const) else n)
    assert doubled == ir.Binary("+", ir.Name("x", SPAN), ir.Const(2, SPAN), SPAN)
    with pytest.raises(TypeError, match="a rewrite replaced Name by Break"):
        rewrite(expr, lambda n: ir.Break(SPAN) if isinstance(n, ir.Name) else n)
