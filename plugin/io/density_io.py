"""Density rasters in and out of Processing: read a raster parameter as a Density, write one to an output
(styled on load), and the output grid of the tools that make a raster from the APs."""
from pathlib import Path

from qgis.core import QgsRasterLayer

from ...algorithms.core.errors import InputError
from ...algorithms.core.geotiff import read_density, write_density
from ...algorithms.paper.bowl import bowl_grid
from ..display.styles import style_on_load
from ..parameters import EXTENT, MARGIN, PIXEL_SIZE, is_given
from .destinations import unnamed_output
from .layers import WKT


def output_grid(alg, parameters, context, aps, crs):
    """The raster grid of a tool with APS: EXTENT if given, else the APs' extent plus MARGIN; PIXEL_SIZE pixels."""
    extent = None
    if is_given(parameters, EXTENT):
        box = alg.parameterAsExtent(parameters, EXTENT, context, crs)
        extent = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
    return bowl_grid(aps.xy, alg.parameterAsDouble(parameters, PIXEL_SIZE, context),
                     alg.parameterAsDouble(parameters, MARGIN, context), extent, crs.toWkt(WKT))


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
    """Write ``density`` to the GeoTIFF of output parameter ``name``; returns its path (None for an optional
    output nobody asked for)."""
    path = alg.parameterAsOutputLayer(parameters, name, context) or unnamed_output(alg, name, "tif")
    if path is None:
        return None
    alg.remember_output(path)
    if not path.lower().endswith((".tif", ".tiff")):
        raise InputError(f"{name}: density rasters are written as GeoTIFF; give a .tif path.")
    try:
        write_density(path, density)
    except InputError as error:
        raise InputError(f"{name}: {error}") from None
    style_on_load(context, path, style)
    _hand_over(context, path)
    return path


def _hand_over(context, path):
    """Put the written raster in the context's temporary layer store. A model loads every raster a step wrote
    (to offer its extent to the next steps) and, given a bare path, tries it as a vector first: OGR then logs
    "Cannot open ....tif" once per raster of a clean run. From the store it is taken as it is; an older layer of
    the same file (a rerun in one context) is dropped first."""
    store = context.temporaryLayerStore()
    for layer_id, layer in list(store.mapLayers().items()):
        if layer.source() == path:
            store.removeMapLayer(layer_id)
    layer = QgsRasterLayer(path, Path(path).stem, "gdal")
    if layer.isValid():
        store.addMapLayer(layer)
