"""Hypothesis profiles shared by the whole suite, and scipy's Array API switch.

scikit-learn's Array API support (``array_api_dispatch=True``, which the
tests of PyTorch and ``array_api_strict`` inputs turn on) needs scipy's own,
and scipy reads ``SCIPY_ARRAY_API`` once, when it is first imported: it is
set at the very top of this file, before anything imports scipy, so that
the README's test command needs nothing exported.

``skvanilla`` (the default) is derandomised: the examples are derived from
each test's own code, not from a random seed or an example database, so the
README's command and CI draw the same examples on every machine and a
submission cannot fail on a case nobody has seen.  ``explore`` draws fresh
random examples, five times as many, and keeps failures in the local
example database (``.hypothesis/``): run it on purpose, before resolving an
issue that touches the numeric core or the input checks (CONTRIBUTING.md)::

    HYPOTHESIS_PROFILE=explore python -m pytest tests/test_gradients.py tests/test_hostile.py

Tests that need more examples than the others ask for a multiple of the
profile's count (``settings.default.max_examples``), so they scale with it.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scipy is imported (see above)

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)

# Every property runs at least 200 examples, locally and in CI.
settings.register_profile(
    "skvanilla", max_examples=200, derandomize=True, database=None, **_COMMON
)
settings.register_profile("explore", max_examples=1000, derandomize=False, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "skvanilla")
settings.load_profile(PROFILE)


@pytest.fixture(scope="session")
def cancer():
    """The breast-cancer data, standardised: a binary problem that trains in a few epochs."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def iris():
    """The iris data, standardised: three classes."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def pytest_report_header(config):
    # hypothesis's own --hypothesis-profile, when given, is loaded after this file.
    name = config.getoption("hypothesis_profile", None) or PROFILE
    current = settings.default
    mode = "derandomised" if current.derandomize else "random"
    return f"hypothesis profile: {name} ({current.max_examples} examples, {mode})"


def pytest_terminal_summary(terminalreporter):
    from test_gradients import WORST

    if WORST["examples"]:
        terminalreporter.write_line(
            f"backprop vs finite differences: worst relative error {WORST['error']:.3e} "
            f"over {WORST['examples']} examples"
        )
