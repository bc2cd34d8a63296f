"""Checks of probe values shared by the tools that read them."""
import numpy as np

from .errors import InputError

WEAKEST_RSS = -120.0  # dBm: no WiFi receiver hears a frame this weak (thermal noise over 20 MHz is about -101 dBm)


def check_rss(rss, field_name="rss"):
    """float64 RSS in dBm; InputError naming the first row that is not a finite number, is positive, or is below
    WEAKEST_RSS (a placeholder for a missing reading, such as -127 or -255, or a value in another unit: refused
    rather than kept, since a bowl ring or a path-loss fit would place it kilometres away without a word)."""
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
    weak = np.flatnonzero(values < WEAKEST_RSS)
    if len(weak):
        raise InputError(f"Row {weak[0] + 1}: RSS = {values[weak[0]]:g} in '{field_name}' is below "
                         f"{WEAKEST_RSS:g} dBm, weaker than any WiFi receiver hears ({len(weak)} such rows): it is "
                         "a placeholder for a missing reading or a value in another unit. Remove or correct those "
                         "rows, or choose the field with the RSS in dBm.")
    return values
