"""Benchmark: the presence analytics (science only, no QGIS) on 1,000,000 probe rows of a simulated store
(4 weeks in Europe/Paris, a third of the rows from stable devices, the rest randomised phones), against a
straightforward per-device Python loop of the day counts (devices_stable, passers-by, visitors, residents,
re-entries; no flows, buckets or suppression) run in the same process on the same rows; the two must agree.

    .venv/bin/python bench/bench_presence.py [ROWS]

Prints the time and rows/s of both and their ratio; then the tool itself, wifidensity:presence through
processing.run on the same rows written as a CSV (reading, the day and flow tables and the chart included).
Run by hand (make bench); not part of the tests.
"""
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from processing_session import start_processing, timed_run

STORE_APS, CORRIDOR_APS = ["S1", "S2", "S3", "S4"], ["C1", "C2", "C3"]
START = 1711929600.0  # 2024-04-01 00:00 UTC
TIMEZONE = "Europe/Paris"


def simulate(rows, seed=1):
    """About ``rows`` PRs: stable devices' sessions (PRs 5 s to 6 min apart, 1 to 3 sessions on random days)
    and randomised tokens of 1 to 3 rows. Returns probes, the AP table and its zones, connections."""
    from wifidensity.algorithms.core.records import AccessPoints, Probes
    rng = np.random.default_rng(seed)
    stable_rows = rows // 3
    sessions = stable_rows // 20
    devices = max(sessions // 2, 1)
    session_device = rng.integers(0, devices, sessions)
    session_start = START + rng.integers(0, 28, sessions) * 86400.0 + rng.uniform(7, 21, sessions) * 3600
    per_session = rng.poisson(20, sessions) + 4
    session_of_row = np.repeat(np.arange(sessions), per_session)[:stable_rows]
    first_row = np.concatenate([[0], np.cumsum(per_session)[:-1]])[session_of_row]
    steps = rng.uniform(5, 360, len(session_of_row))
    offset = np.cumsum(steps) - np.cumsum(steps)[first_row]
    stable_time = session_start[session_of_row] + offset
    stable_token = session_device[session_of_row]

    random_rows = rows - len(stable_time)
    random_token = devices + np.repeat(np.arange(random_rows), rng.integers(1, 4, random_rows))[:random_rows]
    random_time = START + rng.uniform(0, 28 * 86400, random_rows)
    token = np.concatenate([stable_token, random_token])
    names = np.array([f"{int(v):016x}" for v in rng.permutation(int(token.max()) + 1) * 7919 + 12345],
                     dtype=object)
    aps = np.array(STORE_APS + CORRIDOR_APS, dtype=object)
    probes = Probes(np.concatenate([stable_time, random_time]), aps[rng.integers(0, len(aps), rows)],
                    names[token], rng.integers(-92, -35, rows).astype(np.float64))
    ap_table = AccessPoints(aps, rng.uniform(0, 50, (len(aps), 2)), np.zeros(len(aps), dtype=bool))
    zones = ["store"] * len(STORE_APS) + ["corridor"] * len(CORRIDOR_APS)
    return probes, ap_table, zones, names[rng.choice(devices, devices // 20, replace=False)]


def per_device_loop(probes, connections, settings):
    """The day counts by a plain Python loop over devices (the baseline; same definitions, no numpy)."""
    zone = ZoneInfo(settings.timezone)
    rows_of = defaultdict(list)
    for t, ap, token, rss in zip(probes.time.tolist(), probes.ap_id.tolist(), probes.mac.tolist(),
                                 probes.rss.tolist()):
        rows_of[token].append((t, ap in STORE_APS and rss >= settings.visitor_rss))
    listed = set(connections.tolist())
    counts = defaultdict(lambda: defaultdict(int))
    for token, rows in rows_of.items():
        if len(rows) <= settings.threshold and token not in listed:
            continue
        rows.sort()
        sessions, current = [], [rows[0]]
        for row in rows[1:]:
            if row[0] - current[-1][0] > settings.session_gap_min * 60:
                sessions.append(current)
                current = []
            current.append(row)
        sessions.append(current)
        by_day = defaultdict(list)
        for session in sessions:
            by_day[datetime.fromtimestamp(session[0][0], zone).date()].append(session)
        for day, day_sessions in by_day.items():
            cell = counts[day]
            cell["devices_stable"] += 1
            if sum(s[-1][0] - s[0][0] for s in day_sessions) > settings.max_dwell_h * 3600:
                cell["residents"] += 1
                continue
            visits = 0
            for session in day_sessions:
                strong = [t for t, in_store in session if in_store]
                span = strong[-1] - strong[0] if strong else 0.0
                visits += span >= 1.0 and span >= settings.min_dwell_min * 60
            cell["visitors" if visits else "passersby"] += 1
            cell["reentries"] += max(visits - 1, 0)
    return counts


def timed(function, *args):
    began = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - began, result


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from wifidensity.algorithms.presence import PresenceSettings, presence
    settings = PresenceSettings(timezone=TIMEZONE, k_anonymity=1)
    probes, aps, zones, connections = simulate(rows)
    ours, result = timed(presence, probes, aps, zones, connections, settings)
    print(f"presence (numpy): {len(probes)} rows in {ours:.2f} s, {len(probes) / ours:,.0f} rows/s "
          f"({result.summary['DAYS']} days, {result.summary['STABLE_ROWS']} stable rows, {len(result.flows)} flows)")

    theirs, loop_counts = timed(per_device_loop, probes, connections, settings)
    print(f"per-device Python loop: {len(probes)} rows in {theirs:.2f} s, {len(probes) / theirs:,.0f} rows/s")
    print(f"ratio loop / numpy time: {theirs / ours:.2f}")
    fields = ("devices_stable", "passersby", "visitors", "residents", "reentries")
    ours_counts = {row[0]: dict(zip(fields, row[1:6])) for row in result.days.rows()}
    agree = all(ours_counts[day][f] == loop_counts.get(day, {}).get(f, 0) for day in ours_counts for f in fields)
    print(f"day counts of the two agree: {agree}")
    through_processing(probes, aps, zones)


def through_processing(probes, aps, zones):
    """wifidensity:presence on the rows written as CSV files, timed through processing.run."""
    import csv
    import json
    import tempfile

    from wifidensity.algorithms.core.timeparse import to_iso
    with tempfile.TemporaryDirectory() as folder:
        table, layer = Path(folder) / "probes.csv", Path(folder) / "aps.geojson"
        with open(table, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["time", "ap_id", "mac", "rss"])
            writer.writerows(zip(to_iso(probes.time), probes.ap_id, probes.mac, probes.rss.astype(int)))
        features = [{"type": "Feature", "properties": {"ap_id": str(a), "zone": z},
                     "geometry": {"type": "Point", "coordinates": [float(x), float(y)]}}
                    for a, z, (x, y) in zip(aps.ids, zones, aps.xy)]
        layer.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                     "crs": {"type": "name", "properties": {"name": "EPSG:32631"}}}))
        app, provider = start_processing()
        seconds, result = timed_run("wifidensity:presence", {
            "INPUT": str(table), "APS": str(layer), "TIMEZONE": TIMEZONE, "OUTPUT_DAYS": str(Path(folder) / "d.gpkg"),
            "OUTPUT_FLOWS": str(Path(folder) / "f.gpkg"), "CHART": str(Path(folder) / "chart.png")})
        print(f"wifidensity:presence through processing.run: {result['PR_ROWS']} rows in {seconds:.2f} s, "
              f"{result['PR_ROWS'] / seconds:,.0f} rows/s (target: under 30 s for 1,000,000)")
        del provider
        app.exitQgis()


if __name__ == "__main__":
    main()
