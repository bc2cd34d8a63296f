"""Classic pcap and pcapng files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap and -pcapng).

Only record headers are walked in Python, to find where each record starts; every field is then gathered
with numpy over the whole buffer at once.
"""
import struct

import numpy as np

from ..core.errors import InputError
from .packets import Packets, window

# classic pcap magic -> (byte order, nanoseconds per timestamp fraction unit, record header size)
PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000, 16), b"\xa1\xb2\xc3\xd4": (">", 1000, 16),   # microseconds
    b"\x4d\x3c\xb2\xa1": ("<", 1, 16), b"\xa1\xb2\x3c\x4d": (">", 1, 16),         # nanoseconds
    b"\x34\xcd\xb2\xa1": ("<", 1000, 24), b"\xa1\xb2\xcd\x34": (">", 1000, 24),   # Kuznetzov's modified pcap
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_SHB, _IDB, _OPB, _SPB, _EPB = 0x0A0D0D0A, 1, 2, 3, 6
_BYTE_ORDER_MAGIC = 0x1A2B3C4D
_IF_TSRESOL, _IF_TSOFFSET = 9, 14
_MAX_RECORD = 1 << 26  # larger captured lengths are corruption, not packets
_EPB_HEADER = 28


def read_pcap(data, name, sensor):
    """Packets of a classic pcap file (``data``: its bytes) heard by ``sensor``."""
    order, unit_ns, header = PCAP_MAGICS[bytes(data[:4])]
    if len(data) < 24:
        raise InputError(f"{name}: the pcap file ends inside its 24-byte file header; it holds no packet.")
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0x03FFFFFF
    offsets, stop = _walk_pcap(data, header, order)
    notes = _truncation_notes(name, len(offsets), stop, len(data))
    buffer = np.frombuffer(data, dtype=np.uint8)
    position = np.asarray(offsets, dtype=np.int64)
    fields = np.ascontiguousarray(window(buffer, position, 12)).view(order + "u4").astype(np.int64)
    seconds, fraction, captured = fields.T
    time_ns = seconds * 1_000_000_000 + fraction * unit_ns
    return Packets(buffer, position + header, captured, time_ns,
                   np.full(len(position), linktype, dtype=np.int64), np.zeros(len(position), dtype=np.int64),
                   [sensor], notes)


def _walk_pcap(data, header, order):
    """Start of every complete record, and where the walk stopped."""
    unpack = struct.Struct(order + "I").unpack_from
    size, position, offsets = len(data), 24, []
    append = offsets.append
    while position + header <= size:
        captured = unpack(data, position + 8)[0]
        end = position + header + captured
        if end > size or captured > _MAX_RECORD:
            break
        append(position)
        position = end
    return offsets, position


def read_pcapng(data, name, sensor):
    """Packets of a pcapng file: every Enhanced Packet Block of every section, each interface with its own
    link type, timestamp resolution (if_tsresol, powers of 10 or of 2) and offset (if_tsoffset)."""
    sections, stop, skipped = _walk_pcapng(data, name)
    count = sum(len(chunk) for section in sections for chunk in section[2])
    notes = _truncation_notes(name, count, stop, len(data))
    if skipped:
        notes.append(f"{name}: {skipped} Simple or obsolete Packet Blocks carry no timestamp or interface "
                     "and were skipped.")
    buffer = np.frombuffer(data, dtype=np.uint8)
    parts = [_section_packets(data, buffer, order, interfaces, offsets, name)
             for order, interfaces, offsets in sections if offsets]
    if not parts:
        parts = [tuple(np.zeros(0, dtype=np.int64) for _ in range(4))]
    start, length, time_ns, linktype = (np.concatenate(column) for column in zip(*parts))
    return Packets(buffer, start, length, time_ns, linktype, np.zeros(len(start), dtype=np.int64), [sensor], notes)


def _walk_pcapng(data, name):
    """[(byte order, interfaces, [arrays of EPB offsets])] per section, where the walk stopped, and how many
    packet blocks without timestamp were skipped."""
    size, position, skipped = len(data), 0, 0
    sections = []
    runs = None
    while position + 12 <= size:
        if data[position:position + 4] == PCAPNG_MAGIC:
            order = _section_order(data, position, name)
            runs = _PacketBlockRuns(data, order)
            sections.append((order, [], []))
        elif runs is None:
            break
        else:
            position = runs.extend(position, sections[-1][2])
            if position + 12 > size or data[position:position + 4] == PCAPNG_MAGIC:
                continue
        order, interfaces, offsets = sections[-1]
        block_type, length = struct.unpack_from(order + "II", data, position)
        if length < 12 or length & 3 or position + length > size or (block_type == _EPB and length < 32):
            break
        if block_type == _EPB:
            offsets.append(np.array([position], dtype=np.int64))
        elif block_type == _IDB:
            interfaces.append(_interface(data, position, length, order))
        elif block_type in (_OPB, _SPB):
            skipped += 1
        position += length
    return sections, position, skipped


