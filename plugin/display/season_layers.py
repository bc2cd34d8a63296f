"""The window maps of a season as one time-enabled set: a layer definition (QLR) whose raster layers each carry
their window as a fixed temporal range, so that QGIS's Temporal Controller animates the season."""
import numpy as np
from qgis.core import (
    Qgis,
    QgsDateTimeRange,
    QgsLayerDefinition,
    QgsLayerTree,
    QgsRasterLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt

from ...algorithms.core.errors import InputError
from ...algorithms.core.geotiff import read_density
from ..paths import STYLE_DIR
from .styles import fit_density_ramp


def _utc(seconds):
    return QDateTime.fromMSecsSinceEpoch(int(round(seconds * 1000.0)), Qt.TimeSpec.UTC)


def _maximum(path):
    values = read_density(str(path)).values
    return float(np.nanmax(values)) if values.size else 0.0


def _window_layer(path, name, start, end, top):
    """A raster layer of one window's map: the density style stretched to ``top`` (the same for every window,
    so colours compare across the season) and [start, end) as its fixed temporal range."""
    layer = QgsRasterLayer(str(path), name, "gdal")
    if not layer.isValid():
        raise InputError(f"The window map '{path}' cannot be opened; run the season again into the same folder.")
    layer.loadNamedStyle(str(STYLE_DIR / "density.qml"))
    fit_density_ramp(layer, top)
    properties = layer.temporalProperties()
    properties.setMode(Qgis.RasterTemporalMode.FixedTemporalRange)
    # a layer definition keeps a range's bounds to the second, not whether they are included, and QGIS 3.22
    # then counts a layer as showing in a frame that merely touches it: a second inside each bound keeps a
    # window's map out of its neighbours' frames
    properties.setFixedTemporalRange(QgsDateTimeRange(_utc(start).addSecs(1), _utc(end).addSecs(-1)))
    properties.setIsActive(True)
    return layer


def write_layer_definition(path, title, groups):
    """Write the QLR ``path``: a group ``title`` holding, per entry of ``groups`` ({group name: [(map path,
    layer name, start s, end s)]}), a group of the window maps in time order. Only the first group is
    switched on: two flows' maps on top of each other would hide one another. Returns ``path``."""
    tree = QgsLayerTree()
    season = tree.addGroup(title)
    layers = []  # the layer tree holds the layers by pointer only: keep them alive until written
    for number, (name, maps) in enumerate(groups.items()):
        group = season.addGroup(name)
        top = max((_maximum(map_path) for map_path, *_ in maps), default=0.0)
        for map_path, layer_name, start, end in maps:
            layer = _window_layer(map_path, layer_name, start, end, top)
            layers.append(layer)
            group.addLayer(layer)
        group.setItemVisibilityChecked(number == 0)
        group.setExpanded(False)
    written, error = QgsLayerDefinition.exportLayerDefinition(str(path), [season])
    if not written:
        raise InputError(f"LAYER_DEFINITION: '{path}' could not be written ({error}); check the folder.")
    return path
