"""A season against the shipped model wifidensity:pipeline run on each window alone: the per-window flow
(algorithms/season/flow.py) and the wifidensity:season tool give the same totals (relative difference < 1e-9) and the
same maps, pixel for pixel; the tool reads a PostGIS table as it reads a file, runs from qgis_process.bin on
worker processes, writes a time-enabled layer definition, and resumes after a cancel.

The model's numbers are read from its outputs: the Reassembly summary's whole-map row (the tool's CLIENTS), the
zones' X (the Counting tool's), the ML map's tags (its total, and the A and n it used) and the Localization
tool's A and n among the children's results. Windows run with the defaults (the list-mode estimator fitting its
radio), with the counts estimator, and with a radio table (the model's own RADIO_TABLE of another window). The
season tool fits the radio once, on its busiest window, to the model's own RADIO_TABLE of that window, and its
windows equal the model's given that table as RADIO; with RADIO_ONCE off they equal the model's at its
defaults.
"""
import csv
import json
from dataclasses import replace

import numpy as np
import pytest

from wifidensity.algorithms.core.geotiff import read_density, write_density
from wifidensity.algorithms.core.timeparse import to_iso
from wifidensity.algorithms.paper.reassemble import WHOLE_MAP
from wifidensity.algorithms.season.flow import COUNTS, ESTIMATORS, TABLE_FIELDS, FlowParameters, run_window
from wifidensity.algorithms.season.runner import RECORDS, season_windows
from wifidensity.algorithms.season.season_radio import RECORD as RADIO_RECORD
from wifidensity.algorithms.twin.simulate import sample_config, season_configs, simulate_season

WINDOWS = 8          # one day of 3-hour windows from 00:00 UTC
SAMPLED = (3, 4, 6)  # 09:00, 12:00, 18:00
X_DAY = 160.0
HOURS = 3.0


def _iso(seconds):
    return str(to_iso([seconds])[0])


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """A simulated day on the sample site (crowds following a daily cycle) as GeoPackages and a CSV."""
    from probe_files import write_ap_layer, write_connections, write_probe_table
    folder = tmp_path_factory.mktemp("season_day")
    base = replace(sample_config(), start=1717200000.0, emissions_per_client=20.0)  # 2024-06-01T00:00Z
    probes, aps, macs, connected_to = simulate_season(season_configs(base, WINDOWS, seed=3))
    return {"probes": write_probe_table(folder / "probes.gpkg", probes),
            "aps": write_ap_layer(folder / "aps.gpkg", aps, 32633),
            "connections": write_connections(folder / "connections.csv", macs, connected_to),
            "start": base.start, "windows": season_windows(base.start, base.start + WINDOWS * HOURS * 3600.0),
            "table": probes}


def _pipeline(day, window, out, **given):
    """The shipped model on one window: its totals, maps and the A and n of the paper flow and of the ML map."""
    import processing
    from qgis.core import QgsVectorLayer
    out.mkdir(exist_ok=True)
    results = processing.run("wifidensity:pipeline", {
        "PROBES": day["probes"], "APS": day["aps"], "CONNECTIONS": day["connections"], "X_DAY": X_DAY,
        "START": _iso(window.start), "END": _iso(window.end),
        "reassemble:CLIENT_MAP": str(out / "clients.tif"), "mldensity:ML_CLIENT_MAP": str(out / "ml_clients.tif"),
        "reassemble:SUMMARY": str(out / "summary.gpkg"), "count:ZONES": str(out / "zones.gpkg"),
        "fiducial:FIDUCIAL": str(out / "fiducial.gpkg"), "localize:LOCALIZATIONS": str(out / "points.gpkg"),
        "mldensity:RADIO_TABLE": str(out / "radio.gpkg"), **given})
    summary = {f["zone"]: f["clients"] for f in QgsVectorLayer(str(out / "summary.gpkg"), "s", "ogr").getFeatures()}
    zones = [f["x"] for f in QgsVectorLayer(str(out / "zones.gpkg"), "z", "ogr").getFeatures()]
    localize = results["CHILD_RESULTS"]["localize"]
    return {"clients_paper": summary[WHOLE_MAP], "zone_x": zones, "paper": read_density(str(out / "clients.tif")),
            "ml": read_density(str(out / "ml_clients.tif")), "localized": (localize["A"], localize["N"]),
            "radio": out / "radio.gpkg"}


