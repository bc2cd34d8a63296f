"""The presence analytics end to end: probe rows in, the day table and the flow table out (aggregates only)."""
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import InputError
from ..core.privacy import anonymise
from ..core.progress import SILENT
from ..core.records import probe_ap_rows
from ..core.validation import check_rss
from .days_table import days_table
from .device_days import device_days
from .devices import device_codes, stable_devices
from .flows import flow_table, minute_zones, transitions, zone_centroids
from .localdays import day_dates, local_days, time_zone
from .sessions import split_sessions
from .visits import visit_dwell


@dataclass
class PresenceSettings:
    """The tool's parameters, in the units users give them."""

    threshold: int = 3            # THRESHOLD: a token with more PR rows than this is a stable device
    session_gap_min: float = 10   # SESSION_GAP, minutes
    visitor_rss: float = -70      # VISITOR_RSS, dBm
    min_dwell_min: float = 5      # MIN_DWELL, minutes
    max_dwell_h: float = 12       # MAX_DWELL, hours
    timezone: str = "UTC"         # TIMEZONE, IANA name
    store_zone: str = "store"     # STORE_ZONE
    k_anonymity: int = 5          # K_ANONYMITY
    complementary: bool = True    # COMPLEMENTARY: also withhold what would give a withheld count away
    secret: str = ""              # SECRET: key of the hash that replaces raw MAC addresses

    def check(self):
        """InputError naming the first parameter out of range."""
        whole = {"THRESHOLD": self.threshold, "K_ANONYMITY": self.k_anonymity}
        for name, value in whole.items():
            if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1):
                raise InputError(f"{name} = {value}: give a whole number, 1 or more.")
        positive = {"SESSION_GAP (minutes)": self.session_gap_min, "MAX_DWELL (hours)": self.max_dwell_h}
        for name, value in positive.items():
            if not (np.isfinite(value) and value > 0):
                raise InputError(f"{name} = {value}: give a positive number.")
        if not (np.isfinite(self.min_dwell_min) and self.min_dwell_min >= 0):
            raise InputError(f"MIN_DWELL = {self.min_dwell_min}: give zero or a positive number of minutes.")
        if not (np.isfinite(self.visitor_rss) and self.visitor_rss <= 0):
            raise InputError(f"VISITOR_RSS = {self.visitor_rss}: give a signal strength in dBm (e.g. -70).")
        if not str(self.store_zone).strip():
            raise InputError("STORE_ZONE is empty: give the zone of the APs inside the store (e.g. store).")


@dataclass
class PresenceResult:
    """days: OUTPUT_DAYS; flows: OUTPUT_FLOWS; flow_lines: (flows, 2, 2) line ends from the from-zone's centroid
    to the to-zone's, in the APs' coordinates; summary: PR_ROWS, STABLE_ROWS, DAYS, FIRST_DATE, LAST_DATE
    (ISO dates); notes: remarks worth showing the user. Aggregates only: no token anywhere."""

    days: object
    flows: object
    flow_lines: np.ndarray
    summary: dict
    notes: list = field(default_factory=list)


