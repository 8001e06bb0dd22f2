"""A validation split that treats a weighted sample like its repeats.

Rows are ordered by a hash of their content (see :func:`sample_keys`), and
within each class whole groups of identical rows are moved to the validation
side, in that order, until they carry ``fraction`` of the class's total
weight.  A row of weight 3 and three copies of it with weight 1 therefore
land on the same side and count the same, which a split by row positions
cannot give; each class is represented on both sides whenever it has at
least two distinct rows of positive weight.

A group heavier than the share still missing is passed over (unless no
group is lighter), so that one heavy group -- 950 identical rows of 1000 --
is not held out whole: the held-out weight is ``fraction`` of the total to
within the weight of one group.  With distinct rows of equal weight this
holds out ``ceil(fraction * n)`` rows, as ``train_test_split``.

Only numpy is imported here.
"""

import numpy as np


def weighted_split(keys, labels, weights, fraction):
    """Boolean mask of the validation rows.

    Parameters
    ----------
    keys : ndarray of uint64, shape (n_samples,)
        Content keys of the rows, hashed with a seed (equal rows, equal keys).
    labels : ndarray of shape (n_samples,) or None
        Class of each row; ``None`` splits all rows as one group (multilabel).
    weights : ndarray of shape (n_samples,)
    fraction : float
        Share of each class's weight to hold out, in (0, 1).

    Returns
    -------
    ndarray of bool, shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.arange(10, dtype=np.uint64)
    >>> labels = np.array([0] * 5 + [1] * 5)
    >>> int(weighted_split(keys, labels, np.ones(10), 0.2).sum())
    2
    """
    validation = np.zeros(len(keys), dtype=bool)
    groups = np.zeros(len(keys), dtype=int) if labels is None else labels
    for label in np.unique(groups):
        # Rows of zero weight change nothing on either side: they stay in
        # training and take no part in the split.
        rows = np.flatnonzero((groups == label) & (weights > 0))
        unique_keys, member = np.unique(keys[rows], return_inverse=True)
        if len(unique_keys) < 2:
            continue  # a single distinct row stays for training
        group_weight = np.bincount(member, weights=weights[rows], minlength=len(unique_keys))
        # np.unique sorts the (already hashed) keys: a seeded random order.
        validation[rows] = _choose(group_weight, fraction * group_weight.sum())[member]
    return validation


def _choose(group_weight, target):
    """Which groups, in order, to hold out for ``target`` of weight (never all of them).

    A group is taken while the held-out weight is short of ``target``, if
    it weighs at most ``target`` (or is of the least weight, when every
    group is heavier than ``target``): so the shortfall at the end is less
    than any group passed over, and the excess less than the last one taken.
    """
    limit = max(target, group_weight.min())
    chosen = np.zeros(len(group_weight), dtype=bool)
    held = 0.0
    for i, weight in enumerate(group_weight):
        if held >= target:
            break
        if weight <= limit:
            chosen[i] = True
            held += weight
    if chosen.all():  # never the whole class: the last group taken trains
        chosen[-1] = False
    return chosen
