"""A season in one run (algorithms/season/runner.py, dask_runner.py, probe_db.py) on a small simulated season: windows,
splitting, the same TABLE in this process, on a local Dask cluster, on a scheduler with two workers and from
PostGIS, empty windows, resuming, cancel. (That each window equals the pipeline's run on it alone is
tests/integration/test_season_flow.py.)"""
import json
import shutil
import subprocess
from dataclasses import asdict, replace

import numpy as np
import pytest

from wifidensity.algorithms.core.errors import Cancelled
from wifidensity.algorithms.core.geotiff import read_density, stored
from wifidensity.algorithms.core.privacy import anonymise
from wifidensity.algorithms.core.progress import Progress
from wifidensity.algorithms.core.timeparse import to_iso, to_seconds
from wifidensity.algorithms.season.flow import FlowParameters, run_window
from wifidensity.algorithms.season.probe_db import PostgresProbes
from wifidensity.algorithms.season.runner import (
    PARTIAL,
    RADIO_SHARE,
    RECORDS,
    SortedProbes,
    Window,
    run_season,
    season_windows,
)
from wifidensity.algorithms.season.season_radio import RECORD as RADIO_RECORD
from wifidensity.algorithms.twin.simulate import sample_config, season_configs, simulate_season

START = 1717221600.0          # 2024-06-01T06:00:00Z
SIMULATED = 5                 # windows with PRs; the season has one more, empty
PARAMETERS = FlowParameters(x_day=48.0, pixel_size=4.0)


@pytest.fixture(scope="module")
def season():
    base = replace(sample_config(), start=START, emissions_per_client=6.0)
    probes, aps, connections, _ = simulate_season(season_configs(base, SIMULATED, seed=11))
    windows = season_windows(START, START + (SIMULATED + 1) * 3 * 3600.0, 3.0)
    return {"probes": probes, "aps": aps, "connections": connections, "windows": windows}


def _run(season, folder, source=None, **options):
    return run_season(source or SortedProbes(season["probes"]), season["aps"], season["windows"], folder,
                      PARAMETERS, season["connections"], **options)


