"""Flows between zones: per local day, transitions between zones within sessions, counted in devices.

Each minute of a session is given the zone of the AP that heard its strongest PR (the earliest of equally
strong ones); a change of zone from one such minute to the session's next minute with PRs is a transition.
A (day, from, to) row counts the devices that made that transition at least once in a session of that day
(the day the session starts on). Residents' sessions are left out, as they are of every count but
``devices_stable``. Zone centroids are the mean position of the zone's APs: the map draws a line between them.
"""
import numpy as np

from .localdays import day_dates
from .sessions import segment_starts
from .suppression import kept_flows
from .table import Table

FLOW_FIELDS = [("date", "date"), ("from_zone", "text"), ("to_zone", "text"), ("devices", "int")]


def zone_centroids(zone_code, xy, zones):
    """Mean AP position (x, y) of each of ``zones`` zone codes 0..zones-1."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    count = np.bincount(zone_code, minlength=zones)
    return np.column_stack([np.bincount(zone_code, xy[:, 0], zones), np.bincount(zone_code, xy[:, 1], zones)]) \
        / np.maximum(count, 1)[:, None]


def minute_zones(session, time, rss, zone):
    """The (session, minute) steps of rows sorted by session then time: each step's session and the zone of
    its strongest PR."""
    if len(time) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    minute = np.floor(time / 60.0).astype(np.int64)
    first = segment_starts(session, minute)
    strongest = np.repeat(np.maximum.reduceat(rss, first), np.diff(np.append(first, len(rss))))
    row = np.minimum.reduceat(np.where(rss == strongest, np.arange(len(rss)), len(rss)), first)
    return session[first], zone[row]


def transitions(step_session, step_zone):
    """(session, from, to) of every change of zone between consecutive steps of one session."""
    change = np.flatnonzero((step_session[1:] == step_session[:-1]) & (step_zone[1:] != step_zone[:-1]))
    return step_session[change + 1], step_zone[change], step_zone[change + 1]


def flow_table(session_of_step, from_zone, to_zone, session_device, session_day, zone_names, centroids, k):
    """OUTPUT_FLOWS as a Table (date, from_zone, to_zone, devices) sorted by those fields, flows of fewer than
    k devices left out, and the (n, 2, 2) array of line ends (from centroid, to centroid) of its rows."""
    day = session_day[session_of_step]
    first_day = int(day.min()) if len(day) else 0
    shape = (int(day.max()) - first_day + 1 if len(day) else 1, len(zone_names), len(zone_names))
    flow_keys, flow_of_move = np.unique(np.ravel_multi_index((day - first_day, from_zone, to_zone), shape),
                                        return_inverse=True)
    devices_of = int(session_device.max()) + 1 if len(session_device) else 1
    made = np.unique(flow_of_move.reshape(-1).astype(np.int64) * devices_of + session_device[session_of_step])
    devices = np.bincount(made // devices_of, minlength=len(flow_keys))
    keep = kept_flows(devices, k)
    day, origin, destination = (a[keep] for a in np.unravel_index(flow_keys, shape))
    names = np.asarray(zone_names, dtype=object)
    columns = {"date": day_dates(day + first_day), "from_zone": names[origin], "to_zone": names[destination],
               "devices": devices[keep].astype(np.int64)}
    lines = np.stack([centroids[origin], centroids[destination]], axis=1).reshape(-1, 2, 2)
    return Table(FLOW_FIELDS, columns), lines
