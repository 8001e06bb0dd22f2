"""``python -m benchmarks``: run the harness."""

import sys

from benchmarks._cli import main

sys.exit(main())
