"""Scan bursts as one emission (beyond the paper's §3.4 grouping).

A phone sends each scan as a burst of 2-5 probe requests within 20-100 ms (one per channel or SSID), and an
AP often hears several of them. The paper's Preprocessing tool starts a new emission whenever an AP hears the
MAC again, so one burst becomes several "emissions", and a randomised MAC seen in four of them is classed as
fixed. Here the frames a MAC sends within TOLERANCE of the burst's first frame are one emission however many
of them each AP heard, and each AP's frames of the burst become one reception.

Its RSS is the mean in dBm of the AP's frames of the burst: the path-loss model's noise is Gaussian in dB
(paper §4.1), so the mean in dB estimates the model's mean RSS whatever the number of frames heard, while the
strongest frame would rise with that number (about 0.6 sigma above the mean for two frames, 1.2 sigma for
five) and make a burst heard often look closer than the same burst heard once.
"""
import numpy as np

from .emissions import group_emissions


def collapse_bursts(time, ap_code, mac_code, rss, tolerance):
    """(rows, rss): the index of one row per (burst, AP) in input order (the AP's first frame of the burst)
    and the mean RSS (dBm) of that AP's frames of the burst. ``ap_code`` and ``mac_code`` are non-negative
    integer codes."""
    if len(time) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    burst, _ = group_emissions(time, ap_code, mac_code, tolerance, split_at_repeated_ap=False)
    key = burst * (int(np.max(ap_code)) + 1) + np.asarray(ap_code, dtype=np.int64)
    order = np.lexsort((time, key))  # each (burst, AP) together, its earliest frame first
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = key[order][1:] != key[order][:-1]
    group = np.cumsum(starts) - 1
    mean = np.bincount(group, weights=np.asarray(rss, dtype=np.float64)[order]) / np.bincount(group)
    first = order[starts]
    in_input_order = np.argsort(first, kind="stable")
    return first[in_input_order], mean[in_input_order]
