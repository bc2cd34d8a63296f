"""wifidensity:localize and wifidensity:fiducial through processing.run and qgis_process.bin, bad inputs too."""
import json

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from wifidensity.algorithms.paper.pathloss import rss_at
from wifidensity.plugin.paths import SAMPLE_DIR, STYLE_DIR

APS = {"N1": (500000.0, 4500000.0), "N2": (500100.0, 4500000.0), "N3": (500000.0, 4500100.0),
       "N4": (500100.0, 4500100.0)}


@pytest.fixture()
def aps_geojson(tmp_path, write_geojson):
    """The four APs of APS as a GeoJSON file in EPSG:32633."""
    return write_geojson(tmp_path / "aps.geojson", "Point", [list(xy) for xy in APS.values()],
                         [{"ap_id": name} for name in APS], epsg=32633)


def _exact_probes(path, clients, with_emission):
    """Noise-free PRs (A = -38, n = 2.6) of one emission per client, heard by all four APs."""
    lines = ["time,ap_id,mac,rss" + (",emission" if with_emission else "")]
    for e, (x, y) in enumerate(clients):
        for name, (ax, ay) in APS.items():
            rss = rss_at(np.hypot(x - ax, y - ay), -38.0, 2.6)
            lines.append(f"2024-06-01T10:00:{e:02d}.5,{name},mac{e},{rss:.12f}" + (f",{e}" if with_emission else ""))
    path.write_text("\n".join(lines) + "\n")
    return str(path)


CLIENTS = [(500020.0, 4500030.0), (500070.0, 4500050.0), (500050.0, 4500085.0), (500090.0, 4500010.0),
           (500033.0, 4500066.0)]


@pytest.mark.parametrize("with_emission", [True, False])
def test_localize_exact_positions_in_the_ap_crs(provider, tmp_path, with_emission, aps_geojson):
    import processing
    result = processing.run("wifidensity:localize", {
        "INPUT": _exact_probes(tmp_path / "probes.csv", CLIENTS, with_emission), "TOLERANCE": 0.5,
        "APS": aps_geojson, "N": 2.6, "CALIBRATE": False,
        "OUTPUT": str(tmp_path / "points.gpkg")})
    assert result["CANDIDATES"] == result["LOCALIZED"] == 5
    assert result["N"] == 2.6 and result["A"] == pytest.approx(-38.0, abs=1e-6)
    layer = QgsVectorLayer(result["OUTPUT"], "points", "ogr")
    assert layer.crs().authid() == "EPSG:32633" and layer.featureCount() == 5
    got = sorted((f.geometry().asPoint().x(), f.geometry().asPoint().y()) for f in layer.getFeatures())
    assert np.allclose(got, sorted(CLIENTS), atol=1e-5)
    assert {f["quality"] for f in layer.getFeatures()} == {"good"}
    assert layer.startEditing()  # a GeoPackage the analyst can edit
    layer.rollBack()


def test_localize_then_fiducial_on_the_sample_site(provider, tmp_path):
    import processing
    located = processing.run("wifidensity:localize", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
        "OUTPUT": str(tmp_path / "points.gpkg"), "REPORT": str(tmp_path / "report.html")})
    truth = json.loads((SAMPLE_DIR / "truth.json").read_text())
    assert 0 < located["LOCALIZED"] <= located["CANDIDATES"]
    points = QgsVectorLayer(located["OUTPUT"], "points", "ogr")
    assert points.featureCount() == located["CANDIDATES"]
    assert {"emission", "time", "n_aps", "residual", "quality"} <= set(points.fields().names())
    # the handed-on model is either the fit (n within the plausible range) or the user's n = 2.5
    assert 1.5 <= located["N"] <= 5.0 and np.isfinite(located["A"])
    if located["N"] != 2.5:
        assert abs(located["N"] - truth["model"]["n"]) <= 3 * located["N_STDERR"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and page.count("<circle") > 100 and "<line" in page

    fiducial = processing.run("wifidensity:fiducial", {
        "INPUT": located["OUTPUT"], "LAYER": 3, "OUTPUT": str(tmp_path / "fid.gpkg"),
        "ALL_LAYERS": str(tmp_path / "layers.gpkg")})
    assert fiducial["LAYERS"] >= 3 and 0 < fiducial["POINTS_INSIDE"] < located["CANDIDATES"]
    region = QgsVectorLayer(fiducial["OUTPUT"], "fid", "ogr")
    assert region.featureCount() == 1
    assert region.getFeature(1).geometry().area() == pytest.approx(fiducial["AREA"])
    layers = QgsVectorLayer(fiducial["ALL_LAYERS"], "layers", "ogr")
    assert layers.featureCount() == fiducial["LAYERS"]
    areas = [f["area_m2"] for f in sorted(layers.getFeatures(), key=lambda f: f["layer"])]
    assert areas == sorted(areas, reverse=True)


def test_fiducial_says_how_many_layers_exist(provider, tmp_path):
    # kept apart from tests holding layers: SIP keeps the last processing exception, and with it this frame,
    # until the interpreter exits, and a QgsVectorLayer freed after QGIS has shut down crashes the process
    import processing
    points = processing.run("wifidensity:localize", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
        "OUTPUT": str(tmp_path / "points.gpkg")})["OUTPUT"]
    layers = processing.run("wifidensity:fiducial", {
        "INPUT": points, "OUTPUT": "TEMPORARY_OUTPUT", "ALL_LAYERS": "TEMPORARY_OUTPUT"})["LAYERS"]
    with pytest.raises(QgsProcessingException, match=f"form only {layers} convex layer"):
        processing.run("wifidensity:fiducial", {"INPUT": points, "LAYER": layers + 1, "OUTPUT": "TEMPORARY_OUTPUT"})


