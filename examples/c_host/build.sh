#!/bin/sh
# Build and run the C host program: translate the kernels, compile main.c against them, run it.
# Usage: build.sh OUTDIR [TARGET]   (TARGET defaults to host-offload: the virtual device on the CPU)
set -eu
out=$1
target=${2:-host-offload}
here=$(cd "$(dirname "$0")" && pwd)
for kernel in saxpy dot matmul; do
    ${PY2OMP:-py2omp} build "$here/../$kernel.py" --target "$target" --emit h -o "$out" >/dev/null
done
# The libraries have no `lib` prefix (hence -l:) and carry their OpenMP runtimes: no -fopenmp here.
${CC:-clang-19} -std=c11 -Wall -Wextra -Werror -I"$out" "$here/main.c" -o "$out/c_host" \
    -L"$out" -l:saxpy.so -l:dot.so -l:matmul.so -Wl,-rpath,"$out" -lm
"$out/c_host"
