"""The season's per-window flow (algorithms/flow.py) against the shipped model wifidensity:pipeline run on that
window alone: the same totals (relative difference < 1e-9) and the same maps, pixel for pixel.

The model's numbers are read from its outputs: the Reassembly summary's whole-map row (the tool's CLIENTS), the
zones' X (the Counting tool's), the ML map's tags (its total, and the A and n it used) and the Localization
tool's A and n among the children's results. Windows run with the defaults (the list-mode estimator fitting its
radio), with the counts estimator, and with a radio table (the model's own RADIO_TABLE of another window).
"""
from dataclasses import replace

import numpy as np
import pytest

from wifidensity.algorithms.core.geotiff import read_density, write_density
from wifidensity.algorithms.core.timeparse import to_iso
from wifidensity.algorithms.flow import COUNTS, ESTIMATORS, FlowParameters, run_window
from wifidensity.algorithms.radio_table import RadioTable
from wifidensity.algorithms.reassemble import WHOLE_MAP
from wifidensity.algorithms.simulate import sample_config, season_configs, simulate_season

WINDOWS = 8          # one day of 3-hour windows from 00:00 UTC
SAMPLED = (3, 4, 6)  # 09:00, 12:00, 18:00
X_DAY = 160.0
HOURS = 3.0


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
            "start": base.start, "folder": folder}


def _pipeline(day, start, end, out, **given):
    import processing
    results = processing.run("wifidensity:pipeline", {
        "PROBES": day["probes"], "APS": day["aps"], "CONNECTIONS": day["connections"], "X_DAY": X_DAY,
        "START": str(to_iso([start])[0]), "END": str(to_iso([end])[0]),
        "reassemble:CLIENT_MAP": str(out / "clients.tif"), "mldensity:ML_CLIENT_MAP": str(out / "ml_clients.tif"),
        "reassemble:SUMMARY": str(out / "summary.gpkg"), "count:ZONES": str(out / "zones.gpkg"),
        "fiducial:FIDUCIAL": str(out / "fiducial.gpkg"), "localize:LOCALIZATIONS": str(out / "points.gpkg"),
        "mldensity:RADIO_TABLE": str(out / "radio.gpkg"), **given})
    from qgis.core import QgsVectorLayer
    summary = {f["zone"]: f["clients"] for f in QgsVectorLayer(str(out / "summary.gpkg"), "s", "ogr").getFeatures()}
    zones = [f["x"] for f in QgsVectorLayer(str(out / "zones.gpkg"), "z", "ogr").getFeatures()]
    localize = results["CHILD_RESULTS"]["localize"]
    return summary[WHOLE_MAP], zones, read_density(str(out / "clients.tif")), \
        read_density(str(out / "ml_clients.tif")), (localize["A"], localize["N"])


def _radio_table(path):
    """A radio table file as the tools read it (every field of every row, in order)."""
    from qgis.core import QgsVectorLayer
    layer = QgsVectorLayer(str(path), "radio", "ogr")
    names = [name for name in layer.fields().names() if name != "fid"]
    rows = [[None if hasattr(f[name], "isNull") and f[name].isNull() else f[name] for name in names]
            for f in layer.getFeatures()]
    return RadioTable.from_columns({name: np.array(column, dtype=object) for name, column in zip(names, zip(*rows))})


def _as_written(density, path):
    write_density(str(path), density)
    return read_density(str(path))


def _window_equals_the_pipeline(day, read, index, out, parameters, **given):
    probes, aps, connections = read
    start = day["start"] + index * HOURS * 3600.0
    end = start + HOURS * 3600.0
    out.mkdir()
    clients_paper, zone_x, paper_map, ml_map, localized = _pipeline(day, start, end, out, **given)
    result = run_window(probes, aps, start, end, parameters, connections)
    row = result.row
    assert row["status"] == "mapped", row
    assert row["p"] > 1000
    assert row["clients_paper"] == pytest.approx(clients_paper, rel=1e-9, abs=0)
    assert row["clients_ml"] == pytest.approx(float(ml_map.tags["TOTAL"]), rel=1e-9, abs=0)
    assert [row["x"]] == pytest.approx(zone_x, rel=1e-9, abs=0)
    assert (row["a"], row["n"]) == pytest.approx(localized, rel=1e-12)
    assert (row["a_ml"], row["n_ml"]) == pytest.approx((float(ml_map.tags["A"]), float(ml_map.tags["N"])), rel=1e-12)
    for mine, theirs in ((result.paper, paper_map), (result.ml, ml_map)):
        written = _as_written(mine, out / "mine.tif")
        assert written.grid == replace(theirs.grid, crs=written.grid.crs)
        assert np.array_equal(written.values, theirs.values), np.abs(written.values - theirs.values).max()
    return row


def test_each_sampled_window_equals_the_pipeline_run_on_it_alone(provider, day, tmp_path):
    from probe_files import read_with_plugin
    read = read_with_plugin(day["probes"], day["aps"], day["connections"])
    for index in SAMPLED:
        row = _window_equals_the_pipeline(day, read, index, tmp_path / f"w{index}", FlowParameters(x_day=X_DAY))
        assert row["calibration_ml"] in ("ok", "uncertain")
    counts = FlowParameters(x_day=X_DAY, estimator=COUNTS)
    row = _window_equals_the_pipeline(day, read, SAMPLED[0], tmp_path / "counts", counts,
                                      ML_ESTIMATOR=ESTIMATORS.index(COUNTS))
    assert (row["a_ml"], row["n_ml"], row["calibration_ml"]) == (row["a"], row["n"], "not calibrated")


def test_a_window_mapped_with_the_radio_of_another_equals_the_pipeline_given_that_radio(provider, day, tmp_path):
    """The radio fitted at 12:00 (the model's RADIO_TABLE) maps 18:00: nothing is calibrated in either."""
    from probe_files import read_with_plugin
    read = read_with_plugin(day["probes"], day["aps"], day["connections"])
    fitted = _window_equals_the_pipeline(day, read, SAMPLED[1], tmp_path / "fitted", FlowParameters(x_day=X_DAY))
    radio = _radio_table(tmp_path / "fitted" / "radio.gpkg")
    assert (radio.a, radio.n) == pytest.approx((fitted["a_ml"], fitted["n_ml"]), rel=1e-12)
    given = FlowParameters(x_day=X_DAY, radio=radio)
    row = _window_equals_the_pipeline(day, read, SAMPLED[2], tmp_path / "given", given,
                                      RADIO=str(tmp_path / "fitted" / "radio.gpkg"))
    assert (row["a"], row["n"], row["a_ml"], row["n_ml"]) == pytest.approx((radio.a, radio.n) * 2, rel=1e-12)
    assert (row["calibration"], row["calibration_ml"]) == ("not calibrated", "not calibrated")
