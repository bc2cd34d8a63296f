"""Styles for outputs: a QML from resources/styles applied when Processing loads the layer, and the density
ramp stretched to a raster's values with its units in the legend."""
from qgis.core import QgsProcessingLayerPostProcessorInterface

from ..paths import STYLE_DIR


class ApplyStyle(QgsProcessingLayerPostProcessorInterface):
    """Loads a QML style into an output layer once Processing has added it to the project."""

    def __init__(self, qml_path, layer_id):
        super().__init__()
        self.qml_path = str(qml_path)
        self.layer_id = layer_id

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and layer.isValid():
            layer.loadNamedStyle(self.qml_path)
            layer.triggerRepaint()
        if _PENDING.get(self.layer_id) is self:
            del _PENDING[self.layer_id]


class ApplyDensityStyle(ApplyStyle):
    """density.qml, whose stops are fractions of the maximum, stretched to the layer's values and units."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        super().postProcessLayer(layer, context, feedback)
        if layer is not None and layer.isValid():
            fit_density_ramp(layer)


def fit_density_ramp(layer, top=None):
    """Scale a pseudocolor ramp given on [0, 1] to [0, top] (default: the layer's max); legend labels carry units.

    Values above ``top`` take the top colour when the ramp does not clip (density.qml): the drill-down dock
    shows the capped map min(v, T) this way with top = T.
    """
    from osgeo import gdal
    from qgis.core import QgsColorRampLegendNodeSettings, QgsColorRampShader, QgsSingleBandPseudoColorRenderer
    renderer = layer.renderer()
    if not isinstance(renderer, QgsSingleBandPseudoColorRenderer):
        return
    dataset = gdal.Open(layer.source())
    band = dataset.GetRasterBand(1) if dataset is not None else None
    if top is None:
        top = band.ComputeRasterMinMax(False)[1] if band is not None else 0.0
    top = top if top > 0 else 1.0
    units = display_units(band.GetUnitType() if band is not None else "")
    ramp = renderer.shader().rasterShaderFunction()
    items = [QgsColorRampShader.ColorRampItem(item.value * top, item.color, f"{item.value * top:.3g} {units}".strip())
             for item in ramp.colorRampItemList()]
    ramp.setColorRampItemList(items)
    legend = QgsColorRampLegendNodeSettings(ramp.legendSettings()) if ramp.legendSettings() else \
        QgsColorRampLegendNodeSettings()
    legend.setSuffix(f" {units}" if units else "")  # the continuous legend shows min/max, not the item labels
    legend.setNumericFormat(_three_figures())
    ramp.setLegendSettings(legend)
    ramp.setMinimumValue(0.0)
    ramp.setMaximumValue(top)
    renderer.shader().setMinimumValue(0.0)
    renderer.shader().setMaximumValue(top)
    renderer.setClassificationMin(0.0)
    renderer.setClassificationMax(top)
    layer.triggerRepaint()
    layer.legendChanged.emit()  # the renderer changed in place: the layer tree's legend must be rebuilt


def display_units(units):
    """Units as people write them: 'clients/m2' (the tag GeoTIFFs carry) as 'clients/m²'."""
    return units.replace("/m2", "/m²")


def _three_figures():
    from qgis.core import QgsBasicNumericFormat
    number = QgsBasicNumericFormat()
    number.setRoundingType(QgsBasicNumericFormat.RoundingType.SignificantFigures)
    number.setNumberDecimalPlaces(3)
    return number


# Processing takes ownership of a post-processor and deletes it once it has styled its layer, but holds no
# Python reference to it meanwhile: each one is kept here until it has run (keyed by its layer, so a rerun
# for the same output replaces it instead of piling up).
_PENDING = {}


def style_on_load(context, layer_id, style_name):
    """Ask Processing to style the output ``layer_id`` with resources/styles/<style_name>.qml when it loads."""
    qml = STYLE_DIR / f"{style_name}.qml"
    if layer_id is None or not qml.exists() or not context.willLoadLayerOnCompletion(layer_id):
        return
    processor = (ApplyDensityStyle if style_name == "density" else ApplyStyle)(qml, layer_id)
    _PENDING[layer_id] = processor
    context.layerToLoadOnCompletionDetails(layer_id).setPostProcessor(processor)
