"""skvanilla on PyTorch tensors, through scikit-learn's Array API dispatch, as a contender.

``--namespace torch`` times the estimators fitted on, and predicting from,
torch tensors on ``--device`` (``cpu`` or ``cuda``), next to the plain
PyTorch loop of :mod:`benchmarks._torch` on the same device, which is the
floor for that device.  The tensors are made before the clock starts.  A
run on CUDA ends by synchronising the device, so that the time is the
device's work and not only its queueing.

scikit-learn's dispatch needs scipy's Array API support, which scipy reads
from ``SCIPY_ARRAY_API`` when it is first imported: ``python -m
benchmarks`` sets it when ``--namespace`` is given (``benchmarks/__main__.py``).
"""

import numpy as np
import sklearn

from benchmarks._estimators import fit_estimator
from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor


def _synchronize(device):
    if str(device).startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _dispatch():
    return sklearn.config_context(array_api_dispatch=True)


def skvanilla_torch_runner(device):
    """``make(workload, X, y) -> run`` for skvanilla on torch tensors on ``device``."""

    def make(workload, X, y):
        import torch

        Xt = torch.asarray(X, device=device)
        yt = torch.asarray(np.asarray(y), device=device)
        cls = VanillaMLPRegressor if workload.regression else VanillaMLPClassifier
        if workload.task == "fit":
            def fit():
                with _dispatch():
                    fit_estimator(cls, workload, Xt, yt)
                _synchronize(device)

            return fit
        n = workload.fit_samples
        with _dispatch():
            est = fit_estimator(cls, workload, Xt[:n], yt[:n], epochs=1)
        predict = est.predict if workload.regression else est.predict_proba

        def run():
            with _dispatch():
                predict(Xt)
            _synchronize(device)

        return run

    return make
