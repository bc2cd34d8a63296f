"""Write WiFi monitor-mode captures: 802.11 frames behind radiotap headers, in pcap or pcapng files.

Used to rehearse the import before sensors are up (see ``rehearsal``) and by the tests. Every frame kind of a
busy channel can be written: probe requests (wildcard or directed), probe responses, beacons and data frames.
Records are assembled with numpy, one matrix per frame layout, so a million frames take seconds.
"""
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import InputError
from . import radiotap
from .packets import LINKTYPE_RADIOTAP, Columns
from .probes import MAC_HEADER, NO_RSS

PROBE_REQUEST, DIRECTED_PROBE_REQUEST, PROBE_RESPONSE, BEACON, DATA = range(5)
BROADCAST = (1 << 48) - 1
DIRECTED_SSID = b"HomeNet-5G"   # a home network a phone asks for by name (personal data: never imported)
SITE_SSID = b"SiteWiFi"
_RATES = bytes([1, 8, 0x82, 0x84, 0x8B, 0x96, 0x0C, 0x12, 0x18, 0x24, 50, 4, 0x30, 0x48, 0x60, 0x6C])
_BSS_FIXED = bytes(8) + struct.pack("<HH", 100, 0x0401)  # timestamp, beacon interval, capabilities
_BODIES = {
    PROBE_REQUEST: bytes([0, 0]) + _RATES,
    DIRECTED_PROBE_REQUEST: bytes([0, len(DIRECTED_SSID)]) + DIRECTED_SSID + _RATES,
    PROBE_RESPONSE: _BSS_FIXED + bytes([0, len(SITE_SSID)]) + SITE_SSID + _RATES,
    BEACON: _BSS_FIXED + bytes([0, len(SITE_SSID)]) + SITE_SSID + _RATES,
    DATA: bytes.fromhex("aaaa030000000800") + bytes(40),  # LLC/SNAP header of an IPv4 packet, then payload
}
# The elements after the SSID in the probe requests of a few device models (model 0: rates alone, as in the
# writer's first version). Each model is a list of (element id, contents); the DS Parameter Set (3) gets the
# frame's channel. The contents follow the probe requests of phones of those kinds (IEEE 802.11-2020 §9.4.2).
_HT_IPHONE = bytes.fromhex("2d401bff") + bytes(22)
_HE = bytes.fromhex("2301080818008020300200" "0d009f08000000fdff") + bytes(2)
MODELS = (
    [(1, _RATES[2:10]), (50, _RATES[12:])],
    [(1, bytes.fromhex("82848b96")), (50, bytes.fromhex("0c1218243048606c")), (3, b"\0"), (45, _HT_IPHONE),
     (127, bytes.fromhex("0000080400000040")), (255, _HE)],  # an iPhone on iOS 16
    [(1, bytes.fromhex("02040b16")), (50, bytes.fromhex("0c1218243048606c")), (3, b"\0"),
     (45, bytes.fromhex("2d4017ff") + bytes(22)), (127, bytes.fromhex("0000088400000040")),
     (107, bytes.fromhex("0fffffffffffff"))],  # an older iPhone on iOS 15
    [(1, bytes.fromhex("82848b96")), (50, bytes.fromhex("0c1218243048606c")), (3, b"\0"),
     (45, bytes.fromhex("2d001bffff") + bytes(21)), (127, bytes.fromhex("04004880014000400021")),
     (255, bytes.fromhex("020014")), (255, bytes.fromhex("23010808180080203002800d019e000c0000f5ff")),
     (221, bytes.fromhex("00904c0408bf0c7678910ffaff0000faff0020")), (221, bytes.fromhex("0050f208001200")),
     (221, bytes.fromhex("506f9a16030102650101"))],  # an Android 13 phone with a Broadcom chipset
    [(1, bytes.fromhex("02040b16")), (50, bytes.fromhex("0c1218243048606c")), (3, b"\0"),
     (45, bytes.fromhex("ef0113ffff") + bytes(21)), (127, bytes.fromhex("04000a8200400040800120")),
     (191, bytes.fromhex("92f19033faff6203faff6203")), (221, bytes.fromhex("0050f208002800")),
     (255, bytes.fromhex("2303010002400006304c090d008008020000faff")), (255, bytes.fromhex("020017")),
     (221, bytes.fromhex("506f9a16030101650101"))],  # an Android 13 phone with a Qualcomm chipset
)
_FRAME_CONTROL = {PROBE_REQUEST: 0x0040, DIRECTED_PROBE_REQUEST: 0x0040, PROBE_RESPONSE: 0x0050,
                  BEACON: 0x0080, DATA: 0x0108}  # u16 little-endian: subtype/type byte, then flags (To DS)
# radiotap layouts: TSFT, Flags, Rate, Channel, dBm_AntSignal, Antenna in one present word; or TSFT, Flags,
# Rate, Channel, dBm_AntSignal, RX flags, then a radiotap namespace word with a per-antenna signal and Antenna
ONE_WORD = (0x0000082F,)
TWO_WORDS = (0xA000402F, 0x00000820)
NO_SIGNAL = (0x0000000F,)
_CHANNEL_FLAGS_2GHZ, _CHANNEL_FLAGS_5GHZ = 0x00A0, 0x0140
_TSFT_WRAP_US = 86_400_000_000  # TSFT counts microseconds of the day: the radio's clock, not the capture's


