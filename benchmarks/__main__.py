"""``python -m benchmarks``: run the harness."""

import os
import sys

# skvanilla on torch tensors goes through scikit-learn's Array API dispatch, which
# needs scipy's: scipy reads SCIPY_ARRAY_API once, on its first import, so it is set
# here, before anything imports scipy -- and only then, so that the numpy timings
# run as they always have.
if any(arg.startswith("--namespace") for arg in sys.argv[1:]):
    os.environ.setdefault("SCIPY_ARRAY_API", "1")

from benchmarks._cli import main  # noqa: E402

sys.exit(main())
