"""bowl, renormalize, drilldown, reassemble through processing.run (and qgis_process.bin): mass bookkeeping from
probe table to client map, outputs styled, bad inputs refused with a message that says what to fix."""
import json

import numpy as np
import pytest

from wifidensity.algorithms.core.geotiff import Density, read_density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.paper.pathloss import rss_at

# Three APs around a square in UTM 33N, given to the tools in WGS84 (so the bowl picks the UTM zone itself).
UTM = "EPSG:32633"
AP_UTM = {"AP1": (617000.0, 5450300.0), "AP2": (617080.0, 5450300.0), "AP3": (617040.0, 5450360.0)}
CLIENT = (617040.0, 5450320.0)
REGION = (616990.0, 5450280.0, 617090.0, 5450370.0)


def _to_wgs84(x, y):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem(UTM), QgsCoordinateReferenceSystem("EPSG:4326"),
                                       QgsProject.instance())
    point = transform.transform(QgsPointXY(x, y))
    return point.x(), point.y()


def _probes():
    """60 PRs: 20 per AP, RSS of a client 40 m away from AP1/AP2 and 25-45 m from AP3, with 2 dB noise."""
    rng = np.random.default_rng(12)
    rows = []
    for ap, (x, y) in AP_UTM.items():
        distance = np.hypot(x - CLIENT[0], y - CLIENT[1])
        for rss in np.round(rss_at(distance) + rng.normal(0, 2, 20)):
            rows.append((ap, float(rss)))
    return rows


@pytest.fixture()
def files(tmp_path):
    """The probe table (CSV), the APs (GeoJSON, WGS84) and the decision region (GeoJSON, WGS84)."""
    probes = tmp_path / "probes.csv"
    probes.write_text("time,ap_id,mac,rss\n" + "".join(f"2024-06-01T10:00:{i % 60:02d},{ap},m{i},{rss}\n"
                                                       for i, (ap, rss) in enumerate(_probes())))
    aps = tmp_path / "aps.geojson"
    aps.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ap_id": ap}, "geometry": {"type": "Point", "coordinates": _to_wgs84(*xy)}}
        for ap, xy in AP_UTM.items()]}))
    region = tmp_path / "region.geojson"
    x0, y0, x1, y1 = REGION
    ring = [_to_wgs84(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    region.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"zone": "square", "x": 2.0},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return {"probes": str(probes), "aps": str(aps), "region": str(region), "dir": tmp_path}


def _run(name, **parameters):
    import processing
    return processing.run(f"wifidensity:{name}", parameters)


def _bowl(files, **overrides):
    parameters = dict(INPUT=files["probes"], APS=files["aps"], PIXEL_SIZE=1.0, MARGIN=30.0,
                      OUTPUT=str(files["dir"] / "bowl.tif"))
    parameters.update(overrides)
    return _run("bowl", **parameters)


def _polygons(crs, boxes, fields="zone:string&field=x:double", rows=None):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field={fields}", "polygons", "memory")
    features = []
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"))
        feature.setAttributes(list(rows[i]) if rows else [f"z{i + 1}", 1.0])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_bowl_mass_crs_and_tags(provider, files):
    result = _bowl(files)
    assert result["TOTAL"] == 60
    density = read_density(result["OUTPUT"])
    assert density.mass() + result["MASS_OUTSIDE"] == pytest.approx(60, rel=1e-6)  # float32 file
    assert 0 < result["MASS_OUTSIDE"] < 30
    assert "32633" in density.grid.crs or "UTM zone 33N" in density.grid.crs  # APs were in degrees
    assert density.grid.pixel == 1.0 and density.grid.shape == (120, 140)
    assert density.tags["UNITS"] == "PRs/m2" and float(density.tags["N"]) == 2.5
    import rasterio
    with rasterio.open(result["OUTPUT"]) as src:
        assert src.dtypes[0] == "float32"


def test_pipeline_bowl_renormalize_drilldown_reassemble(provider, files):
    """The paper's Figure 19 chain: every step keeps the PR (then client) total."""
    bowl = _bowl(files)
    renormalized = _run("renormalize", INPUT=bowl["OUTPUT"], REGION=files["region"],
                        OUTPUT=str(files["dir"] / "renorm.tif"))
    assert renormalized["TOTAL"] == pytest.approx(60)
    assert renormalized["MASS_MOVED"] == pytest.approx(60 - _mass_in_region(bowl["OUTPUT"]), rel=1e-5)
    confined = read_density(renormalized["OUTPUT"])
    assert confined.mass() == pytest.approx(60, rel=1e-6)

    drilled = _run("drilldown", INPUT=renormalized["OUTPUT"], RETAIN=0.9, OUTPUT=str(files["dir"] / "capped.tif"),
                   PEAKS=str(files["dir"] / "peaks.tif"))
    capped, peaks = read_density(drilled["OUTPUT"]), read_density(drilled["PEAKS"])
    assert np.array_equal(capped.values.astype(np.float32) + peaks.values.astype(np.float32),
                          confined.values.astype(np.float32))
    assert drilled["RETAINED"] == pytest.approx(0.9, abs=1e-4)
    assert capped.values.max() <= drilled["THRESHOLD"]

    zones_x = _polygons(UTM, [REGION], rows=[("square", 2.0)])
    client_map = _run("reassemble", PIECES=[drilled["OUTPUT"]], X=10.0, POSITION_PIECE=drilled["PEAKS"],
                      ZONES_X=zones_x, X_FIELD="x", SMOOTH=5.0, OUTPUT=str(files["dir"] / "clients.tif"),
                      SUMMARY="memory:")
    expected = capped.mass() / 10.0 + peaks.mass() / 2.0
    assert client_map["CLIENTS"] == pytest.approx(expected, rel=1e-5)
    assert read_density(client_map["OUTPUT"]).mass() == pytest.approx(expected, rel=1e-5)
    rows = {f["zone"]: f for f in client_map["SUMMARY"].getFeatures()}
    assert rows["square"]["area_m2"] == pytest.approx(100 * 90)
    assert rows["total (whole map)"]["clients"] == pytest.approx(expected, rel=1e-5)
    assert rows["square"]["clients"] <= rows["total (whole map)"]["clients"] * (1 + 1e-9)


def _mass_in_region(path):
    from shapely.geometry import box

    from wifidensity.algorithms.core.masks import polygon_mask
    density = read_density(path)
    return float(density.values[polygon_mask(box(*REGION), density.grid)].sum() * density.grid.cell_area)


def test_outputs_load_with_the_density_style(provider, files):
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
        QgsRasterLayer,
        QgsSingleBandPseudoColorRenderer,
    )

    from wifidensity.plugin.display.styles import ApplyDensityStyle
    from wifidensity.plugin.paths import STYLE_DIR
    path = _bowl(files)["OUTPUT"]
    layer = QgsRasterLayer(path, "bowl")
    ApplyDensityStyle(STYLE_DIR / "density.qml", layer.id()).postProcessLayer(layer, QgsProcessingContext(),
                                                                   QgsProcessingFeedback())
    assert isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer)
    items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.alpha() == 0  # empty pixels transparent over the basemap
    assert items[-1].value == pytest.approx(read_density(path).values.max(), rel=1e-6)
    assert all("PRs/m²" in item.label for item in items)  # the units as people write them
    assert QgsProject.instance() is not None


