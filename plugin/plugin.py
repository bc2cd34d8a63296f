"""The plugin object QGIS creates: registers the provider, with or without a GUI."""
from qgis.core import QgsApplication

from .provider import WifiDensityProvider


class WifiDensityPlugin:
    """Registers the Processing provider in initProcessing (also called by qgis_process, with no iface)."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS API)
        if self.provider is None:
            self.provider = WifiDensityProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
