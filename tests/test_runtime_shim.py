"""runtime_shim against a small hand-written C library and a hand-written manifest (design.md format 1).

The C follows the calling convention of design.md, so these tests pin down the contract the backend
emits against, without needing the translator, OpenMP or a GPU.
"""

from __future__ import annotations

import ctypes
import inspect
import json
import re
import shutil
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from runtime_shim.binding import CTYPES

ROOT = Path(__file__).resolve().parent.parent

C_SOURCE = r"""
#include <stdbool.h>
#include <stdint.h>

void saxpy(float a, const float *restrict x, int64_t x_n0, float *restrict y, int64_t y_n0) {
    for (int64_t i = 0; i < y_n0; i++) y[i] = a * x[i] + y[i];
}

void scale2(double *restrict m, int64_t m_n0, int64_t m_n1, double s) {
    for (int64_t i = 0; i < m_n0; i++)
        for (int64_t j = 0; j < m_n1; j++) m[i * m_n1 + j] *= s * (double)(i + 1);
}

double dot(const double *restrict x, int64_t x_n0, const double *restrict y, int64_t y_n0) {
    double total = 0.0;
    for (int64_t i = 0; i < x_n0; i++) total += x[i] * y[i];
    return total;
}

int64_t fill(int32_t *restrict out, int64_t out_n0, int32_t value, bool negate) {
    for (int64_t i = 0; i < out_n0; i++) out[i] = negate ? -value : value;
    return out_n0;
}

int64_t mix(int8_t a, uint16_t b, int64_t c, uint64_t d) {
    return (int64_t)a + (int64_t)b + c + (int64_t)d;
}

bool nonnull(const uint8_t *restrict x, int64_t x_n0) {
    return x != 0;
}

void staged(const float *restrict src, int64_t src_n0, float *restrict tmp, int64_t tmp_n0,
            float *restrict dst, int64_t dst_n0) {
    for (int64_t i = 0; i < src_n0; i++) tmp[i] = src[i] * 2.0f;
    for (int64_t i = 0; i < src_n0; i++) dst[i] = tmp[i] + 1.0f;
}
"""


def scalar(name: str, dtype: str) -> dict[str, object]:
    return {"name": name, "kind": "scalar", "dtype": dtype}


def array(name: str, dtype: str, rank: int, ownership: str) -> dict[str, object]:
    return {"name": name, "kind": "array", "dtype": dtype, "rank": rank, "ownership": ownership}


def kernel(name: str, returns: str | None, *params: dict[str, object]) -> dict[str, object]:
    return {"name": name, "symbol": name, "returns": returns, "line": 1, "params": list(params)}


