"""Visits and their dwell.

A session is a visit when it holds at least two PRs, at least 1 s apart, heard by APs of STORE_ZONE at
RSS >= VISITOR_RSS, the first and last of those at least MIN_DWELL apart; its dwell is that span.
The 1 s floor keeps one emission heard by two store APs (PRs milliseconds apart) from being a visit.
Dwell buckets hold visits with 5 <= d < 20, 20 <= d < 60, 60 <= d < 360 and d >= 360 minutes.
"""
import numpy as np

DWELL_EDGES_MIN = (5.0, 20.0, 60.0, 360.0)
DWELL_FIELDS = ("dwell_5_20", "dwell_20_60", "dwell_60_360", "dwell_360_plus")
_MIN_APART_S = 1.0


def visit_dwell(time, in_store, first, min_dwell_seconds):
    """Dwell (seconds) of each session, NaN where the session is not a visit.

    time: sorted rows' times; in_store: rows heard by a STORE_ZONE AP at RSS >= VISITOR_RSS;
    first: row index of each session's first PR (``sessions.Sessions.first``).
    """
    if len(first) == 0:
        return np.zeros(0)
    earliest = np.minimum.reduceat(np.where(in_store, time, np.inf), first)
    latest = np.maximum.reduceat(np.where(in_store, time, -np.inf), first)
    with np.errstate(invalid="ignore"):
        span = latest - earliest
    is_visit = np.isfinite(span) & (span >= _MIN_APART_S) & (span >= min_dwell_seconds)
    return np.where(is_visit, span, np.nan)


def dwell_bucket(dwell_minutes):
    """Bucket 0..3 of each dwell (minutes), -1 below 5 minutes (possible when MIN_DWELL is under 5)."""
    return np.searchsorted(np.asarray(DWELL_EDGES_MIN), dwell_minutes, side="right") - 1


def medians(values, group, groups):
    """Median of ``values`` per group 0..groups-1 (mean of the two middle ones for an even count; NaN if empty)."""
    if len(values) == 0:
        return np.full(groups, np.nan)
    order = np.lexsort((values, group))
    values, group = values[order], group[order]
    count = np.bincount(group, minlength=groups)
    offset = np.concatenate([[0], np.cumsum(count)[:-1]])
    last = len(values) - 1  # empty groups point past the end: clip, their NaN is set below
    low, high = np.minimum(offset + (count - 1) // 2, last), np.minimum(offset + count // 2, last)
    return np.where(count > 0, (values[low] + values[high]) / 2.0, np.nan)
