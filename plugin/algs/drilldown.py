"""wifidensity:drilldown — the Drill-Down tool, paper §5.1.4 (science in algorithms/drilldown.py)."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ...algorithms.core.geotiff import Density
from ...algorithms.drilldown import RetentionCurve, cap
from ...algorithms.reassemble import mass_outside
from .. import parameters as params
from ..base import WifiDensityAlgorithm, is_given
from ..density_io import read_density_param, write_density_param


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
        values = density.values.astype(np.float32)  # what the GeoTIFFs hold: the outputs add back exactly
        curve = RetentionCurve(values, density.grid.cell_area)
        if is_given(parameters, "THRESHOLD"):
            threshold = self.parameterAsDouble(parameters, "THRESHOLD", context)
        else:
            threshold = curve.threshold(self.parameterAsDouble(parameters, "RETAIN", context))
        capped, peaks, used = cap(values, threshold)
        kept = Density(capped, density.grid, self._tags(density, "capped", used))
        top = Density(peaks, density.grid, self._tags(density, "peaks", used))
        outside = mass_outside(density)  # mass beyond the extent travels with the capped piece: it is no peak
        kept.tags.update(TOTAL=kept.mass() + outside, MASS_OUTSIDE=outside)
        top.tags.update(TOTAL=top.mass(), MASS_OUTSIDE=0.0)
        retained = kept.mass() / curve.mass if curve.mass > 0 else 1.0
        feedback.pushInfo(f"T = {float(used):.6g} {density.tags.get('UNITS', '')}: {100 * retained:.2f} % of the "
                          f"mass retained, {int((values > used).sum())} pixels above T.")
        return {"OUTPUT": write_density_param(self, parameters, "OUTPUT", context, kept),
                "PEAKS": write_density_param(self, parameters, "PEAKS", context, top),
                "THRESHOLD": float(used), "RETAINED": retained, "PEAKS_MASS": top.mass()}

    @staticmethod
    def _tags(density, part, threshold):
        kind = density.tags.get("KIND", "density")
        return dict(density.tags, KIND=f"{kind}, {part} at T", DRILLDOWN_THRESHOLD=float(threshold))
