"""wifidensity:drilldown — the Drill-Down tool, paper §5.1.4 (science in algorithms/paper/drilldown.py)."""
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ...algorithms.paper.drilldown import drill_down
from .. import parameters as params
from ..base import WifiDensityAlgorithm
from ..io.density_io import read_density_param, write_density_param


class DrilldownAlgorithm(WifiDensityAlgorithm):
    NAME = "drilldown"
    DISPLAY_NAME = "8. Drill-Down (cap the peaks)"
    EXTRA_TAGS = ("threshold", "cap", "peaks", "raster")
    NEEDS = ("numpy", "rasterio")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Density raster")))
        self.addParameter(params.number(
            "RETAIN", self.tr("Fraction of the mass to retain under the cap (0-1]"), 0.9, minimum=0.0, maximum=1.0,
            help_text=self.tr("The cap T keeps this share of the mass; the rest are the peaks (paper: 0.9 at Site 1, "
                              "0.997 at Site 2).")))
        self.addParameter(params.number(
            "THRESHOLD", self.tr("Threshold T (density; overrides RETAIN when given)"), optional=True, minimum=0.0,
            advanced=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Capped density min(v, T)")))
        self.addParameter(QgsProcessingParameterRasterDestination("PEAKS", self.tr("Peaks v - min(v, T)")))
        self.addOutput(QgsProcessingOutputNumber("THRESHOLD", self.tr("Threshold T used")))
        self.addOutput(QgsProcessingOutputNumber("RETAINED", self.tr("Fraction of the mass retained")))
        self.addOutput(QgsProcessingOutputNumber("PEAKS_MASS", self.tr("Mass in the peaks")))

    def execute(self, parameters, context, feedback):
        density = read_density_param(self, parameters, "INPUT", context)
        threshold = self.optional_double(parameters, "THRESHOLD", context)
        result = drill_down(density, self.parameterAsDouble(parameters, "RETAIN", context), threshold)
        feedback.pushInfo(f"T = {result.threshold:.6g} {density.tags.get('UNITS', '')}: {100 * result.retained:.2f} % "
                          f"of the mass retained, {result.above} pixels above T.")
        return {"OUTPUT": write_density_param(self, parameters, "OUTPUT", context, result.capped),
                "PEAKS": write_density_param(self, parameters, "PEAKS", context, result.peaks),
                "THRESHOLD": result.threshold, "RETAINED": result.retained, "PEAKS_MASS": result.peaks.mass()}