def manifest_doc() -> dict[str, object]:
    return {
        "format": 1,
        "py2omp_version": "0.1.0",
        "module": "shimtest",
        "source": "tests/shimtest.py",
        "source_sha256": "0" * 64,
        "target": "serial",
        "library": "shimtest.so",
        "kernels": [
            kernel(
                "saxpy", None,
                scalar("a", "float32"), array("x", "float32", 1, "in"), array("y", "float32", 1, "inout"),
            ),
            kernel("scale2", None, array("m", "float64", 2, "inout"), scalar("s", "float64")),
            kernel("dot", "float64", array("x", "float64", 1, "in"), array("y", "float64", 1, "in")),
            kernel(
                "fill", "int64",
                array("out", "int32", 1, "out"), scalar("value", "int32"), scalar("negate", "bool"),
            ),
            kernel(
                "mix", "int64",
                scalar("a", "int8"), scalar("b", "uint16"), scalar("c", "int64"), scalar("d", "uint64"),
            ),
            kernel("nonnull", "bool", array("x", "uint8", 1, "in")),
            kernel(
                "staged", None,
                array("src", "float32", 1, "in"),
                array("tmp", "float32", 1, "scratch"),
                array("dst", "float32", 1, "out"),
            ),
        ],
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build directory holding shimtest.so and shimtest.json, as the toolchain would leave it."""
    clang = shutil.which("clang-19")
    if clang is None:
        pytest.skip("clang-19 is not installed")
    directory = tmp_path_factory.mktemp("shimtest")
    (directory / "shimtest.c").write_text(C_SOURCE)
    subprocess.run(
        [clang, "-O1", "-fPIC", "-shared", "-std=c11", "-ffp-contract=off", "-o", str(directory / "shimtest.so"),
         str(directory / "shimtest.c")],
        check=True,
    )
    (directory / "shimtest.json").write_text(json.dumps(manifest_doc(), indent=2))
    return directory


@pytest.fixture(scope="module")
def lib(built: Path) -> runtime_shim.Library:
    return runtime_shim.load(built)


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def raises_exactly(kind: type[Exception], text: str) -> AbstractContextManager[pytest.ExceptionInfo[Exception]]:
    return pytest.raises(kind, match=f"^{re.escape(text)}$")


# --- results --------------------------------------------------------------------------------------


def test_saxpy_matches_numpy(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x = rng.standard_normal(1000).astype(np.float32)
    y = rng.standard_normal(1000).astype(np.float32)
    expected = np.float32(2.5) * x + y
    assert lib.saxpy(2.5, x, y) is None
    np.testing.assert_array_equal(y, expected)


def test_scale2_is_row_major_with_both_extents(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    m = rng.standard_normal((7, 5))
    expected = m * (0.5 * np.arange(1, 8, dtype=np.float64))[:, None]
    lib.scale2(m, 0.5)
    np.testing.assert_array_equal(m, expected)


def test_returns_are_numpy_scalars_of_the_declared_dtype(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(500), rng.standard_normal(500)
    result = lib.dot(x, y)
    assert type(result) is np.float64
    assert result == pytest.approx(float(np.dot(x, y)), rel=1e-12)
    assert type(lib.nonnull(np.zeros(3, np.uint8))) is np.bool_
    assert type(lib.mix(1, 2, 3, 4)) is np.int64


def test_int32_and_bool_scalars(lib: runtime_shim.Library) -> None:
    out = np.zeros(6, np.int32)
    assert lib.fill(out, 7, True) == 6
    np.testing.assert_array_equal(out, np.full(6, -7, np.int32))
    lib.fill(out, np.int16(-3), np.False_)
    np.testing.assert_array_equal(out, np.full(6, -3, np.int32))


def test_integer_scalars_accept_their_full_range(lib: runtime_shim.Library) -> None:
    assert lib.mix(-128, 65535, -(2**63) + 1000, 0) == -(2**63) + 1000 - 128 + 65535
    assert lib.mix(True, np.uint8(2), np.int64(3), np.uint64(4)) == 10


def test_zero_dimensional_arrays_and_numpy_scalars_are_scalars(lib: runtime_shim.Library) -> None:
    x = np.ones(4, np.float32)
    y = np.zeros(4, np.float32)
    lib.saxpy(np.array(2.0, np.float32), x, y)
    lib.saxpy(np.float64(1.0), x, y)
    lib.saxpy(np.int8(1), x, y)
    lib.saxpy(np.array(1), x, y)
    np.testing.assert_array_equal(y, np.full(4, 5.0, np.float32))
    assert lib.mix(np.array(1, np.int8), np.array(2), 3, 4) == 10


def test_zero_size_arrays_get_a_valid_pointer(lib: runtime_shim.Library) -> None:
    assert lib.nonnull(np.zeros(0, np.uint8)) == np.True_
    empty = np.zeros(0, np.float32)
    lib.saxpy(1.0, empty, empty.copy())
    assert lib.dot(np.zeros(0), np.zeros(0)) == 0.0
    m = np.zeros((0, 3))
    lib.scale2(m, 2.0)


def test_scratch_and_out(lib: runtime_shim.Library) -> None:
    src = np.arange(5, dtype=np.float32)
    tmp, dst = np.empty(5, np.float32), np.empty(5, np.float32)
    lib.staged(src, tmp, dst)
    np.testing.assert_array_equal(dst, src * 2 + 1)


# --- binding by name ------------------------------------------------------------------------------


def test_keyword_arguments_bind_by_name(lib: runtime_shim.Library) -> None:
    x = np.ones(3, np.float32)
    y = np.zeros(3, np.float32)
    lib.saxpy(y=y, a=2.0, x=x)
    lib.saxpy(3.0, y=y, x=x)
    lib.saxpy(1.0, x, y=y)
    np.testing.assert_array_equal(y, np.full(3, 6.0, np.float32))


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda k, x, y: k(1.0, x), "saxpy() missing 1 required positional argument: 'y'"),
        (lambda k, x, y: k(1.0), "saxpy() missing 2 required positional arguments: 'x' and 'y'"),
        (lambda k, x, y: k(), "saxpy() missing 3 required positional arguments: 'a', 'x', and 'y'"),
        (lambda k, x, y: k(1.0, x, y, y), "saxpy() takes 3 positional arguments but 4 were given"),
        (lambda k, x, y: k(1.0, x, y, z=y), "saxpy() got an unexpected keyword argument 'z'"),
        (lambda k, x, y: k(1.0, x, y, x=x), "saxpy() got multiple values for argument 'x'"),
    ],
)
def test_binding_errors_read_like_python(lib: runtime_shim.Library, call, text: str) -> None:
    x = np.ones(3, np.float32)
    with raises_exactly(TypeError, text):
        call(lib.saxpy, x, np.zeros(3, np.float32))


def test_signature_is_the_python_one(lib: runtime_shim.Library) -> None:
    assert str(inspect.signature(lib.saxpy)) == "(a, x, y)"
    assert lib.saxpy.__name__ == "saxpy"


# --- argument checks ------------------------------------------------------------------------------


def test_array_checks(lib: runtime_shim.Library) -> None:
    x, y = np.ones(4, np.float32), np.zeros(4, np.float32)
    with raises_exactly(TypeError, "saxpy(): argument 'x' is None; expected a float32 array of rank 1"):
        lib.saxpy(1.0, None, y)
    with raises_exactly(TypeError, "saxpy(): argument 'x' must be a numpy.ndarray of float32 with rank 1, got list"):
        lib.saxpy(1.0, [1.0, 2.0], y)
    with raises_exactly(TypeError, "saxpy(): argument 'x' has dtype float64; expected float32"):
        lib.saxpy(1.0, x.astype(np.float64), y)
    with raises_exactly(TypeError, "saxpy(): argument 'x' has dtype >f4; expected float32"):
        lib.saxpy(1.0, x.astype(">f4"), y)
    with raises_exactly(ValueError, "saxpy(): argument 'x' has 2 dimensions; expected 1"):
        lib.saxpy(1.0, x.reshape(2, 2), y)
    with raises_exactly(ValueError, "saxpy(): argument 'x' is not C-contiguous; pass numpy.ascontiguousarray(x)"):
        lib.saxpy(1.0, np.ones(8, np.float32)[::2], y)
    with raises_exactly(ValueError, "scale2(): argument 'm' is not C-contiguous; pass numpy.ascontiguousarray(m)"):
        lib.scale2(np.ones((3, 4)).T, 1.0)
    with raises_exactly(TypeError, "fill(): argument 'out' is None; expected an int32 array of rank 1"):
        lib.fill(None, 1, False)


def test_read_only_arrays(lib: runtime_shim.Library) -> None:
    frozen = np.zeros(4, np.float32)
    frozen.flags.writeable = False
    ones = np.ones(4, np.float32)
    lib.saxpy(1.0, frozen, ones)  # read-only is fine for an `in` array
    with raises_exactly(ValueError, "saxpy(): argument 'y' is read-only but declared InOut"):
        lib.saxpy(1.0, ones, frozen)
    with raises_exactly(ValueError, "fill(): argument 'out' is read-only but declared Out"):
        lib.fill(np.frombuffer(b"\0" * 8, np.int32), 1, False)
    with raises_exactly(ValueError, "staged(): argument 'tmp' is read-only but declared Scratch"):
        lib.staged(ones, frozen, np.zeros(4, np.float32))


def test_outputs_must_not_alias(lib: runtime_shim.Library) -> None:
    buffer = np.zeros(10, np.float32)
    with raises_exactly(
        ValueError,
        "saxpy(): argument 'y' (InOut) overlaps argument 'x' in memory; outputs must not alias other arguments",
    ):
        lib.saxpy(1.0, buffer[:4], buffer[3:7])
    with raises_exactly(ValueError, "saxpy(): argument 'y' (InOut) overlaps argument 'x' in memory; "
                                    "outputs must not alias other arguments"):
        lib.saxpy(1.0, buffer, buffer)
    with raises_exactly(ValueError, "staged(): argument 'tmp' (Scratch) overlaps argument 'dst' in memory; "
                                    "outputs must not alias other arguments"):
        lib.staged(np.ones(4, np.float32), buffer[:4], buffer[2:6])
    with raises_exactly(ValueError, "staged(): argument 'tmp' (Scratch) overlaps argument 'src' in memory; "
                                    "outputs must not alias other arguments"):
        lib.staged(buffer[:4], buffer[3:7], np.zeros(4, np.float32))


def test_adjacent_slices_empty_slices_and_overlapping_inputs_are_allowed(lib: runtime_shim.Library) -> None:
    buffer = np.arange(10, dtype=np.float32)
    lib.saxpy(1.0, buffer[:5], buffer[5:])
    np.testing.assert_array_equal(buffer[5:], np.arange(5, 10) + np.arange(5))
    lib.saxpy(1.0, buffer[2:2], buffer[:0])
    lib.saxpy(1.0, buffer[2:2], np.zeros(0, np.float32))
    shared = np.arange(6, dtype=np.float64)
    assert lib.dot(shared[:4], shared[2:]) == float(np.dot(shared[:4], shared[2:]))


def test_scalar_checks(lib: runtime_shim.Library) -> None:
    x, y = np.ones(4, np.float32), np.zeros(4, np.float32)
    out = np.zeros(2, np.int32)
    with raises_exactly(TypeError, "saxpy(): argument 'a' is None; expected a float32 scalar"):
        lib.saxpy(None, x, y)
    with raises_exactly(TypeError, "saxpy(): argument 'a' expects a float32 scalar, got str"):
        lib.saxpy("2", x, y)
    with raises_exactly(TypeError, "saxpy(): argument 'a' expects a float32 scalar, got complex"):
        lib.saxpy(1j, x, y)
    text = "saxpy(): argument 'a' expects a float32 scalar, got numpy.ndarray of float32 with rank 1"
    with raises_exactly(TypeError, text):
        lib.saxpy(x, x, y)
    with raises_exactly(TypeError, "mix(): argument 'c' expects an int64 scalar, got float"):
        lib.mix(1, 2, 3.0, 4)
    with raises_exactly(TypeError, "mix(): argument 'c' expects an int64 scalar, got float64"):
        lib.mix(1, 2, np.float64(3), 4)
    text = "mix(): argument 'd' expects a uint64 scalar, got numpy.ndarray of float64 with rank 0"
    with raises_exactly(TypeError, text):
        lib.mix(1, 2, 3, np.array(4.0))
    with raises_exactly(TypeError, "fill(): argument 'negate' expects a bool scalar, got int"):
        lib.fill(out, 1, 1)
    with raises_exactly(TypeError, "fill(): argument 'value' is None; expected an int32 scalar"):
        lib.fill(out, None, True)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((1, 2, 3, 4), None),
        ((128, 2, 3, 4), "mix(): argument 'a' = 128 does not fit in int8"),
        ((-129, 2, 3, 4), "mix(): argument 'a' = -129 does not fit in int8"),
        ((1, -1, 3, 4), "mix(): argument 'b' = -1 does not fit in uint16"),
        ((1, 65536, 3, 4), "mix(): argument 'b' = 65536 does not fit in uint16"),
        ((1, 2, 2**63, 4), "mix(): argument 'c' = 9223372036854775808 does not fit in int64"),
        ((1, 2, 3, np.int64(-1)), "mix(): argument 'd' = -1 does not fit in uint64"),
    ],
)
def test_integer_range(lib: runtime_shim.Library, args: tuple[object, ...], text: str | None) -> None:
    if text is None:
        assert lib.mix(*args) == 10
        return
    with raises_exactly(OverflowError, text):
        lib.mix(*args)


def test_int32_overflow_text(lib: runtime_shim.Library) -> None:
    with raises_exactly(OverflowError, "fill(): argument 'value' = 3000000000 does not fit in int32"):
        lib.fill(np.zeros(1, np.int32), 3_000_000_000, False)


# --- preparation happens once ---------------------------------------------------------------------


def test_ctypes_signature_is_set_at_load(lib: runtime_shim.Library) -> None:
    saxpy = lib.kernels["saxpy"]
    assert saxpy is lib.saxpy
    pointer, extent = ctypes.c_void_p, ctypes.c_int64
    assert tuple(saxpy.function.argtypes) == (ctypes.c_float, pointer, extent, pointer, extent)
    assert saxpy.function.restype is None
    scale2 = lib.kernels["scale2"].function
    assert tuple(scale2.argtypes) == (ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_double)
    assert lib.kernels["dot"].function.restype is ctypes.c_double
    assert lib.kernels["nonnull"].function.restype is ctypes.c_bool
    assert len(saxpy.binding.converters) == 3


def test_calls_do_not_prepare_again(lib: runtime_shim.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object) -> None:
        raise AssertionError("prepare() called during a call")

    monkeypatch.setattr(runtime_shim.library, "prepare", forbidden)
    monkeypatch.setattr(runtime_shim.binding, "prepare", forbidden)
    x, y = np.ones(16, np.float32), np.zeros(16, np.float32)
    for _ in range(2000):
        lib.saxpy(1.0, x, y)
    np.testing.assert_array_equal(y, np.full(16, 2000.0, np.float32))


def test_kernels_have_private_ctypes_functions(built: Path, lib: runtime_shim.Library) -> None:
    """argtypes set by one Library must not leak into another user of the same .so."""
    other = ctypes.CDLL(str(built / "shimtest.so"))
    assert other.saxpy.argtypes is None
    assert lib.saxpy.function is not other.saxpy


def test_every_dtype_has_a_ctypes_type() -> None:
    assert set(CTYPES) == runtime_shim.manifest.DTYPES
    for name, ctype in CTYPES.items():
        assert ctypes.sizeof(ctype) == np.dtype(name).itemsize


# --- loading ------------------------------------------------------------------------------------


def test_load_by_directory_and_by_json_path(built: Path) -> None:
    by_dir = runtime_shim.load(built)
    by_json = runtime_shim.load(str(built / "shimtest.json"))
    for loaded in (by_dir, by_json):
        assert loaded.path == (built / "shimtest.so").resolve()
        assert loaded.manifest.module == "shimtest"
        assert list(loaded.kernels) == ["saxpy", "scale2", "dot", "fill", "mix", "nonnull", "staged"]
        assert loaded.dot(np.ones(3), np.ones(3)) == 3.0


def test_manifest_fields(lib: runtime_shim.Library) -> None:
    manifest = lib.manifest
    assert (manifest.format, manifest.target, manifest.library) == (1, "serial", "shimtest.so")
    saxpy = manifest.kernels[0]
    assert saxpy == runtime_shim.KernelSpec(
        name="saxpy",
        symbol="saxpy",
        returns=None,
        line=1,
        params=(
            runtime_shim.ParamSpec("a", "scalar", "float32"),
            runtime_shim.ParamSpec("x", "array", "float32", 1, "in", copy_in=True),
            runtime_shim.ParamSpec("y", "array", "float32", 1, "inout", copy_in=True, copy_out=True),
        ),
    )
    with pytest.raises(AttributeError):
        manifest.module = "other"  # type: ignore[misc]


@pytest.mark.parametrize("path,target", [
    ("tests/kernels/allocations.py", "host-offload"),  # allocations, results, writes boxes, sectioned
    ("tests/kernels/arrays.py", "nvptx:sm_90"),        # failures, length checks, device symbols
    ("tests/kernels/language.py", "cpu"),              # device numbers
    ("tests/kernels/semantics.py", "serial"),
])
def test_manifest_schema_reads_back_what_the_backend_writes(path: str, target: str) -> None:
    """The backend builds the manifest from the runtime's records, so reading it and writing it
    again gives the same document, key order included (the file's bytes)."""
    from translator import pipeline

    written = pipeline.translate(str(ROOT / path), target).manifest
    again = runtime_shim.parse_manifest(written, Path("m.json")).to_json()
    assert json.dumps(again, indent=2) == json.dumps(written, indent=2)
    assert runtime_shim.parse_manifest(written, Path("m.json")).offloads is (target not in ("cpu", "serial"))


def test_unknown_kernel_attribute(lib: runtime_shim.Library) -> None:
    with pytest.raises(AttributeError, match="no attribute or kernel 'nope'"):
        lib.nope
    assert "saxpy" in dir(lib)


def copy_build(built: Path, tmp_path: Path, doc: dict[str, object]) -> Path:
    """A build directory with the same library and the given manifest."""
    shutil.copy(built / "shimtest.so", tmp_path / "shimtest.so")
    (tmp_path / "shimtest.json").write_text(json.dumps(doc))
    return tmp_path


def test_unknown_keys_are_tolerated(built: Path, tmp_path: Path) -> None:
    doc = manifest_doc()
    doc["future_field"] = {"anything": [1, 2]}
    doc["kernels"][0]["bytes_moved"] = 12  # type: ignore[index]
    doc["kernels"][0]["params"][1]["bytes"] = 4  # type: ignore[index]
    loaded = runtime_shim.load(copy_build(built, tmp_path, doc))
    assert loaded.kernels["saxpy"].spec.params[1].rank == 1


@pytest.mark.parametrize("fmt", [2, 0, "1", True, None])
def test_other_formats_are_refused(built: Path, tmp_path: Path, fmt: object) -> None:
    doc = manifest_doc()
    doc["format"] = fmt
    path = copy_build(built, tmp_path, doc) / "shimtest.json"
    with raises_exactly(ValueError, f"{path}: unsupported manifest format {fmt!r}; this runtime_shim reads format 1"):
        runtime_shim.load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("format"), "missing key 'format'; is this a py2omp manifest?"),
        (lambda d: d.pop("kernels"), "missing key 'kernels'"),
        (lambda d: d.update(library=""), "'library' must not be empty"),
        (lambda d: d["kernels"][1]["params"][0].update(dtype="float16"),
         "kernels[1].params[0]: 'dtype' is 'float16'; expected one of bool, complex128, complex64, float32, "
         "float64, int16, int32, int64, int8, uint16, uint32, uint64, uint8"),
        (lambda d: d["kernels"][0]["params"][1].update(rank=0), "kernels[0].params[1]: 'rank' must be at least 1"),
        (lambda d: d["kernels"][0]["params"][1].update(rank=True),
         "kernels[0].params[1]: 'rank' must be int, got bool"),
        (lambda d: d["kernels"][0]["params"][2].update(ownership="mine"),
         "kernels[0].params[2]: 'ownership' is 'mine'"),
        (lambda d: d["kernels"][0]["params"][2].update(name="a"), "kernels[0]: 'params' has two entries named 'a'"),
        (lambda d: d["kernels"][1].update(name="saxpy"), "'kernels' has two entries named 'saxpy'"),
        (lambda d: d["kernels"][0].update(name="not valid"), "kernels[0]: 'name' is 'not valid', which is not"),
        (lambda d: d["kernels"][0].pop("returns"), "kernels[0]: missing key 'returns'"),
        (lambda d: d["kernels"][0].update(params={}), "kernels[0]: 'params' must be list, got dict"),
    ],
)
def test_malformed_manifests_name_the_file_and_the_key(built: Path, tmp_path: Path, edit, message: str) -> None:
    doc = manifest_doc()
    edit(doc)
    path = copy_build(built, tmp_path, doc) / "shimtest.json"
    with pytest.raises(ValueError, match=re.escape(f"{path}: {message}")):
        runtime_shim.load(path)


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=re.escape(f"{path}: not valid JSON")):
        runtime_shim.load(path)


