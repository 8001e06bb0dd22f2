"""The command line: ``python -m skvanilla`` or ``skvanilla``.

Four jobs:

- no command: the digits experiment of "Programming a neural network from
  scratch" (Ritchie Vink, 2017);
- ``train DATA``: fit a classifier or a regressor (chosen from the target
  column, or by ``--task``) on a CSV file or a built-in dataset, optionally
  cross-validate it and save it;
- ``predict MODEL DATA``: write predictions (or class probabilities) as CSV;
- ``export MODEL --onnx OUT.onnx``: write a saved model as an ONNX graph
  (:mod:`~skvanilla._cli_export`).

Bad input ends with one line on stderr and a non-zero exit status, never a
traceback.
"""

import argparse
import os
import sys
import time
import warnings

from . import _cli_export as export
from . import _cli_io as io
from . import _cli_tasks as tasks
from ._regressor import VanillaMLPRegressor

#: Exit status for bad input found after the options were parsed; argparse
#: uses 2 for bad options.
EXIT_BAD_INPUT = 1

class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, with a pointer to --help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------
# Option values
# ---------------------------------------------------------------------------


def _positive_ints(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas, such as 64,32; got {text!r}"
        )
    return sizes


def _names(text):
    """One name, or a comma-separated list of names (one per hidden layer)."""
    parts = [part.strip() for part in text.split(",")]
    return parts[0] if len(parts) == 1 else parts


def _int_or_auto(text):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'auto'; got {text!r}") from None


def _class_weight(text):
    """``balanced``, or ``LABEL:WEIGHT`` pairs separated by commas."""
    if text == "balanced":
        return text
    weights = {}
    for pair in text.split(","):
        label, sep, weight = pair.rpartition(":")
        try:
            weights[_label(label.strip())] = float(weight)
        except ValueError:
            sep = ""
        if not sep:
            raise argparse.ArgumentTypeError(
                f"expected 'balanced' or LABEL:WEIGHT pairs such as 0:1,1:5; got {text!r}"
            )
    return weights


def _label(text):
    # Labels read from a CSV file are integers when they look like integers.
    try:
        return int(text)
    except ValueError:
        return text


def _at_least_two(text):
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 2:
        raise argparse.ArgumentTypeError(f"expected an integer of at least 2; got {text!r}")
    return k


#: (option, metavar, estimator parameter, value type, help).  Every option defaults
#: to the estimator's own default, so only what the user gives is passed on.
ESTIMATOR_OPTIONS = [
    ("--hidden", "SIZES", "hidden_layer_sizes", _positive_ints,
     "units of each hidden layer, comma-separated (default 100)"),
    ("--activation", "NAME", "activation", _names,
     "hidden activation, or one per hidden layer, comma-separated (default relu)"),
    ("--solver", "NAME", "solver", str, "lbfgs, sgd or adam (default adam)"),
    ("--alpha", "X", "alpha", float, "L2 penalty (default 0.0001)"),
    ("--batch-size", "N", "batch_size", _int_or_auto, "mini-batch size, or auto (default auto)"),
    ("--learning-rate", "NAME", "learning_rate", str,
     "schedule of sgd: constant, invscaling or adaptive (default constant)"),
    ("--learning-rate-init", "X", "learning_rate_init", float,
     "step size of sgd and adam (default 0.001)"),
    ("--max-iter", "N", "max_iter", int, "epochs, or lbfgs iterations (default 200)"),
    ("--tol", "X", "tol", float, "improvement that counts as progress (default 0.0001)"),
    ("--n-iter-no-change", "N", "n_iter_no_change", int,
     "epochs without progress before stopping (default 10)"),
    ("--momentum", "X", "momentum", float, "momentum of sgd (default 0.9)"),
    ("--validation-fraction", "X", "validation_fraction", float,
     "share held out for early stopping (default 0.1)"),
    ("--loss", "NAME", "loss", str,
     "classification: log_loss or squared_error (default log_loss); "
     "regression: squared_error or poisson (default squared_error)"),
    ("--out-activation", "NAME", "out_activation", str,
     "classification only: output units, auto, softmax or logistic (default auto)"),
    ("--class-weight", "WEIGHTS", "class_weight", _class_weight,
     "classification only: balanced, or LABEL:WEIGHT pairs such as 0:1,1:5 (default none)"),
    ("--dropout", "X", "dropout", float,
     "share of hidden units dropped while training (default 0)"),
    ("--scoring", "NAME", "scoring", str,
     "what early stopping watches: loss, or a scikit-learn scorer name "
     "(default accuracy, or r2 for regression)"),
]


