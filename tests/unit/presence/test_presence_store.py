"""Presence analytics on a simulated store over 7 local days (tests/presence_store.py).

The simulation scripts every stable device's sessions with a margin from every threshold (no gap within 2 min
of SESSION_GAP, no store RSS within 2 dB of VISITOR_RSS, no dwell within 1 min of MIN_DWELL or of a bucket
edge, no day's total within 1 h of MAX_DWELL, every stable device above THRESHOLD rows and every
randomised token at or below it), so the truth of each device and day follows from the script alone:
``truth_days`` counts it from the script, never from the PR rows (but stable_share, which is a row count
by Paris date). Every cell of OUTPUT_DAYS must equal it.
"""
from datetime import timedelta

import numpy as np
import pytest
from presence_store import DAYS, FIRST_DATE, simulate_store, truth_days

from wifidensity.algorithms.presence import PresenceSettings, presence
from wifidensity.algorithms.presence.days_table import DAY_FIELDS

NAMES = [name for name, _ in DAY_FIELDS]
COUNTS = [name for name, kind in DAY_FIELDS if kind == "int"]


@pytest.fixture(scope="module")
def store():
    return simulate_store()


@pytest.fixture(scope="module")
def truth(store):
    return truth_days(store)


def day_rows(store, **settings):
    result = presence(store.probes, store.aps, store.ap_zones, store.connections,
                      PresenceSettings(timezone="Europe/Paris", **settings))
    return [dict(zip(NAMES, row)) for row in result.days.rows()]


def test_the_simulation_holds_every_case(store, truth):
    """The cases the acceptance asks for are there, so the exact comparison below means something."""
    cells = truth.values()
    assert all(c["passersby"] >= 5 and c["visitors"] >= 20 and c["residents"] >= 1 for c in cells)
    assert all(c[f] >= 1 for c in cells for f in ("dwell_5_20", "dwell_20_60", "dwell_60_360", "dwell_360_plus"))
    assert all(c["reentries"] >= 1 for c in cells)
    assert any(s.kind == "short" for d in store.devices for s in d.sessions)
    last = truth[FIRST_DATE + timedelta(days=DAYS - 1)]
    assert last["visit_days_1"] > 0 and last["visit_days_2_4"] > 0 and last["visit_days_5_plus"] > 0
    assert any(d.connected for d in store.devices) and len(store.random_tokens) >= 1000


def test_every_cell_of_the_day_table_equals_the_truth(store, truth):
    rows = day_rows(store, k_anonymity=1)
    assert [r["date"] for r in rows] == [FIRST_DATE + timedelta(days=i) for i in range(DAYS)]
    for row in rows:
        expected = truth[row["date"]]
        assert {f: row[f] for f in NAMES[1:-1]} == {f: expected[f] for f in NAMES[1:-1]}, row["date"]
        assert row["suppressed"] == ""
        assert row["devices_stable"] == row["passersby"] + row["visitors"] + row["residents"]


def test_k_anonymity_suppresses_exactly_the_small_counts(store, truth):
    """The rule as written (COMPLEMENTARY off): every count 1..K-1 and nothing else."""
    k, withheld = 5, 0
    for row in day_rows(store, k_anonymity=k, complementary=False):
        expected = truth[row["date"]]
        small = {f for f in COUNTS if expected[f] is not None and 1 <= expected[f] < k}
        seen = expected["visitors"] + expected["passersby"]
        small |= {"capture_rate"} if 1 <= seen < k else set()
        small |= {"median_dwell_min"} if 1 <= expected["_visits"] < k else set()
        assert set(filter(None, row["suppressed"].split(", "))) == small, row["date"]
        for f in NAMES[1:-1]:
            assert row[f] == (None if f in small else expected[f]), (row["date"], f)
        withheld += len(small)
    assert withheld >= DAYS  # residents (1 to 4 a day) at least: the rule was exercised


def derivable(row):
    """Withheld fields of a published day row that its other cells give away: one unknown in a sum the row
    always satisfies, or a rate shown beside one of its terms."""
    from wifidensity.algorithms.presence.days_table import IDENTITIES, RATE_TERMS
    withheld = set(filter(None, row["suppressed"].split(", ")))
    found = set()
    for fields in IDENTITIES:
        unknown = [f for f in fields if row[f] is None]
        if len(unknown) == 1 and unknown[0] in withheld:
            found |= set(unknown)
    for rate, terms in RATE_TERMS.items():
        if row[rate] is not None:
            found |= {t for t in terms if t in withheld}
    return found


def test_complementary_suppression_leaves_no_withheld_count_to_work_out(store, truth):
    k = 5
    leaked = [(row["date"], derivable(row)) for row in day_rows(store, k_anonymity=k, complementary=False)]
    assert any(found for _, found in leaked), "the rule as written leaves counts to work out on this store"
    for row in day_rows(store, k_anonymity=k):
        expected = truth[row["date"]]
        assert derivable(row) == set(), row["date"]
        for f in COUNTS:  # a small count is always withheld; a published cell is always the truth
            if expected[f] is not None and 1 <= expected[f] < k:
                assert row[f] is None and f in row["suppressed"], (row["date"], f)
            if row[f] is not None:
                assert row[f] == expected[f], (row["date"], f)


def test_randomised_tokens_are_never_followed(store):
    """Dropping every randomised phone's rows changes stable_share only."""
    kept = ~np.isin(store.probes.mac.astype(str), store.random_tokens)
    with_them = day_rows(store, k_anonymity=1)
    without = presence(store.probes.take(kept), store.aps, store.ap_zones, store.connections,
                       PresenceSettings(timezone="Europe/Paris", k_anonymity=1))
    for a, b in zip(with_them, (dict(zip(NAMES, r)) for r in without.days.rows())):
        assert b["stable_share"] == 1.0 and a["stable_share"] < 1.0
        assert {f: a[f] for f in COUNTS} == {f: b[f] for f in COUNTS}


def test_utc_days_move_the_sessions_started_after_local_midnight(store, truth):
    """The simulation starts two visits at 00:30 Paris time: on 03-31 (23:30 UTC of 03-30, winter time) and on
    04-01 (22:30 UTC of 03-31, summer time). With TIMEZONE = UTC each belongs to the day before; no other
    session starts within 2 h of local midnight but the 23:40 and 23:50 ones, which stay on their day."""
    rows = presence(store.probes, store.aps, store.ap_zones, store.connections,
                    PresenceSettings(timezone="UTC", k_anonymity=1)).days.rows()
    moved = {FIRST_DATE + timedelta(days=3): +1, FIRST_DATE + timedelta(days=5): -1}
    for row in rows:
        for f in ("devices_stable", "visitors"):
            assert row[NAMES.index(f)] == truth[row[0]][f] + moved.get(row[0], 0), (row[0], f)
