"""WiFi Client Density: a QGIS Processing provider for ground-truth-free client density mapping.

The science is in ``algorithms`` (no QGIS import); the QGIS side is in ``plugin``.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """QGIS entry point."""
    from .plugin.plugin import WifiDensityPlugin
    return WifiDensityPlugin(iface)
