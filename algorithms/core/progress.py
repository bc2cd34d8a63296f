"""A tiny progress/cancel protocol so long science loops stay QGIS-free."""
from .errors import Cancelled


class Progress:
    """Reports a fraction in [0, 1] and raises Cancelled when asked to stop.

    The plugin subclasses it around a QgsProcessingFeedback; the default does nothing.
    """

    def report(self, fraction):
        """Called with the share of the work done so far."""

    def is_cancelled(self):
        return False

    def step(self, fraction):
        """Report progress and stop promptly if the user cancelled."""
        if self.is_cancelled():
            raise Cancelled()
        self.report(fraction)

    def part(self, start, end):
        """A Progress for the share [start, end] of this one's work (same cancel)."""
        return _Part(self, start, end)


class _Part(Progress):
    def __init__(self, whole, start, end):
        self.whole, self.start, self.end = whole, start, end

    def report(self, fraction):
        self.whole.report(self.start + (self.end - self.start) * fraction)

    def is_cancelled(self):
        return self.whole.is_cancelled()


SILENT = Progress()


class SubProgress(Progress):
    """The slice [start, end] of a parent Progress, for one step of a longer run; cancels with the parent."""

    def __init__(self, parent, start, end):
        self.parent, self.start, self.end = parent, float(start), float(end)

    def report(self, fraction):
        self.parent.report(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0))

    def is_cancelled(self):
        return self.parent.is_cancelled()
