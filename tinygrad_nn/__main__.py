"""`python -m tinygrad_nn ...` runs the `tinygrad-nn` command line (see tinygrad_nn/cli.py)."""
import sys

from .cli import main

sys.exit(main())
