"""The QGIS side of the plugin: provider, algorithms, layer <-> array conversion, GUI."""
