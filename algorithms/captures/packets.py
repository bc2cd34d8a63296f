"""Captured packets as positions in one byte buffer; columns of frames as parallel arrays."""
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP = 105, 127


class Columns:
    """Mixin of a dataclass whose fields are parallel arrays, one element per frame."""

    def __len__(self):
        return len(getattr(self, fields(self)[0].name))

    def take(self, index):
        """The frames selected by a mask or an index array."""
        return type(self)(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concatenate(cls, parts):
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


@dataclass
class Packets:
    """The packets of one input: buffer (uint8, the file or the concatenated blobs), start and length (captured
    bytes) of each packet in it, time_ns (int64 ns since 1970 UTC, the capture record's time), linktype, and
    sensor (index into ``sensors``, the sensor ids); notes: remarks for the user."""

    buffer: np.ndarray
    start: np.ndarray
    length: np.ndarray
    time_ns: np.ndarray
    linktype: np.ndarray
    sensor: np.ndarray
    sensors: list
    notes: list = field(default_factory=list)

    def __len__(self):
        return len(self.start)


def window(buffer, position, width):
    """The ``width`` bytes of ``buffer`` (uint8 array) from each position, as an (n, width) matrix: one gather
    of rows of a strided view (no index matrix) for all the fields a decoder reads there."""
    return sliding_window_view(buffer, width)[np.asarray(position)]


def le(octets, dtype):
    """Little-endian unsigned integers from the columns of an (n, k) uint8 matrix, as ``dtype``."""
    value = octets[:, 0].astype(dtype)
    for k in range(1, octets.shape[1]):
        value |= octets[:, k].astype(dtype) << dtype(8 * k)
    return value
