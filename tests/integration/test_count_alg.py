"""wifidensity:count through processing.run: totals, polygon and level zones, the position method, bad input."""
import numpy as np
import pytest

from wifidensity.algorithms.core.geotiff import Density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.counting.counting import strawman_x, window_x
from wifidensity.plugin.paths import STYLE_DIR

GRID = Grid(616500.0, 5449040.0, 2.0, 20, 20, "EPSG:32633")  # 40 x 40 m in UTM 33N
PLATEAU, PEAK = 0.1, 1.0  # PRs/m²: left half, and a 12 x 20 m block on the right


@pytest.fixture()
def density_path(tmp_path):
    values = np.zeros(GRID.shape)
    values[:, :10] = PLATEAU
    values[5:15, 12:18] = PEAK
    path = tmp_path / "prs.tif"
    write_density(str(path), Density(values, GRID, {"KIND": "PR density", "UNITS": "PRs/m2"}))
    return str(path)


def _memory_layer(kind, crs, rows, fields="name:string"):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer
    layer = QgsVectorLayer(f"{kind}?crs={crs}&field={fields}", "layer", "memory")
    features = []
    for wkt, name in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        feature.setAttributes([name])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _box(x0, y0, x1, y1):
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def _zones_in_wgs84():
    """The plateau (left 20 m) and the peak block as polygons, stored in EPSG:4326 to exercise reprojection."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry, QgsProject
    utm = _memory_layer("Polygon", "EPSG:32633", [(_box(616500, 5449000, 616520, 5449040), "plateau"),
                                                   (_box(616524, 5449010, 616536, 5449030), "peak")])
    to_wgs84 = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:32633"),
                                      QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    rows = []
    for feature in utm.getFeatures():
        geometry = QgsGeometry(feature.geometry())
        geometry.densifyByCount(20)
        geometry.transform(to_wgs84)
        rows.append((geometry.asWkt(12), feature["name"]))
    return _memory_layer("Polygon", "EPSG:4326", rows)


def _points(counts):
    """``counts`` = (on the plateau, in the peak) localization points, in UTM."""
    rows = [("POINT(616505 5449030)", "p")] * counts[0] + [("POINT(616530 5449020)", "p")] * counts[1]
    return _memory_layer("Point", "EPSG:32633", rows)


def _run(**parameters):
    import processing
    return processing.run("wifidensity:count", parameters)


def test_totals_only(provider):
    result = _run(P=2343.27, P3=0.35 * 2343.27, WINDOW_HOURS=3, X_DAY=524, METHOD=1)
    assert result["X12"] == pytest.approx(65.5)
    assert result["CLIENTS_LEGACY"] == pytest.approx(2343.27 / 65.5)
    assert result["X"] == pytest.approx(65.5 / (1 - (2 / 3) * 0.35))
    assert result["CLIENTS"] == pytest.approx(result["CLIENTS_STRAWMAN"])
    assert result["CLIENTS_MULTIPLICITY"] is None  # P1, P2 unknown: the paper's inputs
    assert result["OUTPUT"] is None


def test_multiplicity_with_p4_and_connected_client_check(provider):
    result = _run(P=100, P1=20, P2=40, P3=30, P_MORE="8, 2", WINDOW_HOURS=3, X_DAY=80, METHOD=2,
                  P_CC=655, A_CC=10, T_CC_HOURS=3)
    # 20 + 20 + 10 + 2 + 0.4 = 52.4 emissions, 10 per client in 3 h.
    assert result["CLIENTS"] == pytest.approx(5.24)
    assert result["X_CC_DAY"] == pytest.approx(524.0)
    # Preprocessing's P_BY_K style gives the same count: k:P_k pairs, P1..P3 ignored here.
    pairs = _run(P=100, P1=20, P2=40, P3=30, P_MORE="1:20;2:40;3:30;4:8;5:2", X_DAY=80, METHOD=2)
    assert pairs["CLIENTS"] == pytest.approx(5.24)


def test_position_on_polygon_zones(provider, density_path):
    from qgis.core import QgsVectorLayer
    p = 800 * PLATEAU + 240 * PEAK  # the raster's whole mass: 800 m² of plateau, 240 m² of peak
    p3 = 0.3 * p
    result = _run(P=p, P1=0.5 * p, P2=0.2 * p, P3=p3, METHOD=3, POSITION_BASE=1, ZONES=_zones_in_wgs84(),
                  ZONE_NAME_FIELD="name", DENSITY=density_path, POINTS=_points((5, 30)), OUTPUT="memory:")
    layer = result["OUTPUT"]
    assert isinstance(layer, QgsVectorLayer)
    names = layer.fields().names()
    assert {"zone", "area_m2", "prs", "localizations", "x", "clients", "x_position", "clients_legacy",
            "clients_strawman", "clients_multiplicity", "clients_position"} <= set(names)
    rows = {f["zone"]: f for f in layer.getFeatures()}
    assert rows["plateau"]["prs"] == pytest.approx(80.0)
    assert rows["peak"]["prs"] == pytest.approx(240.0)
    assert rows["peak"]["area_m2"] == pytest.approx(240.0, rel=1e-3)
    assert rows["peak"]["localizations"] == 30
    assert rows["peak"]["x"] > rows["plateau"]["x"]
    x_base = strawman_x(window_x(524, 3), p, p3)
    assert result["CLIENTS_POSITION"] == pytest.approx(p / x_base)
    assert result["X"] == pytest.approx(x_base)
    assert result["ZONES_CAPPED"] == 0
    assert sum(f["clients"] for f in layer.getFeatures()) == pytest.approx(p / x_base)


def test_levels_from_breaks(provider, density_path):
    result = _run(P=320, P1=100, P2=100, P3=120, METHOD=2, DENSITY=density_path, BREAKS="0.5", OUTPUT="memory:")
    layer = result["OUTPUT"]
    rows = sorted(layer.getFeatures(), key=lambda f: f["prs"])
    assert [f["prs"] for f in rows] == pytest.approx([80.0, 240.0])
    assert [f["area_m2"] for f in rows] == pytest.approx([800.0, 240.0])
    assert all(f["x"] == pytest.approx(result["X"]) for f in rows)
    assert all(f.geometry().isMultipart() for f in rows)


def test_zone_style_labels_the_clients(provider, density_path):
    result = _run(P=320, P3=100, METHOD=1, DENSITY=density_path, OUTPUT="memory:")
    layer = result["OUTPUT"]
    assert layer.featureCount() == 1
    message, ok = layer.loadNamedStyle(str(STYLE_DIR / "zones.qml"))
    assert ok, message
    assert layer.labelsEnabled()
    assert "clients" in layer.labeling().settings().fieldName


@pytest.mark.parametrize("overrides, message", [
    (dict(P=0), "P = 0"),
    (dict(X_DAY=0), "X_DAY"),
    (dict(X_DAY=-524), "X_DAY"),
    (dict(WINDOW_HOURS=0), "WINDOW_HOURS"),
    (dict(P1=300, P2=100), "exceeds P"),
    (dict(METHOD=3), "POINTS"),
    (dict(BREAKS="low, high"), "BREAKS"),
    (dict(P_MORE="x"), "P_MORE"),
    (dict(P_CC=100), "A_CC and T_CC_HOURS"),
])
def test_bad_input_is_a_clear_processing_error(provider, density_path, overrides, message):
    from qgis.core import QgsProcessingException
    parameters = dict(P=320, P1=100, P2=100, P3=120, METHOD=2, DENSITY=density_path, BREAKS="0.5",
                      OUTPUT="memory:")
    parameters.update(overrides)
    with pytest.raises(QgsProcessingException, match=message):
        _run(**parameters)


def test_zones_off_the_raster_are_refused(provider, density_path):
    from qgis.core import QgsProcessingException
    far = _memory_layer("Polygon", "EPSG:32633", [(_box(700000, 5000000, 700100, 5000100), "far")])
    with pytest.raises(QgsProcessingException, match="do not overlap"):
        _run(P=320, P3=100, METHOD=1, DENSITY=density_path, ZONES=far, OUTPUT="memory:")


def test_zones_without_density_are_refused(provider):
    from qgis.core import QgsProcessingException
    zones = _memory_layer("Polygon", "EPSG:32633", [(_box(0, 0, 10, 10), "a")])
    with pytest.raises(QgsProcessingException, match="DENSITY"):
        _run(P=320, P3=100, METHOD=1, ZONES=zones)


@pytest.mark.qgis_process
def test_count_from_the_command_line(qgis_cli, density_path, tmp_path):
    code, payload, log = qgis_cli.run("wifidensity:count", P=320, P1=100, P2=100, P3=120, METHOD=2,
                                      DENSITY=density_path, BREAKS="0.5", OUTPUT=str(tmp_path / "zones.gpkg"))
    assert code == 0, log
    results = payload["results"]
    # 100 + 50 + 40 = 190 emissions; X12 = 65.5 emissions per client.
    assert results["CLIENTS"] == pytest.approx(190 / 65.5)
    from qgis.core import QgsVectorLayer
    layer = QgsVectorLayer(results["OUTPUT"], "zones", "ogr")
    assert sorted(f["prs"] for f in layer.getFeatures()) == pytest.approx([80.0, 240.0])


@pytest.mark.qgis_process
def test_command_line_error_names_the_field(qgis_cli):
    code, _, log = qgis_cli.run("wifidensity:count", P=0, P3=0)
    assert code != 0
    assert "P = 0" in log and "Traceback" not in log


def test_position_caps_a_zone_with_more_3ap_prs_than_prs(provider, density_path):
    # All 35 localizations on the plateau: it would hold 0.9 x 320 = 288 3-AP PRs but holds 80 PRs.
    p, p3 = 320.0, 288.0
    result = _run(P=p, P1=20, P2=12, P3=p3, METHOD=3, ZONES=_zones_in_wgs84(), ZONE_NAME_FIELD="name",
                  DENSITY=density_path, POINTS=_points((35, 0)), OUTPUT="memory:")
    assert result["ZONES_CAPPED"] == 1
    assert result["CLIENTS_POSITION"] == pytest.approx(p / strawman_x(window_x(524, 3), p, p3))
    rows = {f["zone"]: f for f in result["OUTPUT"].getFeatures()}
    assert rows["plateau"]["x"] > rows["peak"]["x"]


# The sample site's 3-hour window as the Preprocessing tool counts it (COUNT_EMISSIONS, its connections table):
# 205 randomising clients, X_DAY = 270 their true emissions per client per day.
SAMPLE = dict(P=12640, P1=2595, P2=6052, P3=3621, P_MORE="352, 20", WINDOW_HOURS=3, X_DAY=270.0488)


def test_the_sample_window_counts_its_205_clients(provider):
    assert _run(**SAMPLE, METHOD=2)["CLIENTS"] == pytest.approx(205.0, abs=0.05)
    paper = {k: SAMPLE[k] for k in ("P", "P3", "WINDOW_HOURS", "X_DAY")}  # the paper's inputs: P and P3
    assert _run(**paper, METHOD=1)["CLIENTS"] == pytest.approx(_run(**SAMPLE, METHOD=1)["CLIENTS"])
    legacy = _run(P=SAMPLE["P"], WINDOW_HOURS=3, X_DAY=SAMPLE["X_DAY"], METHOD=0)  # legacy needs P alone
    assert legacy["CLIENTS"] == pytest.approx(12640 / (270.0488 / 8))
    assert legacy["CLIENTS_STRAWMAN"] is None and legacy["CLIENTS_MULTIPLICITY"] is None  # their inputs are missing


@pytest.mark.parametrize("method, missing, message", [
    (2, ("P1", "P2", "P3"), r"multiplicity method needs P1, P2 and P3 .*P1, P2 and P3 are all 0 while "
                            r"P = 12640, and the parts given \(P4 \+ P5 = 372\) leave 12268 PRs"),
    (2, ("P1", "P2"), r"multiplicity method needs P1, P2 and P3 .*P1 and P2 are 0 while P = 12640"),
    (2, ("P2",), r"P2 is 0 while P = 12640, and the parts given \(P1 \+ P3 \+ P4 \+ P5 = 6588\)"),
    (1, ("P1", "P2", "P3"), r"strawman method needs P3, .*P3 is 0 while P = 12640.*choose METHOD legacy"),
    (1, ("P3",), r"strawman method needs P3, .*P3 is 0 while P = 12640"),
    (3, ("P3",), r"position method needs P3"),
])
def test_missing_multiplicities_are_refused_with_the_fix(provider, method, missing, message):
    # Before, P and P_MORE without P1-P3 counted 92.6 clients instead of 205, P and P3 alone 124.8.
    from qgis.core import QgsProcessingException
    parameters = {k: v for k, v in SAMPLE.items() if k not in missing}
    with pytest.raises(QgsProcessingException, match=message):
        _run(**parameters, METHOD=method)


def test_parts_that_add_up_to_p_are_believed_even_with_a_zero(provider):
    # No emission heard by 3 APs: P3 = 0 is a measurement when P1 + P2 = P, and strawman is then legacy.
    result = _run(P=300, P1=100, P2=200, P3=0, METHOD=1)
    assert result["CLIENTS"] == pytest.approx(result["CLIENTS_LEGACY"])
    assert _run(P=300, P1=100, P2=200, METHOD=2)["CLIENTS"] == pytest.approx(200 / 65.5)
    with pytest.raises(Exception, match=r"P1 \+ P2 \+ P3 \+ P4 \+ P5 = 12641 exceeds P = 12640"):
        _run(**{**SAMPLE, "P1": 2596})
