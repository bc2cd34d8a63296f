"""The device-model signature of probe requests, from their information elements (IEEE 802.11-2020 §9.4.2).

A probe request's body is a list of elements, each ``u8 id, u8 length, length bytes``. What a phone's chipset,
driver and OS version put there hardly changes from one scan to the next, even when its MAC address is
randomised (Vanhoef et al., AsiaCCS 2016): the signature is the elements' ids in order (and the extension id of
element 255), with the contents of Supported Rates (1), Extended Supported Rates (50), HT Capabilities (45),
VHT Capabilities (191), Extended Capabilities (127) and HE Capabilities (255, extension 35), and the OUI and
OUI type of each Vendor Specific element (221), never the rest of its payload. The SSID (0), the DS Parameter
Set (3, the channel) and every other element's contents are left out, as is everything outside the body
(sequence number, times, signal).

Reading every frame's elements one by one in Python would take longer than the rest of the import, so frames
are first grouped with numpy by a 64-bit hash of all their element bytes after the SSID (frames of one phone
model on one channel share them, whatever SSID they ask for), and one frame per group is read in Python to give
its exact signature (bytes), which the import then hashes with the tool's secret. Two groups whose bytes differ
but whose hashes agree would be merged, a chance of about one in 2^64 per pair. Raw signatures never leave the
import.
"""
from functools import cache

import numpy as np

SSID, RATES, DS_PARAMETERS, HT, EXTENDED_CAPABILITIES, VHT, VENDOR, EXTENSION = 0, 1, 3, 45, 127, 191, 221, 255
EXTENDED_RATES, HE_CAPABILITIES = 50, 35
WHOLE = (RATES, EXTENDED_RATES, HT, VHT, EXTENDED_CAPABILITIES)  # elements whose contents are kept whole
OUI_AND_TYPE = 4
_WORD = 8
_WIDTHS = (16, 32, 64, 128, 256, 512, 1024, 2048)  # bytes read per frame at once: the narrowest that holds them
_CHUNK = 8192  # frames whose bytes are mixed at once (about a MB: they stay in the processor's cache)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)
_TABLE_BITS = 20


def signatures(buffer, start, end):
    """(code per frame, int64 index into the list, -1 where the body holds no complete element; the distinct
    signatures as bytes) of the frame bodies ``buffer[start:end]`` (``buffer``: uint8 array; the bodies are the
    elements after the MAC header and before any FCS, so every start is 8 bytes or more into the buffer). An
    element that runs past its frame's end ends the signature there."""
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    code = np.full(len(start), -1, dtype=np.int64)
    if not len(start):
        return code, []
    after_ssid, skipped = _after_ssid(buffer, start, end)
    key = _mix(_hash(buffer, after_ssid, end - after_ssid), skipped.astype(np.uint64))
    representative = _representatives(key)
    rows = np.flatnonzero(representative == np.arange(len(key)))
    data, distinct = buffer.data, {}
    found = np.array([distinct.setdefault(signature(bytes(data[start[r]:end[r]])), len(distinct)) for r in rows] +
                     [-1], dtype=np.int64)
    empty = distinct.pop(b"", None)
    if empty is not None:  # bodies without a complete element: no signature
        found = np.where(found == empty, -1, found - (found > empty))
    code_of = np.full(len(key), -1, dtype=np.int64)
    code_of[rows] = found[:-1]
    return code_of[representative], list(distinct)


def _after_ssid(buffer, start, end):
    """(where the elements after a leading SSID element start, the body's start when it leads with another; and
    whether it did)."""
    pairs = _strided(buffer, "<u2")
    first = pairs[np.minimum(start, len(pairs) - 1)].astype(np.int64)
    skip = (first & 0xFF == SSID) & (start + 2 + (first >> 8) <= end)
    return np.where(skip, start + 2 + (first >> 8), start), skip


