"""Ctrl-C during training: finish the current step, then stop.

A ``KeyboardInterrupt`` raised in the middle of an optimizer step could
leave some weight arrays updated and others not.  While :class:`DeferInterrupt`
is active, the first SIGINT only sets a flag that the training loop reads
between steps; a second SIGINT raises ``KeyboardInterrupt`` at once, for a
user who will not wait for the step to end.

Python delivers signals to the main thread only, and only the main thread
may install a handler; in any other thread, or when someone has installed
their own SIGINT handler, nothing is changed.

Only the standard library is imported here.
"""

import signal
import threading


class DeferInterrupt:
    """Context manager that turns the first Ctrl-C into a stop request.

    Attributes
    ----------
    requested : bool
        Whether Ctrl-C was pressed while the context was active.

    Examples
    --------
    >>> with DeferInterrupt() as interrupt:
    ...     for step in range(3):
    ...         if interrupt.requested:
    ...             break
    >>> interrupt.requested
    False
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def install(self):
        """Take over SIGINT, if this is the main thread and Python's handler is in place."""
        # Only over Python's own handler: another handler is someone's
        # decision about SIGINT, and is left to do its work.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def restore(self):
        """Put back the handler that :meth:`install` replaced."""
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def __enter__(self):
        return self.install()

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc_info):
        self.restore()
        return False