@pytest.fixture(scope="module")
def reference(season, tmp_path_factory):
    """The season computed in this process (WORKERS = 0)."""
    folder = tmp_path_factory.mktemp("season_here")
    return _run(season, folder), folder


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A Dask scheduler and two workers on 127.0.0.1, started as a user would (dask-scheduler, dask-worker) in a
    folder where this package cannot be imported: the season must ship its code to them."""
    import distributed
    folder = tmp_path_factory.mktemp("dask")
    contact = folder / "scheduler.json"
    quiet = dict(cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes = [subprocess.Popen(["dask-scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                   "--scheduler-file", str(contact)], **quiet)]
    processes += [subprocess.Popen(["dask-worker", "--scheduler-file", str(contact), "--host", "127.0.0.1",
                                    "--nthreads", "1", "--no-dashboard", "--local-directory", str(folder / f"w{i}")],
                                   **quiet) for i in range(2)]
    try:
        with distributed.Client(scheduler_file=str(contact), timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _maps(folder):
    return {path.name: read_density(str(path)).values for path in sorted(folder.glob("*.tif"))}


def test_windows_are_consecutive_in_utc_and_maps_are_named_by_their_start():
    start = float(to_seconds(np.array(["2024-06-01T22:00:00"]))[0])
    windows = season_windows(start, start + 7.5 * 3600.0, 3.0)
    assert [(w.end - w.start) / 3600.0 for w in windows] == [3.0, 3.0, 1.5]
    assert [w.start for w in windows[1:]] == [w.end for w in windows[:-1]]
    assert windows[1].map_names() == {"paper": "clients_2024-06-02T01-00.tif", "ml": "ml_clients_2024-06-02T01-00.tif"}
    assert windows[0].map_names("ml") == {"ml": "ml_clients_2024-06-01T22-00.tif"}


def test_each_window_is_a_slice_of_the_table_sorted_once(season):
    rng = np.random.default_rng(5)
    shuffled = season["probes"].take(rng.permutation(len(season["probes"])))
    source = SortedProbes(shuffled)
    assert np.array_equal(source.counts(season["windows"]),
                          [np.count_nonzero((shuffled.time >= w.start) & (shuffled.time < w.end))
                           for w in season["windows"]])
    window = season["windows"][2]
    rows = source.rows(window).read()
    inside = (shuffled.time >= window.start) & (shuffled.time < window.end)
    order = np.argsort(shuffled.time[inside], kind="stable")
    assert np.array_equal(rows.time, shuffled.time[inside][order])
    assert np.array_equal(rows.mac, shuffled.mac[inside][order])


def test_empty_windows_are_skipped_and_reported(season, reference):
    report, folder = reference
    last = season["windows"][-1]
    assert report.empty == [last] and len(report.computed) == SIMULATED and not report.unmapped
    row = report.rows[-1]
    assert (row["p"], row["status"], row["clients_paper"], row["clients_ml"], row["x"]) == (0, "empty", None, None,
                                                                                              None)
    assert not any(last.stamp in path.name for path in folder.iterdir())
    assert all(row["clients_paper"] > 0 and row["clients_ml"] > 0 for row in report.rows[:-1])


def test_workers_0_2_and_a_scheduler_give_the_same_table_and_maps(season, reference, scheduler, tmp_path):
    here, here_folder = reference
    for name, options in (("local", {"workers": 2}), ("remote", {"scheduler": scheduler})):
        report = _run(season, tmp_path / name, **options)
        assert report.rows == here.rows, name
        assert len(report.by_worker) == 2 and sum(report.by_worker.values()) == SIMULATED, report.by_worker
        mine, theirs = _maps(here_folder), _maps(tmp_path / name)
        assert mine.keys() == theirs.keys() and len(mine) == 2 * SIMULATED
        assert all(np.array_equal(mine[key], theirs[key]) for key in mine)


def test_a_rerun_skips_complete_windows_unless_overwrite_or_other_parameters(season, reference, tmp_path):
    here, here_folder = reference
    folder = tmp_path / "again"
    shutil.copytree(here_folder, folder)
    crashed = folder / RECORDS / f"clients_{season['windows'][0].stamp}.tif{PARTIAL}"
    crashed.write_bytes(b"half a GeoTIFF")
    again = _run(season, folder)
    assert (again.computed, len(again.skipped), again.rows) == ([], SIMULATED, here.rows)
    assert again.radio.reused and _same_radio(again.radio.table, here.radio.table)
    assert not crashed.exists()
    forced = _run(season, folder, overwrite=True)
    assert forced.computed == season["windows"][:SIMULATED] and forced.rows == here.rows
    assert not forced.radio.reused     # fitted again, on the same window, to the same radio
    windows = season["windows"][:2]
    smoother = run_season(SortedProbes(season["probes"]), season["aps"], windows, folder,
                          replace(PARAMETERS, smooth=5.0), season["connections"])
    assert smoother.computed == windows
    assert [r["clients_paper"] for r in smoother.rows] != [r["clients_paper"] for r in here.rows[:2]]


def _same_radio(one, other):
    """Radio tables equal to the last digit (their unknown standard errors are NaN in both)."""
    return json.dumps(asdict(one)) == json.dumps(asdict(other))


def _window_records(folder):
    return sorted(path.stem for path in (folder / RECORDS).glob("*.json") if path.name != RADIO_RECORD)


def test_the_radio_is_fitted_once_on_the_busiest_window_and_maps_every_window(season, reference):
    """Each window's row and maps are what the flow gives that window alone when given the season's radio table
    (so the pipeline's, given it as RADIO); the radio is the one the flow fits on the busiest window."""
    here, folder = reference
    source = SortedProbes(season["probes"])
    counts = source.counts(season["windows"])
    busiest = season["windows"][int(np.argmax(counts))]
    assert (here.radio.start, here.radio.end, here.radio.prs) == (busiest.start, busiest.end, counts.max())
    alone = run_window(source.rows(busiest).read(), season["aps"], busiest.start, busiest.end, PARAMETERS,
                       anonymise(season["connections"], PARAMETERS.secret))
    assert _same_radio(here.radio.table, alone.radio) and alone.row["calibration_ml"] == alone.radio.status
    given = replace(PARAMETERS, radio=here.radio.table)
    for window, row in zip(season["windows"][:SIMULATED], here.rows):
        mine = run_window(source.rows(window).read(), season["aps"], window.start, window.end, given,
                          anonymise(season["connections"], PARAMETERS.secret))
        assert mine.row == row
        assert (row["a_ml"], row["n_ml"], row["calibration_ml"]) == (here.radio.table.a, here.radio.table.n,
                                                                     "not calibrated")
        assert np.array_equal(read_density(str(folder / window.map_names()["ml"])).values,
                              stored(mine.ml).values)


def test_a_cancel_while_the_radio_is_fitted_leaves_nothing(season, tmp_path):
    progress = CancelAfter(0, len(season["windows"]))
    progress.threshold = 0.5 * RADIO_SHARE          # half-way through the radio's fit
    with pytest.raises(Cancelled):
        _run(season, tmp_path, progress=progress)
    assert 0 < progress.fraction < RADIO_SHARE
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_without_radio_once_every_window_fits_its_own(season, tmp_path):
    windows = season["windows"][:2]
    report = run_season(SortedProbes(season["probes"]), season["aps"], windows, tmp_path, PARAMETERS,
                        season["connections"], radio_once=False)
    assert report.radio is None and not (tmp_path / RECORDS / RADIO_RECORD).exists()
    assert all(row["calibration_ml"] not in (None, "not calibrated") for row in report.rows)
    assert report.rows[0]["n_ml"] != report.rows[1]["n_ml"]


class CancelAfter(Progress):
    """Presses cancel once ``windows`` windows of the season are done."""

    def __init__(self, windows, total):
        self.threshold = RADIO_SHARE + (1.0 - RADIO_SHARE) * windows / total
        self.fraction = 0.0

    def report(self, fraction):
        self.fraction = max(self.fraction, fraction)

    def is_cancelled(self):
        return self.fraction >= self.threshold


@pytest.mark.parametrize("workers", [0, 2])
def test_cancel_leaves_only_complete_windows_and_the_next_run_finishes_the_rest(season, reference, tmp_path,
                                                                                 workers):
    here, here_folder = reference
    done_before = 1 + 2  # the empty window counts as done at once
    with pytest.raises(Cancelled):
        _run(season, tmp_path, workers=workers, progress=CancelAfter(done_before, len(season["windows"])))
    records = _window_records(tmp_path)
    maps = _maps(tmp_path)
    assert not list(tmp_path.rglob(f"*{PARTIAL}"))
    assert 2 <= len(records) < SIMULATED
    assert sorted({name.split("_")[-1][:-4] for name in maps}) == records
    here_maps = _maps(here_folder)
    assert all(np.array_equal(values, here_maps[name]) for name, values in maps.items())
    rest = _run(season, tmp_path)
    assert len(rest.skipped) == len(records) and len(rest.computed) == SIMULATED - len(records)
    assert rest.rows == here.rows


@pytest.fixture(scope="module")
def probe_table(postgres, season):
    """The season's PRs in a PostGIS table (time as timestamptz, a point geometry per PR) with a time index."""
    import psycopg2
    connection = psycopg2.connect(postgres.dsn)
    connection.autocommit = True
    probes = season["probes"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cursor.execute("CREATE TABLE probes (id serial PRIMARY KEY, time timestamptz, ap_id text, mac text, "
                       "rss double precision, geom geometry(Point, 32633))")
        rows = [(str(t) + "Z", str(a), str(m), float(r)) for t, a, m, r in
                zip(to_iso(probes.time), probes.ap_id, probes.mac, probes.rss)]
        cursor.executemany("INSERT INTO probes (time, ap_id, mac, rss, geom) "
                           "VALUES (%s, %s, %s, %s, ST_SetSRID(ST_MakePoint(617000, 5450300), 32633))", rows)
        cursor.execute("CREATE INDEX probes_time ON probes (time)")
        cursor.execute("ANALYZE probes")
    connection.close()
    return PostgresProbes.open(postgres.dsn, "probes")


def test_postgis_gives_the_same_table_here_and_on_remote_workers(season, reference, probe_table, scheduler,
                                                                  tmp_path):
    here, _ = reference
    assert np.array_equal(probe_table.counts(season["windows"]), SortedProbes(season["probes"]).counts(
        season["windows"]))
    assert _run(season, tmp_path / "here", probe_table).rows == here.rows
    remote = _run(season, tmp_path / "remote", probe_table, scheduler=scheduler)
    assert remote.rows == here.rows and len(remote.by_worker) == 2


def test_the_window_filter_is_executed_by_the_server(season, probe_table, postgres):
    import psycopg2
    window = season["windows"][1]
    expected = int(SortedProbes(season["probes"]).counts([window])[0])
    query, parameters = probe_table.window_query(window)
    connection = psycopg2.connect(postgres.dsn)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the plan a large table gets, on this small one
        cursor.execute(psycopg2.sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query, parameters)
        plan = cursor.fetchone()[0][0]["Plan"]
        cursor.execute("SELECT count(*) FROM probes")
        total = cursor.fetchone()[0]
    connection.close()
    scans = [node for node in _nodes(plan) if "Index Cond" in node]
    assert scans and '"time" >=' in scans[0]["Index Cond"] and '"time" <' in scans[0]["Index Cond"]
    assert scans[0]["Actual Rows"] == expected < total / 3
    assert len(probe_table.read(window)) == expected
    logged = postgres.log.read_text()
    start, end = (moment.isoformat() for moment in parameters)
    assert f"\"time\" >= '{start}'::timestamptz AND \"time\" < '{end}'::timestamptz" in logged


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("column, value", [("timestamp", "%s::timestamp"), ("double precision", "%s"),
                                           ("text", "%s")])
def test_every_kind_of_time_column_gives_the_files_times(postgres, season, column, value):
    """Naive timestamps and ISO text are UTC, as in a file; epoch numbers are seconds; AP ids may be numbers."""
    import psycopg2
    probes = season["probes"].take(slice(0, 400))
    text = [str(t) for t in to_iso(probes.time)]
    epoch = column == "double precision"
    times = probes.time if epoch else to_seconds(np.array(text, dtype=object))
    ap_numbers = np.array([int(a[2:]) if a.startswith("AP") else 0 for a in probes.ap_id])
    table = f"probes_{column.split()[0]}"
    connection = psycopg2.connect(postgres.dsn)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (t {column}, ap integer, mac text, rss integer)")
        cursor.executemany(f"INSERT INTO {table} VALUES ({value}, %s, %s, %s)",
                           [(float(t) if epoch else s, int(a), m, int(r))
                            for t, s, a, m, r in zip(probes.time, text, ap_numbers, probes.mac, probes.rss)])
    connection.close()
    source = PostgresProbes.open(postgres.dsn, table, time_field="t", ap_field="ap")
    window = Window(float(np.floor(times[100])), float(np.floor(times[300])))
    inside = (times >= window.start) & (times < window.end)
    read = source.read(window)
    assert np.array_equal(read.time, times[inside]) and np.array_equal(read.rss, probes.rss[inside])
    assert np.array_equal(read.ap_id.astype(str), ap_numbers[inside].astype(str))
    after = Window(window.end, window.end + 60.0)
    assert list(source.counts([window, after])) == [inside.sum(), ((times >= after.start) & (times < after.end)).sum()]