def _build_parser():
    parser = _Parser(
        prog="skvanilla",
        description=(
            "Train and use skvanilla's multi-layer perceptron classifier and regressor. "
            "With no command, run the digits experiment of the post \"Programming a "
            "neural network from scratch\" (Ritchie Vink, 2017) and report on it."
        ),
    )
    parser.add_argument(
        "--random-state", metavar="N", dest="seed", type=int, default=0,
        help="seed of the experiment (default 0)",
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="fit a classifier or a regressor to a CSV file or a built-in dataset",
        description=(
            "Fit a VanillaMLPClassifier or a VanillaMLPRegressor to DATA and report its "
            "training accuracy (R2 and mean absolute error for a regressor); "
            "optionally cross-validate it and save it."
        ),
    )
    train.add_argument(
        "data", metavar="DATA",
        help="a CSV file with a header row, or digits, iris, wine or breast_cancer",
    )
    train.add_argument(
        "--target", metavar="COLUMN", action="append",
        help="the column of class labels or values to predict; repeat it for several "
             "outputs (required for a CSV file; 'target' for a built-in)",
    )
    train.add_argument(
        "--task", choices=["auto", "classification", "regression"], default="auto",
        help="auto (the default) chooses regression when every target value is a number "
             "and not all are whole numbers, classification otherwise",
    )
    train.add_argument(
        "--drop", metavar="COLUMN", action="append", default=[],
        help="a column that is not a feature (repeat for several)",
    )
    model = train.add_argument_group("model", "the estimator's parameters")
    for option, metavar, param, kind, text in ESTIMATOR_OPTIONS:
        model.add_argument(
            option, metavar=metavar, dest=param, type=kind, default=None, help=text
        )
    model.add_argument(
        "--early-stopping", dest="early_stopping", action="store_true", default=None,
        help="hold out a validation set and stop when its score stops improving",
    )
    model.add_argument(
        "--random-state", metavar="N", dest="random_state", type=int, default=0,
        help="seed of the weights, shuffling and splits (default 0)",
    )
    train.add_argument(
        "--cv", metavar="K", type=_at_least_two,
        help="also report the accuracy (R2 and MAE for regression) of K-fold "
             "cross-validation",
    )
    train.add_argument("--verbose", action="store_true", help="print the loss of every epoch")
    train.add_argument(
        "--out", metavar="FILE", help="save the fitted model to FILE (skops format, .skops)"
    )

    predict = commands.add_parser(
        "predict",
        help="predict with a saved model, as CSV on stdout",
        description=(
            "Load a model saved by 'skvanilla train --out' and write one prediction "
            "per row of DATA as CSV to stdout."
        ),
    )
    predict.add_argument("model", metavar="MODEL", help="a model file saved by train --out")
    predict.add_argument(
        "data", metavar="DATA",
        help="a CSV file with a header row, or digits, iris, wine or breast_cancer",
    )
    predict.add_argument(
        "--proba", action="store_true",
        help="write the probability of each class instead of the predicted class "
             "(classifiers only)",
    )
    predict.add_argument(
        "--drop", metavar="COLUMN", action="append", default=[],
        help="a column that is not a feature, such as the labels (repeat for several)",
    )
    export.add_command(commands)
    return parser


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def _run_experiment(args):
    from ._experiment import run_seed_experiment

    with warnings.catch_warnings():
        # 100 epochs is the experiment's budget, not a failure to converge.
        warnings.simplefilter("ignore", category=UserWarning)
        report, _ = run_seed_experiment(random_state=args.seed)
    print(report)


def _estimator(args, task, why):
    """The estimator for ``task`` with the options given; ``why`` says how the task was chosen."""
    estimator = tasks.ESTIMATORS[task]
    accepted = estimator().get_params()
    other = next(t for t in tasks.ESTIMATORS if t != task)
    params = {"early_stopping": args.early_stopping}
    for option, _, param, _, _ in ESTIMATOR_OPTIONS:
        value = getattr(args, param)
        if value is not None and param not in accepted:
            raise io.CLIError(f"{option} is for {other} only, and {why}")
        params[param] = value
    if args.loss in tasks.LOSSES[other] - tasks.LOSSES[task]:
        # Counts are whole numbers, which --task auto takes for classes.
        raise io.CLIError(f"--loss {args.loss} is for {other} only, and {why}")
    params = {name: value for name, value in params.items() if value is not None}
    return estimator(random_state=args.random_state, verbose=args.verbose, **params)


def _target_names(args, table):
    if args.target:
        return args.target
    if not table.builtin:
        raise io.CLIError(
            f"{args.data}: name the target column with --target COLUMN "
            f"(columns: {io._shorten(table.columns)})"
        )
    return [io.BUILTIN_TARGET]


def _train(args):
    if args.out:
        io.check_writable(args.out)
    table = io.read_table(args.data)
    targets = _target_names(args, table)
    target_indices, feature_indices, feature_names = io.split_columns(table, targets, args.drop)
    task, why = tasks.choose_task(table, target_indices, args.task)
    model = _estimator(args, task, why)
    y = tasks.targets(table, target_indices, task)
    if task == "regression" and args.loss == "poisson":
        tasks.check_poisson_targets(table, target_indices, y)
    X = io.numeric_columns(table, feature_indices)
    print(f"data: {args.data}, {X.shape[0]} rows, {X.shape[1]} features, "
          f"{tasks.describe_targets(task, y, targets)}")
    print("model:", " ".join(repr(model).split()))
    if args.cv:
        print(tasks.cross_validate(task, model, X, y, args.cv))
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    if args.out:
        # Saved before anything more is printed: the report cannot lose the model.
        io.name_features(model, feature_names)
        io.save_model(model, args.out)
        io.take_feature_names(model)  # scored below on the plain array
    scores = ", ".join(f"{label}: {value:{fmt}}" for label, value, fmt in
                       tasks.scores(task, model, X, y))
    # No loss_ when Ctrl-C stopped the first epoch.
    loss = f"loss {model.loss_:.6g}" if hasattr(model, "loss_") else "no epoch completed"
    print(f"training {scores} after {model.n_iter_} iterations, {loss}")
    print(f"fit time: {seconds:.2f} s")
    if args.out:
        print(f"saved: {args.out}")


