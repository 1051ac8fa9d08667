"""An `Out` array that an array statement writes whole may be read afterwards: the statement's
length checks (made by the caller before the call) equate the extents its loops run to with the
target's, so `passes.access` sees the later reads covered; a partial write still is not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.kernels import whole_writes
from tests.located import translation_error
from translator.oracle import compare_with_python
from translator.targets import parse_target

HOST_OFFLOAD = parse_target("host-offload")
HEADER = "from translator import In, Out, f64, i64, kernel\n\n\n@kernel\n"


def test_a_vector_written_whole_is_read_on_the_device() -> None:
    rng = np.random.default_rng(31)
    v = rng.standard_normal(1000)
    args = (v, np.full(1000, np.nan), np.full(1000, np.nan))
    result = compare_with_python(whole_writes.scaled_then_shifted, args, HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches


def test_a_power_iteration_step_reads_its_first_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel's own loops (no library): `w` goes from the first product into the second."""
    monkeypatch.setenv("PY2OMP_BLAS", "0")
    rng = np.random.default_rng(32)
    A, v = rng.standard_normal((60, 60)), rng.standard_normal(60)
    args = (A, v, np.full(60, np.nan), np.full(60, np.nan))
    result = compare_with_python(whole_writes.power_step, args, HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches


def test_a_matrix_written_whole_is_read_on_the_device() -> None:
    rng = np.random.default_rng(33)
    A, B = rng.standard_normal((40, 70)), rng.standard_normal((40, 70))
    args = (A, B, np.full((40, 70), np.nan), np.full((40, 70), np.nan))
    result = compare_with_python(whole_writes.doubled_plus, args, HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("write, line", [("w[1:] = 2.0 * v[1:]", "u[:] = w + 1.0"),
                                         ("w[:n] = 2.0 * v[:n]", "u[:] = w + 1.0")])
def test_a_partial_write_then_a_read_of_the_rest_is_an_error(tmp_path: Path, write: str, line: str) -> None:
    body = textwrap.dedent(f"""\
        def f(v: In[f64[:]], w: Out[f64[:]], u: Out[f64[:]], n: i64):
            {write}
            {line}
        """)
    assert translation_error(tmp_path, HEADER, body) == (
        "k.py:7:12: error: 'w' is declared Out but the kernel reads it here before writing it, so the caller's "
        f"values are needed on the device; declare it InOut\n    {line}\n           ^")
