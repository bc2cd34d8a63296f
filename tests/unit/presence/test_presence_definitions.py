"""The frozen definitions of the presence analytics, each at its threshold, on hand-made PR rows (UTC days).

S1..S3 are APs of zone ``store``, C1..C3 of zone ``corridor``; unless a test says otherwise THRESHOLD = 3,
SESSION_GAP = 10 min, VISITOR_RSS = -70 dBm, MIN_DWELL = 5 min, MAX_DWELL = 12 h and K_ANONYMITY = 1
(nothing suppressed), so every expected number is read off the rows.
"""
from datetime import date

import pytest
from presence_store import hand_probes, site, utc

from wifidensity.algorithms.core.errors import Cancelled
from wifidensity.algorithms.core.progress import Progress
from wifidensity.algorithms.presence import PresenceSettings, presence
from wifidensity.algorithms.presence.days_table import DAY_FIELDS

NAMES = [name for name, _ in DAY_FIELDS]
T0 = utc("2024-05-06T10:00:00")


def days(rows, connections=None, **settings):
    aps, zones = site()
    result = presence(hand_probes(rows), aps, zones, connections,
                      PresenceSettings(**{"k_anonymity": 1, **settings}))
    return [dict(zip(NAMES, row)) for row in result.days.rows()]


def stay(token, start, minutes, ap="S1", rss=-50.0, step=60.0):
    """PRs of ``token`` every ``step`` s from ``start`` for ``minutes`` (both ends included)."""
    count = int(round(minutes * 60 / step))
    return [(start + i * step, ap, token, rss) for i in range(count + 1)]


def test_a_gap_of_exactly_session_gap_keeps_the_session_and_one_second_more_splits_it():
    rows = stay("g", T0, 10, step=600) + [(T0 + 1201, "S1", "g", -50.0), (T0 + 1230, "S1", "g", -50.0)]
    (day,) = days(rows)
    assert (day["visitors"], day["reentries"], day["dwell_5_20"], day["median_dwell_min"]) == (1, 0, 1, 10.0)


def test_a_visit_needs_two_store_prs_at_least_one_second_apart():
    rows = ([(T0, "S1", "a", -50.0), (T0 + 0.5, "S2", "a", -50.0)] + stay("a", T0 + 3600, 3, ap="C1")
            + [(T0, "S1", "b", -50.0), (T0 + 1.0, "S2", "b", -50.0)] + stay("b", T0 + 3600, 3, ap="C1"))
    (day,) = days(rows, min_dwell_min=0)
    assert (day["visitors"], day["passersby"]) == (1, 1)
    assert day["median_dwell_min"] == pytest.approx(1 / 60)
    assert day["dwell_5_20"] == 0  # a 1 s visit lies under every bucket


def test_visitor_rss_and_min_dwell_are_inclusive():
    rows = (stay("at", T0, 5, rss=-70.0) + stay("weak", T0, 30, rss=-70.5)
            + stay("short", T0, 299 / 60, step=299 / 4) + stay("corridor", T0, 30, ap="C1", rss=-40.0))
    (day,) = days(rows)
    assert (day["visitors"], day["passersby"], day["dwell_5_20"]) == (1, 3, 1)


def test_the_dwell_is_the_span_of_the_strong_store_prs_and_bucket_edges_go_up():
    rows = []
    for token, minutes in (("d5", 5), ("d20", 20), ("d60", 60), ("d360", 360)):
        rows += stay(token, T0 - 600, 9, ap="C1") + stay(token, T0, minutes, step=300)
        rows += [(T0 + 60, "S2", token, -80.0), (T0 + minutes * 60 + 200, "S3", token, -75.0)]  # too weak
    (day,) = days(rows)
    assert [day[f] for f in ("dwell_5_20", "dwell_20_60", "dwell_60_360", "dwell_360_plus")] == [1, 1, 1, 1]
    assert day["median_dwell_min"] == 40.0  # (20 + 60) / 2


def test_residents_span_more_than_max_dwell_in_total_and_count_in_devices_stable_only():
    twelve_hours = stay("twelve", T0 - 8 * 3600, 6 * 60, step=600) + stay("twelve", T0, 6 * 60, step=600)
    longer = stay("longer", T0 - 8 * 3600, 6 * 60, step=600) + stay("longer", T0, 6 * 60, step=600)
    longer.append((T0 + 6 * 3600 + 1, "S1", "longer", -50.0))  # 12 h and 1 s in all
    (day,) = days(twelve_hours + longer)
    assert (day["devices_stable"], day["residents"], day["visitors"], day["reentries"]) == (2, 1, 1, 1)
    assert day["dwell_360_plus"] == 2  # the two visits of the 12-hour device, none of the resident's


