"""Kernels written with each way of importing py2omp, NumPy and math: one module per import form,
because a module's imports are what its kernels' names mean. `tests/test_kernel_sites.py` runs each
compiled and as plain Python.
"""