@pytest.fixture(scope="module")
def alone(module_provider, day, tmp_path_factory):
    """The pipeline's outputs on each sampled window (defaults: the list-mode estimator), run on that window alone."""
    return {index: _pipeline(day, day["windows"][index], tmp_path_factory.mktemp(f"alone{index}"))
            for index in SAMPLED}


def _when(seconds):
    from qgis.PyQt.QtCore import QDateTime, Qt
    return QDateTime.fromMSecsSinceEpoch(int(seconds * 1000), Qt.UTC)


def _as_written(density, path):
    write_density(str(path), density)
    return read_density(str(path))


def _window_equals_the_pipeline(read, window, theirs, parameters, out):
    """run_window on the window gives the model's totals, A and n of both flows, and maps, pixel for pixel."""
    probes, aps, connections = read
    result = run_window(probes, aps, window.start, window.end, parameters, connections)
    row = result.row
    assert row["status"] == "mapped", row
    assert row["p"] > 1000
    assert row["clients_paper"] == pytest.approx(theirs["clients_paper"], rel=1e-9, abs=0)
    assert row["clients_ml"] == pytest.approx(float(theirs["ml"].tags["TOTAL"]), rel=1e-9, abs=0)
    assert [row["x"]] == pytest.approx(theirs["zone_x"], rel=1e-9, abs=0)
    assert (row["a"], row["n"]) == pytest.approx(theirs["localized"], rel=1e-12)
    assert (row["a_ml"], row["n_ml"]) == pytest.approx((float(theirs["ml"].tags["A"]), float(theirs["ml"].tags["N"])),
                                                       rel=1e-12)
    for mine, reference in ((result.paper, theirs["paper"]), (result.ml, theirs["ml"])):
        written = _as_written(mine, out / "mine.tif")
        assert written.grid == replace(reference.grid, crs=written.grid.crs)
        assert np.array_equal(written.values, reference.values), np.abs(written.values - reference.values).max()
    return row


def test_each_sampled_window_of_the_flow_equals_the_pipeline_run_on_it_alone(provider, day, alone, tmp_path):
    from probe_files import read_with_plugin
    read = read_with_plugin(day["probes"], day["aps"], day["connections"])
    for index in SAMPLED:
        row = _window_equals_the_pipeline(read, day["windows"][index], alone[index], FlowParameters(x_day=X_DAY),
                                          tmp_path)
        assert row["calibration_ml"] in ("ok", "uncertain")
    window = day["windows"][SAMPLED[0]]
    theirs = _pipeline(day, window, tmp_path / "counts", ML_ESTIMATOR=ESTIMATORS.index(COUNTS))
    row = _window_equals_the_pipeline(read, window, theirs, FlowParameters(x_day=X_DAY, estimator=COUNTS), tmp_path)
    assert (row["a_ml"], row["n_ml"], row["calibration_ml"]) == (row["a"], row["n"], "not calibrated")


