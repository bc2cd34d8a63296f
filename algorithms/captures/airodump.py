"""airodump-ng's per-frame log (``--output-format logcsv``, *.log.csv): one row per frame airodump-ng
attributes to an AP or a client, with the sensor's local time to the second and the signal in dBm.

Rows are ``LocalTime,GPSTime,ESSID,BSSID,Power,Security,Latitude,Longitude,Latitude Error,Longitude
Error,Type``; client rows (Type ``Client``) put the client's MAC in BSSID and leave ESSID empty. Fields are
counted from the end, since an AP's ESSID may hold commas.
"""
import numpy as np

from ..core.errors import InputError
from .probes import NO_RSS, ProbeFrames

UNKNOWN_POWER = -1  # airodump-ng writes -1 when the card gave no signal level


def read_airodump_log(text, name):
    """(ProbeFrames of the client rows, rows read, notes) of a log's ``text``."""
    lines = text.splitlines()[1:]
    stamps, macs, powers = [], [], []
    for line in lines:
        fields = line.split(",")
        if len(fields) < 11 or fields[-1].strip() != "Client":
            continue
        stamps.append(fields[0].strip().replace(" ", "T"))
        macs.append(fields[-8].strip().replace(":", "").replace("-", ""))
        powers.append(fields[-7].strip())
    rows = sum(1 for line in lines if line.strip())
    if not stamps:
        raise InputError(f"{name}: the airodump-ng log has no client rows (Type 'Client'), so no probe request.")
    time_ns = _times(stamps, name)
    mac = np.array([_mac(text_mac, row, name) for row, text_mac in enumerate(macs)], dtype=np.int64)
    power = np.array([int(p) if p.lstrip("-").isdigit() else UNKNOWN_POWER for p in powers], dtype=np.int64)
    rss = np.where((power == UNKNOWN_POWER) | (power > 0), NO_RSS, power)
    count = len(stamps)
    frames = ProbeFrames(time_ns, np.zeros(count, dtype=np.int64), mac, np.full(count, -1, dtype=np.int64), rss,
                         np.full(count, -1, dtype=np.int64), np.zeros(count, dtype=bool),
                         np.full(count, -1, dtype=np.int64))
    notes = [f"{name}: airodump-ng's log has a time resolution of 1 s, the sensor's local clock (read as UTC), and "
             "no frame subtype: every client row is taken as a probe request, and emissions heard within "
             "TOLERANCE are grouped more coarsely. It has no sequence numbers, so duplicates are kept and clock "
             "synchronisation cannot use it. A radiotap capture (pcap) of the same sensor avoids all this."]
    return frames, rows, notes


def _times(stamps, name):
    try:
        return (np.array(stamps, dtype="datetime64[s]").astype(np.int64) * 1_000_000_000).astype(np.int64)
    except ValueError:
        bad = next(i for i, s in enumerate(stamps) if not _is_time(s))
        raise InputError(f"{name}: client row {bad + 1} has LocalTime '{stamps[bad]}', not a time "
                         "(YYYY-MM-DD HH:MM:SS).") from None


def _is_time(stamp):
    try:
        np.datetime64(stamp, "s")
        return True
    except ValueError:
        return False


def _mac(digits, row, name):
    if len(digits) != 12:
        raise InputError(f"{name}: client row {row + 1} has no MAC address in its BSSID field; "
                         "is it an airodump-ng log?")
    try:
        return int(digits, 16)
    except ValueError:
        raise InputError(f"{name}: client row {row + 1} has no MAC address in its BSSID field; "
                         "is it an airodump-ng log?") from None
