"""Flows between zones: per local day, transitions between zones within sessions, counted in devices.

Each minute of a session is given the zone of the AP that heard its strongest PR (the earliest of equally
strong ones); a change of zone from one such minute to the next minute of the same session is a transition.
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
    moves = np.column_stack([session_day[session_of_step], from_zone, to_zone,
                             session_device[session_of_step]]).astype(np.int64).reshape(-1, 4)
    distinct_moves = np.unique(moves, axis=0)
    flows, devices = np.unique(distinct_moves[:, :3], axis=0, return_counts=True)
    keep = kept_flows(devices, k)
    flows, devices = flows.reshape(-1, 3)[keep], devices[keep]
    names = np.asarray(zone_names, dtype=object)
    columns = {"date": day_dates(flows[:, 0]), "from_zone": names[flows[:, 1]], "to_zone": names[flows[:, 2]],
               "devices": devices.astype(np.int64)}
    lines = np.stack([centroids[flows[:, 1]], centroids[flows[:, 2]]], axis=1).reshape(-1, 2, 2)
    return Table(FLOW_FIELDS, columns), lines
