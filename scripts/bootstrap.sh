#!/usr/bin/env bash
# Set up a fresh Debian 12 machine for py2omp, then run the main job or the tests:
#   bash scripts/bootstrap.sh demo    # translate, build and run every example, checked against Python
#   bash scripts/bootstrap.sh test    # the test suite (what CI runs), one pytest-xdist worker per core
# Installs only what is missing: clang-19 with the OpenMP offload runtimes (apt), the Python package
# and its dependencies (pip), and for the tests gfortran, cmake, pkg-config, ROCm's device libraries
# and lld (the amdgcn build, no AMD GPU needed), Open MPI and mpi4py (examples/mpi under mpirun).
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
command -v clang-19 >/dev/null || missing+=(clang-19)
[ -e /usr/lib/llvm-19/lib/libomptarget-nvptx-sm_90.bc ] || missing+=(libomp-19-dev)
[ -e /usr/lib/llvm-22/lib/libomptarget.so ] || missing+=(liboffload-22-dev)
if [ "$mode" = test ]; then
  command -v gfortran >/dev/null || missing+=(gfortran)
  command -v cmake >/dev/null || missing+=(cmake)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  [ -e /usr/lib/x86_64-linux-gnu/amdgcn/bitcode/ocml.bc ] || missing+=(rocm-device-libs)
  [ -e /usr/lib/llvm-19/bin/ld.lld ] || missing+=(lld-19)
  command -v mpirun >/dev/null || missing+=(openmpi-bin)
  [ -e /usr/include/x86_64-linux-gnu/mpi/mpi.h ] || missing+=(libopenmpi-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
if [ "$mode" = test ]; then
  python3 -c "import mpi4py" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check mpi4py
fi
# CUDA's ptxas/nvlink/libdevice are needed to build for NVIDIA GPUs (not to build or run the others).
if [ ! -x /usr/local/cuda/bin/ptxas ] && [ -z "${CUDA_PATH:-}" ]; then
  echo "bootstrap: no CUDA at /usr/local/cuda; installing NVIDIA's CUDA compiler wheels"
  python3 -m pip install -q --disable-pip-version-check nvidia-cuda-nvcc nvidia-nvvm || true
fi

case "$mode" in
  demo) exec python3 -m translator demo ;;
  test) python3 -m pytest -q -p no:cacheprovider -n auto --dist loadgroup -m "not serial" &&
        exec python3 -m pytest -q -p no:cacheprovider -m serial ;;
  *) echo "usage: bash scripts/bootstrap.sh demo|test" >&2; exit 2 ;;
esac
