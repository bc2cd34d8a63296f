"""Density rasters in and out of Processing, styled on load with a QML from resources/styles."""
from qgis.core import QgsProcessingLayerPostProcessorInterface

from ..algorithms.errors import InputError
from ..algorithms.geotiff import read_density, write_density
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


def style_on_load(context, layer_id, style_name):
    """Ask Processing to style the output ``layer_id`` with resources/styles/<style_name>.qml when it loads."""
    qml = STYLE_DIR / f"{style_name}.qml"
    if qml.exists() and context.willLoadLayerOnCompletion(layer_id):
        processor = ApplyStyle(qml)
        _KEEP_ALIVE.append(processor)
        context.layerToLoadOnCompletionDetails(layer_id).setPostProcessor(processor)


def read_density_param(alg, parameters, name, context):
    """The raster of parameter ``name`` as a Density (values per m² on its grid, with its tags)."""
    layer = alg.parameterAsRasterLayer(parameters, name, context)
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
