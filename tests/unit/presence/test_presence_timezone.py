"""Local days: the calendar days of TIMEZONE (zoneinfo), DST included; times without a zone are UTC."""
import itertools
from datetime import date, datetime

import numpy as np
import pytest
from presence_store import hand_probes, site, utc

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.timeparse import to_seconds
from wifidensity.algorithms.presence import PresenceSettings, presence
from wifidensity.algorithms.presence.localdays import local_days, time_zone

ZONES = ["UTC", "Europe/Paris", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kathmandu", "Pacific/Apia"]


def changes(ordered, zone):
    """The seconds at which the zone's UTC offset changes between consecutive sorted instants."""
    offset = [datetime.fromtimestamp(s, zone).utcoffset() for s in ordered]
    found = []
    for i in np.flatnonzero([a != b for a, b in itertools.pairwise(offset)]):
        low, high = int(ordered[i]), int(ordered[i + 1]) + 1
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if datetime.fromtimestamp(mid, zone).utcoffset() == offset[i] else (low, mid)
        found.append(high)
    return found


@pytest.mark.parametrize("name", ZONES)
def test_local_days_are_the_dates_a_clock_of_the_zone_shows(name):
    """Random instants over two years (Apia skipped 2011-12-30; Lord Howe shifts by 30 min; Santiago changes
    at local midnight), plus every half second around each change, against zoneinfo one time at a time."""
    seconds = np.random.default_rng(3).uniform(utc("2011-01-01T00:00:00"), utc("2012-12-31T00:00:00"), 20_000)
    zone = time_zone(name)
    found = changes(np.sort(seconds), zone)
    assert len(found) == (0 if name in ("UTC", "Asia/Kathmandu") else 4 if name != "Pacific/Apia" else 5)
    probe = np.concatenate([seconds] + [t + np.arange(-3, 3, 0.5) for t in found])
    expected = [datetime.fromtimestamp(s, zone).date() for s in probe]
    assert local_days(probe, zone).astype("datetime64[D]").tolist() == expected


def visits(rows, zone):
    aps, zones = site()
    result = presence(hand_probes(rows), aps, zones, settings=PresenceSettings(timezone=zone, k_anonymity=1))
    return {r[0]: r[3] for r in result.days.rows()}  # date -> visitors


def visit(token, start):
    return [(utc(start) + 60 * i, "S1", token, -50.0) for i in range(7)]


def test_timezone_moves_a_visit_across_local_midnight_on_the_day_summer_time_starts():
    """Paris is UTC+1 until 2024-03-31 01:00 UTC, then UTC+2: 23:30 UTC of 03-30 is 00:30 of 03-31 in Paris;
    21:30 UTC of 03-31 is 23:30 the same day; 22:30 UTC of 03-31 is already 00:30 of 04-01 (with a fixed +1
    it would still be 03-31)."""
    rows = (visit("winter", "2024-03-30T23:30:00") + visit("evening", "2024-03-31T21:30:00")
            + visit("summer", "2024-03-31T22:30:00"))
    assert visits(rows, "UTC") == {date(2024, 3, 30): 1, date(2024, 3, 31): 2}
    assert visits(rows, "Europe/Paris") == {date(2024, 3, 31): 2, date(2024, 4, 1): 1}


def test_timezone_moves_a_visit_across_local_midnight_on_the_day_summer_time_ends():
    """2024-10-27 lasts 25 hours in Paris: 22:30 UTC of 10-26 is 00:30 of 10-27 (UTC+2) and 23:30 UTC of
    10-27 is 00:30 of 10-28 (UTC+1), while 22:30 UTC of 10-27 is 23:30 of 10-27."""
    rows = (visit("summer", "2024-10-26T22:30:00") + visit("late", "2024-10-27T22:30:00")
            + visit("winter", "2024-10-27T23:30:00"))
    assert visits(rows, "UTC") == {date(2024, 10, 26): 1, date(2024, 10, 27): 2}
    assert visits(rows, "Europe/Paris") == {date(2024, 10, 27): 2, date(2024, 10, 28): 1}


def test_times_without_a_zone_are_utc():
    """The time parser the tool is fed by reads ISO text without a zone as UTC."""
    naive, zulu = to_seconds(np.array(["2024-03-30T23:30:00", "2024-03-30T23:30:00Z"], dtype=object))
    assert naive == zulu == utc("2024-03-30T23:30:00+00:00")


@pytest.mark.parametrize("name", ["Europe/Pariss", "../../etc/passwd", "", "CET+1"])
def test_an_unknown_time_zone_is_an_input_error_naming_timezone(name):
    aps, zones = site()
    with pytest.raises(InputError, match="TIMEZONE"):
        presence(hand_probes(visit("a", "2024-03-30T10:00:00")), aps, zones,
                 settings=PresenceSettings(timezone=name))


def test_without_a_time_zone_database_utc_works_and_other_zones_say_what_to_install(monkeypatch):
    import zoneinfo

    def no_database(key):
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_database)
    monkeypatch.setattr(zoneinfo, "available_timezones", set)
    assert local_days(np.array([utc("2024-03-30T23:30:00")]), time_zone("UTC")).tolist() == [19812]
    with pytest.raises(InputError, match="tzdata"):
        time_zone("Europe/Paris")
