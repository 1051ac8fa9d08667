"""Data movement from ownership: checks, inference, explanations, runtime coverage, data regions,
device arrays and zero-copy arguments, and byte counts cross-checked with the offload runtime's log.

Everything runs on the host-offload virtual device, whose memory is separate from the host's: a
wrong map clause gives a wrong answer here exactly as on a GPU.
"""

from __future__ import annotations

import ctypes
import json
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from tests.kernels import movement
from tests.located import translation_error
from translator import TranslationWarning, pipeline
from translator.explain import explain_file
from translator.ir.types import Ownership
from translator.targets import parse_target

ROOT = Path(__file__).resolve().parent.parent
HEADER = "from translator import In, InOut, Out, f64, kernel, prange\n\n\n@kernel\n"


def translate_source(tmp_path: Path, body: str) -> pipeline.EmittedModule:
    path = tmp_path / "k.py"
    path.write_text(HEADER + textwrap.dedent(body))
    return pipeline.translate(str(path), "host-offload")


# ---------------------------------------------------------------------------------------------
# Checks and inference.


def test_in_array_written_is_an_error_at_the_write(tmp_path: Path) -> None:
    assert translation_error(tmp_path, HEADER, textwrap.dedent("""\
        def f(x: In[f64[:]]):
            for i in prange(x.shape[0]):
                x[i] = 1.0
        """)) == (
        "k.py:7:9: error: 'x' is declared In but the kernel writes it here; declare it InOut "
        "(or Out if the kernel never reads it)\n        x[i] = 1.0\n        ^"
    )


def test_out_array_read_before_written_suggests_inout(tmp_path: Path) -> None:
    assert translation_error(tmp_path, HEADER, textwrap.dedent("""\
        def f(x: In[f64[:]], y: Out[f64[:]]):
            for i in prange(x.shape[0]):
                y[i] += x[i]
        """)).splitlines()[0] == (
        "k.py:7:9: error: 'y' is declared Out but the kernel reads it here before writing it, so the "
        "caller's values are needed on the device; declare it InOut"
    )


def test_out_array_read_after_its_own_write_is_fine(tmp_path: Path) -> None:
    translate_source(tmp_path, """\
        def f(x: In[f64[:]], y: Out[f64[:]]):
            for i in prange(x.shape[0]):
                y[i] = x[i]
                y[i] = y[i] * 2.0
        """)


def test_out_stencil_skipping_the_border_copies_back_the_written_section(tmp_path: Path) -> None:
    emitted = translate_source(tmp_path, """\
        def f(u: In[f64[:, :]], v: Out[f64[:, :]]):
            for i in prange(1, u.shape[0] - 1):
                for j in prange(1, u.shape[1] - 1):
                    v[i, j] = u[i, j]
        """)
    v = emitted.manifest["kernels"][0]["params"][1]
    assert (v["map"], v["copy_in"], v["sectioned"]) == ("from", False, True)
    assert v["writes"] == [[[1, {"op": "-", "args": [{"extent": ["u", 0]}, 1]}],
                            [1, {"op": "-", "args": [{"extent": ["u", 1]}, 1]}]]]
    assert v["reason"] == ("written at line 8, never read before written; only the written section comes back "
                           "(v[1:u.shape[0] - 1, 1:u.shape[1] - 1])")


def test_out_partly_written_with_unbounded_writes_suggests_inout(tmp_path: Path) -> None:
    assert translation_error(tmp_path, HEADER, textwrap.dedent("""\
        def f(u: In[f64[:]], v: Out[f64[:]]):
            for i in prange(1, u.shape[0]):
                v[i] = u[i]
                if u[i] > 0.0:
                    v[0] = 1.0
        """)).splitlines()[0] == (
        "k.py:5:22: error: 'v' is declared Out but the kernel may not write every element (it surely writes "
        "only v[1:u.shape[0]]); the elements it skips would come back from the device undefined; declare it InOut"
    )


def test_out_written_under_a_condition_suggests_inout(tmp_path: Path) -> None:
    message = translation_error(tmp_path, HEADER, textwrap.dedent("""\
        def f(x: In[f64[:]], y: Out[f64[:]]):
            for i in prange(x.shape[0]):
                if x[i] > 0:
                    y[i] = x[i]
        """)).splitlines()[0]
    assert message.endswith("(it writes only under conditions or at indices that are not loop ranges); the "
                            "elements it skips would come back from the device undefined; declare it InOut")


def test_inout_warnings_suggest_in_and_out(tmp_path: Path) -> None:
    emitted = translate_source(tmp_path, """\
        def f(x: InOut[f64[:]], y: InOut[f64[:]]):
            for i in prange(x.shape[0]):
                y[i] = x[i]
        """)
    # y is written over x's range only: as Out, just that section would come back.
    assert [w.message for w in emitted.warnings] == [
        "'x' is declared InOut but the kernel never writes it; declare it In to skip copying it back",
        "'y' is declared InOut but the kernel never reads the values it is given; declare it Out to skip "
        "copying it in",
    ]
    assert [w.severity for w in emitted.warnings] == ["warning", "warning"]
    assert [p["map"] for p in emitted.manifest["kernels"][0]["params"]] == ["tofrom", "tofrom"]


