"""Import sensor captures into a probe table: one row per probe request, MACs hashed on entry.

Every probe request (802.11 management frame, subtype 4) of every input becomes a row: the capture record's
time (a frame's time is when the sensor captured it, not the radio's TSFT counter), the sensor as ``ap_id``,
the keyed hash of the transmitter address as ``mac`` (the token the Preprocessing tool makes of the same
address with the same secret, so one phone heard by two sensors has one token), the first dBm_AntSignal as
``rss``, the sequence number, the channel frequency, and the keyed hash of the frame's device-model signature
(its information elements that stay the same from scan to scan, see ``elements``) as ``fingerprint``. Frames
flagged with a bad FCS, frames without a usable signal strength and the second copy of a frame one sensor heard
twice are counted, not written.
"""
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import InputError
from ..core.privacy import keyed_tokens
from ..core.progress import SILENT
from ..core.records import Probes
from ..core.timeparse import micro_to_iso_utc
from . import sniff
from .airodump import read_airodump_log
from .clocksync import MIN_MATCHES, clock_offsets
from .kismetdb import read_kismet
from .pcapfiles import read_pcap, read_pcapng
from .probes import NO_RSS, ProbeFrames, probe_requests

DUPLICATE_WINDOW_NS = 5_000_000  # one sensor's radios stamp the same frame within a few ms
_SNIFF_BYTES = 4096
_CLOCK_NOT_SET_NS = 946_684_800 * 1_000_000_000  # 2000-01-01: earlier stamps come from a clock never set
_SIGNATURE_PREFIX = b"802.11 elements:"
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@dataclass
class SensorOffsets:
    """Clock offsets: sensor ids, offset_s (that sensor's clock minus the reference's, NaN when it shares too
    few frames with the others) and matched (its frames another synchronised sensor heard too)."""

    sensor: np.ndarray
    offset_s: np.ndarray
    matched: np.ndarray


@dataclass
class ImportResult:
    """The probe table (one element per probe request, sorted by time) and what the import found.

    time: float64 s since 1970 UTC; time_iso: the same as ISO 8601 UTC text with microseconds and 'Z'; ap_id:
    sensor ids (object str); mac: keyed-hash tokens (object str, 16 hex digits); rss: int64 dBm; seq: int64
    802.11 sequence number (-1: unknown); freq_mhz: int64 channel frequency (-1: unknown); fingerprint:
    keyed-hash tokens of the device-model signature (object str, 16 hex digits like the MAC tokens; None where
    the input carries no information elements, as airodump-ng logs; see ``elements``); offsets:
    SensorOffsets (empty without clock synchronisation); counts: FRAMES, PROBES, SENSORS, DROPPED_BAD_FCS,
    DROPPED_DUPLICATES, DROPPED_NO_RSS; warnings: remarks for the user (never a raw MAC).
    """

    time: np.ndarray
    time_iso: np.ndarray
    ap_id: np.ndarray
    mac: np.ndarray
    rss: np.ndarray
    seq: np.ndarray
    freq_mhz: np.ndarray
    fingerprint: np.ndarray
    offsets: SensorOffsets
    counts: dict
    warnings: list

    def probes(self):
        """The table as records.Probes (extra columns seq, freq_mhz, fingerprint), as preprocessing reads it."""
        return Probes(self.time, self.ap_id, self.mac, self.rss.astype(np.float64),
                      {"seq": self.seq, "freq_mhz": self.freq_mhz, "fingerprint": self.fingerprint})


