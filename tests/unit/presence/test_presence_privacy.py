"""Privacy of the presence outputs: small counts suppressed exactly, no token in any output or message, and
bad input refused with a message that names the parameter, field or row."""
from datetime import date

import numpy as np
import pytest
from presence_store import hand_probes, simulate_store, site, utc

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.records import Probes
from wifidensity.algorithms.presence import PresenceSettings, presence
from wifidensity.algorithms.presence.days_table import DAY_FIELDS

NAMES = [name for name, _ in DAY_FIELDS]


def stay(token, start, minutes, ap="S1"):
    return [(utc(start) + 60 * i, ap, token, -50.0) for i in range(minutes + 1)]


def small_store():
    """Day 1: 3 visitors (one re-enters: 4 visits of 6 min), 6 passers-by. Day 2: 2 visitors, 1 passer-by."""
    rows = []
    for i in range(3):
        rows += stay(f"v{i}", "2024-05-06T10:00:00", 6)
    rows += stay("v0", "2024-05-06T14:00:00", 6)
    for i in range(6):
        rows += stay(f"p{i}", "2024-05-06T11:00:00", 4, ap="C1")
    rows += stay("v0", "2024-05-07T10:00:00", 6) + stay("v1", "2024-05-07T10:00:00", 6)
    rows += stay("p0", "2024-05-07T11:00:00", 4, ap="C1")
    return rows


def run(rows, k, complementary=False):
    aps, zones = site()
    result = presence(hand_probes(rows), aps, zones,
                      settings=PresenceSettings(k_anonymity=k, complementary=complementary))
    return [dict(zip(NAMES, row)) for row in result.days.rows()]


def test_counts_from_1_to_k_minus_1_are_null_and_named_and_zero_stays_zero():
    first, second = run(small_store(), k=5)
    assert {f: first[f] for f in NAMES[1:-2]} == {
        "devices_stable": 9, "passersby": 6, "visitors": None, "residents": 0, "reentries": None,
        "capture_rate": 3 / 9, "dwell_5_20": None, "dwell_20_60": 0, "dwell_60_360": 0, "dwell_360_plus": 0,
        "median_dwell_min": None, "visit_days_1": None, "visit_days_2_4": None, "visit_days_5_plus": None}
    assert first["suppressed"] == "visitors, reentries, dwell_5_20, median_dwell_min"
    assert {f: second[f] for f in NAMES[1:-2]} == {
        "devices_stable": None, "passersby": None, "visitors": None, "residents": 0, "reentries": 0,
        "capture_rate": None, "dwell_5_20": None, "dwell_20_60": 0, "dwell_60_360": 0, "dwell_360_plus": 0,
        "median_dwell_min": None, "visit_days_1": None, "visit_days_2_4": None, "visit_days_5_plus": 0}
    assert second["suppressed"] == ("devices_stable, passersby, visitors, capture_rate, dwell_5_20, "
                                    "median_dwell_min, visit_days_1, visit_days_2_4")
    assert (first["date"], second["date"]) == (date(2024, 5, 6), date(2024, 5, 7))


def test_complementary_suppression_hides_what_the_sums_give_away():
    """With the rule as written, day 1 shows devices_stable 9 = passersby 6 + residents 0 + visitors (withheld),
    and capture_rate 3/9: both give visitors = 3 away. Complementary suppression withholds passersby too (the
    smallest other term), and the rate with it."""
    first, _ = run(small_store(), k=5, complementary=True)
    assert first["visitors"] is None and first["passersby"] is None and first["capture_rate"] is None
    assert first["devices_stable"] == 9 and first["residents"] == 0
    assert first["suppressed"] == "passersby, visitors, reentries, capture_rate, dwell_5_20, median_dwell_min"


def test_the_same_store_unsuppressed():
    first, second = run(small_store(), k=1)
    assert (first["visitors"], first["reentries"], first["dwell_5_20"], first["median_dwell_min"]) == (3, 1, 4, 6.0)
    assert (second["visit_days_1"], second["visit_days_2_4"], second["capture_rate"]) == (1, 2, 2 / 3)
    assert first["suppressed"] == second["suppressed"] == ""


def every_text(result):
    """Every value the result holds, as text."""
    texts = [str(v) for table in (result.days, result.flows) for row in table.rows() for v in row]
    texts += [str(v) for v in result.summary.values()] + list(result.notes) + [repr(result)]
    return texts + [str(v) for v in result.flow_lines.ravel()]


