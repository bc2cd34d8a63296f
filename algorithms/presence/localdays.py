"""Local calendar days of UTC times in an IANA time zone (zoneinfo), daylight-saving changes included.

Times without a zone are UTC; the day of a time is the calendar date a clock of TIMEZONE shows at that
instant, so a 23-hour or 25-hour day is one day, as the zone defines it.
"""
from datetime import UTC, datetime

import numpy as np

from ..core.errors import InputError

_HOUR = 3600
_DAY = 86400


def time_zone(name):
    """The tzinfo of the IANA zone ``name`` (UTC needs no time-zone database); InputError when unknown."""
    if name == "UTC":
        return UTC
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
    return np.floor((seconds + utc_offsets(seconds, zone)) / _DAY).astype(np.int64)


def day_dates(days):
    """numpy datetime64[D] dates of day numbers from ``local_days``."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def utc_offsets(seconds, zone):
    """The zone's UTC offset (seconds) at each time. The offset is read at the start and end of every hour
    that holds a time, and where it differs the change is narrowed to the second by bisection (time zones
    never change offset twice within an hour), so the cost follows the hours with data, not the rows."""
    hours, of_time = np.unique(np.floor(seconds / _HOUR), return_inverse=True)
    of_time = of_time.reshape(-1)
    before = np.array([_offset(h * _HOUR, zone) for h in hours])
    after = np.array([_offset((h + 1) * _HOUR, zone) for h in hours])
    change = np.full(len(hours), np.inf)
    for i in np.flatnonzero(before != after):
        change[i] = _first_second_with(after[i], hours[i] * _HOUR, (hours[i] + 1) * _HOUR, zone)
    return np.where(seconds >= change[of_time], after[of_time], before[of_time])


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