def _predict(args):
    model = io.load_model(args.model, tuple(tasks.ESTIMATORS.values()))
    regressor = isinstance(model, VanillaMLPRegressor)
    if args.proba and regressor:
        raise io.CLIError(
            f"{args.model}: holds a regressor, which predicts values, not class "
            "probabilities; leave out --proba"
        )
    names = io.take_feature_names(model)
    X = io.features(io.read_table(args.data), model.n_features_in_, args.drop, names)
    if args.proba:
        header = [str(c) for c in model.classes_]
        rows = ([f"{p:.6g}" for p in row] for row in model.predict_proba(X))
    else:
        # A regressor's values are written in full (Python's shortest repr of
        # each float), so that they read back exactly.
        predictions = model.predict(X)
        if predictions.ndim == 1:
            header, rows = ["prediction"], ([p] for p in predictions.tolist())
        elif regressor:
            header = [f"prediction_{k}" for k in range(predictions.shape[1])]
            rows = predictions.tolist()
        else:
            header, rows = [str(c) for c in model.classes_], predictions.tolist()
    io.write_csv(sys.stdout, header, rows)


def _one_line_warnings():
    """A ``showwarning`` that prints each distinct warning once, on one line.

    Cross-validation fits one model per fold, and each may warn alike.
    """
    seen = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = f"{category.__name__}: {' '.join(str(message).split())}"
        if text not in seen:
            seen.add(text)
            print(f"skvanilla: warning: {text}", file=sys.stderr)

    return show


class _Stdout:
    """``sys.stdout`` that outlives its reader (``| head``, say).

    A closed pipe raises ``BrokenPipeError`` at the ``print`` that fills the
    buffer, which may be one of ``--verbose``'s lines in the middle of
    ``fit``: that would end the command without the model it was asked
    for.  Here the first such error points the stream at devnull (so the
    interpreter's last flush cannot fail again) and is remembered, the
    command runs on, and :func:`main` reports it when the command is done.
    """

    def __init__(self, stream):
        self.stream = stream
        self.closed_pipe = False

    def write(self, text):
        if not self.closed_pipe:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._to_devnull()
        return len(text)

    def flush(self):
        if not self.closed_pipe:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._to_devnull()

    def _to_devnull(self):
        self.closed_pipe = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _run(command, args):
    """Run ``command(args)`` with a :class:`_Stdout`; returns whether stdout was closed."""
    stdout = sys.stdout = _Stdout(sys.stdout)
    try:
        command(args)
        stdout.flush()
    finally:
        sys.stdout = stdout.stream
    return stdout.closed_pipe


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    int
        0 on success, 1 for bad data or model files, 2 for bad options.
    """
    args = _build_parser().parse_args(argv)
    command = {
        None: _run_experiment, "train": _train, "predict": _predict, "export": export.export
    }[args.command]
    with warnings.catch_warnings():
        # Training's warnings are the command's report, printed as lines even
        # where the interpreter's filters would raise them (python -W error).
        warnings.filterwarnings("default", category=UserWarning)
        warnings.showwarning = _one_line_warnings()
        prog = " ".join(filter(None, ["skvanilla", args.command]))
        try:
            closed_pipe = _run(command, args)
        except KeyboardInterrupt:
            print("skvanilla: interrupted", file=sys.stderr)
            return 130
        except MemoryError as exc:  # numpy names the array it could not allocate
            print(f"{prog}: error: not enough memory ({exc}); use smaller layers "
                  "(--hidden) or fewer rows", file=sys.stderr)
            return EXIT_BAD_INPUT
        except Exception as exc:
            # The estimator reports bad parameters and labels as ValueError
            # or TypeError; those and our own CLIError are the user's input.
            if not isinstance(exc, (io.CLIError, ValueError, TypeError)):
                raise
            print(f"{prog}: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return EXIT_BAD_INPUT
    if closed_pipe and args.command == "train":
        # The reader left before the report's end: training still ran to its
        # end, and the model was saved before the report (see _train).
        saved = f"the model was saved to {args.out}" if args.out else "no --out was given"
        print(f"{prog}: error: the output was closed before the report was written in "
              f"full; {saved}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # predict's reader (``| head``) took the rows it wanted: a quiet end.
    return 0


if __name__ == "__main__":
    sys.exit(main())