@pytest.mark.parametrize("k", [1, 5])
def test_no_token_in_any_output(k):
    store = simulate_store(random_per_day=50)
    tokens = {str(t) for t in store.probes.mac} | {str(t) for t in store.connections}
    result = presence(store.probes, store.aps, store.ap_zones, store.connections,
                      PresenceSettings(timezone="Europe/Paris", k_anonymity=k))
    assert len(result.flows) > 0
    text = "\n".join(every_text(result))
    assert [t for t in tokens if t in text] == []


def test_no_token_in_a_message():
    tokens = ["aa:bb:cc:dd:ee:ff", "secret-token-1"]
    rows = stay(tokens[0], "2024-05-06T10:00:00", 6) + [(utc("2024-05-06T10:00:00"), "X9", tokens[1], -50.0)]
    probes = hand_probes(rows)
    aps, zones = site()
    broken = [Probes(probes.time, probes.ap_id, probes.mac, np.where(probes.mac == tokens[1], np.nan, probes.rss)),
              Probes(np.where(probes.mac == tokens[1], np.nan, probes.time), probes.ap_id, probes.mac, probes.rss),
              probes]
    keyed = PresenceSettings(secret="site-key")
    for case in broken:
        with pytest.raises(InputError) as error:
            presence(case, aps, zones, connections=np.array(["zz:zz"], dtype=object), settings=keyed)
        assert not any(t in str(error.value) for t in tokens), str(error.value)
    result = presence(probes.take(probes.ap_id != "X9"), aps, zones, connections=np.array(["zz"], dtype=object),
                      settings=keyed)
    assert result.notes and not any(t in " ".join(result.notes) for t in tokens)


def test_raw_macs_need_a_secret_and_are_hashed_with_it_in_both_tables():
    aps, zones = site()
    raw = "AA:BB:CC:DD:EE:01"
    probes = hand_probes(stay(raw, "2024-05-06T10:00:00", 1))  # 2 rows: stable only when connected
    with pytest.raises(InputError, match="raw MAC addresses: give a SECRET") as error:
        presence(probes, aps, zones)
    assert raw not in str(error.value)
    keyed = PresenceSettings(secret="site-key", k_anonymity=1)
    connected = presence(probes, aps, zones, connections=np.array([raw.lower()], dtype=object), settings=keyed)
    assert connected.summary["STABLE_ROWS"] == 2 and not connected.notes


@pytest.mark.parametrize("settings, named", [
    (dict(threshold=0), "THRESHOLD"), (dict(threshold=2.5), "THRESHOLD"), (dict(k_anonymity=0), "K_ANONYMITY"),
    (dict(k_anonymity=True), "K_ANONYMITY"), (dict(session_gap_min=0), "SESSION_GAP"),
    (dict(max_dwell_h=float("nan")), "MAX_DWELL"), (dict(min_dwell_min=-1), "MIN_DWELL"),
    (dict(visitor_rss=5), "VISITOR_RSS"), (dict(store_zone="shop"), "STORE_ZONE"), (dict(store_zone=" "), "STORE_ZONE"),
    (dict(timezone="Mars/Olympus_Mons"), "TIMEZONE")])
def test_bad_parameters_are_refused_by_name(settings, named):
    aps, zones = site()
    with pytest.raises(InputError, match=named):
        presence(hand_probes(stay("a", "2024-05-06T10:00:00", 6)), aps, zones, settings=PresenceSettings(**settings))


def test_bad_tables_are_refused_with_the_row_or_ap():
    aps, zones = site()
    probes = hand_probes(stay("a", "2024-05-06T10:00:00", 6))
    with pytest.raises(InputError, match="AP 'C3' has no zone"):
        presence(probes, aps, zones[:-1] + [" "])
    with pytest.raises(InputError, match="one zone per AP"):
        presence(probes, aps, zones[:-1])
    with pytest.raises(InputError, match="no rows"):
        presence(probes.take(np.zeros(len(probes), bool)), aps, zones)
    late = Probes(probes.time * 1000, probes.ap_id, probes.mac, probes.rss)
    with pytest.raises(InputError, match="milliseconds"):
        presence(late, aps, zones, settings=PresenceSettings(timezone="Europe/Paris"))
    empty = Probes(probes.time, probes.ap_id, np.where(np.arange(len(probes)) == 4, None, probes.mac), probes.rss)
    with pytest.raises(InputError, match="Row 5: the MAC field is empty"):
        presence(empty, aps, zones)
    positive = Probes(probes.time, probes.ap_id, probes.mac, np.where(np.arange(len(probes)) == 2, 3.0, -50.0))
    with pytest.raises(InputError, match="Row 3"):
        presence(positive, aps, zones)
