"""Loyalty: over the whole input, visitors by their number of distinct local days with a visit."""
import numpy as np

LOYALTY_FIELDS = ("visit_days_1", "visit_days_2_4", "visit_days_5_plus")


def loyalty_counts(device_days):
    """Visitors with a visit on exactly 1, on 2 to 4, and on 5 or more distinct local days (resident days
    do not count: a resident is not a visitor that day)."""
    visitor = device_days.visitor
    days_with_visit = np.bincount(device_days.device[visitor])  # device-days are distinct (device, day) pairs
    return {"visit_days_1": int(np.sum(days_with_visit == 1)),
            "visit_days_2_4": int(np.sum((days_with_visit >= 2) & (days_with_visit <= 4))),
            "visit_days_5_plus": int(np.sum(days_with_visit >= 5))}
