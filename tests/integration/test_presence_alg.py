"""wifidensity:presence through processing.run and qgis_process.bin, on the simulated store of the unit tests
written as a user's files: the day table equals the science's (a Date field, NULL where withheld), the flows
are lines, the chart and the PDF report are written, and no token of the input appears in any output, the PDF's
compressed streams included."""
import csv
import json
import re
import zlib

import numpy as np
import pytest
from presence_store import simulate_store
from qgis.core import QgsVectorLayer, QgsWkbTypes

from wifidensity.algorithms.core.geotiff import Density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.timeparse import to_iso
from wifidensity.algorithms.presence import PresenceSettings, presence
from wifidensity.algorithms.presence.days_table import DAY_FIELDS

TIMEZONE = "Europe/Paris"


@pytest.fixture(scope="module")
def store(tmp_path_factory, write_geojson):
    sim = simulate_store()
    folder = tmp_path_factory.mktemp("store")
    with open(folder / "probes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "ap_id", "mac", "rss"])
        writer.writerows(zip(to_iso(sim.probes.time), sim.probes.ap_id, sim.probes.mac, sim.probes.rss))
    (folder / "connections.txt").write_text("\n".join(map(str, sim.connections)) + "\n", encoding="utf-8")
    aps = write_geojson(folder / "aps.geojson", "Point", [list(xy) for xy in sim.aps.xy],
                        [{"ap_id": str(a), "zone": z} for a, z in zip(sim.aps.ids, sim.ap_zones)], 32633)
    season = folder / "season.csv"
    season.write_text("start,end,clients_paper\n2024-03-28T09:00:00Z,2024-03-28T12:00:00Z,41.5\n"
                      "2024-03-28T12:00:00Z,2024-03-28T15:00:00Z,58.5\n", encoding="utf-8")
    grid = Grid(float(sim.aps.xy[:, 0].min()) - 20, float(sim.aps.xy[:, 1].max()) + 20, 1.0, 80, 60, "EPSG:32633")
    write_density(str(folder / "clients.tif"), Density(np.full(grid.shape, 0.01), grid, {"UNITS": "clients/m2"}))
    return sim, folder, aps


def _parameters(store, out, **extra):
    sim, folder, aps = store
    return {"INPUT": str(folder / "probes.csv"), "APS": aps, "CONNECTIONS": str(folder / "connections.txt"),
            "TIMEZONE": TIMEZONE, "OUTPUT_DAYS": str(out / "days.gpkg"), "OUTPUT_FLOWS": str(out / "flows.gpkg"),
            **extra}


def test_day_table_flows_chart_and_report(store, provider, tmp_path):
    import processing
    sim, folder, _ = store
    result = processing.run("wifidensity:presence", _parameters(
        store, tmp_path, CHART=str(tmp_path / "chart.png"), REPORT=str(tmp_path / "report.pdf"),
        SEASON_TABLE=str(folder / "season.csv"), CLIENT_MAP=str(folder / "clients.tif")))
    science = presence(sim.probes, sim.aps, sim.ap_zones, sim.connections, PresenceSettings(timezone=TIMEZONE))
    days = QgsVectorLayer(result["OUTPUT_DAYS"], "days", "ogr")
    assert days.fields().field("date").typeName().lower() == "date"
    rows = [[_plain(f[name]) for name, _ in DAY_FIELDS] for f in days.getFeatures()]
    assert rows == [list(_science_row(r)) for r in science.days.rows()]
    assert result["DAYS"] == len(rows) == 7 and result["STABLE_ROWS"] < result["PR_ROWS"]
    flows = QgsVectorLayer(result["OUTPUT_FLOWS"], "flows", "ogr")
    assert flows.featureCount() == len(science.flows) > 0
    assert all(f.geometry().type() == QgsWkbTypes.LineGeometry and f["devices"] >= 5 for f in flows.getFeatures())
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    text = _pdf_text(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", text)) >= 2, "the report's pages, then the client map's"
    tokens = {str(t) for t in np.unique(sim.probes.mac.astype(str))}
    for output in (tmp_path / "days.gpkg", tmp_path / "flows.gpkg", tmp_path / "chart.png"):
        blob = output.read_bytes()
        assert not any(t.encode() in blob for t in tokens), output
    assert not any(t.encode() in text or t.encode() in pdf for t in tokens), "a token in the PDF"


def _pdf_text(pdf):
    """The PDF's bytes with every deflate stream inflated."""
    streams = [zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
               if m.group(1)[:1] in (b"x", b"\x78")]
    return pdf + b"".join(streams)


def _plain(value):
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toPyDate"):
        return value.toPyDate()
    return value


def _science_row(row):
    return [None if v is None else (float(v) if isinstance(v, float) else v) for v in row]


@pytest.mark.qgis_process
def test_presence_through_qgis_process(store, tmp_path, qgis_cli):
    code, payload, log = qgis_cli.run("wifidensity:presence", **_parameters(store, tmp_path, K_ANONYMITY=1))
    assert code == 0, log[-2000:]
    assert payload["results"]["DAYS"] == 7
    assert "Traceback" not in log and json.dumps(payload)
