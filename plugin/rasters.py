"""Density rasters in and out of Processing, styled on load with a QML from resources/styles."""
from qgis.core import QgsProcessingLayerPostProcessorInterface

from ..algorithms.bowl import bowl_grid
from ..algorithms.core.errors import InputError
from ..algorithms.core.geotiff import read_density, write_density
from .base import is_given
from .layers import WKT
from .paths import STYLE_DIR

_KEEP_ALIVE = []  # post-processors must outlive the algorithm object that registered them


class ApplyStyle(QgsProcessingLayerPostProcessorInterface):
    """Loads a QML style into an output layer once Processing has added it to the project."""

    def __init__(self, qml_path):
        super().__init__()
        self.qml_path = str(qml_path)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and layer.isValid():
            layer.loadNamedStyle(self.qml_path)
            layer.triggerRepaint()


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
    from qgis.core import (QgsColorRampLegendNodeSettings, QgsColorRampShader, QgsRasterBandStats,
                           QgsSingleBandPseudoColorRenderer)
    renderer = layer.renderer()
    if not isinstance(renderer, QgsSingleBandPseudoColorRenderer):
        return
    if top is None:
        top = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Max).maximumValue
    top = top if top > 0 else 1.0
    dataset = gdal.Open(layer.source())
    units = dataset.GetRasterBand(1).GetUnitType() if dataset is not None else ""
    ramp = renderer.shader().rasterShaderFunction()
    items = [QgsColorRampShader.ColorRampItem(item.value * top, item.color, f"{item.value * top:.3g} {units}".strip())
             for item in ramp.colorRampItemList()]
    ramp.setColorRampItemList(items)
    legend = QgsColorRampLegendNodeSettings(ramp.legendSettings()) if ramp.legendSettings() else \
        QgsColorRampLegendNodeSettings()
    legend.setSuffix(f" {units}" if units else "")  # the continuous legend shows min/max, not the item labels
    ramp.setLegendSettings(legend)
    ramp.setMinimumValue(0.0)
    ramp.setMaximumValue(top)
    renderer.shader().setMinimumValue(0.0)
    renderer.shader().setMaximumValue(top)
    renderer.setClassificationMin(0.0)
    renderer.setClassificationMax(top)
    layer.triggerRepaint()
    layer.legendChanged.emit()  # the renderer changed in place: the layer tree's legend must be rebuilt


def style_on_load(context, layer_id, style_name):
    """Ask Processing to style the output ``layer_id`` with resources/styles/<style_name>.qml when it loads."""
    qml = STYLE_DIR / f"{style_name}.qml"
    if qml.exists() and context.willLoadLayerOnCompletion(layer_id):
        processor = (ApplyDensityStyle if style_name == "density" else ApplyStyle)(qml)
        _KEEP_ALIVE.append(processor)
        context.layerToLoadOnCompletionDetails(layer_id).setPostProcessor(processor)


def output_grid(alg, parameters, context, aps, crs):
    """The raster grid of a tool with APS output: EXTENT if given, else the APs' extent plus MARGIN, PIXEL_SIZE pixels."""
    extent = None
    if is_given(parameters, "EXTENT"):
        box = alg.parameterAsExtent(parameters, "EXTENT", context, crs)
        extent = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
    return bowl_grid(aps.xy, alg.parameterAsDouble(parameters, "PIXEL_SIZE", context),
                     alg.parameterAsDouble(parameters, "MARGIN", context), extent, crs.toWkt(WKT))


def read_density_param(alg, parameters, name, context):
    """The raster of parameter ``name`` as a Density (values per m² on its grid, with its tags)."""
    return read_density_layer(alg.parameterAsRasterLayer(parameters, name, context), name)


def read_density_layer(layer, name):
    """A raster layer as a Density; ``name`` (the parameter) is named in errors."""
    if layer is None or not layer.isValid():
        raise InputError(f"{name}: the raster could not be opened; pick a density GeoTIFF.")
    if layer.crs().isValid() and layer.crs().isGeographic():
        raise InputError(f"{name}: the raster is in {layer.crs().authid()} (degrees); density rasters must be "
                         "in a projected CRS in metres (warp it first).")
    return read_density(layer.source())


def write_density_param(alg, parameters, name, context, density, style="density"):
    """Write ``density`` to the GeoTIFF of output parameter ``name``; returns its path."""
    path = alg.parameterAsOutputLayer(parameters, name, context)
    if not path.lower().endswith((".tif", ".tiff")):
        raise InputError(f"{name}: density rasters are written as GeoTIFF; give a .tif path.")
    write_density(path, density)
    style_on_load(context, path, style)
    return path
