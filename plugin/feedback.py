"""Adapts QgsProcessingFeedback to the science's Progress protocol."""
from ..algorithms.core.progress import Progress


class FeedbackProgress(Progress):
    """Maps the science's fraction [0, 1] onto a slice [start, end] of the dialog's progress bar, which never
    moves back: a step that runs a fit again (a restart, a refit) reports its fractions anew, and the bar holds
    until it passes the furthest point shown."""

    def __init__(self, feedback, start=0.0, end=100.0):
        self.feedback = feedback
        self.start = start
        self.end = end
        self.shown = None

    def report(self, fraction):
        if self.feedback is None:
            return
        value = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
        if self.shown is None or value > self.shown:
            self.shown = value
            self.feedback.setProgress(value)

    def is_cancelled(self):
        return self.feedback is not None and self.feedback.isCanceled()
