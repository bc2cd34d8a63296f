"""wifidensity:bowl — SPEC tool 3 (science in algorithms/bowl.py and algorithms/radial.py)."""
from qgis.core import (QgsProcessingOutputNumber, QgsProcessingParameterCrs, QgsProcessingParameterExtent,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination)

from ...algorithms.bowl import DEFAULT_MARGIN, bowl
from ...algorithms.pathloss import DEFAULT_A, DEFAULT_N, DEFAULT_SIGMA_RSS
from ..base import WifiDensityAlgorithm
from ..layers import read_access_points
from ..rasters import output_grid, write_density_param
from ..tables import read_ap_and_rss


class BowlAlgorithm(WifiDensityAlgorithm):
    NAME = "bowl"
    DISPLAY_NAME = "3. Bowl (PR density rings)"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add_probe_table(("AP_FIELD", "RSS_FIELD"))
        self.add_access_points()
        for name, label, default in (("A", "A: RSS at 1 m (dBm)", DEFAULT_A),
                                     ("N", "n: path-loss exponent", DEFAULT_N),
                                     ("SIGMA_RSS", "RSS noise sigma (dB)", DEFAULT_SIGMA_RSS),
                                     ("PIXEL_SIZE", "Pixel size (m)", 1.0)):
            self.addParameter(QgsProcessingParameterNumber(name, self.tr(label), QgsProcessingParameterNumber.Double,
                                                           default))
        self.addParameter(QgsProcessingParameterExtent(
            "EXTENT", self.tr("Output extent (default: the APs' extent plus the margin)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "MARGIN", self.tr("Margin around the APs (m)"), QgsProcessingParameterNumber.Double, DEFAULT_MARGIN))
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", self.tr("Output CRS (default: the AP layer's, or its UTM zone if in degrees)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("PR density (PRs/m²)")))
        self.addOutput(QgsProcessingOutputNumber("TOTAL", self.tr("Total PR mass (P)")))
        self.addOutput(QgsProcessingOutputNumber("MASS_OUTSIDE", self.tr("PR mass outside the extent")))

    def execute(self, parameters, context, feedback):
        ap_ids, rss, _ = read_ap_and_rss(self, parameters, context, feedback)
        aps, crs = read_access_points(self, parameters, context)
        grid = output_grid(self, parameters, context, aps, crs)
        feedback.pushInfo(f"{len(rss)} PRs at {len(aps)} APs onto {grid.width} x {grid.height} pixels "
                          f"of {grid.pixel:g} m in {crs.authid() or crs.description()}.")
        density = bowl(ap_ids, rss, aps, grid, self.parameterAsDouble(parameters, "A", context),
                       self.parameterAsDouble(parameters, "N", context),
                       self.parameterAsDouble(parameters, "SIGMA_RSS", context), self.progress(feedback))
        total, outside = float(density.tags["TOTAL"]), float(density.tags["MASS_OUTSIDE"])
        feedback.pushInfo(f"Total {total:g} PRs, of which {outside:.4g} fell outside the extent.")
        path = write_density_param(self, parameters, "OUTPUT", context, density)
        return {"OUTPUT": path, "TOTAL": total, "MASS_OUTSIDE": outside}