def presence(probes, aps, ap_zones, connections=None, settings=None, progress=SILENT):
    """Visitors, passers-by, dwell, loyalty and flows of the stable devices of ``probes``.

    probes: records.Probes (time in UTC epoch seconds, as ``core.timeparse.to_seconds`` reads them; ap_id and
    mac as text; rss in dBm);
    aps: records.AccessPoints (ids, xy); ap_zones: the zone of each AP (text, parallel to aps.ids);
    connections: tokens of connected clients, or None; settings: PresenceSettings (None: the defaults).
    Raw MAC addresses (in either table) are replaced by their keyed hash with settings.secret first, as the
    Preprocessing tool does; without a secret they are refused.
    """
    settings = settings or PresenceSettings()
    settings.check()
    mac = anonymise(probes.mac, settings.secret)
    if connections is not None:
        connections = anonymise(connections, settings.secret)
    zone = time_zone(settings.timezone)
    time, rss = _checked_times(probes.time), check_rss(probes.rss)
    zone_names, ap_zone, store = _zones(aps, ap_zones, settings.store_zone)
    row_zone = ap_zone[probe_ap_rows(probes.ap_id, aps)]
    progress.step(0.1)

    device, distinct, rows = device_codes(mac)
    stable, connected = stable_devices(distinct, rows, connections, settings.threshold)
    row_day = local_days(time, zone)
    row_stable = stable[device]
    progress.step(0.3)

    order = np.flatnonzero(row_stable)
    order = order[np.lexsort((time[order], device[order]))]  # the stable rows by device, then time
    s_time, s_rss, s_zone = time[order], rss[order], row_zone[order]
    sessions = split_sessions(device[order], s_time, row_day[order], settings.session_gap_min * 60.0)
    in_store = (s_zone == store) & (s_rss >= settings.visitor_rss)
    dwell = visit_dwell(s_time, in_store, sessions.first, settings.min_dwell_min * 60.0)
    daily = device_days(sessions, dwell, settings.max_dwell_h * 3600.0)
    progress.step(0.6)

    first_day, last_day = int(row_day.min()), int(row_day.max())
    days = days_table(first_day, last_day - first_day + 1, row_day, row_stable, daily, dwell,
                      settings.k_anonymity, settings.complementary)
    progress.step(0.7)

    followed = ~daily.resident[daily.of_session][sessions.row_session]
    steps = minute_zones(sessions.row_session[followed], s_time[followed], s_rss[followed], s_zone[followed])
    flows, lines = flow_table(*transitions(*steps), sessions.device, sessions.day, zone_names,
                              zone_centroids(ap_zone, aps.xy, len(zone_names)), settings.k_anonymity)
    progress.step(1.0)
    summary = {"PR_ROWS": int(len(time)), "STABLE_ROWS": int(len(order)), "DAYS": len(days),
               "FIRST_DATE": str(day_dates(first_day)), "LAST_DATE": str(day_dates(last_day))}
    return PresenceResult(days, flows, lines, summary, _notes(connections, connected, stable, settings.threshold))


def _notes(connections, connected, stable, threshold):
    notes = []
    if connections is not None and len(connections) and not connected:
        notes.append("No token of the connections table occurs in the probe table: if the probe MACs are hashed, "
                     "hash the connections table with the same secret.")
    if not stable.any():
        notes.append(f"No stable device: every token has {threshold} PR rows or fewer and none is in the "
                     "connections table, so the day table holds zeros (only randomised MACs were heard).")
    return notes


def _checked_times(time):
    time = np.asarray(time, dtype=np.float64)
    if len(time) == 0:
        raise InputError("The probe table has no rows.")
    bad = np.flatnonzero(~np.isfinite(time))
    if len(bad):
        raise InputError(f"Row {bad[0] + 1}: the time field is empty or not a time.")
    return time


def _zones(aps, ap_zones, store_zone):
    """Sorted zone names, the zone code of every AP and the store's; InputError for an AP without a zone or
    when no AP serves the store."""
    text = np.array(["" if z is None else str(z).strip() for z in ap_zones], dtype=object)
    if len(text) != len(aps):
        raise InputError(f"{len(text)} zones for {len(aps)} APs: give one zone per AP (ZONE_FIELD).")
    empty = np.flatnonzero(text == "")
    if len(empty):
        raise InputError(f"AP '{aps.ids[empty[0]]}' has no zone in ZONE_FIELD ({len(empty)} such APs): give every "
                         "AP the zone it serves (e.g. store, corridor).")
    names, code = np.unique(text.astype(str), return_inverse=True)
    store_zone = str(store_zone).strip()
    if store_zone not in set(names):
        raise InputError(f"No AP serves STORE_ZONE = '{store_zone}': the AP layer's zones are "
                         f"{', '.join(names[:10])}. Set STORE_ZONE to the zone of the APs inside the store.")
    return names.astype(object), code.reshape(-1), int(np.flatnonzero(names == store_zone)[0])