@dataclass
class Frames(Columns):
    """Frames one sensor heard: time (s since 1970 UTC), kind (PROBE_REQUEST, ...), transmitter (addr2) and
    receiver (addr1) as 48-bit ints, seq, rss (dBm; NO_RSS: no dBm_AntSignal field), freq_mhz, bad_fcs,
    interface (the capturing radio, for pcapng files with several) and model (probe requests: the index in
    MODELS of the elements they carry; default 0)."""

    time: np.ndarray
    kind: np.ndarray
    transmitter: np.ndarray
    receiver: np.ndarray
    seq: np.ndarray
    rss: np.ndarray
    freq_mhz: np.ndarray
    bad_fcs: np.ndarray
    interface: np.ndarray
    model: np.ndarray = field(default=None)

    def __post_init__(self):
        if self.model is None:
            self.model = np.zeros(len(self.time), dtype=np.int64)


def payloads(frames, two_words=False, fcs=False):
    """[(rows, matrix)]: the radiotap header and 802.11 frame of every frame, one uint8 matrix per layout."""
    kind = np.asarray(frames.kind)
    signal = frames.rss != NO_RSS
    model = np.where(np.isin(kind, (PROBE_REQUEST, DIRECTED_PROBE_REQUEST)), frames.model, 0)
    groups = []
    for this_kind in np.unique(kind):
        for has_signal in (True, False):
            for this_model in np.unique(model[kind == this_kind]):
                rows = np.flatnonzero((kind == this_kind) & (signal == has_signal) & (model == this_model))
                if len(rows):
                    words = (TWO_WORDS if two_words else ONE_WORD) if has_signal else NO_SIGNAL
                    groups.append((rows, _payload(frames.take(rows), int(this_kind), words, fcs, int(this_model))))
    return groups


def _body(kind, model):
    """The frame body of ``kind`` with the elements of ``model`` (probe requests), and where the channel goes."""
    if kind not in (PROBE_REQUEST, DIRECTED_PROBE_REQUEST):
        return _BODIES[kind], None
    body, channel = bytearray(_BODIES[kind][:-len(_RATES)]), None
    for ident, contents in MODELS[model]:
        if ident == 3:
            channel = len(body) + 2
        body += bytes([ident, len(contents)]) + contents
    return bytes(body), channel


