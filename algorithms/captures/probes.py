"""Probe requests out of radiotap + 802.11 packets, decoded with numpy for all packets of one header layout.

IEEE 802.11-2020 §9.3.3: a management frame starts with Frame Control (probe request: type 0, subtype 4,
so its first byte is 0x40), Duration, Address 1, Address 2 (the transmitter: the phone's MAC), Address 3 and
Sequence Control (sequence number in its upper 12 bits). Addresses are kept whatever their group bit (the
anonymised real captures rewrite them), and the FCS is never recomputed: the radiotap Flags say when it is bad.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from . import elements, radiotap
from .packets import LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP, Columns, le, window

PROBE_REQUEST_FC = 0x40
MAC_HEADER = 24  # Frame Control .. Sequence Control
ADDR2, SEQUENCE_CONTROL = 10, 22
FCS = 4
NO_RSS = np.iinfo(np.int64).min
_LAYOUTS_BY_COMPARISON = 8


@dataclass
class ProbeFrames(Columns):
    """Probe requests: time_ns, sensor (index), mac (the 48-bit address as an int), seq (-1: unknown), rss (dBm;
    NO_RSS where the header has no usable dBm_AntSignal), freq_mhz (-1: unknown), bad_fcs, signature (index
    into the list of device-model signatures that comes with them, see ``elements``; -1: none)."""

    time_ns: np.ndarray
    sensor: np.ndarray
    mac: np.ndarray
    seq: np.ndarray
    rss: np.ndarray
    freq_mhz: np.ndarray
    bad_fcs: np.ndarray
    signature: np.ndarray


def probe_requests(packets, name):
    """(ProbeFrames of ``packets`` (packets.Packets), their distinct device-model signatures (bytes), notes for
    the user); InputError when the input cannot hold any (no radiotap link type, or every radiotap header cut by
    the snap length)."""
    notes = []
    radio = _radiotap_packets(packets, name, notes)
    buffer, start, length = packets.buffer, packets.start[radio], packets.length[radio]
    readable = length >= radiotap.HEADER
    header = window(buffer, start[readable], radiotap.HEADER)  # version, pad, length, present word
    header_length = np.zeros(len(start), dtype=np.int64)
    header_length[readable] = le(header[:, 2:4], np.int64)
    first_word = np.zeros(len(start), dtype=np.uint32)
    first_word[readable] = le(header[:, 4:8], np.uint32)
    readable[readable] &= header[:, 0] == 0  # radiotap version 0
    readable &= (header_length >= radiotap.HEADER) & (header_length < length)
    _check_some_readable(readable, length, header_length, name)
    if not readable.all():
        notes.append(f"{name}: {int((~readable).sum())} of {len(readable)} packets have an incomplete or damaged "
                     "radiotap header and were skipped.")
    frame = start + header_length
    probe = np.zeros(len(start), dtype=bool)
    probe[readable] = buffer[frame[readable]] == PROBE_REQUEST_FC
    short = probe & (length - header_length < MAC_HEADER)
    if short.any():
        notes.append(f"{name}: {int(short.sum())} probe requests were cut by the snap length before their sequence "
                     "number and were skipped.")
    rows = np.flatnonzero(probe & ~short)
    flags, freq, rss, intact = _radiotap_fields(buffer, start[rows], header_length[rows], first_word[rows], name,
                                                notes)
    fcs_short = (flags & radiotap.FLAG_FCS_AT_END > 0) & (length[rows] - header_length[rows] < MAC_HEADER + FCS)
    keep = intact & ~fcs_short
    if not keep.all():
        notes.append(f"{name}: {int((~keep).sum())} probe requests have radiotap fields beyond the header's length, "
                     "or end before their FCS, and were skipped.")
    rows, flags, freq, rss = rows[keep], flags[keep], freq[keep], rss[keep]
    mac, seq = _addresses(buffer, frame[rows])
    fcs_at_end = np.where(flags & radiotap.FLAG_FCS_AT_END > 0, FCS, 0)
    code, signatures = elements.signatures(buffer, frame[rows] + MAC_HEADER, start[rows] + length[rows] - fcs_at_end)
    result = ProbeFrames(packets.time_ns[radio][rows], packets.sensor[radio][rows], mac, seq, rss, freq,
                         flags & radiotap.FLAG_BAD_FCS > 0, code)
    return result, signatures, notes


def _radiotap_packets(packets, name, notes):
    radio = packets.linktype == LINKTYPE_RADIOTAP
    if len(packets) and not radio.any():
        kinds = sorted(set(packets.linktype.tolist()))
        if LINKTYPE_IEEE802_11 in kinds:
            raise InputError(
                f"{name}: its frames are plain 802.11 (link type 105, as airodump-ng's .cap writes) without a "
                "radiotap header, so they carry no signal strength (RSS). Capture in monitor mode with radiotap "
                "headers instead, e.g. 'tcpdump -i mon0 -w S01.pcap' or Kismet.")
        raise InputError(f"{name}: its link type is {', '.join(map(str, kinds))}, not 802.11 with radiotap "
                         "headers (127). Capture on a monitor-mode WiFi interface (e.g. 'tcpdump -i mon0 -w "
                         "S01.pcap').")
    if not radio.all():
        notes.append(f"{name}: {int((~radio).sum())} packets whose link type is not 802.11 radiotap (other "
                     "interfaces or radios) were skipped.")
    return radio


def _check_some_readable(readable, length, header_length, name):
    if len(readable) and not readable.any():
        cut = (length < radiotap.HEADER) | (length <= header_length)
        if cut.any():
            raise InputError(
                f"{name}: the snap length cut every packet inside its radiotap header ({int(length.max())} bytes "
                f"kept, headers of {int(header_length.max())} bytes), so no frame can be read. Capture the whole "
                "frame (tcpdump -s 0, or a snap length of 256 bytes or more).")
        raise InputError(f"{name}: none of its {len(readable)} packets has a valid radiotap header; "
                         "the file is damaged or not a WiFi monitor-mode capture.")


def _radiotap_fields(buffer, start, header_length, first_word, name, notes):
    """(flags, freq_mhz, rss, intact) for the probe requests at ``start``, one vectorised pass per layout."""
    count = len(start)
    flags = np.zeros(count, dtype=np.int64)
    freq = np.full(count, -1, dtype=np.int64)
    rss = np.full(count, NO_RSS, dtype=np.int64)
    words, intact = radiotap.present_words(buffer, start, header_length, first_word)
    signatures, group = _signatures(words)
    unknown = 0
    for number, signature in enumerate(signatures):
        rows = np.flatnonzero((group == number) & intact)
        for members, shape in _layouts(buffer, start, header_length, rows, signature):
            fits = header_length[members] >= (shape.end if shape else np.iinfo(np.int64).max)
            intact[members[~fits]] = False
            members = members[fits]
            if not len(members):
                continue
            unknown += len(members) if shape.unknown and shape.antsignal is None else 0
            header = window(buffer, start[members], shape.end)
            if shape.flags is not None:
                flags[members] = header[:, shape.flags]
            if shape.channel is not None:
                freq[members] = le(header[:, shape.channel:shape.channel + 2], np.int64)
            if shape.antsignal is not None:
                rss[members] = header[:, shape.antsignal].view(np.int8)
    if unknown:
        notes.append(f"{name}: {unknown} probe requests have a radiotap field of unknown size before their "
                     "signal strength, so their RSS could not be read.")
    return flags, freq, rss, intact


def _layouts(buffer, start, header_length, rows, signature):
    """[(rows, Layout)]: one Layout for all rows, or one per row when a vendor namespace makes it per packet."""
    words = radiotap.chain(signature)
    try:
        return [(rows, radiotap.layout(words))]
    except radiotap.NeedsPacket:
        return [(rows[i:i + 1], _packet_layout(buffer, start[r], header_length[r], words))
                for i, r in enumerate(rows)]


def _signatures(words):
    """The distinct present-word chains and, per row, the index of its chain. Captures hold few layouts, so
    the first few are found by comparison; np.unique sorts only what a file of many layouts leaves."""
    group = np.full(len(words), -1, dtype=np.int64)
    found = []
    left = np.arange(len(words))
    while len(left) and len(found) < _LAYOUTS_BY_COMPARISON:
        mine = (words[left] == words[left[0]]).all(axis=1)
        group[left[mine]] = len(found)
        found.append(words[left[0]])
        left = left[~mine]
    if len(left):
        rest, rest_group = _sorted_signatures(words[left])
        group[left] = rest_group + len(found)
        found.extend(rest)
    return np.array(found, dtype=np.uint32).reshape(len(found), words.shape[1]), group


def _sorted_signatures(words):
    rows = np.ascontiguousarray(words).view(np.dtype((np.void, words.dtype.itemsize * words.shape[1])))
    keys, group = np.unique(rows.ravel(), return_inverse=True)
    return list(keys.view(np.uint32).reshape(len(keys), words.shape[1])), group.reshape(-1)


def _packet_layout(buffer, start, header_length, words):
    """The Layout of one packet whose header switches to a vendor namespace (None if its bytes run out)."""
    def skip_length(position):
        if position + 2 > header_length:
            raise IndexError
        return int(buffer[start + position]) | int(buffer[start + position + 1]) << 8
    try:
        return radiotap.layout(words, skip_length)
    except IndexError:
        return None


def _addresses(buffer, frame):
    """(transmitter address as an int, first octet most significant; sequence number) of the frames at
    ``frame``, from one gather of their bytes 8..23: the end of Address 1, Address 2, Address 3, Sequence
    Control. The address is the low 48 bits of the big-endian 8 bytes that end with it."""
    octets = window(buffer, frame + ADDR2 - 2, SEQUENCE_CONTROL + 2 - (ADDR2 - 2))
    mac = np.ascontiguousarray(octets[:, :8]).view(">u8").ravel() & np.uint64((1 << 48) - 1)
    seq = le(octets[:, -2:], np.int64) >> 4
    return mac.astype(np.int64), seq
