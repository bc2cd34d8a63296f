"""Column-wise containers for probe requests and access points."""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError


@dataclass
class Probes:
    """Probe requests as parallel arrays (one element per PR).

    time: float64 seconds (epoch or any common origin); ap_id: object array of AP ids as text;
    mac: object array of MAC tokens as text; rss: float64 dBm.
    extra: optional further columns with the same length (e.g. ``emission``, ``class``).
    """

    time: np.ndarray
    ap_id: np.ndarray
    mac: np.ndarray
    rss: np.ndarray
    extra: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.rss)

    def take(self, index):
        """The PRs selected by a boolean mask or an index array, extra columns included."""
        return Probes(self.time[index], self.ap_id[index], self.mac[index], self.rss[index],
                      {k: v[index] for k, v in self.extra.items()})


@dataclass
class AccessPoints:
    """Access points in a metric CRS: ids (text), xy (n x 2 metres), indoor flags, crs (WKT or EPSG text)."""

    ids: np.ndarray
    xy: np.ndarray
    indoor: np.ndarray
    crs: str = ""

    def __len__(self):
        return len(self.ids)

    def index_of(self, ap_ids):
        """Row index of each AP id in ``ap_ids``; -1 where the id is not a known AP."""
        wanted = np.asarray(ap_ids).astype(str)
        if len(self.ids) == 0:
            return np.full(len(wanted), -1, dtype=np.int64)
        known = np.asarray(self.ids).astype(str)
        order = np.argsort(known)
        position = np.searchsorted(known[order], wanted).clip(0, len(known) - 1)
        return np.where(known[order][position] == wanted, order[position], -1).astype(np.int64)


def probe_ap_rows(probe_ap_ids, aps):
    """Row of each PR's AP in ``aps``; InputError naming the first PRs whose AP is not in the AP layer."""
    rows = aps.index_of(probe_ap_ids)
    missing = np.flatnonzero(rows < 0)
    if len(missing):
        names = sorted({str(probe_ap_ids[i]) for i in missing[:1000]})[:5]
        raise InputError(f"{len(missing)} probe requests name an AP that is not in the AP layer (first at row "
                         f"{missing[0] + 1}, AP ids {', '.join(names)}). Add those APs to the AP layer, check "
                         f"AP_ID_FIELD / AP_FIELD, or filter those PRs out.")
    return rows
