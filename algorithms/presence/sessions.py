"""Sessions: a stable device's PRs with no gap longer than SESSION_GAP; a session belongs to the local day it
starts on. Every function works on rows sorted by device, then time, and reduces segments of them at once."""
from dataclasses import dataclass

import numpy as np


@dataclass
class Sessions:
    """Sessions of the sorted rows: ``first`` (row index of each session's first PR), ``row_session`` (session
    number of every row), ``device``, ``day`` (local day of the first PR), ``start`` and ``end`` (times of the
    first and last PR, UTC seconds)."""

    first: np.ndarray
    row_session: np.ndarray
    device: np.ndarray
    day: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self):
        return len(self.first)

    @property
    def span(self):
        """First to last PR of each session, seconds."""
        return self.end - self.start


def split_sessions(device, time, day, gap_seconds):
    """Sessions of rows sorted by (device, time): a new one starts at a device's first PR and after every gap
    longer than ``gap_seconds``."""
    count = len(time)
    begins = np.ones(count, dtype=bool)
    begins[1:] = (device[1:] != device[:-1]) | (time[1:] - time[:-1] > gap_seconds)
    first = np.flatnonzero(begins)
    last = np.flatnonzero(np.append(begins[1:], True)[:count])
    return Sessions(first=first, row_session=np.cumsum(begins) - 1, device=device[first], day=day[first],
                    start=time[first], end=time[last])


def segment_starts(*keys):
    """Indices where a run of rows equal in every one of ``keys`` (parallel arrays) begins."""
    count = len(keys[0])
    begins = np.ones(count, dtype=bool)
    if count:
        begins[1:] = np.any([key[1:] != key[:-1] for key in keys], axis=0)
    return np.flatnonzero(begins)