def test_directory_problems(built: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no manifest"):
        runtime_shim.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no manifest or build directory"):
        runtime_shim.load(tmp_path / "missing")
    copy_build(built, tmp_path, manifest_doc())
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(ValueError, match="several manifests"):
        runtime_shim.load(tmp_path)


def test_missing_library_and_missing_symbol(built: Path, tmp_path: Path) -> None:
    doc = manifest_doc()
    doc["library"] = "absent.so"
    (tmp_path / "shimtest.json").write_text(json.dumps(doc))
    with pytest.raises(FileNotFoundError, match="library 'absent.so' not found"):
        runtime_shim.load(tmp_path)
    doc = manifest_doc()
    doc["kernels"][0]["symbol"] = "no_such_symbol"  # type: ignore[index]
    with pytest.raises(AttributeError, match="kernel 'saxpy' \\(symbol 'no_such_symbol'\\)"):
        runtime_shim.load(copy_build(built, tmp_path, doc))


def test_imports_only_stdlib_and_numpy() -> None:
    """runtime_shim must work on a machine with no compiler stack installed."""
    code = (
        "import sys, runtime_shim\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'translator', 'libcst', 'jinja2', 'clang'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the fast path (runtime_shim.fastpath) -----------------------------------------------------------


def test_the_fast_path_gives_the_checked_paths_c_arguments(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    """The common call skips the converters: its C arguments must be the very ones they would give."""
    x, y = rng.standard_normal(9).astype(np.float32), rng.standard_normal(9).astype(np.float32)
    m = rng.standard_normal((3, 4))
    calls = [
        ("saxpy", (2.5, x, y)),
        ("scale2", (m, -1.5)),
        ("dot", (m[0].copy(), m[1].copy())),
        ("fill", (np.empty(5, np.int32), -2**31, True)),
        ("mix", (-128, 65535, 2**63 - 1, 2**64 - 1)),
        ("staged", (x, np.empty(9, np.float32), np.empty(9, np.float32))),
    ]
    for name, args in calls:
        compiled = lib.kernels[name]
        assert compiled.fast is not None, name
        found = compiled.fast.arguments(args)
        assert found is not None, name
        assert found == (compiled.binding.convert(args), 0, 0, None), name


def test_fast_and_checked_calls_compute_the_same(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(33).astype(np.float32), rng.standard_normal(33).astype(np.float32)
    expected = np.float32(0.75) * x + y
    fast_y, checked_y = y.copy(), y.copy()
    lib.saxpy(0.75, x, fast_y)
    lib.saxpy(0.75, x=x, y=checked_y)  # keywords: the checked path
    np.testing.assert_array_equal(fast_y, expected)
    np.testing.assert_array_equal(checked_y, expected)
    a, b = rng.standard_normal(17), rng.standard_normal(17)
    assert lib.dot(a, b) == lib.dot(a, y=b) == sum((a * b).tolist())  # the C sums in order


SHARED = np.arange(6.0)


@pytest.mark.parametrize("name, args", [
    ("saxpy", (np.float32(2.0), np.ones(4, np.float32), np.ones(4, np.float32))),  # a NumPy scalar
    ("saxpy", (2, np.ones(4, np.float32), np.ones(4, np.float32))),  # an int for a float
    ("saxpy", (2.0, np.ones(8, np.float32)[::2], np.ones(4, np.float32))),  # not contiguous
    ("saxpy", (2.0, np.ones(4, np.float32), np.ones(0, np.float32))),  # empty
    ("saxpy", (2.0, np.ones(4, np.float32), np.ones(4, np.float64))),  # wrong dtype
    ("saxpy", (2.0, np.ones((2, 2), np.float32), np.ones(4, np.float32))),  # wrong rank
    ("saxpy", (2.0, np.ones(4, np.float32).view(np.memmap), np.ones(4, np.float32))),  # a subclass
    ("saxpy", (2.0, np.ones(4, np.float32))),  # too few
    ("saxpy", (2.0, np.ones(4, np.float32), np.ones(4, np.float32), 1)),  # too many
    ("fill", (np.empty(4, np.int32), 2**31, False)),  # out of range
    ("fill", (np.empty(4, np.int32), 1, 1)),  # an int for a bool
    ("mix", (1, 2, True, 3)),  # a bool for an int
    ("dot", (SHARED[:4], SHARED[2:])),  # overlapping inputs
])
def test_other_calls_take_the_checked_path(lib: runtime_shim.Library, name: str, args: tuple[object, ...]) -> None:
    """None sends the call to the checked path, which accepts it or raises its usual error."""
    assert lib.kernels[name].fast.arguments(args) is None


def test_read_only_inputs_take_the_checked_path_and_work(lib: runtime_shim.Library) -> None:
    frozen = np.arange(4, dtype=np.float32)
    frozen.flags.writeable = False
    y = np.ones(4, np.float32)
    assert lib.saxpy.fast.arguments((2.0, frozen, y)) is None
    lib.saxpy(2.0, frozen, y)
    np.testing.assert_array_equal(y, 2 * np.arange(4, dtype=np.float32) + 1)
