"""Stable devices: the tokens that can be followed without following randomised MACs.

A stable device is a token listed in CONNECTIONS or with more than THRESHOLD PR rows in the whole input.
A randomising phone draws a fresh MAC for almost every emission (paper §3.2: its tokens occur 1..THRESHOLD
times, class CR), so every other token is never followed: its rows only count in the denominator of
``stable_share``.
"""
import numpy as np

from ..core.errors import InputError

_EMPTY = ("", "None", "NULL", "nan")  # how an empty cell reads once it is text


def device_codes(tokens):
    """Per PR, a device number 0..D-1 (tokens sorted), and the distinct tokens with their PR row counts.

    InputError naming the first row whose token is empty: empty cells would all be one device.
    """
    distinct, code, rows = np.unique(np.asarray(tokens).astype(str), return_inverse=True, return_counts=True)
    code = code.reshape(-1)
    empty = np.flatnonzero(_listed(distinct, _EMPTY))
    if len(empty):
        row = int(np.flatnonzero(np.isin(code, empty))[0])
        raise InputError(f"Row {row + 1}: the MAC field is empty ({int(rows[empty].sum())} such rows). Give every "
                         "PR the token of its MAC, or filter those PRs out.")
    return code, distinct, rows


def stable_devices(distinct, rows, connections, threshold):
    """Per distinct token (sorted, as ``device_codes`` gives them): True when it is in ``connections`` (tokens,
    or None) or has more than ``threshold`` rows.

    Also returns how many tokens of ``connections`` occur in the probe table.
    """
    stable = rows > threshold
    if connections is None or len(connections) == 0:
        return stable, 0
    connected = _listed(distinct, connections)
    return stable | connected, int(connected.sum())


def _listed(distinct, values):
    """Per token of the sorted ``distinct``: True when it is one of ``values`` (binary search: the values are
    few, the tokens many)."""
    values = np.asarray(values).astype(str)
    at = np.searchsorted(distinct, values).clip(0, len(distinct) - 1)
    found = np.zeros(len(distinct), dtype=bool)
    found[at[distinct[at] == values]] = True
    return found
