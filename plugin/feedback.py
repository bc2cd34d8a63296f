"""Adapts QgsProcessingFeedback to the science's Progress protocol."""
from ..algorithms.core.progress import Progress


class FeedbackProgress(Progress):
    """Maps the science's fraction [0, 1] onto a slice [start, end] of the dialog's progress bar."""

    def __init__(self, feedback, start=0.0, end=100.0):
        self.feedback = feedback
        self.start = start
        self.end = end

    def report(self, fraction):
        if self.feedback is not None:
            self.feedback.setProgress(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0))

    def is_cancelled(self):
        return self.feedback is not None and self.feedback.isCanceled()
