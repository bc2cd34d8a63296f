"""The radiotap header (https://www.radiotap.org): where a frame's Flags, Channel and first dBm_AntSignal lie.

A radiotap header is ``u8 version, u8 pad, u16 length, u32 present[...]`` followed by the fields whose bits are
set, in bit order, each aligned to its natural size counted from the start of the header. Bit 31 of a present
word announces another present word; bit 29 switches the following words back to the radiotap namespace, bit
30 to a vendor namespace, whose field (OUI, sub-namespace, skip length) tells how many bytes of vendor data to
step over. Everything is little-endian, whatever the byte order of the capture file.
"""
from dataclasses import dataclass

import numpy as np

from .packets import le, window

# bit -> (alignment, size) of the fields of the radiotap namespace that are defined or widely used (XChannel)
FIELDS = {
    0: (8, 8),    # TSFT
    1: (1, 1),    # Flags
    2: (1, 1),    # Rate
    3: (2, 4),    # Channel: u16 frequency (MHz), u16 flags
    4: (2, 2),    # FHSS
    5: (1, 1),    # dBm antenna signal (s8)
    6: (1, 1),    # dBm antenna noise
    7: (2, 2),    # Lock quality
    8: (2, 2),    # TX attenuation
    9: (2, 2),    # dB TX attenuation
    10: (1, 1),   # dBm TX power
    11: (1, 1),   # Antenna
    12: (1, 1),   # dB antenna signal
    13: (1, 1),   # dB antenna noise
    14: (2, 2),   # RX flags
    15: (2, 2),   # TX flags
    16: (1, 1),   # RTS retries
    17: (1, 1),   # data retries
    18: (4, 8),   # XChannel
    19: (1, 3),   # MCS
    20: (4, 8),   # A-MPDU status
    21: (2, 12),  # VHT
    22: (8, 12),  # timestamp
    23: (2, 12),  # HE
    24: (2, 12),  # HE-MU
    25: (2, 6),   # HE-MU-other-user
    26: (1, 1),   # 0-length PSDU
    27: (2, 4),   # L-SIG
}
TSFT, FLAGS, RATE, CHANNEL, DBM_ANTSIGNAL, ANTENNA = 0, 1, 2, 3, 5, 11
TLV, RADIOTAP_NAMESPACE, VENDOR_NAMESPACE, EXT = 28, 29, 30, 31
VENDOR_FIELD = (2, 6)  # u8 OUI[3], u8 sub_namespace, u16 skip_length
FLAG_FCS_AT_END, FLAG_BAD_FCS = 0x10, 0x40
HEADER = 8  # version, pad, length, first present word
MAX_PRESENT_WORDS = 32
_FIELD_BITS = (1 << RADIOTAP_NAMESPACE) - 1  # bits 0..28: fields (28 is the TLV list, which ends the fields)


class NeedsPacket(Exception):
    """The layout depends on the packet: a vendor namespace's skip length must be read from its bytes."""


@dataclass(frozen=True)
class Layout:
    """Offsets from the header start of the first Flags, Channel and dBm_AntSignal fields (None: absent or
    unreadable), and ``end``, the bytes the header must hold for them; ``unknown``: a field of unknown size
    stopped the walk, so fields after it could not be located."""

    flags: object
    channel: object
    antsignal: object
    end: int
    unknown: bool


def layout(words, skip_length=None):
    """The Layout of a header with these present words (a tuple of ints, the chain up to the first word
    without bit 31). ``skip_length(position)`` reads a vendor namespace's skip length from the packet; without
    it a vendor namespace raises NeedsPacket."""
    fields, unknown = walk(words, skip_length)
    first = {}
    for bit, offset, size in fields:
        first.setdefault(bit, (offset, size))
    wanted = [first.get(bit) for bit in (FLAGS, CHANNEL, DBM_ANTSIGNAL)]
    end = max([HEADER] + [offset + size for offset, size in filter(None, wanted)])
    flags, channel, antsignal = (None if item is None else item[0] for item in wanted)
    return Layout(flags, channel, antsignal, end, unknown)


def walk(words, skip_length=None):
    """([(bit, offset, size)] of every radiotap-namespace field in order, unknown): the fields a header with
    these present words holds, offsets counted from the header start; ``unknown`` when a field of unknown size
    ended the walk early. Vendor namespaces are stepped over by their skip length (see ``layout``)."""
    position = 4 + 4 * len(words)
    fields = []
    in_radiotap, word_in_namespace, vendor_end = True, 0, 0
    for word in words:
        present = word & _FIELD_BITS
        if in_radiotap and present:
            if word_in_namespace > 0:  # bits 32 and up of the radiotap namespace: none has a defined size
                return fields, True
            for bit in range(RADIOTAP_NAMESPACE):
                if not present >> bit & 1:
                    continue
                if bit not in FIELDS:  # the TLV list (bit 28) or an undefined field: nothing after is locatable
                    return fields, bit != TLV
                align, size = FIELDS[bit]
                position = -(-position // align) * align
                fields.append((bit, position, size))
                position += size
        if word & (1 << RADIOTAP_NAMESPACE | 1 << VENDOR_NAMESPACE):
            if not in_radiotap:
                position = vendor_end  # step over the vendor namespace's data
            in_radiotap, word_in_namespace = not word & (1 << VENDOR_NAMESPACE), 0
            if not in_radiotap:
                if skip_length is None:
                    raise NeedsPacket()
                align, size = VENDOR_FIELD
                position = -(-position // align) * align
                vendor_end = position + size + skip_length(position + 4)
                position += size
        else:
            word_in_namespace += 1
    return fields, False


def present_words(buffer, start, header_length, first_word):
    """(n, W) uint32 present words of the headers at ``start`` (zero after each chain's last word) and a mask of
    the headers whose chain is complete within their length; ``first_word``: their first present words."""
    count = len(start)
    words = np.zeros((count, 1), dtype=np.uint32)
    words[:, 0] = first_word
    ok = header_length >= HEADER
    going = np.flatnonzero(words[:, 0] >> EXT & 1)
    column = 1
    while len(going):
        if column == MAX_PRESENT_WORDS:
            ok[going] = False
            break
        words = np.hstack([words, np.zeros((count, 1), dtype=np.uint32)])
        inside = 4 + 4 * (column + 1) <= header_length[going]
        ok[going[~inside]] = False
        going = going[inside]
        words[going, column] = le(window(buffer, start[going] + 4 + 4 * column, 4), np.uint32)
        going = going[words[going, column] >> EXT & 1 == 1]
        column += 1
    return words, ok


def chain(row):
    """The present words of one header as a tuple (the row of ``present_words`` up to its last word)."""
    words = []
    for word in row:
        words.append(int(word))
        if not word >> EXT & 1:
            break
    return tuple(words)
