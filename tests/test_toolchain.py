"""The build stage against the real clang-19 of this machine (no GPU needed).

Every build here is real: host-offload libraries are loaded and run through ctypes on the LLVM 22
"virtual device" (separate memory), and the nvptx build runs ptxas, which the embedded cubin proves.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import logging
import multiprocessing
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.test_npbench import PENDING
from translator import pipeline
from translator.errors import BuildError, TranslationError
from translator.frontend import Selection, Signature
from translator.frontend.signature import parse_signature
from translator.targets import KIND_TRAITS, Target, parse_target
from translator.toolchain import build_cached, cache, compile_library, discover, doctor, doctor_report, export_build
from translator.toolchain import find_toolchain, probe, resolve, resolve_target

NVPTX = Target("nvptx", "sm_90")
AMDGCN = Target("amdgcn", "gfx90a")
HOST_OFFLOAD = Target("host-offload")

SAXPY_C = """\
#include <stdint.h>
void saxpy(float a, const float *restrict x, int64_t x_n0, float *restrict y, int64_t y_n0) {
#pragma omp target teams distribute parallel for map(to: x[0:x_n0]) map(tofrom: y[0:y_n0])
  for (int64_t i = 0; i < y_n0; i++) y[i] = a * x[i] + y[i];
}
"""
SAXPY_H = "void saxpy(float a, const float *x, int64_t x_n0, float *y, int64_t y_n0);\n"
EM_CUDA = 190
EM_AMDGPU = 224
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cache, and no test sees another's environment-dependent decisions."""
    root = tmp_path / "cache"
    monkeypatch.setenv("PY2OMP_CACHE_DIR", str(root))
    monkeypatch.delenv("PY2OMP_TARGET", raising=False)
    resolve._auto_target.cache_clear()
    return root


@pytest.fixture(scope="module")
def toolchain() -> discover.Toolchain:
    found = find_toolchain()
    if found is None:
        pytest.skip("clang-19 is not installed")
    return found


def manifest(module: str, target: Target) -> dict[str, object]:
    return {"format": 1, "module": module, "target": str(target), "kernels": []}


# --- targets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nvptx:sm_90", Target("nvptx", "sm_90")),
        ("nvptx", Target("nvptx", "sm_90")),
        ("nvptx:sm_80", Target("nvptx", "sm_80")),
        ("amdgcn", Target("amdgcn", "gfx90a")),
        ("amdgcn:gfx942", Target("amdgcn", "gfx942")),
        ("amdgcn:gfx1100", Target("amdgcn", "gfx1100")),
        ("host-offload", Target("host-offload")),
        ("cpu", Target("cpu")),
        (" serial ", Target("serial")),
    ],
)
def test_parse_target_valid(text: str, expected: Target) -> None:
    target = parse_target(text)
    assert target == expected
    assert parse_target(str(target)) == target


def test_target_spelling_and_properties() -> None:
    kinds = ("nvptx", "amdgcn", "host-offload", "cpu", "serial")
    assert [str(parse_target(t)) for t in kinds] == ["nvptx:sm_90", "amdgcn:gfx90a", "host-offload", "cpu", "serial"]
    properties = [(t.offloads, t.openmp, t.is_gpu, t.supports_dynamic_schedule, t.vendor)
                  for t in map(parse_target, kinds)]
    assert properties == [
        (True, True, True, False, "NVIDIA"), (True, True, True, False, "AMD"), (True, True, False, True, None),
        (False, True, False, True, None), (False, False, False, True, None),
    ]


def test_default_team_is_whole_warps_or_wavefronts() -> None:
    assert [(t.traits.lanes, t.default_thread_limit) for t in (NVPTX, AMDGCN)] == [(32, 256), (64, 256)]
    for kind in KIND_TRAITS:
        assert KIND_TRAITS[kind].thread_limit % KIND_TRAITS[kind].lanes == 0


def test_target_kinds_agree_with_the_runtime() -> None:
    """The runtime (no translator import) keeps its own list of offloading kinds; a new GPU kind goes in both."""
    from runtime_shim.manifest import OFFLOAD_TARGET_KINDS
    gpu_kinds = {kind for kind, traits in KIND_TRAITS.items() if traits.is_gpu}
    assert gpu_kinds | {"host-offload"} == set(OFFLOAD_TARGET_KINDS)


