"""The command line: ``python -m skvanilla`` or ``skvanilla``."""

import argparse
import sys
import warnings


def main(argv=None):
    """Run the command line; returns the exit status.

    With no arguments, runs the seed post's digits experiment and prints
    its classification report, training and held-out accuracy and fit time.
    """
    parser = argparse.ArgumentParser(
        prog="skvanilla",
        description="Train the seed post's digits network with skvanilla and report on it.",
    )
    parser.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    args = parser.parse_args(argv)

    from ._experiment import run_seed_experiment

    with warnings.catch_warnings():
        # 100 epochs is the experiment's budget, not a failure to converge.
        warnings.simplefilter("ignore", category=UserWarning)
        report, _ = run_seed_experiment(random_state=args.random_state)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