@pytest.mark.parametrize("pixel", [0.0, -1.0])
def test_bad_pixel_size(provider, files, pixel):
    from qgis.core import QgsProcessingException
    with pytest.raises(QgsProcessingException, match="PIXEL_SIZE"):
        _bowl(files, PIXEL_SIZE=pixel)


def test_probe_whose_ap_is_missing(provider, files, tmp_path):
    from qgis.core import QgsProcessingException
    probes = tmp_path / "unknown_ap.csv"
    probes.write_text("time,ap_id,mac,rss\n2024-06-01T10:00:00,AP1,m1,-60\n2024-06-01T10:00:01,AP9,m2,-61\n")
    with pytest.raises(QgsProcessingException, match=r"row 2.*AP9"):
        _bowl(files, INPUT=str(probes))


@pytest.mark.parametrize("boxes, message", [
    ([(0.0, 0.0, 50.0, 50.0)], "misses"),   # in UTM 33N but thousands of km away
    ([], "no polygon"),
])
def test_region_that_misses_the_raster_or_is_empty(provider, files, boxes, message):
    from qgis.core import QgsProcessingException
    bowl = _bowl(files)
    with pytest.raises(QgsProcessingException, match=message):
        _run("renormalize", INPUT=bowl["OUTPUT"], REGION=_polygons(UTM, boxes), OUTPUT=str(files["dir"] / "r.tif"))