@pytest.mark.parametrize("text", ["gpu", "nvptx:", "nvptx:90", "cpu:sm_90", "auto", "", "amdgcn:sm_90",
                                  "amdgcn:gfx90a:xnack+", "nvptx:gfx90a"])
def test_parse_target_invalid(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_target(text)
    assert str(info.value) == (
        f"unknown target {text!r}; valid targets: nvptx:sm_XX (nvptx alone means nvptx:sm_90), "
        "amdgcn:gfxNNN (amdgcn alone means amdgcn:gfx90a), host-offload, cpu, serial"
    )


def test_resolve_target(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    assert resolve_target("host-offload") == HOST_OFFLOAD
    monkeypatch.setenv("PY2OMP_TARGET", "serial")
    assert resolve_target(None) == Target("serial")
    monkeypatch.setenv("PY2OMP_TARGET", "auto")
    with caplog.at_level(logging.INFO, logger="py2omp"):
        assert resolve_target(None) == Target("cpu")  # no GPU on this machine
        assert resolve_target("auto") == Target("cpu")
    assert [r.message for r in caplog.records if r.message.startswith("target auto")] == [
        "target auto -> cpu: the OpenMP runtime sees no NVIDIA GPU"
    ]
    with pytest.raises(ValueError, match=r"valid targets: auto, nvptx:sm_XX"):
        resolve_target("cuda")


# --- discover ------------------------------------------------------------------------------------


def test_flags_per_target(toolchain: discover.Toolchain) -> None:
    common = ["-O3", "-fPIC", "-shared", "-std=c11", "-fwrapv", "-ffp-contract=off", "-fcx-limited-range"]
    runtime = ["-L/usr/lib/llvm-22/lib", "-Wl,-rpath,/usr/lib/llvm-22/lib"]
    assert toolchain.flags(Target("serial")) == [*common, "-lm"]
    assert toolchain.flags(Target("cpu")) == [*common, "-fopenmp", "-lm"]
    host_offload = ["-fopenmp", "-fopenmp-targets=x86_64-pc-linux-gnu"]
    assert toolchain.flags(HOST_OFFLOAD) == [*common, *host_offload, "-lm", "-lomptarget", *runtime]
    assert toolchain.flags(NVPTX) == [
        *common, "-fopenmp", "--offload-arch=sm_90", "-lm", "-lomptarget",
        f"--cuda-path={toolchain.cuda_path}", "--libomptarget-nvptx-bc-path=/usr/lib/llvm-19/lib", *runtime,
    ]
    assert discover.portable_flags(NVPTX) == [*common, "-fopenmp", "--offload-arch=sm_90", "-lm", "-lomptarget"]
    assert toolchain.flags(AMDGCN) == [
        *common, "-fopenmp", "--offload-arch=gfx90a", "-lm", "-lomptarget", f"--rocm-device-lib-path={toolchain.rocm_device_lib_dir}",
        "--libomptarget-amdgpu-bc-path=/usr/lib/llvm-19/lib", *runtime,
    ]


def test_missing_for_names_install_commands() -> None:
    bare = discover.Toolchain("clang-19", "clang 19", None, None, None, None, None)
    assert bare.missing_for(Target("cpu")) == []
    assert bare.missing_for(HOST_OFFLOAD) == [
        "the LLVM 22 offload runtime (libomptarget.so.22): apt-get install -y clang-19 libomp-19-dev liboffload-22-dev"
    ]
    nvptx_missing = bare.missing_for(NVPTX)
    assert len(nvptx_missing) == 3
    assert any("pip install nvidia-cuda-nvcc nvidia-nvvm" in m for m in nvptx_missing)
    assert any("libomptarget-nvptx-sm_90.bc" in m for m in nvptx_missing)
    amd_missing = bare.missing_for(AMDGCN)
    assert amd_missing[:3] == [
        "the AMD device runtime (libomptarget-amdgpu-gfx90a.bc): " + discover.APT_INSTALL,
        "lld (the AMD GPU linker, ld.lld): apt-get install -y rocm-device-libs lld-19",
        "ROCm's device libraries (ocml.bc): apt-get install -y rocm-device-libs lld-19 (or set ROCM_PATH)",
    ]


# --- compile -------------------------------------------------------------------------------------


def run_saxpy(library: Path) -> list[float]:
    lib = ctypes.CDLL(str(library))
    n = 1000
    x = (ctypes.c_float * n)(*[float(i) for i in range(n)])
    y = (ctypes.c_float * n)(*[1.0] * n)
    lib.saxpy.argtypes = [ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64]
    lib.saxpy(2.0, x, n, y, n)
    return list(y)


def test_host_offload_builds_and_runs(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    c_path, so_path = tmp_path / "saxpy.c", tmp_path / "saxpy.so"
    c_path.write_text(SAXPY_C)
    compile_library(c_path, so_path, HOST_OFFLOAD, toolchain)
    assert run_saxpy(so_path) == [2.0 * i + 1.0 for i in range(1000)]


def test_nvptx_builds_a_cubin(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    if toolchain.missing_for(NVPTX):
        pytest.skip("; ".join(toolchain.missing_for(NVPTX)))
    c_path, so_path = tmp_path / "saxpy.c", tmp_path / "saxpy.so"
    c_path.write_text(SAXPY_C)
    compile_library(c_path, so_path, NVPTX, toolchain)
    data = so_path.read_bytes()
    embedded = data.find(b"\x7fELF", 1)  # the device image that nvlink/ptxas produced
    assert embedded > 0
    assert struct.unpack_from("<H", data, embedded + 18)[0] == EM_CUDA


@pytest.mark.parametrize(("arch", "machine"), [("gfx90a", 0x3F), ("gfx942", 0x4C)])
def test_amdgcn_builds_a_gcn_image(arch: str, machine: int, tmp_path: Path, toolchain: discover.Toolchain) -> None:
    """gfx942 builds with Debian 12's ROCm 5.2 too, whose device libraries stop at gfx940 (toolchain/rocm.py)."""
    target = Target("amdgcn", arch)
    if toolchain.missing_for(target):
        pytest.skip("; ".join(toolchain.missing_for(target)))
    c_path, so_path = tmp_path / "saxpy.c", tmp_path / "saxpy.so"
    c_path.write_text(SAXPY_C)
    compile_library(c_path, so_path, target, toolchain)
    data = so_path.read_bytes()
    embedded = data.find(b"\x7fELF", 1)  # the device image that lld linked
    assert embedded > 0
    assert struct.unpack_from("<H", data, embedded + 18)[0] == EM_AMDGPU
    assert struct.unpack_from("<I", data, embedded + 48)[0] & 0xFF == machine  # EF_AMDGPU_MACH: the GPU built for


EXAMPLES = sorted(str(path.relative_to(ROOT)) for path in ROOT.glob("examples/*.py"))


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_example_builds_for_amdgcn(path: str, tmp_path: Path, toolchain: discover.Toolchain) -> None:
    """No AMD GPU is lent, so building is what CI proves: the device link finds every libm function in
    ROCm's ocml as the NVPTX one does in libdevice (the bootstrap installs the AMD libraries)."""
    if toolchain.missing_for(AMDGCN):
        pytest.skip("AMD libraries missing (bash scripts/bootstrap.sh installs them): "
                    + "; ".join(toolchain.missing_for(AMDGCN)))
    c_path = tmp_path / "module.c"
    c_path.write_text(pipeline.translate(path, AMDGCN).c_source)
    compile_library(c_path, tmp_path / "module.so", AMDGCN, toolchain)
    assert EM_AMDGPU in _embedded_machines((tmp_path / "module.so").read_bytes())


def _embedded_machines(data: bytes) -> set[int]:
    """The ELF machine numbers of the images embedded in a library (the host one is at offset 0)."""
    machines, at = set(), data.find(b"\x7fELF", 1)
    while at > 0:
        machines.add(struct.unpack_from("<H", data, at + 18)[0])
        at = data.find(b"\x7fELF", at + 1)
    return machines


KERNEL_MODULES = sorted(
    str(path.relative_to(ROOT))
    for pattern in ("examples/*.py", "bench/kernels/*.py", "tests/kernels/[a-z]*.py", "tests/kernels/npbench/[a-z]*.py")
    for path in ROOT.glob(pattern)
)


SIGNATURES = {
    "bench/kernels/call_types.py": {"saxpy_from_call": "float, f32[:], f32[:]"},
    "tests/kernels/call_types.py": {
        "floyd_warshall": "f32[:, :]", "scale": "f32[:], float", "shifted": "f32[:], complex",
        "weighted_update": "f64[:], f32[:], f32[:]", "dot": "i64[:], i64[:]",
    },
    "tests/kernels/idioms.py": {"scale_into": "f32[:], f32[:], float"},
    "tests/kernels/hoisting.py": {
        "interior_of_sum": "f64[:], f64[:]", "first_row_of_product": "f64[:, :], f64[:]",
        "shifted_identity": "f64[:, :], float", "regularised_solve": "f64[:, :], f64[:], float",
        "rows_of_expressions": "f64[:, :], f64[:]", "solve_into_view": "f64[:, :], f64[:], f64[:]",
        "pieces_of_results": "f64[:], f64[:, :]",
    },
    "tests/kernels/scatters.py": {
        "label_counts": "i64[:], int", "inverse_permutation": "i64[:], f64[:]",
        "dense_from_coordinates": "i64[:], i64[:], f64[:], int, int", "swap_through_indices": "f64[:], i64[:]",
        "rows_through_columns": "f64[:, :], i64[:], f64[:, :]",
    },
}
"""Types for the kernels that take theirs from each call, as `py2omp --signature` gives them."""


def _translates(path: str) -> list[pytest.MarkDecorator]:
    name = Path(path).stem
    if "npbench" not in path or name not in PENDING:
        return []
    return [pytest.mark.xfail(strict=True, raises=TranslationError, reason=PENDING[name])]


@pytest.fixture(scope="module")
def nvptx_links(toolchain: discover.Toolchain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exception | None]:
    """Every kernel module translated for sm_90 here, then linked by as many clangs at once as there
    are cores: the links are independent and are the suite's longest part. Each module's test then
    raises what its own translation or link raised (None: it linked)."""
    root = tmp_path_factory.mktemp("nvptx-links")
    sources: dict[str, Path | Exception] = {}
    for k, path in enumerate(KERNEL_MODULES):
        given = {name: Signature(parse_signature(types)) for name, types in SIGNATURES.get(path, {}).items()}
        try:
            c_path = root / f"module{k}.c"
            c_path.write_text(pipeline.translate(path, NVPTX, selection=Selection(given)).c_source)
            sources[path] = c_path
        except TranslationError as exc:
            sources[path] = exc

    def link(path: str) -> Exception | None:
        source = sources[path]
        if isinstance(source, Exception):
            return source
        try:
            compile_library(source, source.with_suffix(".so"), NVPTX, toolchain)
        except (BuildError, TranslationError) as exc:
            return exc
        return None if source.with_suffix(".so").stat().st_size > 0 else BuildError(f"{path}: an empty library")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(KERNEL_MODULES, pool.map(link, KERNEL_MODULES)))


@pytest.mark.xdist_group("nvptx_links")  # one worker links them all (`--dist loadgroup`), not each worker
@pytest.mark.parametrize("path", [pytest.param(path, marks=_translates(path), id=path) for path in KERNEL_MODULES])
def test_every_kernel_module_links_for_nvptx(path: str, toolchain: discover.Toolchain,
                                            request: pytest.FixtureRequest) -> None:
    """The device link is where a libm function missing from the NVPTX runtime shows (C99's `cabs` was);
    host-offload tests cannot see it, so every kernel the suite runs is also linked for the GPU. This is
    the suite's one sm_90 build of each module (the examples' and temporaries' were built again
    elsewhere; tests/test_audit.py and tests/test_temporaries.py audit their sm_90 C)."""
    if toolchain.missing_for(NVPTX):
        pytest.skip("; ".join(toolchain.missing_for(NVPTX)))
    failure = request.getfixturevalue("nvptx_links")[path]
    if failure is not None:
        raise failure


def test_clang_error_maps_to_python_line(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    py_path = tmp_path / "k.py"
    py_path.write_text("".join(f"# line {n}\n" for n in range(1, 7)) + "    undeclared_name = 1\n# line 8\n")
    c_path = tmp_path / "k.c"
    c_path.write_text(f'void k(void) {{\n#line 7 "{py_path}"\n  undeclared_name = 1;\n}}\n')
    with pytest.raises(TranslationError) as info:
        compile_library(c_path, tmp_path / "k.so", HOST_OFFLOAD, toolchain)
    text = str(info.value)
    assert text.startswith(f"{py_path}:7:5: error: use of undeclared identifier 'undeclared_name'")
    assert text.splitlines()[1:] == ["    undeclared_name = 1", "    ^"]
    assert len(info.value.diagnostics) == 1  # the host and device passes report it once, not twice


def test_unmapped_clang_error_is_internal(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    c_path = tmp_path / "bad.c"
    c_path.write_text("void bad(void) { this is not C; }\n")
    with pytest.raises(BuildError) as info:
        compile_library(c_path, tmp_path / "bad.so", Target("cpu"), toolchain)
    text = str(info.value)
    assert text.startswith("internal error in py2omp")
    assert f"{toolchain.clang} {c_path} -o" in text
    assert "bad.c:1:" in text and "error:" in text


def test_missing_pieces_refuse_to_build(tmp_path: Path) -> None:
    bare = discover.Toolchain("/nonexistent/clang-19", "clang 19", None, None, None, None, None)
    with pytest.raises(BuildError, match="pip install nvidia-cuda-nvcc"):
        compile_library(tmp_path / "k.c", tmp_path / "k.so", NVPTX, bare)
    with pytest.raises(BuildError, match="apt-get install -y clang-19"):
        compile_library(tmp_path / "k.c", tmp_path / "k.so", Target("serial"), bare)


# --- cache ---------------------------------------------------------------------------------------


def test_cache_hit_and_layout(
    isolated_cache: Path, toolchain: discover.Toolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)
    assert built.parent.parent == isolated_cache
    assert sorted(p.name for p in built.iterdir()) == ["saxpy.c", "saxpy.h", "saxpy.json", "saxpy.so"]
    assert json.loads((built / "saxpy.json").read_text())["library"] == "saxpy.so"
    assert run_saxpy(built / "saxpy.so")[3] == 7.0
    assert [p.name for p in isolated_cache.iterdir()] == [built.parent.name]  # no scratch left behind

    def no_clang(*args: object) -> None:
        raise AssertionError("clang ran on a cache hit")

    monkeypatch.setattr(cache, "compile_library", no_clang)
    assert build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD) == built


def test_cache_key_depends_on_target(toolchain: discover.Toolchain) -> None:
    offload = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)
    serial = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), Target("serial"))
    assert offload.parent != serial.parent
    assert offload.name == serial.name  # same compiler


def _build_in_child(barrier: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    results.put(str(build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)))


def test_concurrent_builds_agree(isolated_cache: Path, toolchain: discover.Toolchain) -> None:
    # spawn, not fork: a forked child of a process whose OpenMP runtime already started can deadlock.
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_build_in_child, args=(barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    first, second = results.get(timeout=5), results.get(timeout=5)
    assert first == second
    assert sorted(p.name for p in Path(first).iterdir()) == ["saxpy.c", "saxpy.h", "saxpy.json", "saxpy.so"]
    assert [p.name for p in isolated_cache.iterdir()] == [Path(first).parent.name]


def test_lost_rename_race_uses_the_winner(
    isolated_cache: Path, toolchain: discover.Toolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_compile = compile_library
    winner: list[Path] = []

    def compile_then_lose(c_path: Path, so_path: Path, target: Target, chain: discover.Toolchain) -> None:
        real_compile(c_path, so_path, target, chain)
        monkeypatch.setattr(cache, "compile_library", real_compile)
        # Another process publishes the same entry between our compile and our rename: one that takes no
        # lock (an older py2omp sharing the cache; processes of this one wait for the entry's lock instead).
        with monkeypatch.context() as unlocked:
            unlocked.setattr(cache, "_entry_lock", lambda final: contextlib.nullcontext())
            winner.append(build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD))

    monkeypatch.setattr(cache, "compile_library", compile_then_lose)
    built = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)
    assert [built] == winner
    assert [p.name for p in isolated_cache.iterdir()] == [built.parent.name]
    assert run_saxpy(built / "saxpy.so")[1] == 3.0


def test_without_compiler_uses_newest_carried_build(
    tmp_path: Path, toolchain: discover.Toolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)
    os.utime(older, (1_000_000, 1_000_000))
    other_compiler = dataclasses.replace(toolchain, version="clang version 19.1.99")
    monkeypatch.setattr(discover, "find_toolchain", lambda: other_compiler)
    built = build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD)
    assert built.parent == older.parent and built != older
    monkeypatch.setattr(discover, "find_toolchain", lambda: None)
    assert build_cached("saxpy", SAXPY_C, SAXPY_H, manifest("saxpy", HOST_OFFLOAD), HOST_OFFLOAD) == built
    with pytest.raises(BuildError, match="apt-get install -y clang-19 libomp-19-dev liboffload-22-dev"):
        build_cached("other", SAXPY_C, SAXPY_H, manifest("other", HOST_OFFLOAD), HOST_OFFLOAD)
    exported = export_build(built, tmp_path / "out")
    assert sorted(p.name for p in exported) == ["saxpy.c", "saxpy.h", "saxpy.json", "saxpy.so"]
    assert (tmp_path / "out" / "saxpy.so").read_bytes() == (built / "saxpy.so").read_bytes()