def _hash(buffer, position, length):
    """A 64-bit hash of each run of ``length`` bytes from ``position`` (and of its length)."""
    length = np.maximum(length, 0)
    key = np.zeros(len(position), dtype=np.uint64)
    bucket = np.searchsorted(_WIDTHS, length)  # beyond the widest: read the widest, then the rest by bucket
    for number in np.unique(bucket):
        rows = np.flatnonzero(bucket == number)
        width = _WIDTHS[min(number, len(_WIDTHS) - 1)]
        for chunk in range(0, len(rows), _CHUNK):
            mine = rows[chunk:chunk + _CHUNK]
            key[mine] = _hash_chunk(buffer, position[mine], length[mine], width)
    return _mix(key, length.astype(np.uint64))


def _hash_chunk(buffer, position, length, width):
    """The hash of each run (read ``width`` bytes at a time, bytes past its length masked out)."""
    key = np.zeros(len(position), dtype=np.uint64)
    masks = _word_masks(width)
    for offset in range(0, int(length.max(initial=0)), width):
        words = _gather(buffer, position + offset, width).view("<u8").reshape(len(position), width // _WORD)
        words &= np.take(masks, np.clip(length - offset, 0, width), axis=0)
        words ^= words >> _SHIFT
        key = _mix(key, words @ _column_multipliers(width // _WORD))  # wraps modulo 2^64, as a sum of products
    return key


def _gather(buffer, position, width):
    """The ``width`` bytes of ``buffer`` from each position, as one contiguous (n, width) uint8 matrix (zeros past
    the buffer's end)."""
    inside = position + width <= len(buffer)
    if inside.all():
        return _strided(buffer, f"V{width}")[position].view(np.uint8).reshape(len(position), width)
    low = int(position.min())
    padded = np.concatenate([buffer[low:], np.zeros(width, dtype=np.uint8)])
    return _gather(padded, position - low, width)


def _strided(buffer, dtype):
    """``buffer`` read as items of ``dtype`` starting at every byte (item i: the bytes from i on)."""
    size = np.dtype(dtype).itemsize
    return np.ndarray((max(len(buffer) - size + 1, 0),), dtype=dtype, buffer=buffer, strides=(1,))


@cache
def _word_masks(width):
    """(width + 1, width / 8) uint64: the masks that keep the first k bytes of width bytes read as words."""
    keep = (np.arange(width)[None, :] < np.arange(width + 1)[:, None]).astype(np.uint8) * np.uint8(0xFF)
    return np.ascontiguousarray(keep).view("<u8")


@cache
def _column_multipliers(count):
    """Odd 64-bit multipliers, one per word of a run, the same every time."""
    return np.random.default_rng(0x1E).integers(0, 1 << 62, count, dtype=np.int64).astype(np.uint64) * 2 + 1


def _representatives(key):
    """For each row, the first row with the same key: a table of 2^20 slots by the key's top bits, and np.unique
    for the rows whose slot another key took."""
    slot = (key >> np.uint64(64 - _TABLE_BITS)).astype(np.int64)
    first = np.empty(1 << _TABLE_BITS, dtype=np.int64)
    first[slot[::-1]] = np.arange(len(key))[::-1]  # the last write wins: the first row of each slot
    representative = first[slot]
    clash = np.flatnonzero(key[representative] != key)
    if len(clash):
        _, index, inverse = np.unique(key[clash], return_index=True, return_inverse=True)
        representative[clash] = clash[index][inverse.reshape(-1)]
    return representative


def signature(body):
    """The signature (bytes) of one frame body (bytes): per complete element, its id, its extension id (element
    255) and the part of its contents the signature keeps, each part preceded by its length."""
    parts, position = [], 0
    while position + 2 <= len(body):
        ident, length = body[position], body[position + 1]
        contents = body[position + 2:position + 2 + length]
        if len(contents) < length:
            break
        extension, kept = _kept(ident, contents)
        parts.append(bytes([ident, extension >= 0, max(extension, 0), len(kept)]) + kept)
        position += 2 + length
    return b"".join(parts)


def _kept(ident, contents):
    """(extension id or -1, the contents kept) of one element."""
    if ident in WHOLE:
        return -1, bytes(contents)
    if ident == VENDOR:
        return -1, bytes(contents[:OUI_AND_TYPE])
    if ident == EXTENSION and len(contents):
        return contents[0], bytes(contents[1:]) if contents[0] == HE_CAPABILITIES else b""
    return -1, b""


def _mix(key, value):
    key = (key ^ value) * _MULTIPLIER
    return key ^ key >> _SHIFT
