"""What embedding and installing need beyond the C itself (issue 13, item 8): headers that C and C++
compile strictly, libraries that can move with their folder, and a demo that finds its examples
when installed and fails when it finds nothing to check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from translator import pipeline, resources
from translator.demo import EXAMPLES_DIR, example_kernels, run_demo
from translator.targets import parse_target
from translator.toolchain import build_cached, discover

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_HEADERS = sorted((ROOT / "tests" / "golden").glob("*.h"))
COMPLEX_HEADER = ROOT / "tests" / "golden" / "complex_poly.h"
needs_clang = pytest.mark.skipif(discover.find_toolchain() is None, reason="clang-19 is not installed")


def test_the_golden_headers_include_one_with_complex_types() -> None:
    assert len(GOLDEN_HEADERS) >= 20
    assert "py2omp_c128" in COMPLEX_HEADER.read_text()


@needs_clang
@pytest.mark.parametrize("header", GOLDEN_HEADERS, ids=lambda p: p.name)
@pytest.mark.parametrize(("compiler", "standard", "suffix"), [("clang++-19", "c++11", "cpp"), ("clang-19", "c99", "c")])
def test_headers_compile_pedantically(header: Path, compiler: str, standard: str, suffix: str, tmp_path: Path) -> None:
    """Each header, together with the complex one (typedefs seen twice), under -pedantic -Werror."""
    unit = tmp_path / f"unit.{suffix}"
    unit.write_text(f'#include "{header}"\n#include "{COMPLEX_HEADER}"\n#include "{header}"\nint main(void) {{ return 0; }}\n')
    done = subprocess.run([compiler, f"-std={standard}", "-pedantic", "-Werror", "-Wall", "-Wextra", "-fsyntax-only",
                           str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@needs_clang
def test_a_c_program_finds_the_library_after_its_folder_moves(tmp_path: Path) -> None:
    """Linked by path: the program records the SONAME, not the path, so the moved folder still works."""
    target = parse_target("serial")
    emitted = pipeline.translate(str(ROOT / "examples" / "saxpy.py"), target)
    built = build_cached("saxpy", emitted.c_source, emitted.h_source, emitted.manifest, target)
    first = tmp_path / "first"
    shutil.copytree(built, first)
    program = tmp_path / "main.c"
    program.write_text('#include <stdio.h>\n#include "saxpy.h"\nint main(void) {\n'
                       '    float x[3] = {1, 2, 3}, y[3] = {0.5f, 0.25f, 0.125f};\n    saxpy(2.0f, x, 3, y, 3);\n'
                       '    printf("%g %g %g\\n", y[0], y[1], y[2]);\n    return 0;\n}\n')
    executable = tmp_path / "main"
    subprocess.run(["clang-19", str(program), f"-I{first}", str(first / "saxpy.so"), "-o", str(executable)], check=True)
    moved = tmp_path / "moved"
    first.rename(moved)
    done = subprocess.run([str(executable)], capture_output=True, text=True, env={"LD_LIBRARY_PATH": str(moved)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(v) for v in np.float32(2) * np.array([1, 2, 3], np.float32) +
                                   np.array([0.5, 0.25, 0.125], np.float32)]


def test_the_examples_are_installed_as_data_files() -> None:
    """setup.cfg ships every example module where `resources.shipped_dir` looks in an installed copy."""
    config = (ROOT / "setup.cfg").read_text()
    assert "share/py2omp/examples = examples/*.py" in config
    assert EXAMPLES_DIR == ROOT / "examples"
    assert len(example_kernels(EXAMPLES_DIR)) >= 17


def test_without_a_source_tree_the_installed_data_files_are_used(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "__file__", str(tmp_path / "site-packages" / "translator" / "resources.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert resources.shipped_dir("examples") == tmp_path / "venv" / "share" / "py2omp" / "examples"


def test_a_demo_that_finds_nothing_says_so_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo("serial", str(tmp_path)) == 1
    captured = capsys.readouterr()
    assert captured.err == f"py2omp demo: no example kernels in {tmp_path}: nothing was checked\n"
    assert "passed" not in captured.out