# --- probe and doctor ----------------------------------------------------------------------------


def test_probe_without_driver_is_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_build(*args: object) -> None:
        raise AssertionError("the probe was built on a machine without an NVIDIA driver")

    monkeypatch.setattr(probe, "build_cached", no_build)
    assert probe.nvidia_devices_visible() == 0


def test_probe_reports_host_fallback_as_no_gpu(monkeypatch: pytest.MonkeyPatch, toolchain: discover.Toolchain) -> None:
    if toolchain.missing_for(NVPTX):
        pytest.skip("; ".join(toolchain.missing_for(NVPTX)))
    monkeypatch.setattr(probe, "_driver_present", lambda vendor: True)
    assert probe.nvidia_devices_visible() == 0  # built and ran, but the region fell back to the host
    check, devices = probe.run_probe(probe.build_probe(HOST_OFFLOAD))
    assert (check, devices) == (probe.CHECK_EXPECTED, 4)  # the virtual device really runs it


def layout(report: str) -> list[str]:
    """The first word of each item line: the part of the doctor's report that must never move."""
    return [line.split()[0] for line in report.splitlines() if line.startswith("  ") and line[2] != " "]


def test_doctor_report(toolchain: discover.Toolchain, monkeypatch: pytest.MonkeyPatch) -> None:
    text, ok = doctor_report()
    assert ok
    lines = text.splitlines()
    assert lines[0].startswith("py2omp ")
    assert layout(text) == [
        "clang:", "device", "CUDA:", "ROCm", "AMD", "offload", "NVIDIA", "AMD", "vendor", "host-offload", "cpu",
        "serial", "nvptx:sm_90", "amdgcn:gfx90a", "amdgcn:gfx942",
    ]
    assert "  vendor BLAS:      cuBLAS " in text  # found or not: runtime_shim.blas
    host_offload = lines[lines.index("  host-offload   ok") + 1]
    assert host_offload == "      runs correctly on an offload device (4 seen by the runtime)"
    amd = "FAILED\n      missing: " if toolchain.missing_for(AMDGCN) else "ok\n      builds (not run: no AMD GPU visible)\n"
    assert f"  amdgcn:gfx90a  {amd}" in text  # a machine without the AMD libraries still passes (not needed)
    assert f"  amdgcn:gfx942  {amd}" in text  # newer than Debian 12's ROCm 5.2: py2omp writes its ISA file
    assert "  AMD GPUs:         0 visible to the OpenMP runtime\n" in text
    assert lines[-1].startswith("result: ok")
    monkeypatch.setattr(discover, "find_toolchain", lambda: None)
    bare_text, ok = doctor_report()
    assert not ok
    assert layout(bare_text) == layout(text)
    text = bare_text
    assert "  host-offload   FAILED\n      missing: clang-19 (the C compiler; or set PY2OMP_CLANG): " in text
    assert "apt-get install -y clang-19 libomp-19-dev liboffload-22-dev" in text


def test_doctor_runs_carried_probes_without_compiler(
    toolchain: discover.Toolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GPU machine's case: no clang, but the build machine's cache came along."""
    for name in doctor.REQUIRED_TARGETS:
        probe.build_probe(parse_target(name))
    monkeypatch.setattr(discover, "find_toolchain", lambda: None)
    text, ok = doctor_report()
    assert ok, text
    assert "  serial         ok\n      cannot build here; running the prebuilt probe from the cache\n" in text
    assert "  nvptx:sm_90    FAILED\n" in text