def _channel_number(freq_mhz):
    freq = np.asarray(freq_mhz)
    return np.where(freq >= 5000, (freq - 5000) // 5, (freq - 2407) // 5)


def _payload(frames, kind, words, fcs, model=0):
    fields, _ = radiotap.walk(words)
    header_length = fields[-1][1] + fields[-1][2]
    body, channel = _body(kind, model)
    width = header_length + MAC_HEADER + len(body) + (4 if fcs else 0)
    count = len(frames)
    out = np.zeros((count, width), dtype=np.uint8)
    out[:, 2:4] = _le(np.full(count, header_length), 2)
    for k, word in enumerate(words):
        out[:, 4 + 4 * k:8 + 4 * k] = _le(np.full(count, word), 4)
    flags = (radiotap.FLAG_FCS_AT_END if fcs else 0) | np.where(frames.bad_fcs, radiotap.FLAG_BAD_FCS, 0)
    signals = 0
    for bit, offset, size in fields:
        out[:, offset:offset + size] = _le(_field_value(bit, frames, flags, signals), size)
        signals += bit == radiotap.DBM_ANTSIGNAL
    mac = header_length
    out[:, mac:mac + 2] = _le(np.full(count, _FRAME_CONTROL[kind]), 2)
    addr3 = {PROBE_REQUEST: np.full(count, BROADCAST), DIRECTED_PROBE_REQUEST: np.full(count, BROADCAST),
             DATA: frames.receiver}.get(kind, frames.transmitter)
    for start, address in ((4, frames.receiver), (10, frames.transmitter), (16, addr3)):
        out[:, mac + start:mac + start + 6] = _be48(address)
    out[:, mac + 22:mac + 24] = _le(np.asarray(frames.seq) << 4, 2)
    body_at = mac + MAC_HEADER
    out[:, body_at:body_at + len(body)] = np.frombuffer(body, dtype=np.uint8)
    if channel is not None:
        out[:, body_at + channel] = _channel_number(frames.freq_mhz) & 0xFF
    if fcs:
        end = width - 4
        crc = np.array([zlib.crc32(row[mac:end].tobytes()) for row in out], dtype=np.int64)
        out[:, end:] = _le(np.where(frames.bad_fcs, crc ^ 0xFFFF, crc), 4)
    return out


def _field_value(bit, frames, flags, signals):
    count = len(frames)
    if bit == radiotap.TSFT:
        return np.round(np.asarray(frames.time) * 1e6).astype(np.int64) % _TSFT_WRAP_US
    if bit == radiotap.FLAGS:
        return flags
    if bit == radiotap.RATE:
        return np.full(count, 2)  # 1 Mb/s, in 500 kb/s units
    if bit == radiotap.CHANNEL:
        band = np.where(frames.freq_mhz >= 5000, _CHANNEL_FLAGS_5GHZ, _CHANNEL_FLAGS_2GHZ)
        return np.asarray(frames.freq_mhz) | band << 16
    if bit == radiotap.DBM_ANTSIGNAL:  # the combined signal first, then one antenna's, a little weaker
        return (np.asarray(frames.rss) - 3 * signals) & 0xFF
    if bit == radiotap.ANTENNA:
        return np.full(count, signals - 1 if signals else 0)
    return np.zeros(count, dtype=np.int64)


def write_pcap(path, frames, nanoseconds=False, byte_order="<", fcs=False, snaplen=65535):
    """A classic pcap file (microsecond or nanosecond timestamps, either byte order) of ``frames``."""
    magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    header = struct.pack(byte_order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, LINKTYPE_RADIOTAP)
    scale = 1_000_000_000 if nanoseconds else 1_000_000
    units = np.round(np.asarray(frames.time) * scale).astype(np.int64)

    def record_header(rows, captured, original):
        stamp = units[rows]
        columns = [stamp // scale, stamp % scale, np.full(len(rows), captured), np.full(len(rows), original)]
        return np.hstack([_ordered(c, 4, byte_order) for c in columns])
    _write(path, header, frames, record_header, 0, two_words=False, fcs=fcs, snaplen=snaplen)


def write_pcapng(path, frames, tsresol=6, byte_order="<", two_words=False, fcs=False, interfaces=1):
    """A pcapng file of ``frames``: one section, ``interfaces`` radiotap interfaces that all stamp in units of
    10^-tsresol s (2^-(tsresol & 0x7F) s when its high bit is set), Enhanced Packet Blocks."""
    if int(np.max(frames.interface, initial=0)) >= interfaces:
        raise InputError(f"Frames name interface {int(np.max(frames.interface))} but the file has {interfaces}.")
    o = byte_order
    section = struct.pack(o + "IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
    idb = struct.pack(o + "IIHHI" + "HHB3x" + "HH" + "I", 1, 32, LINKTYPE_RADIOTAP, 0, 0, 9, 1, tsresol, 0, 0, 32)
    base = 2.0 if tsresol & 0x80 else 10.0
    units = np.round(np.asarray(frames.time) * base ** (tsresol & 0x7F)).astype(np.uint64)

    def record_header(rows, captured, original):
        total = 28 + -(-captured // 4) * 4 + 4
        stamp = units[rows]
        columns = [np.full(len(rows), 6), np.full(len(rows), total), frames.interface[rows],
                   (stamp >> np.uint64(32)).astype(np.int64), (stamp & np.uint64(0xFFFFFFFF)).astype(np.int64),
                   np.full(len(rows), captured), np.full(len(rows), original)]
        return np.hstack([_ordered(c, 4, o) for c in columns])

    def trailer(rows, captured):
        total = 28 + -(-captured // 4) * 4 + 4
        return np.hstack([np.zeros((len(rows), -captured % 4), dtype=np.uint8),
                          _ordered(np.full(len(rows), total), 4, o)])
    _write(path, section + idb * interfaces, frames, record_header, trailer, two_words=two_words, fcs=fcs)


def _write(path, file_header, frames, record_header, trailer, two_words, fcs, snaplen=None):
    groups = []
    for rows, payload in payloads(frames, two_words=two_words, fcs=fcs):
        original = payload.shape[1]
        captured = min(original, snaplen) if snaplen else original
        parts = [record_header(rows, captured, original), payload[:, :captured]]
        if trailer:
            parts.append(trailer(rows, captured))
        groups.append((rows, np.hstack(parts)))
    size = np.zeros(len(frames), dtype=np.int64)
    for rows, record in groups:
        size[rows] = record.shape[1]
    order = np.argsort(frames.time, kind="stable")
    offset = np.zeros(len(frames), dtype=np.int64)
    offset[order] = np.cumsum(size[order]) - size[order]
    body = np.zeros(int(size.sum()), dtype=np.uint8)
    for rows, record in groups:
        body[offset[rows][:, None] + np.arange(record.shape[1])] = record
    with open(path, "wb") as handle:
        handle.write(file_header)
        handle.write(body.tobytes())


def _le(values, size):
    return _ordered(values, size, "<")


def _ordered(values, size, byte_order):
    """Each value as ``size`` bytes in ``byte_order``: an (n, size) uint8 matrix."""
    values = np.asarray(values).astype(np.int64) & ((1 << 8 * size) - 1 if size < 8 else -1)
    octets = values.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :size]
    return octets[:, ::-1] if byte_order == ">" else octets


def _be48(address):
    return np.asarray(address).astype(">u8").view(np.uint8).reshape(-1, 8)[:, 2:]
