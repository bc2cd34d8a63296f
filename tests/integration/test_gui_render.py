"""Screenshot: QGIS's own renderer draws the sample site's bowl density, fiducial region and APs into a PNG."""
import numpy as np
from image_stats import rgb_array
from qgis.core import QgsMarkerSymbol, QgsPointXY, QgsRasterLayer, QgsSingleSymbolRenderer, QgsVectorLayer
from qgis.PyQt.QtGui import QImage
from render import map_settings, render_png

from wifidensity.plugin.paths import SAMPLE_DIR, STYLE_DIR

SIZE = (800, 600)


def black_aps():
    layer = QgsVectorLayer(str(SAMPLE_DIR / "aps.geojson"), "Access points", "ogr")
    symbol = QgsMarkerSymbol.createSimple({"name": "triangle", "color": "0,0,0", "outline_color": "0,0,0",
                                           "size": "4"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    return layer


def test_sample_site_density_fiducial_region_and_aps_render_to_a_png(provider, tmp_path):
    import processing
    bowl = processing.run("wifidensity:bowl", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
        "A": -38, "N": 2.6, "SIGMA_RSS": 3, "PIXEL_SIZE": 2, "OUTPUT": str(tmp_path / "bowl.tif")})
    points = processing.run("wifidensity:localize", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
        "OUTPUT": str(tmp_path / "localizations.gpkg")})
    good = QgsVectorLayer(points["OUTPUT"], "Localizations", "ogr")
    good.setSubsetString("quality = 'good'")  # flagged solutions lie far outside the site
    region = processing.run("wifidensity:fiducial", {
        "INPUT": good, "LAYER": 3, "OUTPUT": str(tmp_path / "fiducial.gpkg")})
    density = QgsRasterLayer(bowl["OUTPUT"], "PR density")
    assert density.loadNamedStyle(str(STYLE_DIR / "density.qml"))[1]
    fiducial = QgsVectorLayer(region["OUTPUT"], "Fiducial region", "ogr")
    assert fiducial.loadNamedStyle(str(STYLE_DIR / "fiducial.qml"))[1]
    aps = black_aps()
    png = tmp_path / "sample_site.png"

    render_png(png, [aps, fiducial, density], size=SIZE, background="white")

    pixels = rgb_array(QImage(str(png)))
    assert pixels.shape == (SIZE[1], SIZE[0], 3)
    painted = np.any(pixels < 250, axis=2)
    assert painted.mean() > 0.3, "the density should cover most of the view around the APs"
    hues = {tuple(c) for c in (pixels[painted] // 32)}
    assert len(hues) > 10, "a colour ramp, not a flat fill"
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 120) & (pixels[..., 2] < 120)
    blue = (pixels[..., 2] > 150) & (pixels[..., 0] < 100)
    assert red.any() and blue.any(), "the ramp's hot and cold ends are both on the map"
    outline = fiducial.renderer().symbol().symbolLayer(0).strokeColor()
    on_outline = np.all(np.abs(pixels.astype(int) - [outline.red(), outline.green(), outline.blue()]) < 40, axis=2)
    assert on_outline.sum() > 500, "the fiducial region is drawn as an outline over the density"
    to_pixel = map_settings([aps, fiducial, density], size=SIZE).mapToPixel()
    for feature in aps.getFeatures():
        point = to_pixel.transform(QgsPointXY(feature.geometry().asPoint()))
        x, y = int(round(point.x())), int(round(point.y()))
        assert pixels[y, x].max() < 60, f"AP {feature['ap_id']} is drawn on top of the density"
