"""The py2omp version, in one place: the manifest, the C header comment and setup.cfg read it."""

__version__ = "0.1.0"
