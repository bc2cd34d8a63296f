"""Render map layers to an image with QGIS's own renderer (previews for `make demo`, screenshot tests)."""
from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings, QgsRectangle
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

TILE_PROVIDERS = ("wms",)  # world-wide basemaps: never used to choose the default extent


def data_extent(settings, layers, margin=0.05):
    """Union of the non-basemap ``layers``' extents in ``settings``' CRS, grown by ``margin`` on each side."""
    extent = QgsRectangle()
    getattr(extent, "setNull", extent.setMinimal)()  # setNull since QGIS 3.34
    for layer in layers:
        if layer.providerType() not in TILE_PROVIDERS:
            extent.combineExtentWith(settings.layerExtentToOutputExtent(layer, layer.extent()))
    if extent.isEmpty():
        raise ValueError("No layer with a finite extent to render; give the extent explicitly.")
    return extent.buffered(margin * max(extent.width(), extent.height()))


def map_settings(layers, extent=None, size=(800, 600), crs=None, background="white"):
    """QgsMapSettings drawing ``layers`` (first = on top) in ``crs`` (default: the first layer's) over ``extent``."""
    settings = QgsMapSettings()
    settings.setLayers(list(layers))
    settings.setDestinationCrs(crs if crs is not None else layers[0].crs())
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor(background))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setExtent(extent if extent is not None else data_extent(settings, layers))
    return settings


def render_image(layers, **options):
    """The QImage of ``layers`` drawn by QGIS; ``options`` as for map_settings."""
    job = QgsMapRendererSequentialJob(map_settings(layers, **options))
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def render_png(path, layers, **options):
    """Draw ``layers`` (first = on top) to the PNG file ``path``; returns the QImage."""
    image = render_image(layers, **options)
    if not image.save(str(path), "PNG"):
        raise OSError(f"Could not write the PNG '{path}'.")
    return image
