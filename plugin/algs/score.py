"""wifidensity:score — a client raster against a simulation's true clients, for the site twin (science in
algorithms/twin/scoring.py)."""
from qgis.core import (
    QgsExpression,
    QgsFeatureRequest,
    QgsProcessingOutputNumber,
    QgsProcessingParameterField,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ...algorithms.core.errors import InputError
from ...algorithms.core.optional import require
from ...algorithms.twin.scoring import DEFAULT_SMOOTH, score
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm
from ..io.columns import check_fields, require_source
from ..io.density_io import read_density_param
from ..io.layers import crs_from_text, read_points_in, read_shapes

NUMBERS = (("R", "Pearson r after smoothing"), ("ESTIMATED", "Clients in the map"), ("TRUE", "True clients"),
           ("TOTAL_ERROR", "Relative error of the total"), ("SHARE_ESTIMATED", "Share inside the polygon (map)"),
           ("SHARE_TRUE", "Share inside the polygon (truth)"))


class ScoreAlgorithm(WifiDensityAlgorithm):
    NAME = "score"
    DISPLAY_NAME = "Score a client map against a simulation's truth"
    GROUP_ID = "data"
    EXTRA_TAGS = ("site twin", "accuracy", "validation")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Client density raster (clients/m²)")))
        self.addParameter(params.source("TRUTH", self.tr("True clients (Simulate's TRUTH points)"),
                                        [qgis_enums.POINTS]))
        self.add(QgsProcessingParameterField("KIND_FIELD", self.tr("Client kind field"), "kind", "TRUTH",
                                             optional=True), advanced=True)
        self.add(QgsProcessingParameterString(
            "KINDS", self.tr("Kinds the map should count (comma list; empty: all)"), "outdoor,indoor", optional=True),
            self.tr("The paper's flow counts every randomising client (outdoor,indoor); the maximum-likelihood map "
                    "leaves indoor APs out (outdoor)."))
        self.addParameter(params.source(
            "POLYGON", self.tr("Polygon for the share of clients inside"), [qgis_enums.POLYGONS], optional=True))
        self.addParameter(params.number("SMOOTH", self.tr("Gaussian smoothing of both before r (m)"), DEFAULT_SMOOTH,
                                        minimum=0.0, advanced=True))
        for name, label in NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        density = read_density_param(self, parameters, "INPUT", context)
        crs = crs_from_text(density.grid.crs)
        truth = self._truth_xy(parameters, context, crs)
        polygons = read_shapes(self, parameters, "POLYGON", context, crs)
        polygon = require("shapely.ops").unary_union(polygons) if polygons else None
        result = score(density, truth, self.parameterAsDouble(parameters, "SMOOTH", context), polygon)
        feedback.pushInfo(f"r = {result.r:.3f}; clients {result.estimated:.4g} vs {result.true:g} true "
                          f"({100 * result.total_error:+.1f} %)"
                          + (f"; share inside {result.share_estimated:.3f} vs {result.share_true:.3f}"
                             if polygon is not None else "")
                          + (f"; {result.true_outside} true clients outside the raster" if result.true_outside
                             else ""))
        values = (result.r, result.estimated, result.true, result.total_error, result.share_estimated,
                  result.share_true)
        return {name: float(v) for (name, _), v in zip(NUMBERS, values)}

    def _truth_xy(self, parameters, context, crs):
        """The true clients of the kinds the map should count, (n x 2) in the raster's CRS."""
        source = require_source(self, parameters, "TRUTH", context)
        kind_field = self.parameterAsString(parameters, "KIND_FIELD", context) or "kind"
        kinds = sorted({k.strip() for k in (self.parameterAsString(parameters, "KINDS", context) or "").split(",")
                        if k.strip()})
        request = QgsFeatureRequest().setNoAttributes()
        if kinds:
            check_fields(source, {"KIND_FIELD": kind_field})
            listed = ", ".join(QgsExpression.quotedValue(k) for k in kinds)
            request = QgsFeatureRequest(QgsExpression(f"{QgsExpression.quotedColumnRef(kind_field)} IN ({listed})"))
        try:
            return read_points_in(self, parameters, "TRUTH", context, crs, request, "client point")
        except InputError:
            raise InputError(f"TRUTH has no points of kind {', '.join(kinds) or 'any'}; check KINDS "
                             f"and KIND_FIELD.") from None