def import_captures(paths, sensor_pattern=None, secret="", clock_sync=False, progress=SILENT):
    """Import capture files (pcap, pcapng, Kismet .kismet, airodump-ng *.log.csv; told apart by their bytes).

    sensor_pattern: a regular expression with one group, searched in each file name, whose group is the
    sensor id (default: the file name without its extension). Kismet logs name their sensors themselves
    (their datasources). secret: key of the MAC hash; empty draws a random key. clock_sync: estimate every
    sensor's clock offset from the frames several sensors heard and correct the times.
    Returns an ImportResult; raises InputError for unreadable inputs or when no probe request remains.
    """
    paths = [str(p) for p in paths]
    if not paths:
        raise InputError("INPUT: give one or more capture files.")
    found, names, signatures, frames, warnings = _read_all(paths, _pattern(sensor_pattern), progress)
    bad_fcs = found.bad_fcs
    no_rss = ~bad_fcs & ((found.rss == NO_RSS) | (found.rss > 0))
    kept, duplicates = _drop_duplicates(found.take(np.flatnonzero(~bad_fcs & ~no_rss)))
    counts = {"FRAMES": frames, "DROPPED_BAD_FCS": int(bad_fcs.sum()), "DROPPED_NO_RSS": int(no_rss.sum()),
              "DROPPED_DUPLICATES": duplicates}
    if not len(kept):
        raise InputError(f"No probe request to import: {frames} frames read, {len(found)} probe requests, of which "
                         f"{counts['DROPPED_BAD_FCS']} with a bad FCS and {counts['DROPPED_NO_RSS']} without a "
                         "signal strength. Check that the sensors captured in monitor mode with radiotap headers.")
    warnings += _unset_clock_warnings(kept, names)
    offsets = SensorOffsets(np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=np.int64))
    time_ns = kept.time_ns
    if clock_sync:
        progress.step(0.7)
        time_ns, offsets, notes = _synchronise(kept, names)
        warnings += notes
    progress.step(0.8)
    if not secret:
        secret = secrets.token_hex(16)
        warnings.append("No SECRET given: the MACs were hashed with a random key, so these tokens will not match "
                        "those of another import or of a connections table. Give the same SECRET every time to "
                        "make them comparable.")
    tokens = _tokens(kept.mac, secret)
    fingerprints = _fingerprints(kept.signature, signatures, secret)
    progress.step(0.9)
    order = np.argsort(time_ns, kind="stable")
    time_ns = time_ns[order]
    counts.update(PROBES=len(order), SENSORS=len(np.unique(kept.sensor)))
    result = ImportResult(time_ns / 1e9, micro_to_iso_utc((time_ns + 500) // 1000).astype(object),
                          names[kept.sensor[order]], tokens[order], kept.rss[order], kept.seq[order],
                          kept.freq_mhz[order], fingerprints[order], offsets, counts, warnings)
    progress.step(1.0)
    return result


def _read_all(paths, pattern, progress):
    """(ProbeFrames of all inputs with sensor and signature indices into names and signatures, sensor names,
    device-model signatures, frames read, notes)."""
    notes, parts, sensors, signatures = [], [], {}, {}
    frames = 0
    for number, path in enumerate(paths):
        progress.step(0.6 * number / len(paths))
        probes, names, found, count, remarks = _read(path, pattern)
        codes = np.array([sensors.setdefault(n, len(sensors)) for n in names], dtype=np.int64)
        probes.sensor = codes[probes.sensor]
        codes = np.array([signatures.setdefault(s, len(signatures)) for s in found] + [-1], dtype=np.int64)
        probes.signature = codes[probes.signature]  # -1 (none) picks the last
        parts.append(probes)
        frames += count
        notes += remarks
    progress.step(0.6)
    return ProbeFrames.concatenate(parts), np.array(list(sensors), dtype=object), list(signatures), frames, notes


def _pattern(sensor_pattern):
    if not sensor_pattern:
        return None
    try:
        pattern = re.compile(sensor_pattern)
    except re.error as error:
        raise InputError(f"SENSOR_PATTERN '{sensor_pattern}' is not a regular expression ({error}).") from None
    if pattern.groups != 1:
        raise InputError(f"SENSOR_PATTERN '{sensor_pattern}' has {pattern.groups} groups; give exactly one, the "
                         r"part of the file name that is the sensor id, e.g. '^(S\d+)_'.")
    return pattern


def sensor_id(path, pattern=None):
    """The sensor id of a capture file: the pattern's group in its name, or the name without its extension
    (and without '.log' before '.csv', as airodump-ng names its logs)."""
    name = Path(path).name
    if pattern is None:
        stem = Path(name).stem
        return stem[:-4] if name.lower().endswith(".log.csv") else stem
    match = pattern.search(name)
    if not match or not match.group(1):
        raise InputError(f"SENSOR_PATTERN '{pattern.pattern}' does not find a sensor id in the file name '{name}'. "
                         "Adjust the pattern (its one group is the id) or leave it empty to use the file name.")
    return match.group(1)


def _read(path, pattern):
    """(ProbeFrames with sensor and signature indices into names and signatures, sensor names, device-model
    signatures, frames read, notes) of one input file."""
    name = Path(path).name
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            kind = sniff.capture_format(head, name)
            data = head + handle.read() if kind != sniff.KISMET else b""
    except OSError as error:
        raise InputError(f"INPUT: the file '{path}' cannot be read ({error.strerror}).") from None
    if kind == sniff.AIRODUMP_LOG:
        probes, rows, notes = read_airodump_log(data.decode("utf-8", errors="replace"), name)
        return probes, [sensor_id(path, pattern)], [], rows, notes
    if kind == sniff.KISMET:
        packets = read_kismet(path, name)
    else:
        reader = read_pcap if kind == sniff.PCAP else read_pcapng
        packets = reader(data, name, sensor_id(path, pattern))
        if not len(packets):
            raise InputError(f"{name}: the capture holds no packets.")
    probes, signatures, notes = probe_requests(packets, name)
    return probes, packets.sensors, signatures, len(packets), packets.notes + notes


def _drop_duplicates(frames):
    """The frames without second copies (same sensor, address and sequence number within a few ms of an
    earlier copy), and how many were dropped. Frames without a sequence number are kept.

    Frames are taken in (sensor, time) order and compared with their 1st, 2nd, ... predecessor until no
    predecessor of that rank lies within the window: linear in the frames, as few fit in a few ms."""
    s, t = frames.sensor, frames.time_ns
    in_order = np.all((s[1:] > s[:-1]) | ((s[1:] == s[:-1]) & (t[1:] >= t[:-1])))
    order = np.arange(len(s)) if in_order else np.lexsort((t, s))
    s, t = s[order], t[order]
    key = (frames.mac << 12 | frames.seq)[order]
    repeat = np.zeros(len(order), dtype=bool)
    lag = 1
    while lag < len(order):
        close = (s[lag:] == s[:-lag]) & (t[lag:] - t[:-lag] <= DUPLICATE_WINDOW_NS)
        if not close.any():
            break
        repeat[lag:] |= close & (key[lag:] == key[:-lag])
        lag += 1
    repeat &= frames.seq[order] >= 0
    return frames.take(np.sort(order[~repeat])), int(repeat.sum())


def _synchronise(frames, names):
    """Corrected times (ns), SensorOffsets and notes."""
    usable = frames.seq >= 0
    offsets = clock_offsets(frames.sensor[usable], frames.mac[usable], frames.seq[usable], frames.time_ns[usable],
                            len(names))
    unknown = ~np.isfinite(offsets.offset_ns)
    correction = np.round(np.where(unknown, 0.0, offsets.offset_ns)).astype(np.int64)
    notes = []
    if unknown.any():
        notes.append(f"CLOCK_SYNC: {', '.join(names[unknown])} share fewer than {MIN_MATCHES} frames (same MAC and "
                     "sequence number) with the other sensors, so their clocks were not corrected.")
    table = SensorOffsets(names.copy(), offsets.offset_ns / 1e9, offsets.matched.astype(np.int64))
    return frames.time_ns - correction[frames.sensor], table, notes


def _tokens(mac, secret):
    """The keyed-hash token of each 48-bit address, hashing each distinct address once as 'aa:bb:cc:dd:ee:ff'."""
    unique, inverse = np.unique(mac, return_inverse=True)
    octets = unique.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 2:]
    text = np.full((len(unique), 17), ord(":"), dtype=np.uint8)
    text[:, 0::3] = _HEX[octets >> 4]
    text[:, 1::3] = _HEX[octets & 15]
    tokens = np.array(keyed_tokens(text.view("S17").ravel().tolist(), secret), dtype=object)
    return tokens[inverse.reshape(-1)]


def _fingerprints(code, signatures, secret):
    """The keyed-hash token of each frame's device-model signature (None: no signature). The signatures are
    hashed like the MACs, with the same secret, behind a prefix of their own so no signature can give the
    token of a MAC."""
    tokens = np.array(keyed_tokens([_SIGNATURE_PREFIX + s for s in signatures], secret) + [None], dtype=object)
    return tokens[code]  # -1 (none) picks the last


def _unset_clock_warnings(frames, names):
    early = np.unique(frames.sensor[frames.time_ns < _CLOCK_NOT_SET_NS])
    if not len(early):
        return []
    return [f"{', '.join(names[early])}: times before the year 2000; the sensor's clock was not set when it "
            "captured (no NTP or real-time clock). Set its clock, or shift these times before mapping."]
