"""Flows between zones on a hand-made case: the zone of each minute is that of its strongest PR, a change of
zone within a session is a transition, and each (day, from, to) counts devices, residents and randomised
tokens left out."""
from datetime import date

import numpy as np
from presence_store import hand_probes, utc

from wifidensity.algorithms.core.records import AccessPoints
from wifidensity.algorithms.presence import PresenceSettings, presence

AP_XY = {"S1": (0.0, 0.0), "S2": (20.0, 0.0), "S3": (10.0, 15.0), "C1": (-15.0, -10.0), "C2": (35.0, -10.0),
         "C3": (10.0, -20.0), "K1": (50.0, 50.0)}
AP_ZONE = {"S": "store", "C": "corridor", "K": "cafe"}
CENTROID = {"store": (10.0, 5.0), "corridor": (10.0, -40.0 / 3.0), "cafe": (50.0, 50.0)}
DAY1, DAY2 = utc("2024-05-06T10:00:00"), utc("2024-05-07T10:00:00")  # whole minutes


def minutes(token, start, zones_by_minute):
    """One PR per minute at the first AP of each zone letter, RSS -50."""
    return [(start + 60 * i, f"{z}1" if z != "S" else "S2", token, -50.0) for i, z in enumerate(zones_by_minute)]


def case():
    rows = minutes("a", DAY1, "CSSC") + minutes("a", DAY2, "CCK")                  # C>S, S>C; next day C>K
    rows += minutes("b", DAY1, "CSCS")                                             # C>S twice: one device
    rows += [(DAY1, "S1", "c", -60.0), (DAY1 + 30, "C1", "c", -50.0),             # minute 0: corridor (strongest)
             (DAY1 + 60, "S1", "c", -40.0),                                        # minute 1: store
             (DAY1 + 120, "S1", "c", -50.0), (DAY1 + 140, "C1", "c", -50.0),      # tie: the earlier, store
             (DAY1 + 180, "K1", "c", -50.0)]                                       # S>K
    rows += minutes("d", DAY1, "CC") + minutes("d", DAY1 + 15 * 60, "SS")         # a gap: two sessions, no flow
    rows += [(DAY1 - 10 * 3600 + 300 * i, "S1" if i % 2 else "C1", "staff", -50.0) for i in range(160)]
    rows += minutes("phone", DAY1, "CSC")                                          # 3 rows: never followed
    return hand_probes(rows)


def flows(k):
    ids = list(AP_XY)
    aps = AccessPoints(np.array(ids, dtype=object), np.array([AP_XY[a] for a in ids]), np.zeros(len(ids), bool))
    result = presence(case(), aps, [AP_ZONE[a[0]] for a in ids], settings=PresenceSettings(k_anonymity=k))
    return result.flows.rows(), result.flow_lines


def test_flows_count_devices_per_day_and_transition():
    rows, lines = flows(k=1)
    assert rows == [(date(2024, 5, 6), "corridor", "store", 3), (date(2024, 5, 6), "store", "cafe", 1),
                    (date(2024, 5, 6), "store", "corridor", 2), (date(2024, 5, 7), "corridor", "cafe", 1)]
    for (_, origin, destination, _), line in zip(rows, lines):
        np.testing.assert_allclose(line, [CENTROID[origin], CENTROID[destination]])


def test_flows_below_k_are_left_out():
    rows, lines = flows(k=2)
    assert rows == [(date(2024, 5, 6), "corridor", "store", 3), (date(2024, 5, 6), "store", "corridor", 2)]
    assert lines.shape == (2, 2, 2)
    assert flows(k=4)[0] == [] and flows(k=4)[1].shape == (0, 2, 2)
