"""Turn a column of times (epoch seconds, ISO 8601 text, datetime objects) into float seconds."""
import warnings
from datetime import UTC, datetime

import numpy as np

from .errors import InputError

_EPOCH = np.datetime64("1970-01-01T00:00:00", "us")


def to_seconds(values, field_name="time"):
    """Seconds since 1970-01-01 as float64, for numbers, numeric text, ISO 8601 text or datetimes.

    Times without a zone are UTC; times with an offset (or Z) are converted to UTC.
    Raises InputError naming the first row that cannot be read.
    """
    values = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    if len(values) == 0:
        return np.zeros(0)
    first = values[0]
    if isinstance(first, datetime):
        return np.array([_datetime_seconds(v, i, field_name) for i, v in enumerate(values)])
    text = values if values.dtype.kind == "U" else values.astype(str)
    numeric = _try_float(text)
    if numeric is not None:
        return numeric
    return _iso_seconds(text, field_name)


def _try_float(text):
    try:
        return text.astype(np.float64)
    except ValueError:
        return None


def _iso_seconds(text, field_name):
    try:
        stamps = _numpy_times(text)
    except ValueError:
        try:  # spaces around the text: strip them (two more passes, so only when needed)
            stamps = _numpy_times(np.char.strip(text))
        except ValueError:  # offsets such as +02:00, which numpy does not read
            return np.array([_parse_one(t, i, field_name) for i, t in enumerate(text)])
    if np.isnat(stamps).any():
        row = int(np.flatnonzero(np.isnat(stamps))[0])
        raise _bad_time(text[row], row, field_name)
    return (stamps - _EPOCH).astype(np.int64) / 1e6


def _numpy_times(text):
    """numpy's reading of ISO 8601 text, microseconds; a trailing Z (UTC) is read too, with a deprecation
    warning numpy gives for it that says nothing to the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return text.astype("datetime64[us]")


def _parse_one(value, row, field_name):
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _bad_time(value, row, field_name) from None
    return _datetime_seconds(stamp, row, field_name)


def _datetime_seconds(stamp, row, field_name):
    if not isinstance(stamp, datetime):
        raise _bad_time(stamp, row, field_name)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def _bad_time(value, row, field_name):
    return InputError(
        f"Row {row + 1}: the time field '{field_name}' holds '{value}', which is not a time. "
        "Expected ISO 8601 text (2024-03-15 12:30:11.048), a date-time, or epoch seconds.")


def to_iso(seconds):
    """ISO 8601 text with microseconds (no offset, as ``to_seconds`` reads it back) for seconds since 1970."""
    micro = np.round(np.asarray(seconds, dtype=np.float64) * 1e6).astype(np.int64)
    return micro.astype("datetime64[us]").astype(str)


def parse_instant(text, name):
    """Seconds since 1970 of a window bound given as ISO 8601 text or epoch seconds; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(to_seconds(np.array([text], dtype=object), name)[0])
    except InputError:
        raise InputError(f"{name} = '{text}' is not a time; write it as ISO 8601 (2024-06-01T10:00:00) or epoch "
                         "seconds.") from None


def micro_to_iso_utc(micro):
    """ISO 8601 UTC text with microseconds and 'Z' (2024-06-01T10:00:00.000000Z) for integer microseconds
    since 1970, as a str array; the 'Z' keeps the text unambiguous for any reader (``to_seconds`` reads it)."""
    text = np.asarray(micro, dtype=np.int64).astype("datetime64[us]").astype("U27")
    text.view(np.uint32).reshape(len(text), 27)[:, 26] = ord("Z")  # astype made a fresh contiguous array
    return text
