"""py2omp: annotated Python kernels to C with OpenMP target offload."""
