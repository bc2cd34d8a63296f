"""wifidensity:score — a client raster against a simulation's true clients (issue 7; algorithms/scoring.py)."""
import numpy as np
from qgis.core import (QgsCoordinateTransform, QgsProcessing, QgsProcessingOutputNumber,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer, QgsProcessingParameterString)

from ...algorithms.core.errors import InputError
from ...algorithms.core.optional import require
from ...algorithms.scoring import DEFAULT_SMOOTH, score
from ..base import WifiDensityAlgorithm
from ..layers import crs_from_text, read_shapes
from ..rasters import read_density_param
from ..tables import check_fields, require_source

NUMBERS = (("R", "Pearson r after smoothing"), ("ESTIMATED", "Clients in the map"), ("TRUE", "True clients"),
           ("TOTAL_ERROR", "Relative error of the total"), ("SHARE_ESTIMATED", "Share inside the polygon (map)"),
           ("SHARE_TRUE", "Share inside the polygon (truth)"))


class ScoreAlgorithm(WifiDensityAlgorithm):
    NAME = "score"
    DISPLAY_NAME = "Score a client map against a simulation's truth"
    GROUP_ID = "data"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Client density raster (clients/m²)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "TRUTH", self.tr("True clients (Simulate's TRUTH points)"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            "KIND_FIELD", self.tr("Client kind field"), "kind", "TRUTH", optional=True))
        self.addParameter(QgsProcessingParameterString(
            "KINDS", self.tr("Kinds the map should count (comma list; empty: all)"), "outdoor,indoor", optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "POLYGON", self.tr("Polygon for the share of clients inside"), [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "SMOOTH", self.tr("Gaussian smoothing of both before r (m)"), QgsProcessingParameterNumber.Double,
            DEFAULT_SMOOTH, minValue=0.0))
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
        source = require_source(self, parameters, "TRUTH", context)
        kind_field = self.parameterAsString(parameters, "KIND_FIELD", context) or "kind"
        kinds = {k.strip() for k in (self.parameterAsString(parameters, "KINDS", context) or "").split(",")
                 if k.strip()}
        if kinds:
            check_fields(source, {"KIND_FIELD": kind_field})
        to_raster = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        xy = []
        for feature in source.getFeatures():
            if kinds and str(feature[kind_field]) not in kinds:
                continue
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                continue
            point = to_raster.transform(geometry.centroid().asPoint())
            xy.append((point.x(), point.y()))
        if not xy:
            raise InputError(f"TRUTH has no points of kind {', '.join(sorted(kinds)) or 'any'}; check KINDS "
                             f"and KIND_FIELD.")
        return np.array(xy, dtype=float)
