"""A satellite imagery basemap (XYZ tiles) placed under the analysis outputs."""
from qgis.core import QgsDataSourceUri, QgsRasterLayer

SATELLITE_NAME = "Satellite imagery (Esri World Imagery)"
SATELLITE_TILES = ("https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
                   "{z}/{y}/{x}")
SATELLITE_MAX_ZOOM = 19


def satellite_layer():
    """A new XYZ raster layer of Esri World Imagery (tiles are fetched only when the map is drawn)."""
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", SATELLITE_TILES)
    uri.setParam("zmin", "0")
    uri.setParam("zmax", str(SATELLITE_MAX_ZOOM))
    return QgsRasterLayer(bytes(uri.encodedUri()).decode(), SATELLITE_NAME, "wms")


def add_satellite_basemap(project):
    """Add the satellite layer at the bottom of ``project``'s layer tree (once); returns it."""
    for layer in project.mapLayersByName(SATELLITE_NAME):
        if layer.providerType() == "wms":
            return layer
    layer = satellite_layer()
    project.addMapLayer(layer, False)
    project.layerTreeRoot().addLayer(layer)
    return layer
