"""wifidensity:drilldown — SPEC tool 8 (science in algorithms/drilldown.py)."""
from qgis.core import (QgsProcessingOutputNumber, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ...algorithms.drilldown import drill_down
from ..base import WifiDensityAlgorithm, is_given
from ..rasters import read_density_param, write_density_param


class DrilldownAlgorithm(WifiDensityAlgorithm):
    NAME = "drilldown"
    DISPLAY_NAME = "8. Drill-Down (cap the peaks)"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Density raster")))
        self.addParameter(QgsProcessingParameterNumber(
            "RETAIN", self.tr("Fraction of the mass to retain under the cap (0-1]"),
            QgsProcessingParameterNumber.Double, 0.9))
        self.addParameter(QgsProcessingParameterNumber(
            "THRESHOLD", self.tr("Threshold T (density; overrides RETAIN when given)"),
            QgsProcessingParameterNumber.Double, optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Capped density min(v, T)")))
        self.addParameter(QgsProcessingParameterRasterDestination("PEAKS", self.tr("Peaks v - min(v, T)")))
        self.addOutput(QgsProcessingOutputNumber("THRESHOLD", self.tr("Threshold T used")))
        self.addOutput(QgsProcessingOutputNumber("RETAINED", self.tr("Fraction of the mass retained")))
        self.addOutput(QgsProcessingOutputNumber("PEAKS_MASS", self.tr("Mass in the peaks")))

    def execute(self, parameters, context, feedback):
        density = read_density_param(self, parameters, "INPUT", context)
        threshold = self.parameterAsDouble(parameters, "THRESHOLD", context) if is_given(parameters, "THRESHOLD") \
            else None
        result = drill_down(density, self.parameterAsDouble(parameters, "RETAIN", context), threshold)
        feedback.pushInfo(f"T = {result.threshold:.6g} {density.tags.get('UNITS', '')}: {100 * result.retained:.2f} % "
                          f"of the mass retained, {result.above} pixels above T.")
        return {"OUTPUT": write_density_param(self, parameters, "OUTPUT", context, result.capped),
                "PEAKS": write_density_param(self, parameters, "PEAKS", context, result.peaks),
                "THRESHOLD": result.threshold, "RETAINED": result.retained, "PEAKS_MASS": result.peaks.mass()}
