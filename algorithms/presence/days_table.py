"""OUTPUT_DAYS: one row per local day from the first to the last day with a PR.

Counts are in devices (``reentries`` and the dwell buckets in visits). ``devices_stable`` counts the stable
devices with a session starting that day (residents, visitors and passers-by); ``stable_share`` is the
stable devices' PR rows over all PR rows of that local day; ``capture_rate`` is visitors / (visitors +
passersby); ``median_dwell_min`` is the median dwell of the day's visits, minutes. The loyalty fields are on
the latest day's row only (NULL on the others). Small counts are then suppressed (``suppression``).
"""
import numpy as np

from .localdays import day_dates
from .loyalty import LOYALTY_FIELDS, loyalty_counts
from .suppression import k_anonymous_rows
from .table import Table
from .visits import DWELL_FIELDS, dwell_bucket, medians

COUNT_FIELDS = ("devices_stable", "passersby", "visitors", "residents", "reentries")
DAY_FIELDS = ([("date", "date")] + [(f, "int") for f in COUNT_FIELDS] + [("capture_rate", "float")]
              + [(f, "int") for f in DWELL_FIELDS] + [("median_dwell_min", "float")]
              + [(f, "int") for f in LOYALTY_FIELDS] + [("stable_share", "float"), ("suppressed", "text")])


# what complementary suppression protects: sums that hold in every row (a device-day is a resident, a visitor
# or a passer-by; a visit is its visitor's first of the day or a re-entry, and falls in a dwell bucket when
# MIN_DWELL is 5 min or more) and the terms of the rate
IDENTITIES = (("devices_stable", "passersby", "visitors", "residents"), ("visitors", "reentries", *DWELL_FIELDS))
RATE_TERMS = {"capture_rate": ("visitors", "passersby")}


def days_table(first_day, days, row_day, row_stable, device_days, session_dwell, k, complementary=True):
    """The day table of local days first_day .. first_day + days - 1.

    row_day / row_stable: local day and stable flag of every PR row; device_days: ``device_days.DeviceDays``;
    session_dwell: dwell of each session in seconds (NaN: not a visit); k: K_ANONYMITY; complementary:
    also withhold what would let a withheld count be worked out (suppression.py).
    """
    day = device_days.day - first_day
    fields = {"devices_stable": np.bincount(day, minlength=days),
              "passersby": np.bincount(day, device_days.passerby, days),
              "visitors": np.bincount(day, device_days.visitor, days),
              "residents": np.bincount(day, device_days.resident, days),
              "reentries": np.bincount(day, device_days.reentries, days)}
    visit = np.isfinite(session_dwell) & ~device_days.resident[device_days.of_session]
    visit_day = day[device_days.of_session][visit]
    dwell_min = session_dwell[visit] / 60.0
    bucket = dwell_bucket(dwell_min)
    in_bucket = bucket >= 0
    by_bucket = np.bincount(visit_day[in_bucket] * len(DWELL_FIELDS) + bucket[in_bucket],
                            minlength=days * len(DWELL_FIELDS)).reshape(days, len(DWELL_FIELDS))
    fields.update({field: by_bucket[:, i] for i, field in enumerate(DWELL_FIELDS)})
    for field, value in loyalty_counts(device_days).items():
        fields[field] = np.full(days, np.nan)
        fields[field][-1] = value
    seen = fields["visitors"] + fields["passersby"]
    with np.errstate(invalid="ignore", divide="ignore"):
        fields["capture_rate"] = (fields["visitors"] / seen, seen)
        share = np.bincount(row_day - first_day, row_stable, days) / np.bincount(row_day - first_day, None, days)
    fields["median_dwell_min"] = (medians(dwell_min, visit_day, days), np.bincount(visit_day, minlength=days))
    cells, suppressed = k_anonymous_rows({name: fields[name] for name, _ in DAY_FIELDS if name in fields}, k,
                                         IDENTITIES if complementary else (), RATE_TERMS if complementary else None)
    columns = {"date": day_dates(first_day + np.arange(days)), **cells,
               "stable_share": np.array([float(s) if np.isfinite(s) else None for s in share], dtype=object),
               "suppressed": suppressed}
    return Table(DAY_FIELDS, {name: columns[name] for name, _ in DAY_FIELDS})
