"""wifidensity:renormalize — SPEC tool 4 (science in algorithms/renormalize.py and algorithms/masks.py)."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ...algorithms.core.masks import region_mask
from ...algorithms.renormalize import MODES, renormalize
from ..base import WifiDensityAlgorithm
from ..layers import crs_from_text, read_shapes
from ..rasters import read_density_param, write_density_param


class RenormalizeAlgorithm(WifiDensityAlgorithm):
    NAME = "renormalize"
    DISPLAY_NAME = "4. Renormalization (confine to the decision region)"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("PR density raster")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "REGION", self.tr("Decision region (polygons)"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "EXCLUSIONS", self.tr("Exclusion zones (polygons)"), [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "MODE", self.tr("Re-inject the removed mass"), options=[self.tr(m) for m in MODES], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "TOTAL", self.tr("Total PR mass the region must hold (default: the raster's recorded TOTAL)"),
            QgsProcessingParameterNumber.Double, optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Renormalized PR density")))
        self.addOutput(QgsProcessingOutputNumber("TOTAL", self.tr("PR mass in the region")))
        self.addOutput(QgsProcessingOutputNumber("MASS_MOVED", self.tr("PR mass re-injected into the region")))

    def execute(self, parameters, context, feedback):
        density = read_density_param(self, parameters, "INPUT", context)
        crs = crs_from_text(density.grid.crs)
        region = read_shapes(self, parameters, "REGION", context, crs)
        exclusions = read_shapes(self, parameters, "EXCLUSIONS", context, crs)
        inside = region_mask(region, density.grid, exclusions)
        total = self.optional_double(parameters, "TOTAL", context)
        result = renormalize(density, inside, MODES[self.parameterAsEnum(parameters, "MODE", context)], total)
        feedback.pushInfo(f"The region ({int(inside.sum())} pixels) now holds {result.total:g} PRs; "
                          f"{result.mass_moved:.4g} PRs were moved into it.")
        path = write_density_param(self, parameters, "OUTPUT", context, result.density)
        return {"OUTPUT": path, "TOTAL": result.total, "MASS_MOVED": result.mass_moved}
