"""AMD GPUs newer than the installed ROCm (gfx942 on Debian 12's ROCm 5.2): toolchain/rocm.py writes the
one device library such a GPU lacks, its ISA version, and the build links it with the installed ones."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import pytest

from translator import pipeline
from translator.errors import BuildError
from translator.targets import Target
from translator.toolchain import compile_library, discover, find_toolchain, rocm

GFX942 = Target("amdgcn", "gfx942")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def toolchain() -> discover.Toolchain:
    found = find_toolchain()
    if found is None or found.missing_for(GFX942):
        pytest.skip("no clang-19 or no AMD libraries (bash scripts/bootstrap.sh installs them)")
    return found


@pytest.mark.parametrize(("arch", "version"), [
    ("gfx801", 8001), ("gfx90a", 9010), ("gfx90c", 9012), ("gfx940", 9400), ("gfx942", 9402),
    ("gfx1030", 10300), ("gfx1036", 10306), ("gfx1100", 11000),
])
def test_isa_version_is_rocms_number(arch: str, version: int) -> None:
    """The values ROCm 5.2's own oclc_isa_version_*.bc files define (read with llvm-dis), and gfx942's."""
    assert rocm.isa_version(arch) == version


def test_a_gpu_newer_than_rocm_is_not_missing_anything(tmp_path: Path) -> None:
    (tmp_path / "ocml.bc").write_bytes(b"")
    (tmp_path / "libomptarget-amdgpu-gfx942.bc").write_bytes(b"")
    tools = discover.Toolchain("clang-19", "clang 19", str(tmp_path), None, "/runtime", str(tmp_path), "ld.lld")
    assert tools.missing_for(GFX942) == []
    assert rocm.lacks_isa_file(tools, GFX942)
    assert tools.missing_for(Target("amdgcn", "gfx9999")) == [
        "the AMD device runtime (libomptarget-amdgpu-gfx9999.bc): " + discover.APT_INSTALL
    ]


def test_completed_folder_links_rocm_and_adds_the_isa_file(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    installed = tmp_path / "rocm"
    installed.mkdir()
    for name in ("ocml.bc", "ockl.bc", "oclc_isa_version_90a.bc"):
        (installed / name).write_bytes(name.encode())
    tools = dataclasses.replace(toolchain, rocm_device_lib_dir=str(installed))
    with rocm.completed_device_libs(tools, GFX942) as complete:
        folder = Path(str(complete.rocm_device_lib_dir))
        assert folder != installed
        assert sorted(p.name for p in folder.glob("*.bc")) == [
            "ockl.bc", "oclc_isa_version_90a.bc", "oclc_isa_version_942.bc", "ocml.bc"]
        assert (folder / "ocml.bc").read_bytes() == b"ocml.bc"
        assert (folder / "oclc_isa_version_942.bc").read_bytes()[:4] == b"BC\xc0\xde"  # LLVM bitcode
        assert f"--rocm-device-lib-path={folder}" in complete.flags(GFX942)
    assert not folder.exists()
    with rocm.completed_device_libs(tools, Target("amdgcn", "gfx90a")) as same:
        assert same is tools


def test_a_clang_that_cannot_assemble_is_a_build_error(tmp_path: Path, toolchain: discover.Toolchain) -> None:
    (tmp_path / "ocml.bc").write_bytes(b"")
    tools = dataclasses.replace(toolchain, clang="/bin/false", rocm_device_lib_dir=str(tmp_path))
    with pytest.raises(BuildError, match=r"^cannot write ROCm's oclc_isa_version_942\.bc for this GPU with /bin/false: "):
        with rocm.completed_device_libs(tools, GFX942):
            pass


@pytest.mark.parametrize("example", ["nbody.py", "mandelbrot.py", "softmax.py"])
def test_gfx942_links_rocms_math(example: str, tmp_path: Path, toolchain: discover.Toolchain) -> None:
    """sqrt, exp and the complex functions resolve in ROCm 5.2's ocml for gfx942 as for gfx90a."""
    c_path, so_path = tmp_path / "module.c", tmp_path / "module.so"
    c_path.write_text(pipeline.translate(str(ROOT / "examples" / example), GFX942).c_source)
    compile_library(c_path, so_path, GFX942, toolchain)
    data = so_path.read_bytes()
    image = data.find(b"\x7fELF", 1)
    assert struct.unpack_from("<H", data, image + 18)[0] == 224  # EM_AMDGPU
    assert struct.unpack_from("<I", data, image + 48)[0] & 0xFF == 0x4C  # EF_AMDGPU_MACH_AMDGCN_GFX942