class _PacketBlockRuns:
    """Runs of consecutive Enhanced Packet Blocks found with numpy, without walking them one by one.

    Blocks start on 32-bit words. Every word holding 6 (the EPB type) whose next word is a plausible length
    repeated at the block's end is a candidate; consecutive candidates that chain (each starts where the
    previous ends) are a run of blocks. A stray candidate inside packet data breaks a run, and the walk then
    steps over one block by its header and resumes, so the result is exactly that of a block-by-block walk.
    """

    def __init__(self, data, order):
        words = np.frombuffer(data, dtype=order + "u4", count=len(data) // 4)
        start = np.flatnonzero(words[:-2] == _EPB).astype(np.int64)
        length = words[start + 1].astype(np.int64)
        end = start + length // 4
        plausible = (length >= 32) & (length & 3 == 0) & (end <= len(words))
        start, end = start[plausible], end[plausible]
        trailer = words[end - 1] == length[plausible]
        self.start, self.end = start[trailer], end[trailer]
        self.breaks = np.flatnonzero(self.start[1:] != self.end[:-1])

    def extend(self, position, offsets):
        """Append the run of blocks starting at byte ``position`` to ``offsets``; return where it ends."""
        first = int(np.searchsorted(self.start, position // 4))
        if first == len(self.start) or self.start[first] != position // 4:
            return position
        after = int(np.searchsorted(self.breaks, first))
        last = int(self.breaks[after]) if after < len(self.breaks) else len(self.start) - 1
        offsets.append(self.start[first:last + 1] * 4)
        return int(self.end[last]) * 4


def _section_order(data, position, name):
    magic = data[position + 8:position + 12]
    for order in "<>":
        if len(magic) == 4 and struct.unpack(order + "I", magic)[0] == _BYTE_ORDER_MAGIC:
            return order
    raise InputError(f"{name}: a pcapng Section Header Block at byte {position} has no valid byte-order magic; "
                     "the file is damaged.")


def _interface(data, position, length, order):
    """(link type, ns per timestamp unit as (numerator, denominator) or a power of 2, offset in ns)."""
    linktype = struct.unpack_from(order + "H", data, position + 8)[0]
    resolution, offset_s = 6, 0
    option, end = position + 16, position + length - 4
    while option + 4 <= end:
        code, size = struct.unpack_from(order + "HH", data, option)
        if code == 0:
            break
        if code == _IF_TSRESOL and size >= 1:
            resolution = data[option + 4]
        elif code == _IF_TSOFFSET and size >= 8:
            offset_s = struct.unpack_from(order + "q", data, option + 4)[0]
        option += 4 + (size + 3) // 4 * 4
    return linktype, resolution, offset_s


def _section_packets(data, buffer, order, interfaces, offsets, name):
    words = np.frombuffer(data, dtype=order + "u4", count=len(data) // 4)
    index = np.concatenate(offsets) // 4
    interface = words[index + 2].astype(np.int64)
    stamp = words[index + 3].astype(np.uint64) << np.uint64(32) | words[index + 4].astype(np.uint64)
    length = words[index + 5].astype(np.int64)
    fits = length <= words[index + 1].astype(np.int64) - 32
    known = interface < len(interfaces)
    if not (fits & known).all():
        raise InputError(f"{name}: {int((~(fits & known)).sum())} packet blocks name an interface the file does "
                         "not describe or claim more bytes than they hold; the file is damaged.")
    time_ns = np.zeros(len(index), dtype=np.int64)
    linktype = np.zeros(len(index), dtype=np.int64)
    for number, (link, resolution, offset_s) in enumerate(interfaces):
        mine = interface == number
        time_ns[mine] = _stamp_ns(stamp[mine], resolution) + offset_s * 1_000_000_000
        linktype[mine] = link
    return index * 4 + _EPB_HEADER, length, time_ns, linktype


def _stamp_ns(stamp, resolution):
    """Nanoseconds of pcapng timestamps in units of 10^-r s, or 2^-r s when the high bit of if_tsresol is set."""
    exponent = resolution & 0x7F
    if resolution & 0x80:
        whole = (stamp >> np.uint64(exponent)).astype(np.int64)
        part = (stamp & np.uint64((1 << exponent) - 1)).astype(np.float64) * (1e9 / 2.0 ** exponent)
        return whole * 1_000_000_000 + np.round(part).astype(np.int64)
    if exponent <= 9:
        return stamp.astype(np.int64) * 10 ** (9 - exponent)
    return (stamp // np.uint64(10 ** (exponent - 9))).astype(np.int64)


def _truncation_notes(name, count, stop, size):
    if stop >= size:
        return []
    if count == 0:
        raise InputError(f"{name}: no complete packet record: the file is cut short or damaged at byte {stop} "
                         f"of {size}. Copy it again from the sensor.")
    return [f"{name}: the file ends inside a packet record at byte {stop} of {size} (cut short while copying, or "
            f"the capture was still running); its {count} complete packets were read."]
