"""Every example and every semantics kernel, compiled for each target, against its Python function.

The inputs are fresh random data (negative values included, never zeros); `host-offload` has
separate device memory, so a wrong map clause shows up here as a wrong result.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.kernels import semantics
from translator.demo import EXAMPLES_DIR, example_kernels
from translator.oracle import compare_with_python
from translator.targets import parse_target

TARGETS = ["host-offload", "cpu", "serial"]
EXAMPLES = example_kernels(EXAMPLES_DIR)
saxpy = next(k for k, _ in EXAMPLES if k.__name__ == "saxpy")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kernel,make_inputs", EXAMPLES, ids=[k.__name__ for k, _ in EXAMPLES])
def test_example_matches_python(kernel, make_inputs, target: str) -> None:
    result = compare_with_python(kernel, make_inputs(np.random.default_rng()), parse_target(target), repeats=1)
    assert result.mismatches == ()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kernel", list(semantics.CASES), ids=[k.__name__ for k in semantics.CASES])
def test_semantics_match_python(kernel, target: str) -> None:
    args = semantics.CASES[kernel](np.random.default_rng())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy warns on the reference's nan/overflow paths
        result = compare_with_python(kernel, args, parse_target(target), repeats=1)
    assert result.mismatches == ()


def test_examples_cover_the_issue_list() -> None:
    names = {k.__name__ for k, _ in EXAMPLES}
    assert {"saxpy", "triad", "dot", "jacobi_step", "matmul", "mandelbrot"} <= names


def test_kernel_is_callable_like_the_function() -> None:
    x = np.arange(1, 6, dtype=np.float32)
    y = np.full(5, -1.5, dtype=np.float32)
    assert saxpy(2.0, x, y) is None
    np.testing.assert_array_equal(y, 2 * np.arange(1, 6, dtype=np.float32) - 1.5)
    assert saxpy.py_func.__name__ == "saxpy"
    assert "#pragma omp" in saxpy.c_source


def test_wrong_arguments_name_the_parameter() -> None:
    x = np.ones(4, np.float32)
    with pytest.raises(TypeError, match=r"^saxpy\(\): argument 'x' has dtype float64; expected float32$"):
        saxpy(1.0, np.ones(4), x)
    with pytest.raises(ValueError, match=r"argument 'y' \(InOut\) overlaps argument 'x' in memory"):
        saxpy(1.0, x, x)
    with pytest.raises(TypeError, match=r"argument 'x' is None"):
        saxpy(1.0, None, x)


@pytest.mark.broken_c
def test_dropped_map_direction_is_caught_by_the_virtual_device(tmp_path) -> None:
    """The virtual device has its own memory: `to` where `tofrom` is needed loses the result."""
    import runtime_shim
    from translator import pipeline
    from translator.toolchain.cache import build_cached
    emitted = pipeline.translate(str(EXAMPLES_DIR / "saxpy.py"), "host-offload")
    mapped = "y[0:py2omp_min_i64(x_n0, y_n0)])"
    broken = emitted.c_source.replace(f"map(tofrom: {mapped}", f"map(to: {mapped}")
    assert broken != emitted.c_source
    x, y = np.ones(8, np.float32), np.full(8, 3.0, np.float32)
    for source, expected in ((emitted.c_source, 5.0), (broken, 3.0)):
        built = build_cached("saxpy", source, emitted.h_source, emitted.manifest, parse_target("host-offload"))
        out = y.copy()
        runtime_shim.load(built).saxpy(2.0, x, out)
        np.testing.assert_array_equal(out, np.full(8, expected, np.float32))


@pytest.mark.broken_c
def test_unmapped_array_is_still_read_on_the_virtual_device() -> None:
    """Why the audit exists: the host device runs target regions in the host process, so a region
    reads an array whose map was dropped through its host address, and the answer is right here
    (on a GPU it is garbage). Only the audit (`py2omp audit`, which the suite runs on every build)
    refuses it."""
    import runtime_shim
    from translator import pipeline
    from translator.audit import audit_emitted
    from translator.toolchain.cache import build_cached
    emitted = pipeline.translate(str(EXAMPLES_DIR / "saxpy.py"), "host-offload")
    dropped = emitted.c_source.replace("        map(to: x[0:x_n0]) \\\n", "", 1)
    assert dropped != emitted.c_source
    rng = np.random.default_rng(13)
    x, y = rng.standard_normal(64).astype(np.float32), rng.standard_normal(64).astype(np.float32)
    built = build_cached("saxpy", dropped, emitted.h_source, emitted.manifest, parse_target("host-offload"))
    out = y.copy()
    runtime_shim.load(built).saxpy(np.float32(2.0), x, out)
    np.testing.assert_array_equal(out, np.float32(2.0) * x + y)
    assert audit_emitted(dropped, emitted.manifest) == [
        "saxpy: x: dereferenced in the target region at line 10 but not mapped"]
