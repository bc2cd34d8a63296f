"""Group probe requests into emissions (paper §3.4, the Preprocessing tool) or into scan bursts.

One emission = the PRs of one MAC whose timestamps lie within TOLERANCE seconds of the emission's first PR,
each heard at a distinct AP. Its size ``n_aps`` is the number of APs that heard it. A scan burst is the same
without "each at a distinct AP": a phone sends each scan as 2-5 probe requests within about 100 ms (one per
channel or SSID), and one AP often hears several of them, which the paper's rule would split into several
emissions.
"""
import numpy as np

from ..core.errors import InputError
from ..core.factorize import factorize


def group_emissions(time, ap_id, mac, tolerance, split_at_repeated_ap=True):
    """Emission id (0..E-1) and n_aps (distinct APs of its emission) for every PR, in the input order.

    ``split_at_repeated_ap`` False groups scan bursts: an AP that hears the MAC again within ``tolerance``
    adds to the burst instead of starting a new one. Vectorized for the common case; only the rare candidate
    groups that span more than ``tolerance`` (or hold the same AP twice) are split row by row.
    """
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise InputError(f"TOLERANCE = {tolerance:g} s must be zero or a positive number of seconds.")
    time = np.asarray(time, dtype=np.float64)
    count = len(time)
    if count == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    mac_code, ap_code = _codes(mac), _codes(ap_id)
    order = np.lexsort((ap_code, time, mac_code))
    t, m, a = time[order], mac_code[order], ap_code[order]

    starts = np.ones(count, dtype=bool)
    starts[1:] = (m[1:] != m[:-1]) | (t[1:] - t[:-1] > tolerance)
    candidate = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    span = np.maximum.reduceat(t, first) - t[first]
    size = np.diff(np.append(first, count))
    distinct = _distinct_per_group(candidate, a)
    needs_split = (span > tolerance) | ((distinct < size) & split_at_repeated_ap)

    for group in np.flatnonzero(needs_split):
        lo, hi = first[group], first[group] + size[group]
        starts[lo:hi] = _split_rows(t[lo:hi], a[lo:hi], tolerance, split_at_repeated_ap)
    emission_sorted = np.cumsum(starts) - 1
    if split_at_repeated_ap:
        n_sorted = np.bincount(emission_sorted)[emission_sorted]  # one PR per AP: the size is the AP count
    else:
        n_sorted = _distinct_per_group(emission_sorted, a)[emission_sorted]

    emission = np.empty(count, dtype=np.int64)
    n_aps = np.empty(count, dtype=np.int64)
    emission[order] = emission_sorted
    n_aps[order] = n_sorted
    return emission, n_aps


def _codes(values):
    """Small non-negative integer codes of ``values``. Codes a caller has already made (preprocess passes its
    factorized MACs and APs) are kept: renumbering them would keep their order and cost a sort."""
    values = np.asarray(values)
    if values.dtype.kind in "iu" and values.min() >= 0 and values.max() <= np.iinfo(np.int32).max:
        return values
    return factorize(values)[1]


def _distinct_per_group(group, ap_code):
    """How many distinct APs each candidate group holds (one integer key per (group, AP) pair)."""
    pairs = np.unique(group * (int(ap_code.max()) + 1) + ap_code)
    return np.bincount(pairs // (int(ap_code.max()) + 1), minlength=group[-1] + 1)


def _split_rows(t, a, tolerance, split_at_repeated_ap=True):
    """Start flags for one MAC's rows: a new emission when past tolerance or (paper) at an AP already heard."""
    starts = np.zeros(len(t), dtype=bool)
    start_time, heard = None, set()
    for i, (ti, ai) in enumerate(zip(t, a)):
        if start_time is None or ti - start_time > tolerance or (split_at_repeated_ap and ai in heard):
            starts[i] = True
            start_time, heard = ti, set()
        heard.add(ai)
    return starts


def multiplicity_counts(n_aps, max_k=None):
    """P_k: the number of PRs that belong to emissions heard by exactly k APs, for k = 1..max_k."""
    n_aps = np.asarray(n_aps, dtype=np.int64)
    top = int(max_k if max_k is not None else (n_aps.max() if len(n_aps) else 3))
    counts = np.bincount(n_aps, minlength=top + 1)
    return {k: int(counts[k]) for k in range(1, top + 1)}