def test_inout_written_entirely_and_never_read_warns_out(tmp_path: Path) -> None:
    emitted = translate_source(tmp_path, """\
        def f(y: InOut[f64[:]]):
            for i in prange(y.shape[0]):
                y[i] = 1.0
        """)
    assert [w.render().replace(str(tmp_path / "k.py"), "k.py") for w in emitted.warnings] == [
        "k.py:5:7: warning: 'y' is declared InOut but the kernel never reads the values it is given; "
        "declare it Out to skip copying it in\ndef f(y: InOut[f64[:]]):\n      ^"
    ]


def test_warnings_surface_through_python_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "warned.py"
    path.write_text(HEADER + "def warned(y: InOut[f64[:]]):\n    for i in prange(y.shape[0]):\n        y[i] = 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import warned  # type: ignore[import-not-found]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warned.warned.library("host-offload")
    assert [w.category for w in caught] == [TranslationWarning]
    assert "declare it Out" in str(caught[0].message)


def test_inference_of_unmarked_arrays() -> None:
    module = pipeline.lower(movement.__file__, "host-offload")
    kernel = next(k for k in module.kernels if k.name == "inferred")
    assert {p.name: p.ownership for p in kernel.params} == {
        "x": Ownership.IN, "y": Ownership.INOUT, "z": Ownership.OUT, "w": Ownership.OUT,
    }
    assert [m.reason for m in kernel.movement] == [
        "read at lines 15, 16, 19, never written",
        "read before written at line 15, written at line 15",
        "written at line 16, never read before written; only the written section comes back (z[0:x.shape[0]])",
        "written at line 19, never read before written; only the written section comes back "
        "(w[1:w.shape[0] - 1, 0:w.shape[1]])",
    ]
    assert all(m.declared is None for m in kernel.movement)


def test_every_example_moves_the_minimum() -> None:
    """An array copied in is read before written; one copied out is written; In never comes back.
    The last `tofrom` of row_norms, histogram and csr_spmv is the status of their in-kernel checks
    (a row's max, which NumPy refuses for an empty row; docs/language.md, "Bounds": `int()` of a
    float, a gather); covariance's triangular loop needs none (its preconditions are checked before)."""
    expected = {
        "dot": ["to", "to"], "jacobi_step": ["to", "from"], "mandelbrot": ["to", "to", "from"],
        "matmul": ["to", "to", "from"], "saxpy": ["to", "tofrom"], "triad": ["from", "to", "to"],
        "newton_step": ["to", "to", "from", "from"], "conv2d": ["to", "to", "from"],
        "covariance": ["to", "alloc", "tofrom"], "floyd_warshall": ["tofrom"], "gemm": ["to", "to", "tofrom"],
        "heat3d": ["tofrom", "from"], "histogram": ["to", "tofrom", "tofrom"], "nbody_step": ["to", "tofrom", "to", "from"],
        "softmax_rows": ["to", "from"], "csr_spmv": ["to", "to", "to", "to", "from", "tofrom"],
        "row_norms": ["to", "from", "from", "from", "tofrom"],
    }
    found = {}
    for path in sorted((ROOT / "examples").glob("*.py")):
        for k in pipeline.translate(str(path), "host-offload").manifest["kernels"]:
            found[k["name"]] = [p["map"] for p in k["params"] if p["kind"] == "array"]
    assert found == expected


def test_explain_jacobi() -> None:
    text = explain_file("examples/jacobi2d.py", parse_target("nvptx:sm_90"))
    assert text == textwrap.dedent("""\
        jacobi_step (examples/jacobi2d.py:13)
          u: declared In, inferred In
            map(to: u[0:u.shape[0] * u.shape[1]])
            bytes per call: 8 * u.shape[0] * u.shape[1] to the device, 0 back
            why: read at line 16, never written
          v: declared Out, inferred Out
            map(alloc: v[0:v.shape[0] * v.shape[1]]) + target update from v[1:u.shape[0] - 1, 1:u.shape[1] - 1]
            bytes per call: 0 to the device, 8 * (u.shape[0] - 2) * (u.shape[1] - 2) back
            why: written at line 16, never read before written; only the written section comes back \
(v[1:u.shape[0] - 1, 1:u.shape[1] - 1])
          total per call: 8 * u.shape[0] * u.shape[1] bytes to the device, \
8 * (u.shape[0] - 2) * (u.shape[1] - 2) back
        """)


def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    from translator.cli import main
    assert main(["explain", "examples/stream_triad.py", "--target", "host-offload"]) == 0
    out = capsys.readouterr().out
    assert "  a: declared Out, inferred Out\n    map(from: a[0:a.shape[0]])\n" in out
    assert "  b: declared In, inferred In\n    map(to: b[0:a.shape[0]]) (rows the kernel reaches, clamped to the extent)\n" in out
    assert "total per call: 8 * a.shape[0] + 8 * a.shape[0] bytes to the device, 8 * a.shape[0] back" in out


def test_cli_prints_warnings_and_still_translates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from translator.cli import main
    path = tmp_path / "k.py"
    path.write_text(HEADER + "def f(y: InOut[f64[:]]):\n    for i in prange(y.shape[0]):\n        y[i] = 1.0\n")
    assert main(["translate", str(path), "--target", "host-offload", "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"{path}:5:7: warning: 'y' is declared InOut but the kernel never reads" in err
    assert (tmp_path / "out" / "k.c").is_file()
