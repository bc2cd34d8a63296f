"""k-anonymity of the aggregates: no published count lies between 1 and K_ANONYMITY - 1.

Every count from 1 to K - 1 is written as NULL and its field is named in the row's ``suppressed`` text
(0 stays 0: an empty cell reveals nobody). A ratio is NULL when the devices or visits it is made of number
fewer than K (named in ``suppressed`` when there were some, left unnamed when there were none and the ratio
does not exist). Flows of fewer than K devices are left out. K = 1 suppresses nothing.
Cells are suppressed one by one: where a row still shows the parts of a sum (devices_stable = passersby +
visitors + residents) or a rate with its basis, a withheld count can be worked out from the others.
"""
import numpy as np

SEPARATOR = ", "


def hidden(counts, k):
    """True where a count is small enough to single devices out: 1 <= count < k."""
    counts = np.asarray(counts, dtype=np.float64)
    return (counts >= 1) & (counts < k)


def k_anonymous_rows(fields, k):
    """The cells of a table after suppression, and each row's ``suppressed`` text.

    fields: {field: values} in output order, values either a float64 array of counts (NaN where the field
    has no value in that row) or a ratio (values, basis): withheld where its basis count is 1..k-1, NULL
    where the basis is 0. Returns ({field: object array of int / float / None}, object array of text naming
    the withheld fields of each row in output order).
    """
    first = next(iter(fields.values()))
    rows = len(first[0] if isinstance(first, tuple) else first)
    named = [[] for _ in range(rows)]
    cells = {}
    for field, values in fields.items():
        if isinstance(values, tuple):
            ratio, basis = values
            cells[field] = _cells(np.where(np.asarray(basis) > 0, ratio, np.nan), hidden(basis, k), field, named,
                                  float)
        else:
            values = np.asarray(values, dtype=np.float64)
            cells[field] = _cells(values, hidden(values, k), field, named, int)
    return cells, np.array([SEPARATOR.join(names) for names in named], dtype=object)


def _cells(values, withheld, field, named, kind):
    for row in np.flatnonzero(withheld & np.isfinite(values)):
        named[row].append(field)
    return np.array([None if (w or not np.isfinite(v)) else kind(v) for v, w in zip(values, withheld)],
                    dtype=object)


def kept_flows(devices, k):
    """True for the flows of at least k devices (the others are left out)."""
    return np.asarray(devices) >= k
