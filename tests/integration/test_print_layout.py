"""The map page of a client map (the demo's previews, the reports): a QGIS print layout with title, map, legend
in the raster's units, scale bar and north arrow, exported to PNG and PDF."""
import numpy as np
from image_stats import rgb_array
from qgis.core import (
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QImage

from wifidensity.algorithms.core.geotiff import Density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.plugin.display.print_layout import export_pdf, export_png, map_page
from wifidensity.plugin.display.styles import fit_density_ramp
from wifidensity.plugin.paths import SAMPLE_DIR, STYLE_DIR


def _layers(tmp_path):
    grid = Grid(616940.0, 5450550.0, 2.0, 200, 160, "EPSG:32633")
    xs, ys = grid.centres()
    values = np.exp(-((xs[None, :] - 617100) ** 2 + (ys[:, None] - 5450400) ** 2) / 2e3)
    write_density(str(tmp_path / "clients.tif"), Density(values, grid, {"UNITS": "clients/m2"}))
    raster = QgsRasterLayer(str(tmp_path / "clients.tif"), "Clients per m²")
    raster.loadNamedStyle(str(STYLE_DIR / "density.qml"))
    fit_density_ramp(raster)
    aps = QgsVectorLayer(str(SAMPLE_DIR / "aps.geojson"), "Access points", "ogr")
    aps.loadNamedStyle(str(STYLE_DIR / "aps.qml"))
    return [aps, raster]


def test_map_page_has_title_legend_scale_bar_and_north_arrow(qgis_app, tmp_path):
    project = QgsProject()
    layers = _layers(tmp_path)
    project.addMapLayers(layers)
    page = map_page(project, layers, "Client density", "Window 2024-06-01 10:00 to 13:00 UTC; 12.0 clients",
                    crs=layers[1].crs())
    items = page.items()
    labels = [i.text() for i in items if isinstance(i, QgsLayoutItemLabel)]
    assert "Client density" in labels and any("12.0 clients" in text for text in labels)
    (legend,) = [i for i in items if isinstance(i, QgsLayoutItemLegend)]
    raster_node = legend.model().rootGroup().findLayer(layers[1])
    nodes = legend.model().layerLegendNodes(raster_node)
    assert len(nodes) == 1, "only the colour ramp, not the band's name"
    (bar,) = [i for i in items if isinstance(i, QgsLayoutItemScaleBar)]
    assert bar.unitLabel() == "m"
    (arrow,) = [i for i in items if isinstance(i, QgsLayoutItemPicture)]
    assert arrow.picturePath().endswith("NorthArrow_02.svg")
    (item,) = [i for i in items if isinstance(i, QgsLayoutItemMap)]
    assert item.extent().contains(layers[0].extent()), "the map shows every AP"

    png = export_png(page, tmp_path / "page.png", dpi=60)
    pixels = rgb_array(QImage(str(png)))
    coloured = (np.ptp(pixels.astype(int), axis=2) > 60).mean()  # the ramp's hues, not greys
    assert coloured > 0.02
    assert (tmp_path / "page.png").stat().st_size > 10_000
    pdf = export_pdf(page, tmp_path / "page.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
