"""wifidensity:fiducial — the Fiducial tool, paper §5.1.2 (science in
algorithms/paper/fiducial.py, convex_layers.py)."""
import numpy as np
from qgis.core import (
    QgsExpression,
    QgsFeatureRequest,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
)

from ...algorithms.paper.apollonius import GOOD, QUALITY_NAMES
from ...algorithms.paper.fiducial import DEFAULT_LAYER, fiducial_region
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..display.styles import style_on_load
from ..io.columns import require_source
from ..io.layers import from_shapely, metric_crs, read_points, read_polygons, transformed
from ..io.table_output import write_table

GOOD_QUALITY = QUALITY_NAMES[GOOD]
QUALITY_FIELD, LAYER, EXCLUSIONS, BOUNDARY, ALL_LAYERS = "QUALITY_FIELD", "LAYER", "EXCLUSIONS", "BOUNDARY", \
    "ALL_LAYERS"


class FiducialAlgorithm(WifiDensityAlgorithm):
    NAME = "fiducial"
    DISPLAY_NAME = "7. Fiducial region (convex layers)"
    GROUP_ID = "tools"
    EXTRA_TAGS = ("convex hull", "onion peeling", "region")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(params.source(
            params.INPUT, self.tr("Localization points"), [qgis_enums.POINTS],
            help_text=self.tr("The Localization tool's points (any point layer works).")))
        self.add(QgsProcessingParameterField(
            QUALITY_FIELD, self.tr("Quality field (only 'good' points are peeled; empty: use every point)"),
            "quality", params.INPUT, optional=True), advanced=True)
        self.addParameter(params.number(
            LAYER, self.tr("LAYER: convex layer to output (1 = outer hull)"), DEFAULT_LAYER, integer=True, minimum=1,
            help_text=self.tr("The hull of what is left after peeling LAYER - 1 hulls; the paper uses layer 3.")))
        self.addParameter(params.source(EXCLUSIONS, self.tr("Exclusion zones (subtracted)"), [qgis_enums.POLYGONS],
                                        optional=True))
        self.addParameter(params.source(BOUNDARY, self.tr("Site boundary (intersected)"), [qgis_enums.POLYGONS],
                                        optional=True, advanced=True))
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Fiducial region"),
                                                            qgis_enums.POLYGONS))
        self.addParameter(QgsProcessingParameterFeatureSink(
            ALL_LAYERS, self.tr("All convex layers"), qgis_enums.POLYGONS, optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("LAYERS", self.tr("Convex layers with an area")))
        self.addOutput(QgsProcessingOutputNumber("POINTS_INSIDE", self.tr("Points inside the region")))
        self.addOutput(QgsProcessingOutputNumber("AREA", self.tr("Area of the region (m²)")))

    def execute(self, parameters, context, feedback):
        xy, crs = self._points(parameters, context)
        exclusions = read_polygons(self, parameters, EXCLUSIONS, context, crs)
        boundary = read_polygons(self, parameters, BOUNDARY, context, crs)
        wants_all = is_given(parameters, ALL_LAYERS)
        chosen, layers, count = fiducial_region(xy, self.parameterAsInt(parameters, LAYER, context), exclusions,
                                                boundary, wants_all, self.progress(feedback, 0.0, 90.0))
        feedback.pushInfo(f"Layer {chosen.index} of {count}: {chosen.points_inside} points inside, "
                          f"{chosen.area:.0f} m².")
        outputs = {params.OUTPUT: self._write(parameters, context, params.OUTPUT, [chosen], crs, feedback),
                   "LAYERS": count, "POINTS_INSIDE": chosen.points_inside, "AREA": chosen.area}
        style_on_load(context, outputs[params.OUTPUT], "fiducial")
        if wants_all:
            outputs[ALL_LAYERS] = self._write(parameters, context, ALL_LAYERS, layers, crs, feedback)
            style_on_load(context, outputs[ALL_LAYERS], "fiducial")
        return outputs

    def _points(self, parameters, context):
        """The INPUT points in a metric CRS (the layer's if projected, else the UTM zone of the points)."""
        source = require_source(self, parameters, params.INPUT, context)
        raw, layer_crs = read_points(self, parameters, params.INPUT, context,
                                     self._good_points(parameters, context, source), "good localization point")
        crs = metric_crs(self, parameters, context, layer_crs, raw, params.INPUT)
        return transformed(raw, layer_crs, crs, context, params.INPUT), crs

    def _good_points(self, parameters, context, source):
        """Localizations flagged poor, degenerate or outside the hull would stretch the outer layers."""
        request = QgsFeatureRequest().setNoAttributes()
        field = self.parameterAsString(parameters, QUALITY_FIELD, context)
        if field and field in source.fields().names():
            request.setFilterExpression(f"{QgsExpression.quotedColumnRef(field)} = '{GOOD_QUALITY}'")
        return request

    def _write(self, parameters, context, name, layers, crs, feedback):
        columns = {"layer": np.array([layer.index for layer in layers], dtype=np.int64),
                   "points_inside": np.array([layer.points_inside for layer in layers], dtype=np.int64),
                   "points_on_hull": np.array([layer.points_on for layer in layers], dtype=np.int64),
                   "area_m2": np.array([layer.area for layer in layers], dtype=float)}
        geometries = []
        for layer in layers:
            geometry = from_shapely(layer.polygon)
            geometry.convertToMultiType()
            geometries.append(geometry)
        return write_table(self, parameters, context, name, columns, self.progress(feedback, 90.0, 100.0),
                           geometries, qgis_enums.MULTI_POLYGON, crs)
