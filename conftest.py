"""What pytest collects from the repository root (tests/conftest.py holds the fixtures).

The doctests of :mod:`skvanilla.onnx` need the ``onnx`` extra (skl2onnx and
onnxruntime); without it the module cannot be imported, and is left out
rather than reported as a collection error.  tests/test_onnx.py skips
itself with that reason.
"""

from importlib.util import find_spec

collect_ignore = []
if find_spec("skl2onnx") is None or find_spec("onnxruntime") is None:
    collect_ignore.append("skvanilla/onnx.py")
