"""The weighted split holds out validation_fraction of the weight, whatever the duplicates.

Groups of identical rows move together (that is what keeps a weighted row
equivalent to its repeats), so the held-out weight can miss the target by
up to one group, never by more: a heavy group is passed over rather than
held out whole.
"""

import math
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from skvanilla import VanillaMLPRegressor, _validation
from skvanilla._split import weighted_split


def _groups(keys, labels, weights, held):
    """Per class: the total weight, the held-out weight, and the weights of the groups."""
    for label in np.unique(labels):
        rows = (labels == label) & (weights > 0)
        group = {k: weights[rows & (keys == k)].sum() for k in np.unique(keys[rows])}
        yield weights[rows].sum(), weights[rows & held].sum(), group, rows


@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=12),
    weights=st.lists(st.sampled_from([0.5, 1.0, 3.0]), min_size=12, max_size=12),
    n_classes=st.integers(1, 3),
    fraction=st.sampled_from([0.05, 0.1, 0.2, 0.5, 0.9]),
)
def test_the_held_out_weight_is_the_fraction_to_within_one_group(counts, weights, n_classes,
                                                                 fraction):
    # Group g: counts[g] identical rows of weight weights[g], of class g % n_classes.
    keys = np.repeat(np.arange(len(counts), dtype=np.uint64) * 7919, counts)
    labels = np.repeat(np.arange(len(counts)) % n_classes, counts)
    w = np.repeat(np.array(weights[: len(counts)]), counts)
    held = weighted_split(keys, labels, w, fraction)
    for total, out, group, rows in _groups(keys, labels, w, held):
        if len(group) < 2:
            assert out == 0  # a single distinct row trains
            continue
        assert out < total  # never the whole class
        # Whole groups, and within one group of the target.
        assert all(held[rows & (keys == k)].all() or not held[rows & (keys == k)].any()
                   for k in group)
        assert abs(out - fraction * total) <= max(group.values()) + 1e-9
        # A group heavier than the target is held out only if every group is: the excess
        # is at most the target itself, or the lightest group.
        assert out - fraction * total <= max(fraction * total, min(group.values())) + 1e-9


def _held_out_rows(X, y, random_state):
    """The rows that a regressor's early stopping holds out of ``X``."""
    seen = []

    def spy(*args):
        seen.append(weighted_split(*args))
        return seen[-1]

    reg = VanillaMLPRegressor(hidden_layer_sizes=(3,), early_stopping=True, max_iter=2,
                              weighted_validation_split=True, random_state=random_state)
    real, _validation.weighted_split = _validation.weighted_split, spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reg.fit(X, y)
    finally:
        _validation.weighted_split = real
    (held,) = seen
    return held


def test_one_heavy_group_of_identical_rows_is_not_held_out_whole():
    # 1000 rows, 950 of them identical: 10% is 100 rows, not the 950.
    X = np.random.RandomState(0).randn(1000, 2)
    X[:950] = 0.0
    held = _held_out_rows(X, X[:, 1], 0)
    assert not held[:950].any() and held[950:].sum() == 50  # every distinct row it could


def test_one_binary_feature_holds_out_the_light_value_whatever_the_seed():
    # Two distinct rows: 50 ones and 950 zeros. Which comes first depends on the seed's
    # hash; 10% is 100 rows, so the 50 ones are held out, never the 950 zeros.
    X = np.zeros((1000, 1))
    X[:50] = 1.0
    y = np.random.RandomState(0).randn(1000)
    for seed in range(6):
        held = _held_out_rows(X, y, seed)
        assert held[:50].all() and not held[50:].any(), seed


def test_distinct_rows_of_equal_weight_hold_out_as_many_rows_as_train_test_split():
    for n in (7, 10, 99, 1000):
        for fraction in (0.05, 0.1, 0.33, 0.5, 0.9):
            keys = np.arange(n, dtype=np.uint64)
            held = weighted_split(keys, None, np.ones(n), fraction)
            expected = math.ceil(fraction * n)
            assert held.sum() == min(expected, n - 1)
            if expected < n:
                _, test = train_test_split(keys, test_size=fraction, random_state=0)
                assert len(test) == expected