def test_styles_load_with_their_categories(provider, tmp_path, aps_geojson):
    import processing
    located = processing.run("wifidensity:localize", {
        "INPUT": _exact_probes(tmp_path / "p.csv", CLIENTS, False), "APS": aps_geojson,
        "CALIBRATE": False, "OUTPUT": str(tmp_path / "points.gpkg")})
    points = QgsVectorLayer(located["OUTPUT"], "points", "ogr")
    message, ok = points.loadNamedStyle(str(STYLE_DIR / "localizations.qml"))
    assert ok, message
    assert points.renderer().type() == "categorizedSymbol" and points.renderer().classAttribute() == "quality"
    assert [c.value() for c in points.renderer().categories()] == ["good", "poor residual", "outside AP hull",
                                                                  "degenerate"]
    region = processing.run("wifidensity:fiducial", {"INPUT": located["OUTPUT"], "LAYER": 1,
                                                     "OUTPUT": str(tmp_path / "f.gpkg")})
    polygon = QgsVectorLayer(region["OUTPUT"], "f", "ogr")
    message, ok = polygon.loadNamedStyle(str(STYLE_DIR / "fiducial.qml"))
    assert ok, message
    assert polygon.renderer().symbol().symbolLayer(0).brushStyle() == 0  # Qt.NoBrush: an outline only


def test_localize_bad_inputs_are_named(provider, tmp_path, aps_geojson):
    import processing
    table = tmp_path / "other_aps.csv"
    table.write_text("time,ap_id,mac,rss\n2024-06-01T10:00:00,X1,m,-70\n2024-06-01T10:00:00,X2,m,-71\n"
                     "2024-06-01T10:00:00,X3,m,-72\n")
    with pytest.raises(QgsProcessingException, match="X1"):
        processing.run("wifidensity:localize", {"INPUT": str(table), "APS": aps_geojson, "OUTPUT": "TEMPORARY_OUTPUT"})
    two = tmp_path / "two.csv"
    two.write_text("time,ap_id,mac,rss\n2024-06-01T10:00:00,N1,m,-70\n2024-06-01T10:00:00,N2,m,-71\n")
    with pytest.raises(QgsProcessingException, match="3 or more APs"):
        processing.run("wifidensity:localize", {"INPUT": str(two), "APS": aps_geojson, "OUTPUT": "TEMPORARY_OUTPUT"})
    with pytest.raises(QgsProcessingException, match="signal"):
        processing.run("wifidensity:localize", {"INPUT": str(two), "RSS_FIELD": "signal", "APS": aps_geojson,
                                                "OUTPUT": "TEMPORARY_OUTPUT"})


def test_fiducial_bad_inputs_are_named(provider, tmp_path, write_geojson):
    import processing
    line = write_geojson(tmp_path / "line.geojson", "Point", [[500000 + i, 4500000 + i] for i in range(5)],
                         [{}] * 5, epsg=32633)
    with pytest.raises(QgsProcessingException, match="one line"):
        processing.run("wifidensity:fiducial", {"INPUT": line, "LAYER": 1, "OUTPUT": "TEMPORARY_OUTPUT"})


@pytest.mark.qgis_process
def test_qgis_process_localize_and_fiducial(qgis_cli, tmp_path):
    code, payload, log = qgis_cli.run("wifidensity:localize", INPUT=SAMPLE_DIR / "probes.csv",
                                      APS=SAMPLE_DIR / "aps.geojson", OUTPUT=tmp_path / "points.gpkg")
    assert code == 0, log
    results = payload["results"]
    assert 0 < results["LOCALIZED"] <= results["CANDIDATES"]
    code, payload, log = qgis_cli.run("wifidensity:fiducial", INPUT=tmp_path / "points.gpkg", LAYER=2,
                                      OUTPUT=tmp_path / "fid.gpkg")
    assert code == 0, log
    assert payload["results"]["AREA"] > 0
    code, _, log = qgis_cli.run("wifidensity:fiducial", INPUT=tmp_path / "points.gpkg", LAYER=100000,
                                OUTPUT=tmp_path / "deep.gpkg")
    assert code != 0 and "convex layer" in log and "Traceback" not in log
