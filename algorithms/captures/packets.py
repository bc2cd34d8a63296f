"""Captured packets as positions in one byte buffer, and the capture formats that produce them."""
from dataclasses import dataclass, field

import numpy as np

LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP = 105, 127


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