def test_stable_means_more_than_threshold_rows_or_connected():
    rows = stay("three", T0, 10, step=300)[:3] + stay("four", T0, 15, step=300) + stay("listed", T0, 10, step=600)
    assert days(rows)[0]["visitors"] == 1
    assert days(rows, connections=["listed"])[0]["visitors"] == 2
    assert days(rows, threshold=2)[0]["visitors"] == 2


def test_a_session_belongs_to_the_day_it_starts_on_and_the_share_to_the_rows_day():
    late = stay("late", utc("2024-05-06T23:55:00"), 15, step=150)
    other = stay("other", utc("2024-05-06T12:00:00"), 2, ap="C1", step=30)
    randomised = [(utc("2024-05-07T00:05:00"), "S1", f"r{i}", -50.0) for i in range(3)]
    first, second = days(late + other + randomised)
    assert (first["date"], first["devices_stable"], first["visitors"], first["passersby"]) == \
        (date(2024, 5, 6), 2, 1, 1)
    assert (second["devices_stable"], second["visitors"]) == (0, 0)
    assert first["stable_share"] == 1.0 and second["stable_share"] == 5 / 8  # 5 of "late"'s rows after midnight


def test_one_row_per_day_from_the_first_to_the_last_day_with_a_pr():
    rows = stay("a", utc("2024-05-06T10:00:00"), 6) + [(utc("2024-05-09T08:00:00"), "C1", "x", -60.0)]
    table = days(rows)
    assert [r["date"] for r in table] == [date(2024, 5, d) for d in (6, 7, 8, 9)]
    assert [r["devices_stable"] for r in table] == [1, 0, 0, 0]
    assert [r["capture_rate"] for r in table] == [1.0, None, None, None]  # no one seen: no rate
    assert [r["stable_share"] for r in table] == [1.0, None, None, 0.0]   # no PR at all on the 7th and 8th
    assert all(r["suppressed"] == "" for r in table)


def test_loyalty_counts_distinct_visit_days_on_the_latest_row_only():
    rows = []
    for day in range(1, 7):
        start = utc(f"2024-05-0{day}T10:00:00")
        rows += stay("loyal", start, 30, step=300)
        if day <= 3:
            rows += stay("twice", start, 6) + stay("twice", start + 3600, 6)  # re-entry: still one visit day
        if day == 6:
            rows += stay("once", start, 6) + stay("passing", start, 6, ap="C2")
    table = days(rows)
    assert [r["visit_days_1"] for r in table] == [None] * 5 + [1]
    assert (table[-1]["visit_days_2_4"], table[-1]["visit_days_5_plus"]) == (1, 1)
    assert [r["reentries"] for r in table] == [1, 1, 1, 0, 0, 0]


def test_only_randomised_tokens_give_zeros_and_say_why():
    aps, zones = site()
    rows = [(T0 + 60 * i, "S1", f"r{i}", -50.0) for i in range(20)]
    result = presence(hand_probes(rows), aps, zones, settings=PresenceSettings(k_anonymity=1))
    (day,) = [dict(zip(NAMES, row)) for row in result.days.rows()]
    assert (day["devices_stable"], day["visitors"], day["stable_share"], day["median_dwell_min"]) == (0, 0, 0.0, None)
    assert len(result.flows) == 0 and result.flow_lines.shape == (0, 2, 2)
    assert any("No stable device" in note for note in result.notes)


def test_progress_is_reported_and_cancel_stops_the_tool():
    class Recorder(Progress):
        def __init__(self, cancel_after):
            self.seen, self.cancel_after = [], cancel_after

        def report(self, fraction):
            self.seen.append(fraction)

        def is_cancelled(self):
            return len(self.seen) >= self.cancel_after

    aps, zones = site()
    rows = hand_probes(stay("a", T0, 30))
    done = Recorder(cancel_after=99)
    presence(rows, aps, zones, progress=done)
    assert done.seen == sorted(done.seen) and done.seen[-1] == 1.0
    with pytest.raises(Cancelled):
        presence(rows, aps, zones, progress=Recorder(cancel_after=2))
