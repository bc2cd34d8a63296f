"""Sensor clock offsets from the frames several sensors heard.

One frame is one instant: every sensor that hears it stamps it within about a millisecond of the others,
bar the offsets of their clocks. A frame is recognised at several sensors by its transmitter address and
802.11 sequence number; the sequence number wraps at 4096, so equal (address, number) pairs further apart in
time than any plausible clock offset are different frames. For every pair of sensors the median of their
stamp differences over shared frames estimates the difference of their offsets (robust to the odd false
match); a maximum spanning tree over the pairs, weighted by shared frames, chains every sensor to the
reference, the sensor that shares the most frames. A second pass on the corrected stamps, with a tight match
window, refines the offsets and counts the matches.
"""
from dataclasses import dataclass

import numpy as np

MAX_OFFSET_S = 60.0      # clocks that disagree by more are not matched (set them with NTP first)
REFINE_WINDOW_S = 0.05   # the second pass matches only frames stamped this close after correction
MIN_MATCHES = 3          # frames two sensors must share before one's offset is derived from the other's


@dataclass
class ClockOffsets:
    """offset_ns: each sensor's clock minus the reference's (NaN: not enough shared frames); matched: frames of
    each sensor that another synchronised sensor heard too; reference: index of the reference sensor."""

    offset_ns: np.ndarray
    matched: np.ndarray
    reference: int


def clock_offsets(sensor, mac, seq, time_ns, sensors):
    """ClockOffsets of ``sensors`` sensors from frames (sensor index, 48-bit address, sequence number >= 0,
    time in ns); every array has one element per frame."""
    time = (time_ns - (time_ns.min() if len(time_ns) else 0)).astype(np.float64)  # small numbers keep ns
    first = _pass(sensor, mac, seq, time, sensors, 2 * MAX_OFFSET_S * 1e9, None)
    known = np.isfinite(first.offset_ns)
    keep = known[sensor]
    corrected = time[keep] - first.offset_ns[sensor[keep]]
    second = _pass(sensor[keep], mac[keep], seq[keep], corrected, sensors, REFINE_WINDOW_S * 1e9, first.reference)
    offset = first.offset_ns + np.where(np.isfinite(second.offset_ns), second.offset_ns, 0.0)
    offset[~known] = np.nan
    return ClockOffsets(offset, second.matched, first.reference)


def _pass(sensor, mac, seq, time, sensors, gap, reference):
    cluster, order = _clusters(mac, seq, time, gap)
    s, t, c = sensor[order], time[order], cluster
    clean = _single_sensor_per_cluster(c, s)
    s, t, c = s[clean], t[clean], c[clean]
    sizes = np.bincount(c, minlength=int(c.max()) + 1 if len(c) else 0)
    shared = sizes[c] >= 2
    matched = np.bincount(s[shared], minlength=sensors)
    count, median = _pair_medians(s[shared], t[shared], c[shared], sensors)
    if reference is None:
        reference = int(np.argmax(matched))
    return ClockOffsets(_spanning_tree(count, median, reference), matched, reference)


def _clusters(mac, seq, time, gap):
    """Cluster id per frame (in sorted order) and the sort order: same address and sequence number, each
    stamp within ``gap`` of the previous one."""
    key = mac.astype(np.int64) << 12 | seq.astype(np.int64)
    order = np.lexsort((time, key))
    k, t = key[order], time[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (t[1:] - t[:-1] > gap)
    return np.cumsum(new) - 1, order


def _single_sensor_per_cluster(cluster, sensor):
    """False for the frames of clusters where one sensor appears twice (ambiguous: wrapped sequence numbers)."""
    if not len(cluster):
        return np.zeros(0, dtype=bool)
    pairs = np.lexsort((sensor, cluster))
    repeated = (cluster[pairs][1:] == cluster[pairs][:-1]) & (sensor[pairs][1:] == sensor[pairs][:-1])
    bad = np.zeros(int(cluster.max()) + 1, dtype=bool)
    bad[cluster[pairs][1:][repeated]] = True
    return ~bad[cluster]


def _pair_medians(sensor, time, cluster, sensors):
    """Shared frames and median stamp difference (t_b - t_a) for every ordered pair of sensors (a, b)."""
    count = np.zeros((sensors, sensors), dtype=np.int64)
    median = np.zeros((sensors, sensors))
    a_parts, b_parts, d_parts = [], [], []
    lag = 1
    while lag < len(cluster):
        same = cluster[lag:] == cluster[:-lag]
        if not same.any():
            break
        a, b = sensor[:-lag][same], sensor[lag:][same]
        a_parts.append(np.concatenate([a, b]))
        b_parts.append(np.concatenate([b, a]))
        difference = time[lag:][same] - time[:-lag][same]
        d_parts.append(np.concatenate([difference, -difference]))
        lag += 1
    if not a_parts:
        return count, median
    a, b, d = (np.concatenate(parts) for parts in (a_parts, b_parts, d_parts))
    pair = a * sensors + b
    order = np.lexsort((d, pair))
    pair, d = pair[order], d[order]
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    size = np.diff(np.r_[first, len(pair)])
    middle = (d[first + (size - 1) // 2] + d[first + size // 2]) / 2
    count.flat[pair[first]] = size
    median.flat[pair[first]] = middle
    return count, median


def _spanning_tree(count, median, reference):
    """Offsets relative to ``reference`` along the maximum spanning tree of shared-frame counts (Prim)."""
    sensors = len(count)
    offset = np.full(sensors, np.nan)
    offset[reference] = 0.0
    while True:
        inside = np.isfinite(offset)
        weight = np.where(inside[:, None] & ~inside[None, :], count, 0)
        a, b = np.unravel_index(np.argmax(weight), weight.shape)
        if weight[a, b] < MIN_MATCHES:
            return offset
        offset[b] = offset[a] + median[a, b]
