"""Preprocessing (paper §3.2 classes, §3.4 the tool): window, MAC classes, emissions, multiplicities.

Every PR of the window [start, end) is classed by its MAC:
CC when the MAC is in the connections table (checked first), CR when the MAC occurs 1..THRESHOLD times,
else CF. By default a MAC's occurrences are its PR rows (the paper), so one emission heard by 4 or more APs
lands in CF; with ``count_emissions`` they are its emissions, so emissions heard by any number of APs stay CR.
Within CR, PRs are grouped into emissions (``emissions.group_emissions``); P_k counts the PRs of emissions
heard by exactly k APs.

``grouping`` BURSTS (the tools' default) first makes each scan burst one emission (bursts.py): a MAC's frames
within TOLERANCE are one burst however many of them each AP heard, each AP's frames of it one PR with their
mean RSS, and MAC classes count bursts. PAPER groups the rows as the paper does.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.factorize import factorize
from ..core.privacy import anonymise
from ..core.progress import SILENT
from ..core.records import Probes
from ..core.timeparse import to_iso
from ..core.validation import check_rss
from .bursts import collapse_bursts
from .emissions import group_emissions, multiplicity_counts

CR, CF, CC = "CR", "CF", "CC"
BURSTS, PAPER = "bursts", "paper"
GROUPINGS = (BURSTS, PAPER)


@dataclass
class Preprocessed:
    """probes: the output PRs with extra columns class, n_seen, emission, n_aps (emission -1 and n_aps 0
    outside CR); counts: P, P1, P2, P3, P4PLUS, P_BY_K {k: P_k}, EMISSIONS, CR, CF, CC (PRs per class),
    CR_MACS, CF_MACS, CC_MACS, WINDOW_HOURS, FRAMES (the window's rows before bursts are merged); notes:
    remarks worth showing the user."""

    probes: Probes
    counts: dict
    notes: list


def preprocess(probes, start=None, end=None, connections=None, threshold=3, tolerance=2.0,
               count_emissions=False, all_classes=False, secret="", grouping=PAPER, progress=SILENT):
    """Preprocess ``probes`` (records.Probes, times in seconds); returns Preprocessed.

    grouping: PAPER (rows grouped as the paper's §3.4) or BURSTS (scan bursts merged first, classes counting
    bursts: ``count_emissions`` is then implied).
    start, end: window bounds in seconds (None: the first / just after the last PR).
    connections: MACs of connected clients, or None when there is no connections table.
    Raw MAC addresses in ``probes`` or ``connections`` are replaced by their keyed hash with ``secret``.
    """
    if not (isinstance(threshold, (int, np.integer)) and threshold >= 1):
        raise InputError(f"THRESHOLD = {threshold}: give a whole number of occurrences, 1 or more (paper: 3).")
    if grouping not in GROUPINGS:
        raise InputError(f"GROUPING = {grouping!r}: choose {BURSTS!r} (scan bursts) or {PAPER!r}.")
    notes = []
    window, start, end = _in_window(probes, start, end)
    frames = len(window)
    rss = check_rss(window.rss)
    tokens, mac_code = anonymised_codes(window.mac, secret)  # each column factorized once, reused below
    ap_code = factorize(window.ap_id)[1]
    if grouping == BURSTS:
        rows, rss = collapse_bursts(window.time, ap_code, mac_code, rss, tolerance)
        window, mac_code, ap_code = window.take(rows), mac_code[rows], ap_code[rows]
        count_emissions = True
    progress.step(0.1)
    connected = _connected(tokens, mac_code, connections, secret, notes)
    n_seen = _occurrences(window.time, ap_code, mac_code, connected, tolerance, count_emissions)
    progress.step(0.4)
    is_cr = ~connected & (n_seen <= threshold)
    members = {CR: is_cr, CF: ~connected & ~is_cr, CC: connected}  # masks: comparing text per PR is slow
    mac_class = np.empty(len(window), dtype=object)
    for name, rows in members.items():
        mac_class[rows] = name
    emission = np.full(len(window), -1, dtype=np.int64)
    n_aps = np.zeros(len(window), dtype=np.int64)
    emission[is_cr], n_aps[is_cr] = group_emissions(window.time[is_cr], ap_code[is_cr], mac_code[is_cr], tolerance)
    progress.step(0.8)

    counts = _counts(members, mac_code, emission[is_cr], n_aps[is_cr])
    counts["WINDOW_HOURS"] = (end - start) / 3600.0
    counts["FRAMES"] = frames
    keep = np.ones(len(window), dtype=bool) if all_classes else is_cr
    columns = {"class": mac_class, "n_seen": n_seen, "emission": emission, "n_aps": n_aps}
    result = Probes(window.time[keep], window.ap_id[keep], tokens[mac_code[keep]], rss[keep],
                    {k: v[keep] for k, v in columns.items()})
    progress.step(1.0)
    return Preprocessed(result, counts, notes)


def anonymised_codes(mac, secret):
    """(distinct tokens, code of each PR's MAC) with raw MAC addresses replaced by their keyed hash (privacy.py);
    two spellings of one address (AA:BB... and aa-bb-...) get one token."""
    tokens, codes = factorize(mac)
    hashed = anonymise(tokens, secret)
    if hashed is tokens:
        return tokens, codes
    tokens, merged = factorize(hashed)
    return tokens, merged[codes]


def _in_window(probes, start, end):
    time = np.asarray(probes.time, dtype=np.float64)
    if len(time) == 0:
        raise InputError("The probe table has no rows.")
    if start is not None and end is not None and not float(end) > float(start):
        raise InputError(f"END ({to_iso(end)}) must be after START ({to_iso(start)}).")
    start = float(np.min(time)) if start is None else float(start)
    end = float(np.nextafter(np.max(time), np.inf)) if end is None else float(end)
    inside = (time >= start) & (time < end)
    if not inside.any():
        raise InputError(f"No PR lies in the window [{to_iso(start)}, {to_iso(end)}): the table's times run from "
                         f"{to_iso(np.min(time))} to {to_iso(np.max(time))}. Set START and END inside that range.")
    return probes.take(inside), start, end


def _connected(tokens, mac_code, connections, secret, notes):
    if connections is None:
        return np.zeros(len(mac_code), dtype=bool)
    if len(connections) == 0:
        raise InputError("The connections table (CONNECTIONS) has no rows: give the MACs of the connected "
                         "clients, or leave CONNECTIONS empty.")
    listed = np.isin(tokens.astype(str), anonymise(connections, secret).astype(str))
    connected = listed[mac_code]
    if not connected.any():
        notes.append("No MAC of the connections table occurs in the window: CC is empty. If the probe MACs are "
                     "hashed, hash the connections table with the same secret.")
    return connected


def _occurrences(time, ap_code, mac_code, connected, tolerance, count_emissions):
    """Per PR, how often its MAC occurs in the window: rows, or (``count_emissions``) emissions."""
    rows = np.bincount(mac_code)
    if not count_emissions:
        return rows[mac_code]
    emission = np.full(len(mac_code), -1, dtype=np.int64)
    emission[~connected], _ = group_emissions(time[~connected], ap_code[~connected], mac_code[~connected],
                                              tolerance)
    first_of_emission = np.unique(emission[~connected], return_index=True)[1]
    emissions_of_mac = np.bincount(mac_code[~connected][first_of_emission], minlength=len(rows))
    return np.where(connected, rows[mac_code], emissions_of_mac[mac_code])


def _counts(members, mac_code, cr_emission, cr_n_aps):
    """The counts of Preprocessed; ``members``: {class: mask of its PRs}."""
    p_by_k = multiplicity_counts(cr_n_aps, max_k=max(3, int(cr_n_aps.max()) if len(cr_n_aps) else 3))
    counts = {"P": int(len(cr_n_aps)), "P_BY_K": p_by_k,
              "P4PLUS": int(sum(v for k, v in p_by_k.items() if k >= 4)),
              "EMISSIONS": int(cr_emission.max()) + 1 if len(cr_emission) else 0}  # ids run 0..E-1
    for k in (1, 2, 3):
        counts[f"P{k}"] = p_by_k[k]
    for name, rows in members.items():
        counts[name] = int(rows.sum())
        counts[f"{name}_MACS"] = int(np.count_nonzero(np.bincount(mac_code[rows], minlength=1)))
    return counts
