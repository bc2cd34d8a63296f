"""Checks of probe values shared by the tools that read them."""
import numpy as np

from .errors import InputError


def check_rss(rss, field_name="rss"):
    """float64 RSS in dBm; InputError naming the first row that is not a finite number or is positive."""
    try:
        values = np.asarray(rss, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"The RSS field '{field_name}' holds values that are not numbers; "
                         "choose the field with the signal strength in dBm.") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise InputError(f"Row {bad[0] + 1}: the RSS field '{field_name}' is empty or not a number.")
    positive = np.flatnonzero(values > 0)
    if len(positive):
        raise InputError(f"Row {positive[0] + 1}: RSS = {values[positive[0]]:g} in '{field_name}' is positive; "
                         "RSS must be in dBm (negative, e.g. -70). Is it the right field?")
    return values