def test_a_window_mapped_with_the_radio_of_another_equals_the_pipeline_given_that_radio(provider, day, alone,
                                                                                         tmp_path):
    """The radio fitted at 12:00 (the model's RADIO_TABLE) maps 18:00: nothing is calibrated in either."""
    from probe_files import read_radio_table_file, read_with_plugin
    read = read_with_plugin(day["probes"], day["aps"], day["connections"])
    fitted = alone[SAMPLED[1]]
    radio = read_radio_table_file(fitted["radio"])
    assert (radio.a, radio.n) == pytest.approx((float(fitted["ml"].tags["A"]), float(fitted["ml"].tags["N"])),
                                               rel=1e-12)
    window = day["windows"][SAMPLED[2]]
    theirs = _pipeline(day, window, tmp_path / "given", RADIO=str(fitted["radio"]))
    row = _window_equals_the_pipeline(read, window, theirs, FlowParameters(x_day=X_DAY, radio=radio), tmp_path)
    assert (row["a"], row["n"], row["a_ml"], row["n_ml"]) == pytest.approx((radio.a, radio.n) * 2, rel=1e-12)
    assert (row["calibration"], row["calibration_ml"]) == ("not calibrated", "not calibrated")


def _season_parameters(day, folder, **more):
    return {"PROBES": day["probes"], "APS": day["aps"], "CONNECTIONS": day["connections"], "X_DAY": X_DAY,
            "START": _iso(day["windows"][0].start), "END": _iso(day["windows"][-1].end),
            "OUTPUT_FOLDER": str(folder), "TABLE": str(folder / "season.csv"), **more}


