"""What pytest collects from the repository root (tests/conftest.py holds the fixtures).

The doctests of :mod:`skvanilla.onnx` need the ``onnx`` extra (skl2onnx and
onnxruntime); without it that module and :mod:`skvanilla._onnx_ops`, which
builds on skl2onnx, cannot be imported, and are left out rather than reported
as collection errors.  tests/test_onnx.py skips
itself with that reason.
"""

from importlib.util import find_spec

collect_ignore = []
if find_spec("skl2onnx") is None or find_spec("onnxruntime") is None:
    collect_ignore += ["skvanilla/onnx.py", "skvanilla/_onnx_ops.py"]
