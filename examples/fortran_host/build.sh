#!/bin/sh
# Build and run the Fortran host program: translate the kernels with their Fortran interface
# modules, compile them and main.f90 with gfortran, run it.
# Usage: build.sh OUTDIR [TARGET]   (TARGET defaults to host-offload: the virtual device on the CPU)
set -eu
out=$1
target=${2:-host-offload}
here=$(cd "$(dirname "$0")" && pwd)
for kernel in saxpy dot matmul; do
    ${PY2OMP:-py2omp} build "$here/../$kernel.py" --target "$target" --emit f90 -o "$out" >/dev/null
done
# The libraries have no `lib` prefix (hence -l:) and carry their OpenMP runtimes: no -fopenmp here.
${FC:-gfortran} -std=f2008 -Wall -Werror -J "$out" "$out/saxpy.f90" "$out/dot.f90" "$out/matmul.f90" \
    "$here/main.f90" -o "$out/fortran_host" -L"$out" -l:saxpy.so -l:dot.so -l:matmul.so -Wl,-rpath,"$out"
"$out/fortran_host"
