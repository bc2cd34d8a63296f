"""Filtering (paper §4.5 and §5.1.1): set aside PRs of indoor APs and PRs louder than RSS_MAX.

Indoor APs hear clients that are not on the outdoor site, and very strong PRs come from devices next to an
AP whose bowl would be a spike; the removed PRs are not lost, Reassembly adds them back as a separate piece.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.validation import check_rss

INDOOR, LOUD = "indoor AP", "RSS above RSS_MAX"
DEFAULT_RSS_MAX = -60.0  # dBm (paper §5.1.1)


@dataclass
class FilterSplit:
    """removed: True for every PR set aside; reason: why ('' where kept); kept/removed counts."""

    removed: np.ndarray
    reason: np.ndarray

    @property
    def kept_count(self):
        return int((~self.removed).sum())

    @property
    def removed_count(self):
        return int(self.removed.sum())


def split_probes(ap_id, rss, aps=None, rss_max=DEFAULT_RSS_MAX, indoor_ids=(), rss_field="rss"):
    """Which PRs to remove: those of indoor APs (``aps.indoor`` or listed in ``indoor_ids``) and those with
    RSS > ``rss_max`` dBm.

    aps: records.AccessPoints or None; when given, every AP id of the probes must be one of its ids.
    """
    ap_id = np.asarray(ap_id).astype(str)
    rss = check_rss(rss, rss_field)
    if not np.isfinite(rss_max):
        raise InputError(f"RSS_MAX = {rss_max:g} dBm is not a number; the paper uses -60.")
    indoor_ids = {str(a).strip() for a in indoor_ids if str(a).strip()}
    known = None if aps is None else set(np.asarray(aps.ids).astype(str))
    if known is not None:
        _check_known(np.unique(ap_id), known, "The probe table has AP ids that are not in the AP layer",
                     "Add them to the AP layer or fix AP_FIELD / AP_ID_FIELD.")
        _check_known(sorted(indoor_ids), known, "INDOOR_APS lists AP ids that are not in the AP layer",
                     "Use the ids of the AP layer.")
        indoor_ids |= set(np.asarray(aps.ids)[np.asarray(aps.indoor, dtype=bool)].astype(str))
    indoor = np.isin(ap_id, sorted(indoor_ids))
    loud = rss > rss_max
    reason = np.where(indoor, INDOOR, np.where(loud, LOUD, "")).astype(object)
    return FilterSplit(indoor | loud, reason)


def _check_known(ids, known, problem, fix):
    unknown = [a for a in ids if a not in known]
    if unknown:
        shown = ", ".join(f"'{a}'" for a in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise InputError(f"{problem}: {shown} ({len(unknown)} in all). {fix}")
