"""The command line's ``export`` command: a saved model written as an ONNX graph.

This module's one job is ``skvanilla export MODEL --onnx OUT.onnx``: load a
model saved by ``train --out``, convert it with :mod:`skvanilla.onnx`
(which needs the ``onnx`` extra) and write the graph, for onnxruntime or
any other ONNX runtime to serve.  Errors are :class:`~skvanilla._cli_io.CLIError`,
``ValueError`` or ``TypeError``, which the command line prints on one line.
"""

from . import _cli_io as io
from . import _cli_tasks as tasks


def add_command(commands):
    """Add the ``export`` subcommand to ``commands`` (argparse's subparsers)."""
    export = commands.add_parser(
        "export",
        help="write a saved model as an ONNX graph",
        description=(
            "Load a model saved by 'skvanilla train --out' and write it as an ONNX graph "
            "that onnxruntime can serve (needs the onnx extra: "
            'pip install ".[onnx]" in skvanilla\'s folder).'
        ),
    )
    export.add_argument("model", metavar="MODEL", help="a model file saved by train --out")
    export.add_argument(
        "--onnx", metavar="FILE", required=True, help="where to write the ONNX graph (.onnx)"
    )
    export.add_argument(
        "--float64", action="store_true",
        help="take float64 rows and compute in double precision (default float32)",
    )


def _skl2onnx():
    """skl2onnx's ``to_onnx`` and tensor types, with skvanilla's converters registered."""
    try:
        from skl2onnx import to_onnx
        from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

        from . import onnx  # noqa: F401  (registers the converters)
    except ImportError as exc:
        raise io.CLIError(
            f"exporting to ONNX needs skl2onnx, which cannot be imported ({exc}); "
            'install it with: pip install ".[onnx]" in skvanilla\'s folder'
        ) from None
    return to_onnx, FloatTensorType, DoubleTensorType


def export(args):
    """Run ``skvanilla export`` with the parsed ``args``."""
    io.check_writable(args.onnx, example="model.onnx")
    to_onnx, float32, float64 = _skl2onnx()
    model = io.load_model(args.model, tuple(tasks.ESTIMATORS.values()))
    rows = (float64 if args.float64 else float32)([None, model.n_features_in_])
    # Plain tensors rather than ZipMap's list of dicts: what a server reads
    # most easily, and the only choice for float64 (onnxruntime's ZipMap
    # takes float32 only).
    options = {type(model): {"zipmap": False}} if hasattr(model, "classes_") else None
    graph = to_onnx(model, initial_types=[("X", rows)], options=options)
    try:
        with open(args.onnx, "wb") as f:
            f.write(graph.SerializeToString())
    except OSError as exc:
        raise io.CLIError(f"{args.onnx}: cannot write the ONNX graph ({exc.strerror})") from None
    dtype = "float64" if args.float64 else "float32"
    inputs = f"X, {dtype} rows of {model.n_features_in_} features"
    outputs = ", ".join(f"{o.name}" for o in graph.graph.output)
    print(f"exported: {args.onnx} (input {inputs}; outputs {outputs})")
