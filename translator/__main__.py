"""`python -m translator` is the `py2omp` command."""

import sys

from translator.cli import main

sys.exit(main())
