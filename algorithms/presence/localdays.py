"""Local calendar days of UTC times in an IANA time zone (zoneinfo), daylight-saving changes included.

Times without a zone are UTC; the day of a time is the calendar date a clock of TIMEZONE shows at that
instant, so a 23-hour or 25-hour day is one day, as the zone defines it.
"""
from datetime import datetime, timezone

import numpy as np

from ..core.errors import InputError

_HOUR = 3600
_DAY = 86400


def time_zone(name):
    """The tzinfo of the IANA zone ``name`` (UTC needs no time-zone database); InputError when unknown."""
    if name == "UTC":
        return timezone.utc
    import zoneinfo
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    if not zoneinfo.available_timezones():
        raise InputError(f"TIMEZONE = '{name}': this Python finds no time-zone database. Install it (Debian and "
                         "Ubuntu: apt install tzdata; Windows and macOS: pip install tzdata in QGIS's Python), "
                         "or use UTC.")
    raise InputError(f"TIMEZONE = '{name}' is not a time-zone name of the IANA database. Give one such as UTC, "
                     "Europe/Paris or America/New_York (case matters).")


def local_days(seconds, zone):
    """Local calendar day of each time, as whole days since 1970-01-01 (int64): floor((t + offset(t)) / 1 day).

    seconds: UTC epoch seconds (float64, finite); zone: a tzinfo from ``time_zone``.
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if len(seconds) == 0:
        return np.zeros(0, dtype=np.int64)
    transitions, offsets = _offset_steps(float(seconds.min()), float(seconds.max()), zone)
    offset = offsets[np.searchsorted(transitions, seconds, side="right")]
    return np.floor((seconds + offset) / _DAY).astype(np.int64)


def day_dates(days):
    """numpy datetime64[D] dates of day numbers from ``local_days``."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def _offset_steps(first, last, zone):
    """The zone's UTC offset as a step function over [first, last]: the instants (whole seconds) where it
    changes and the offset before, between and after them. Offsets are sampled every hour and each change is
    narrowed to the second by bisection (time zones never change offset twice within an hour)."""
    grid = np.arange(np.floor(first / _HOUR) * _HOUR, last + _HOUR, _HOUR)
    sampled = np.array([_offset(s, zone) for s in grid])
    changed = np.flatnonzero(sampled[1:] != sampled[:-1])
    transitions = np.array([_first_second_with(sampled[i + 1], grid[i], grid[i + 1], zone) for i in changed],
                           dtype=np.float64)
    return transitions, np.concatenate([sampled[:1], sampled[changed + 1]])


def _first_second_with(new_offset, before, after, zone):
    """The first whole second of (before, after] at which the zone's offset is ``new_offset``."""
    low, high = int(before), int(after)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, zone) == new_offset:
            high = middle
        else:
            low = middle
    return high


def _offset(second, zone):
    try:
        return datetime.fromtimestamp(float(second), zone).utcoffset().total_seconds()
    except (OverflowError, OSError, ValueError):
        raise InputError(f"A time of the probe table ({second:.0f} s since 1970) lies outside the calendar. "
                         "Are the times in milliseconds? Give seconds, ISO 8601 text or date-times.") from None
