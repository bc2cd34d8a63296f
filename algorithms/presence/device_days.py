"""What a stable device was on one local day: resident, visitor or passer-by, and how many visits it made.

A device whose sessions on a local day span more than MAX_DWELL in total (first to last PR of each session,
summed) is a resident that day (staff, IoT): it counts in ``devices_stable`` and ``stable_share`` only.
Otherwise it is a visitor that day when it has at least one visit, else a passer-by; its visits after the
first of the day are re-entries.
"""
from dataclasses import dataclass

import numpy as np

from .sessions import segment_starts


@dataclass
class DeviceDays:
    """One element per (device, local day with a session): ``device``, ``day``, ``resident`` (bool),
    ``visits`` (count), and ``of_session``: the device-day of every session."""

    device: np.ndarray
    day: np.ndarray
    resident: np.ndarray
    visits: np.ndarray
    of_session: np.ndarray

    @property
    def visitor(self):
        return ~self.resident & (self.visits > 0)

    @property
    def passerby(self):
        return ~self.resident & (self.visits == 0)

    @property
    def reentries(self):
        """Visits after a device's first visit of the day (0 for residents)."""
        return np.where(self.resident, 0, np.maximum(self.visits - 1, 0))


def device_days(sessions, dwell, max_dwell_seconds):
    """DeviceDays of ``sessions`` (sorted by device, then start) and their visit ``dwell`` (NaN: not a visit)."""
    first = segment_starts(sessions.device, sessions.day)
    if len(first) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return DeviceDays(empty, empty, np.zeros(0, dtype=bool), empty, empty)
    total = np.add.reduceat(sessions.span, first)
    visits = np.add.reduceat(np.isfinite(dwell).astype(np.int64), first)
    of_session = np.repeat(np.arange(len(first)), np.diff(np.append(first, len(sessions))))
    return DeviceDays(device=sessions.device[first], day=sessions.day[first],
                      resident=total > max_dwell_seconds, visits=visits, of_session=of_session)
