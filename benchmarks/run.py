"""``python benchmarks/run.py``: the same as ``python -m benchmarks``."""

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ itself first on the path; the
# package is imported from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
