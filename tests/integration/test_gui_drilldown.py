"""Interactive drill-down: the slider and the wheel set T from the retained fraction; the map shows min(v, T)."""
import numpy as np
import pytest
from image_stats import rgb_array
from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QPoint, QPointF, Qt
from qgis.PyQt.QtGui import QWheelEvent
from qgis.PyQt.QtWidgets import QApplication
from render import render_image

from wifidensity.algorithms.core.geotiff import Density, read_density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.paper.drilldown import RetentionCurve
from wifidensity.plugin.gui.drilldown_dock import DrilldownDock
from wifidensity.plugin.paths import STYLE_DIR

PIXEL = 2.0
GRID = Grid(500000.0, 5450180.0, PIXEL, 120, 90, "EPSG:32633")


def crowds():
    """A tall narrow crowd and a low wide one (PRs/m²): capping bites the tall one first."""
    y, x = np.mgrid[0:GRID.height, 0:GRID.width]
    return (0.05 * np.exp(-((x - 30) ** 2 + (y - 40) ** 2) / (2 * 6.0 ** 2))
            + 0.01 * np.exp(-((x - 85) ** 2 + (y - 50) ** 2) / (2 * 18.0 ** 2)))


@pytest.fixture()
def layer(tmp_path, qgis_new_project):
    path = tmp_path / "density.tif"
    write_density(str(path), Density(crowds(), GRID, {"KIND": "PR density", "UNITS": "PRs/m2"}))
    raster = QgsRasterLayer(str(path), "PR density")
    assert raster.loadNamedStyle(str(STYLE_DIR / "density.qml"))[1]  # as when Processing loads an output
    QgsProject.instance().addMapLayer(raster)
    return raster


@pytest.fixture()
def dock(layer):
    widget = DrilldownDock()
    widget.layer_combo.setLayer(layer)
    yield widget
    widget.release()
    widget.deleteLater()


def curve_of(layer):
    density = read_density(layer.source())
    return density.values, RetentionCurve(density.values, density.grid.cell_area)


def saturated_pixels(layer):
    """Mask of pixels drawn in the ramp's top colour, rendered one screen pixel per raster pixel."""
    top = layer.renderer().shader().rasterShaderFunction().colorRampItemList()[-1].color
    rgb = rgb_array(render_image([layer], extent=layer.extent(), size=(GRID.width, GRID.height)))
    return np.all(np.abs(rgb.astype(int) - [top.red(), top.green(), top.blue()]) <= 3, axis=2)


def test_slider_sets_the_cap_solved_from_the_retained_fraction(dock, layer):
    _, curve = curve_of(layer)
    caps = []
    for permille in (997, 900, 700):
        dock.slider.setValue(permille)
        caps.append(layer.renderer().classificationMax())
        assert caps[-1] == pytest.approx(curve.threshold(permille / 1000), rel=1e-9)
        assert dock.retained == pytest.approx(permille / 1000, abs=1e-9)
        assert f"{permille / 10:.1f} %" in dock.retain_label.text()
    assert caps[0] > caps[1] > caps[2]


def test_the_rendered_map_saturates_exactly_the_pixels_above_the_cap(dock, layer):
    values, _ = curve_of(layer)
    shares = []
    for permille in (990, 800):
        dock.slider.setValue(permille)
        saturated = saturated_pixels(layer)
        above = values >= dock.threshold
        assert (saturated != above).mean() < 0.01
        shares.append(saturated.mean())
    assert shares[1] > shares[0] > 0


def test_the_mouse_wheel_drills_down(dock, layer):
    dock.slider.setValue(900)
    before = layer.renderer().classificationMax()
    notch_down = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, -120), Qt.NoButton,
                             Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(dock.slider, notch_down)
    assert dock.slider.value() < 900
    assert layer.renderer().classificationMax() < before


def top_of_ramp(layer):
    return layer.renderer().shader().rasterShaderFunction().colorRampItemList()[-1].value


def test_reset_and_switching_layer_give_the_layer_its_own_style_back(layer):
    own = top_of_ramp(layer)
    dock = DrilldownDock()
    dock.layer_combo.setLayer(layer)
    dock.slider.setValue(600)
    assert layer.renderer().classificationMax() < own
    dock.reset_button.click()
    assert top_of_ramp(layer) == own
    dock.slider.setValue(600)
    dock.layer_combo.setLayer(None)
    assert top_of_ramp(layer) == own
    assert not dock.slider.isEnabled()
    dock.deleteLater()


def test_a_raster_with_no_mass_is_refused_with_a_message(tmp_path, qgis_new_project):
    path = tmp_path / "empty.tif"
    write_density(str(path), Density(np.zeros(GRID.shape), GRID, {}))
    empty = QgsRasterLayer(str(path), "empty")
    QgsProject.instance().addMapLayer(empty)
    widget = DrilldownDock()
    widget.layer_combo.setLayer(empty)
    assert "no mass" in widget.status_label.text()
    assert not widget.slider.isEnabled() and widget.layer is None
    widget.deleteLater()


def test_save_runs_the_drilldown_tool_at_the_slider_fraction(dock, layer, provider, tmp_path):
    values, curve = curve_of(layer)
    dock.slider.setValue(900)
    results = dock.save(tmp_path / "capped.tif")

    capped = read_density(results["OUTPUT"]).values
    peaks = read_density(results["PEAKS"]).values
    assert results["PEAKS"].endswith("capped_peaks.tif")
    assert capped.max() == pytest.approx(curve.threshold(0.9), rel=1e-5)
    assert np.allclose(capped + peaks, values.astype(np.float32), rtol=1e-6, atol=0)
    loaded = {lyr.source() for lyr in QgsProject.instance().mapLayers().values()}
    assert {results["OUTPUT"], results["PEAKS"]} <= loaded


def test_the_legend_is_rebuilt_with_the_cap_and_its_units(dock, layer):
    rebuilt = []
    layer.legendChanged.connect(lambda: rebuilt.append(layer.renderer().classificationMax()))
    dock.slider.setValue(800)
    assert rebuilt and rebuilt[-1] == pytest.approx(dock.threshold)
    legend = layer.renderer().shader().rasterShaderFunction().legendSettings()
    assert legend.suffix() == " PRs/m²"