def _table(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def season(module_provider, day, tmp_path_factory):
    """The season tool on the day, on two local worker processes, with a chart and a layer definition."""
    import processing
    folder = tmp_path_factory.mktemp("season")
    result = processing.run("wifidensity:season", _season_parameters(
        day, folder, WORKERS=2, CHART=str(folder / "season.png"), LAYER_DEFINITION=str(folder / "season.qlr"),
        RADIO_TABLE=str(folder / "radio.gpkg")))
    return {"folder": folder, "result": result, "rows": _table(folder / "season.csv"), "radio": folder / "radio.gpkg"}


@pytest.fixture(scope="module")
def given_season_radio(module_provider, day, season, tmp_path_factory):
    """The pipeline's outputs on each sampled window alone, given the season's radio table as RADIO."""
    return {index: _pipeline(day, day["windows"][index], tmp_path_factory.mktemp(f"given{index}"),
                             RADIO=str(season["radio"])) for index in SAMPLED}


def _busiest(day):
    times = day["table"].time
    counts = [np.count_nonzero((times >= w.start) & (times < w.end)) for w in day["windows"]]
    return int(np.argmax(counts))


def test_the_season_tool_gives_a_row_per_window_and_the_pipeline_s_totals_and_maps(day, given_season_radio,
                                                                                     season):
    """Each window as the pipeline maps it alone when given the season's radio table (RADIO)."""
    rows, folder = season["rows"], season["folder"]
    assert season["result"]["WINDOWS"] == WINDOWS == len(rows)
    assert list(rows[0]) == list(TABLE_FIELDS)
    assert [row["start"] for row in rows] == [_iso(w.start)[:23] + "Z" for w in day["windows"]]
    assert season["result"]["COMPUTED"] + season["result"]["EMPTY"] == WINDOWS
    for index in SAMPLED:
        row, theirs, window = rows[index], given_season_radio[index], day["windows"][index]
        assert float(row["clients_paper"]) == pytest.approx(theirs["clients_paper"], rel=1e-9, abs=0)
        assert float(row["clients_ml"]) == pytest.approx(float(theirs["ml"].tags["TOTAL"]), rel=1e-9, abs=0)
        assert (float(row["a"]), float(row["n"])) == pytest.approx(theirs["localized"], rel=1e-12)
        for name, kind in window.map_names().items():
            mine = read_density(str(folder / kind))
            assert np.array_equal(mine.values, theirs[name].values)


def test_the_season_s_radio_is_the_pipeline_s_radio_table_of_the_busiest_window(day, alone, season, tmp_path):
    from probe_files import read_radio_table_file
    busiest = _busiest(day)
    theirs = alone[busiest]["radio"] if busiest in alone else \
        _pipeline(day, day["windows"][busiest], tmp_path / "busiest")["radio"]
    mine, fitted = read_radio_table_file(season["radio"]), read_radio_table_file(theirs)
    assert mine.status == fitted.status and mine.ap_ids == fitted.ap_ids
    for name in ("a", "n", "sigma", "gains", "reception", "prs", "determined"):
        assert getattr(mine, name) == pytest.approx(getattr(fitted, name), rel=1e-12), name
    assert {row["calibration_ml"] for row in season["rows"] if row["status"] == "mapped"} == {"not calibrated"}


def test_a_radio_table_given_to_the_season_maps_every_window_with_it(provider, day, season, tmp_path):
    """The season's own RADIO_TABLE given back as RADIO: the same windows, nothing fitted."""
    import processing
    first, last = SAMPLED[0], SAMPLED[1]
    processing.run("wifidensity:season", {**_season_parameters(day, tmp_path, WORKERS=0, RADIO=str(season["radio"])),
                                          "START": _iso(day["windows"][first].start),
                                          "END": _iso(day["windows"][last].end)})
    assert _table(tmp_path / "season.csv") == season["rows"][first:last + 1]
    assert not (tmp_path / RECORDS / RADIO_RECORD).exists()


def test_without_radio_once_each_window_fits_its_own_as_the_pipeline_alone(provider, day, alone, tmp_path):
    import processing
    first, last = day["windows"][SAMPLED[0]], day["windows"][SAMPLED[1]]
    processing.run("wifidensity:season", {**_season_parameters(day, tmp_path, WORKERS=0, RADIO_ONCE=False),
                                          "START": _iso(first.start), "END": _iso(last.end)})
    rows = _table(tmp_path / "season.csv")
    for row, index in zip(rows, SAMPLED[:2]):
        theirs = alone[index]
        assert row["calibration_ml"] in ("ok", "uncertain")
        assert float(row["clients_paper"]) == pytest.approx(theirs["clients_paper"], rel=1e-9, abs=0)
        assert (float(row["a_ml"]), float(row["n_ml"])) == pytest.approx(
            (float(theirs["ml"].tags["A"]), float(theirs["ml"].tags["N"])), rel=1e-12)
        for name, kind in day["windows"][index].map_names().items():
            assert np.array_equal(read_density(str(tmp_path / kind)).values, theirs[name].values)


def test_the_layer_definition_animates_the_window_maps_on_one_scale(day, season):
    from qgis.core import QgsDateTimeRange, QgsLayerDefinition, QgsProject
    project = QgsProject()
    loaded, error = QgsLayerDefinition.loadLayerDefinition(str(season["folder"] / "season.qlr"), project,
                                                            project.layerTreeRoot())
    assert loaded, error
    layers = sorted(project.mapLayers().values(), key=lambda layer: layer.name())
    mapped = [w for w, row in zip(day["windows"], season["rows"]) if row["status"] == "mapped"]
    assert len(layers) == 2 * len(mapped)
    for layer, window in zip(layers[:len(mapped)], mapped):
        assert layer.name() == f"clients_{window.stamp}" and layer.isValid()
        assert layer.temporalProperties().isActive()
        frame = QgsDateTimeRange(_when(window.start), _when(window.end), True, False)  # the Temporal Controller's
        shown = [other.name() for other in layers if other.temporalProperties().fixedTemporalRange().overlaps(frame)]
        assert shown == [f"clients_{window.stamp}", f"ml_clients_{window.stamp}"]
    assert len({layer.renderer().classificationMax() for layer in layers[:len(mapped)]}) == 1
    assert (season["folder"] / "season.png").stat().st_size > 5000


def test_a_postgis_table_gives_the_same_table_its_server_selecting_each_window(provider, day, season, postgres,
                                                                                 tmp_path):
    import processing
    import psycopg2.extras
    from qgis.core import QgsVectorLayer
    probes = day["table"]
    connection = psycopg2.connect(postgres.dsn)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cursor.execute("CREATE TABLE season_day (id serial PRIMARY KEY, time timestamptz, ap_id text, mac text, "
                       "rss double precision, geom geometry(Point, 32633))")
        cursor.execute("CREATE INDEX ON season_day (time)")
        psycopg2.extras.execute_values(cursor, "INSERT INTO season_day (time, ap_id, mac, rss) VALUES %s", list(zip(
            [str(t) for t in to_iso(probes.time)], probes.ap_id.astype(str).tolist(), probes.mac.astype(str).tolist(),
            probes.rss.astype(float).tolist())), template="(%s::timestamptz, %s, %s, %s)", page_size=10000)
    connection.close()
    layer = QgsVectorLayer(f"{postgres.dsn} sslmode=disable key='id' srid=32633 type=Point "
                           'table="public"."season_day" (geom)', "probes", "postgres")
    assert layer.isValid()
    window_query = 'ORDER BY "time"'  # only the query of one window's rows sorts them
    logged_before = postgres.log.read_text().count(window_query)
    result = processing.run("wifidensity:season", {**_season_parameters(day, tmp_path), "PROBES": layer,
                                                   "WORKERS": 0})
    assert result["WINDOWS"] == WINDOWS
    assert _table(tmp_path / "season.csv") == season["rows"]
    selected = postgres.log.read_text().count(window_query) - logged_before
    # each window's rows were selected by the server, once, and the busiest window's once more to fit the radio
    assert selected == result["COMPUTED"] + 1


@pytest.mark.qgis_process
@pytest.mark.parametrize("workers", [2, 0])
def test_qgis_process_runs_the_season_on_worker_processes_or_in_itself(day, season, qgis_cli, tmp_path, workers):
    """The same table to the last digit, also when qgis_process computes the windows itself: QGIS links another
    BLAS than a plain Python worker has, so this holds only because the fits do not sum through BLAS."""
    code, payload, log = qgis_cli.run("wifidensity:season", **_season_parameters(day, tmp_path), WORKERS=workers)
    assert code == 0, log[-3000:]
    assert payload["results"]["COMPUTED"] + payload["results"]["EMPTY"] == WINDOWS
    assert _table(tmp_path / "season.csv") == season["rows"]
    assert ("2 worker processes" if workers else "in this process") in log


def _window_records(folder):
    return sorted(path for path in (folder / RECORDS).glob("*.json") if path.name != RADIO_RECORD)


def test_a_cancelled_season_keeps_complete_windows_and_the_next_run_finishes_the_rest(provider, day, season,
                                                                                       tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback

    class CancelAfterThreeWindows(QgsProcessingFeedback):
        """Cancels once three windows are recorded in the output folder."""

        def __init__(self):
            super().__init__()
            self.messages = []
            self.progressChanged.connect(lambda _: len(_window_records(tmp_path)) >= 3 and self.cancel())

        def pushInfo(self, info):  # noqa: N802 (QGIS API)
            self.messages.append(info)

    feedback = CancelAfterThreeWindows()
    result = processing.run("wifidensity:season", _season_parameters(day, tmp_path, WORKERS=0), feedback=feedback)
    assert result == {} and not (tmp_path / "season.csv").exists()
    assert any("run again into the same folder" in message for message in feedback.messages)
    records = _window_records(tmp_path)
    assert 3 <= len(records) < WINDOWS
    assert not list(tmp_path.rglob("*.partial"))
    for record in records:  # each recorded window has its maps, complete
        maps = json.loads(record.read_text())["maps"]
        assert all(read_density(str(tmp_path / name)).values.size for name in maps)
    again = processing.run("wifidensity:season", _season_parameters(day, tmp_path, WORKERS=0))
    assert again["SKIPPED"] == len(records) and again["COMPUTED"] == WINDOWS - len(records) - again["EMPTY"]
    assert _table(tmp_path / "season.csv") == season["rows"]
