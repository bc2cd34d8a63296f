"""Interactive drill-down (paper §5.1.4): lower the cap with a slider or the mouse wheel, live.

The capped map min(v, T) is shown by stretching density.qml's colour ramp to [0, T] without clipping, so every
pixel above T saturates in the top colour: what remains un-saturated is exactly what the cap keeps. T is
solved from the retained fraction by the same code as ``wifidensity:drilldown``, which "Save" runs.
"""
from pathlib import Path

from qgis.core import QgsMapLayer, QgsProcessingException, QgsProject, QgsRasterLayer
from qgis.gui import QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ...algorithms.core.errors import InputError
from ...algorithms.core.geotiff import read_density
from ...algorithms.paper.drilldown import RetentionCurve
from ..display.styles import fit_density_ramp
from ..paths import STYLE_DIR
from ..qgis_enums import RASTER_LAYER_FILTER

PER_MILLE = 1000  # slider unit: retained fraction in 0.1 % steps (the paper uses 90 % and 99.7 %)
LOWEST_RETAIN = 0.5
DEFAULT_RETAIN = 0.9


class DrilldownDock(QgsDockWidget):
    """Pick a density raster; the slider (or the wheel over it) sets the fraction of the mass kept under T."""

    def __init__(self, parent=None):
        super().__init__("WiFi density drill-down", parent)
        self.layer = None
        self.density = None
        self.curve = None  # RetentionCurve of the layer: T for any fraction by binary search
        self.threshold = None
        self.retained = None
        self._original_renderer = None  # the layer's own style, given back by release()
        self._house_renderer = None  # density.qml's ramp on [0, 1], stretched to T at each move

        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(RASTER_LAYER_FILTER)
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setLayer(None)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(int(LOWEST_RETAIN * PER_MILLE), PER_MILLE)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        self.slider.setValue(int(DEFAULT_RETAIN * PER_MILLE))
        self.slider.setToolTip("Fraction of the mass kept under the cap; the mouse wheel moves it by 0.3 %.")
        self.retain_label = QLabel()
        self.threshold_label = QLabel()
        self.peaks_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.reset_button = QPushButton("Reset display")
        self.save_button = QPushButton("Save capped + peaks…")
        self._build_layout()

        self.layer_combo.layerChanged.connect(self.set_layer)
        self.slider.valueChanged.connect(self.update_threshold)
        self.reset_button.clicked.connect(self.release)
        self.save_button.clicked.connect(self._ask_and_save)
        self._enable(False)

    def _build_layout(self):
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        box = QVBoxLayout()
        box.addWidget(QLabel("Density raster"))
        box.addWidget(self.layer_combo)
        box.addWidget(QLabel("Retained fraction of the mass (wheel or drag to drill down)"))
        box.addWidget(self.slider)
        for widget in (self.retain_label, self.threshold_label, self.peaks_label):
            box.addWidget(widget)
        box.addLayout(buttons)
        box.addWidget(self.status_label)
        box.addStretch(1)
        content = QWidget()
        content.setLayout(box)
        self.setWidget(content)

    def _enable(self, enabled):
        for widget in (self.slider, self.reset_button, self.save_button):
            widget.setEnabled(enabled)

    def retain(self):
        """The retained fraction the slider asks for."""
        return self.slider.value() / PER_MILLE

    def set_layer(self, layer):
        """Drill into ``layer`` (a density raster) after restoring the previous layer's own display."""
        self.release()
        self.layer, self.density, self.curve = None, None, None
        self.status_label.clear()
        if layer is None:
            self._enable(False)
            return
        try:
            self.density = read_density(layer.source())
            self.curve = RetentionCurve(self.density.values, self.density.grid.cell_area)
            self.layer = layer
            self._original_renderer = layer.renderer().clone()
            self._house_renderer = self._density_style(layer)
            self.update_threshold()
        except InputError as error:
            self.release()
            self.layer = None
            self.status_label.setText(str(error))
            self._enable(False)
            return
        self._enable(True)

    @staticmethod
    def _density_style(layer):
        """The renderer density.qml gives ``layer`` (its stops are fractions of the top of the ramp)."""
        layer.loadNamedStyle(str(STYLE_DIR / "density.qml"), QgsMapLayer.StyleCategory.Symbology)
        return layer.renderer().clone()

    def update_threshold(self):
        """Solve T for the slider's fraction and show the layer capped at T; updates the labels."""
        if self.layer is None:
            return
        self.threshold = self.curve.threshold(self.retain())
        self.retained = self.curve.retained(self.threshold) / self.curve.mass
        self._show_capped(self.threshold)
        units = self.density.tags.get("UNITS", "per m²")
        above = int((self.density.values > self.threshold).sum())
        self.retain_label.setText(f"Retained under the cap: {100 * self.retained:.1f} % of the mass")
        self.threshold_label.setText(f"Threshold T = {self.threshold:.4g} {units}")
        self.peaks_label.setText(f"Peaks: {above} pixels above T ({100 * (1 - self.retained):.1f} % of the mass)")

    def _show_capped(self, threshold):
        """density.qml's ramp stretched to [0, T], unclipped, so every pixel above T saturates."""
        renderer = self._house_renderer.clone()
        renderer.setOpacity(self._original_renderer.opacity())
        self.layer.setRenderer(renderer)
        fit_density_ramp(self.layer, top=threshold)
        self.layer.emitStyleChanged()

    def release(self):
        """Give the current layer its own renderer back (the capped display is only a view)."""
        if self.layer is not None and not sip.isdeleted(self.layer) and self._original_renderer is not None:
            self.layer.setRenderer(self._original_renderer.clone())
            self.layer.triggerRepaint()
            self.layer.emitStyleChanged()

    def save(self, capped_path, peaks_path=None):
        """Run wifidensity:drilldown at the slider's fraction and add both rasters to the project, styled (the
        project, not the desktop's layer tree: it works the same with and without a main window)."""
        import processing
        capped_path = Path(capped_path)
        peaks_path = peaks_path or capped_path.with_name(f"{capped_path.stem}_peaks{capped_path.suffix}")
        parameters = {"INPUT": self.layer.source(), "RETAIN": self.retain(),
                      "OUTPUT": str(capped_path), "PEAKS": str(peaks_path)}
        results = processing.run("wifidensity:drilldown", parameters)
        for key, name in (("OUTPUT", "capped"), ("PEAKS", "peaks")):
            layer = QgsRasterLayer(results[key], f"{self.layer.name()} {name}")
            layer.loadNamedStyle(str(STYLE_DIR / "density.qml"))
            fit_density_ramp(layer)
            QgsProject.instance().addMapLayer(layer)
        return results

    def _ask_and_save(self):
        path, _ = QFileDialog.getSaveFileName(self, "Save the capped density", "", "GeoTIFF (*.tif *.tiff)")
        if not path:
            return
        try:
            results = self.save(path)
        except QgsProcessingException as error:
            self.status_label.setText(str(error))
            return
        self.status_label.setText(f"Saved {results['OUTPUT']} and {results['PEAKS']}.")
