"""Benchmarks of skvanilla against scikit-learn's MLPClassifier and MLPRegressor.

``python -m benchmarks`` times skvanilla and scikit-learn side by side in one process,
with the floor of the same matrix products in plain numpy and, where it is
installed, PyTorch; see ``benchmarks/README.md``.
"""
