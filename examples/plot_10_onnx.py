"""
Deploying with ONNX
===================

A pipeline that ends in :class:`~skvanilla.VanillaMLPClassifier` is
converted to ONNX with skl2onnx, once :mod:`skvanilla.onnx` has registered
skvanilla's converters, and served by onnxruntime, which needs neither
Python's scikit-learn nor skvanilla.  The graph computes in the precision of
its input: float32 agrees with the pipeline to about 1e-6, float64 to the
last bits.  It needs the ``onnx`` extra (``pip install ".[onnx]"`` from the root of the repository).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skvanilla.onnx  # noqa: F401  (registers the converters with skl2onnx)
from skvanilla import VanillaMLPClassifier

warnings.simplefilter("ignore", ConvergenceWarning)  # a short fit, on purpose

# %%
# Fit, then convert
# -----------------
#
# Two hidden layers with different activations (GELU, then ELU), behind a
# StandardScaler.  ``to_onnx`` takes the pipeline and a row of the data, whose
# dtype fixes the graph's input type and precision.  ``zipmap=False`` gives
# the probabilities as one array rather than a dictionary per row.

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipeline = make_pipeline(
    StandardScaler(),
    VanillaMLPClassifier((64, 32), activation=["gelu", "elu"], max_iter=60, random_state=0),
).fit(X_train, y_train)

graphs = {
    dtype: to_onnx(pipeline, X_train[:1].astype(dtype), options={"zipmap": False})
    for dtype in (np.float32, np.float64)
}
print("nodes in the float64 graph:", len(graphs[np.float64].graph.node))

# %%
# Serve with onnxruntime, and check
# ---------------------------------
#
# The session returns the labels and the probabilities.  The labels must be
# the pipeline's, and the probabilities its own up to rounding: float32
# arithmetic in the float32 graph, float64 in the other.

errors = {}
for dtype, graph in graphs.items():
    session = rt.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    labels, proba = session.run(None, {"X": X_test.astype(dtype)})
    assert (labels == pipeline.predict(X_test)).all()
    difference = np.abs(proba - pipeline.predict_proba(X_test)).max(axis=1)
    errors[np.dtype(dtype).name] = difference
    print(f"{np.dtype(dtype).name}: labels equal, worst probability difference "
          f"{difference.max():.1e}; test accuracy {np.mean(labels == y_test):.3f}")

# %%
# Save the graph to a file (``graph.SerializeToString()`` written in binary),
# and any ONNX runtime can load it: onnxruntime in Python, C++, C#, Java or
# JavaScript, or the ``skvanilla export`` command for a model saved by
# ``skvanilla train --out``.
#
# The difference per test digit, on a log scale: float32 rounding on one
# side, float64 rounding on the other.

fig, ax = plt.subplots(figsize=(6, 3), constrained_layout=True)
tiny = np.finfo(np.float64).eps / 4  # an exact zero is drawn here
for name, difference in errors.items():
    ax.hist(np.log10(np.maximum(difference, tiny)), bins=40, alpha=0.7, label=name)
ax.set_xlabel("log10 of the worst |difference| of a digit's probabilities")
ax.set_ylabel("test digits")
ax.set_title("onnxruntime against the pipeline, by input precision")
ax.legend()
plt.show()
