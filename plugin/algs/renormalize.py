"""wifidensity:renormalize — the Renormalization tool, paper §4.3 and §5.1.3 (science in algorithms/paper/renormalize.py
and algorithms/core/masks.py)."""
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ...algorithms.core.masks import region_mask
from ...algorithms.paper.renormalize import MODES, renormalize
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm
from ..io.density_io import read_density_param, write_density_param
from ..io.layers import crs_from_text, read_shapes

REGION, EXCLUSIONS, MODE, TOTAL = "REGION", "EXCLUSIONS", "MODE", "TOTAL"


class RenormalizeAlgorithm(WifiDensityAlgorithm):
    NAME = "renormalize"
    DISPLAY_NAME = "4. Renormalization (confine to the decision region)"
    EXTRA_TAGS = ("region", "mask", "raster")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer(params.INPUT, self.tr("PR density raster")))
        self.addParameter(params.source(
            REGION, self.tr("Decision region (polygons)"), [qgis_enums.POLYGONS],
            help_text=self.tr("Where the clients can be: usually the Fiducial tool's region, edited by hand.")))
        self.addParameter(params.source(
            EXCLUSIONS, self.tr("Exclusion zones (polygons)"), [qgis_enums.POLYGONS], optional=True,
            help_text=self.tr("Parts of the region where nobody can be (water, buildings); subtracted.")))
        self.add(QgsProcessingParameterEnum(MODE, self.tr("Re-inject the removed mass"),
                                            options=[self.tr(m) for m in MODES], defaultValue=0),
                 self.tr("proportional: where the density already is (the paper); uniform: evenly over the region."),
                 advanced=True)
        self.addParameter(params.number(
            TOTAL, self.tr("Total PR mass the region must hold (default: the raster's recorded TOTAL)"),
            optional=True, minimum=0.0, advanced=True))
        self.addParameter(QgsProcessingParameterRasterDestination(params.OUTPUT,
                                                                  self.tr("Renormalized PR density")))
        self.addOutput(QgsProcessingOutputNumber(TOTAL, self.tr("PR mass in the region")))
        self.addOutput(QgsProcessingOutputNumber("MASS_MOVED", self.tr("PR mass re-injected into the region")))

    def execute(self, parameters, context, feedback):
        density = read_density_param(self, parameters, params.INPUT, context)
        crs = crs_from_text(density.grid.crs)
        region = read_shapes(self, parameters, REGION, context, crs)
        exclusions = read_shapes(self, parameters, EXCLUSIONS, context, crs)
        inside = region_mask(region, density.grid, exclusions)
        total = self.optional_double(parameters, TOTAL, context)
        result = renormalize(density, inside, MODES[self.parameterAsEnum(parameters, MODE, context)], total)
        feedback.pushInfo(f"The region ({int(inside.sum())} pixels) now holds {result.total:g} PRs; "
                          f"{result.mass_moved:.4g} PRs were moved into it.")
        path = write_density_param(self, parameters, params.OUTPUT, context, result.density)
        return {params.OUTPUT: path, TOTAL: result.total, "MASS_MOVED": result.mass_moved}
