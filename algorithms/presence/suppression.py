"""k-anonymity of the aggregates: no published count lies between 1 and K_ANONYMITY - 1.

Every count from 1 to K - 1 is written as NULL and its field is named in the row's ``suppressed`` text
(0 stays 0: an empty cell reveals nobody). A ratio is NULL when the devices or visits it is made of number
fewer than K (named in ``suppressed`` when there were some, left unnamed when there were none and the ratio
does not exist). Flows of fewer than K devices are left out. K = 1 suppresses nothing.
Cells suppressed one by one are not enough: where a row still shows the other terms of a sum
(devices_stable = passersby + visitors + residents) or a rate and one of its terms (capture_rate with
passersby), a withheld count can be worked out from them. So, unless switched off, suppression is
complementary: in every identity of a row (fields bound by one sum) with exactly one withheld field, the
smallest other non-zero field is withheld too (until no identity has a single one), and a rate is withheld with
any of its terms. The withheld cells
are named in ``suppressed`` like the others.
"""
import numpy as np

SEPARATOR = ", "


def hidden(counts, k):
    """True where a count is small enough to single devices out: 1 <= count < k."""
    counts = np.asarray(counts, dtype=np.float64)
    return (counts >= 1) & (counts < k)


def k_anonymous_rows(fields, k, identities=(), rate_terms=None):
    """The cells of a table after suppression, and each row's ``suppressed`` text.

    fields: {field: values} in output order, values either a float64 array of counts (NaN where the field
    has no value in that row) or a ratio (values, basis): withheld where its basis count is 1..k-1, NULL
    where the basis is 0. identities: tuples of fields bound by one sum in every row (a + b = c + d); rate_terms:
    {ratio field: its term fields}; both make the suppression complementary (module docstring). Returns
    ({field: object array of int / float / None}, object array of text naming the withheld fields of each row
    in output order).
    """
    values = {f: (np.where(np.asarray(v[1]) > 0, v[0], np.nan) if isinstance(v, tuple) else
                  np.asarray(v, dtype=np.float64)) for f, v in fields.items()}
    withheld = {f: hidden(v[1] if isinstance(v, tuple) else v, k) for f, v in fields.items()}
    _complement(values, withheld, identities, rate_terms or {})
    rows = len(next(iter(values.values())))
    named = [[] for _ in range(rows)]
    cells = {f: _cells(values[f], withheld[f], f, named, float if isinstance(v, tuple) else int)
             for f, v in fields.items()}
    return cells, np.array([SEPARATOR.join(names) for names in named], dtype=object)


def _complement(values, withheld, identities, rate_terms):
    """Withhold more cells (in place) until no identity has exactly one withheld field and no rate shows beside a
    withheld term."""
    changed = True
    while changed:
        changed = False
        for fields in identities:
            held = np.column_stack([withheld[f] for f in fields])
            shown = np.column_stack([np.nan_to_num(values[f]) for f in fields]) * ~held
            lone = (held.sum(axis=1) == 1) & (shown > 0).any(axis=1)
            for row in np.flatnonzero(lone):
                candidates = np.where(shown[row] > 0, shown[row], np.inf)
                withheld[fields[int(np.argmin(candidates))]][row] = True
                changed = True
    for rate, terms in rate_terms.items():
        for term in terms:
            withheld[rate] |= withheld[term] & np.isfinite(values[term])


def _cells(values, withheld, field, named, kind):
    for row in np.flatnonzero(withheld & np.isfinite(values)):
        named[row].append(field)
    return np.array([None if (w or not np.isfinite(v)) else kind(v) for v, w in zip(values, withheld)],
                    dtype=object)


def kept_flows(devices, k):
    """True for the flows of at least k devices (the others are left out)."""
    return np.asarray(devices) >= k
