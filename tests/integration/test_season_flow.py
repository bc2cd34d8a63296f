"""The season's per-window flow (algorithms/flow.py) against the shipped model wifidensity:pipeline run on that
window alone: the same totals (relative difference < 1e-9) and the same maps, pixel for pixel.

The model's numbers are read from its outputs: the Reassembly summary's whole-map row (the tool's CLIENTS), the
zones' X (the Counting tool's), and the ML map's tags (its total, A and n handed on by the Localization tool).
"""
from dataclasses import replace

import numpy as np
import pytest

from wifidensity.algorithms.core.geotiff import read_density, write_density
from wifidensity.algorithms.core.timeparse import to_iso
from wifidensity.algorithms.flow import FlowParameters, run_window
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


def _pipeline(day, start, end, out):
    import processing
    processing.run("wifidensity:pipeline", {
        "PROBES": day["probes"], "APS": day["aps"], "CONNECTIONS": day["connections"], "X_DAY": X_DAY,
        "START": str(to_iso([start])[0]), "END": str(to_iso([end])[0]),
        "reassemble:CLIENT_MAP": str(out / "clients.tif"), "mldensity:ML_CLIENT_MAP": str(out / "ml_clients.tif"),
        "reassemble:SUMMARY": str(out / "summary.gpkg"), "count:ZONES": str(out / "zones.gpkg"),
        "fiducial:FIDUCIAL": str(out / "fiducial.gpkg"), "localize:LOCALIZATIONS": str(out / "points.gpkg")})
    from qgis.core import QgsVectorLayer
    summary = {f["zone"]: f["clients"] for f in QgsVectorLayer(str(out / "summary.gpkg"), "s", "ogr").getFeatures()}
    zones = [f["x"] for f in QgsVectorLayer(str(out / "zones.gpkg"), "z", "ogr").getFeatures()]
    return summary[WHOLE_MAP], zones, read_density(str(out / "clients.tif")), \
        read_density(str(out / "ml_clients.tif"))


def _as_written(density, path):
    write_density(str(path), density)
    return read_density(str(path))


def test_each_sampled_window_equals_the_pipeline_run_on_it_alone(provider, day, tmp_path):
    from probe_files import read_with_plugin
    probes, aps, connections = read_with_plugin(day["probes"], day["aps"], day["connections"])
    parameters = FlowParameters(x_day=X_DAY)
    for index in SAMPLED:
        start = day["start"] + index * HOURS * 3600.0
        end = start + HOURS * 3600.0
        out = tmp_path / f"w{index}"
        out.mkdir()
        clients_paper, zone_x, paper_map, ml_map = _pipeline(day, start, end, out)
        result = run_window(probes, aps, start, end, parameters, connections)
        row = result.row
        assert row["status"] == "mapped", row
        assert row["p"] > 1000
        assert row["clients_paper"] == pytest.approx(clients_paper, rel=1e-9, abs=0)
        assert row["clients_ml"] == pytest.approx(float(ml_map.tags["TOTAL"]), rel=1e-9, abs=0)
        assert [row["x"]] == pytest.approx(zone_x, rel=1e-9, abs=0)
        assert (row["a"], row["n"]) == pytest.approx((float(ml_map.tags["A"]), float(ml_map.tags["N"])), rel=1e-12)
        for mine, theirs in ((result.paper, paper_map), (result.ml, ml_map)):
            written = _as_written(mine, out / "mine.tif")
            assert written.grid == replace(theirs.grid, crs=written.grid.crs)
            assert np.array_equal(written.values, theirs.values), np.abs(written.values - theirs.values).max()
