"""PyTorch as a contender, where it is installed (never required), on the CPU or a GPU.

A plain training loop with the same shapes, batch size, shuffling per epoch,
SGD (momentum and Nesterov as the estimators), L2 penalty on the weights only
and the epoch's loss accumulated as the estimators do; inference is one
forward pass and a softmax over all rows.  For real targets the loss is the
regressors' squared error, half the squared differences summed over the
outputs and averaged over the batch, and inference is the forward pass alone.
With ``--namespace torch`` it is the floor that skvanilla on torch tensors
is measured against, on the same ``--device``.
"""

import importlib.util

import numpy as np

from benchmarks._workloads import SEED


def available():
    """Whether torch can be imported (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def version_and_threads():
    """``(version, intra-op threads)`` of torch, or ``(None, None)``."""
    if not available():
        return None, None
    import torch

    return torch.__version__, torch.get_num_threads()


def _model(workload, n_features, dtype, device="cpu"):
    import torch

    torch.manual_seed(SEED)
    units = workload.layer_units(n_features)
    layers = []
    for a, b in zip(units[:-1], units[1:]):
        layers += [torch.nn.Linear(a, b, dtype=dtype), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).to(device)  # softmax lives in the loss


def torch_runner(workload, X, y, device="cpu"):
    """``make(workload, X, y) -> run`` for PyTorch on the CPU (see :func:`runner_on`)."""
    import torch

    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    # from_numpy shares memory: no copy of X is timed or made on the CPU.
    Xt = torch.from_numpy(X).to(device)
    if workload.regression:
        # A column per output, in the network's dtype, as the regressors hold them.
        yt = torch.from_numpy(np.asarray(y, dtype=X.dtype).reshape(len(y), -1))
    else:
        yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    yt = yt.to(device)
    if workload.task == "predict":
        model = _model(workload, X.shape[1], dtype, device).eval()
        output = (lambda Z: Z) if workload.regression else (lambda Z: torch.softmax(Z, dim=1))

        def predict():
            with torch.inference_mode():
                return output(model(Xt)).cpu().numpy()

        return predict
    return lambda: _train(workload, Xt, yt, dtype)


def runner_on(device):
    """:func:`torch_runner` on ``device`` (``"cpu"``, ``"cuda"``)."""
    return lambda workload, X, y: torch_runner(workload, X, y, device)


def _train(workload, Xt, yt, dtype):
    import torch
    import torch.nn.functional as F

    model = _model(workload, Xt.shape[1], dtype, Xt.device)
    weights = [p for p in model.parameters() if p.ndim == 2]
    biases = [p for p in model.parameters() if p.ndim == 1]
    batch = workload.batch_size
    # The estimators' penalty alpha / (2 n_batch) ||W||^2 has gradient
    # (alpha / n_batch) W: torch's weight decay with that coefficient.
    groups = [
        {"params": weights, "weight_decay": workload.alpha / batch},
        {"params": biases, "weight_decay": 0.0},
    ]
    if workload.solver == "adam":  # torch's weight decay is added to the gradient, as L2
        optimizer = torch.optim.Adam(groups, lr=workload.learning_rate)
    else:
        optimizer = torch.optim.SGD(
            groups, lr=workload.learning_rate, momentum=workload.momentum,
            nesterov=workload.momentum > 0,
        )
    if workload.regression:
        # The regressors' loss: 0.5 * sum over outputs of (p - y)^2, mean over samples.
        def loss_of(P, Y):
            return 0.5 * F.mse_loss(P, Y, reduction="sum") / len(Y)
    else:
        loss_of = F.cross_entropy
    generator = torch.Generator().manual_seed(SEED)
    n = Xt.shape[0]
    for _ in range(workload.epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch):
            rows = order[start : start + batch].to(Xt.device)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(model(Xt[rows]), yt[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
    return total / n