def test_uniform_mode_and_exclusions(provider, files):
    bowl = _bowl(files)
    x0, y0, x1, y1 = REGION
    hole = (x0 + 10, y0 + 10, x0 + 30, y0 + 30)
    result = _run("renormalize", INPUT=bowl["OUTPUT"], REGION=_polygons(UTM, [REGION]),
                  EXCLUSIONS=_polygons(UTM, [hole]), MODE=1, TOTAL=100.0, OUTPUT=str(files["dir"] / "u.tif"))
    density = read_density(result["OUTPUT"])
    assert result["TOTAL"] == 100.0 and density.mass() == pytest.approx(100.0, rel=1e-6)
    from shapely.geometry import box

    from wifidensity.algorithms.core.masks import polygon_mask
    assert not density.values[polygon_mask(box(*hole), density.grid)].any()


@pytest.mark.parametrize("retain", [0.0, -0.5, 1.5])
def test_retain_outside_unit_interval(provider, files, retain):
    from qgis.core import QgsProcessingException
    bowl = _bowl(files)
    with pytest.raises(QgsProcessingException, match="RETAIN"):
        _run("drilldown", INPUT=bowl["OUTPUT"], RETAIN=retain, OUTPUT=str(files["dir"] / "c.tif"),
             PEAKS=str(files["dir"] / "p.tif"))


def test_threshold_given_directly(provider, files):
    bowl = _bowl(files)
    result = _run("drilldown", INPUT=bowl["OUTPUT"], THRESHOLD=0.001, OUTPUT=str(files["dir"] / "c.tif"),
                  PEAKS=str(files["dir"] / "p.tif"))
    assert result["THRESHOLD"] == pytest.approx(0.001, rel=1e-3)
    assert read_density(result["OUTPUT"]).values.max() <= result["THRESHOLD"]


def test_pieces_of_different_crs(provider, tmp_path):
    from qgis.core import QgsProcessingException
    paths = []
    for name, crs in (("a", UTM), ("b", "EPSG:32634")):
        grid = Grid(500000.0, 5450100.0, 1.0, 100, 100, crs)
        paths.append(str(tmp_path / f"{name}.tif"))
        write_density(paths[-1], Density(np.full(grid.shape, 0.01), grid, {"UNITS": "PRs/m2"}))
    with pytest.raises(QgsProcessingException, match="different CRS"):
        _run("reassemble", PIECES=paths, X=65.5, OUTPUT=str(tmp_path / "clients.tif"))
    result = _run("reassemble", PIECES=paths[:1], X=1.0, SMOOTH=10.0, OUTPUT=str(tmp_path / "clients.tif"))
    assert result["CLIENTS"] == pytest.approx(100.0, rel=1e-5)  # smoothing keeps all mass at the borders


@pytest.mark.qgis_process
def test_bowl_and_renormalize_from_the_command_line(qgis_cli, files):
    out = files["dir"]
    code, payload, log = qgis_cli.run("wifidensity:bowl", INPUT=files["probes"], APS=files["aps"], MARGIN=30,
                                      OUTPUT=str(out / "cli_bowl.tif"))
    assert code == 0, log
    assert payload["results"]["TOTAL"] == 60
    code, payload, log = qgis_cli.run("wifidensity:renormalize", INPUT=str(out / "cli_bowl.tif"),
                                      REGION=files["region"], OUTPUT=str(out / "cli_renorm.tif"))
    assert code == 0, log
    assert read_density(str(out / "cli_renorm.tif")).mass() == pytest.approx(60, rel=1e-6)
    code, _, log = qgis_cli.run("wifidensity:drilldown", INPUT=str(out / "cli_renorm.tif"), RETAIN=1.5,
                                OUTPUT=str(out / "c.tif"), PEAKS=str(out / "p.tif"))
    assert code != 0 and "RETAIN" in log and "Traceback" not in log


def test_extent_and_crs_parameters(provider, files):
    x0, y0 = 617010.0, 5450290.0
    result = _bowl(files, EXTENT=f"{x0},{x0 + 50},{y0},{y0 + 40} [{UTM}]", PIXEL_SIZE=2.0)
    density = read_density(result["OUTPUT"])
    assert density.grid.bounds == pytest.approx((x0, y0, x0 + 50, y0 + 40))
    assert density.grid.shape == (20, 25)
    assert density.mass() + result["MASS_OUTSIDE"] == pytest.approx(60, rel=1e-6)
    mercator = _bowl(files, CRS="EPSG:3857", OUTPUT=str(files["dir"] / "mercator.tif"))
    assert "Pseudo-Mercator" in read_density(mercator["OUTPUT"]).grid.crs
