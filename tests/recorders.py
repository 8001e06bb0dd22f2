"""A scikit-learn callback for tests: it records the tasks it sees end."""


class EpochRecorder:
    """A scikit-learn callback that records the tasks it sees."""

    max_propagation_depth = None  # makes it auto-propagated from meta-estimators

    def __init__(self):
        self.ends = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ends.append((type(estimator).__name__, context.task_name, fitted_estimator))
