"""wifidensity:fiducial — SPEC tool 7 (science in algorithms/convex_layers.py and fiducial.py)."""
import numpy as np
from qgis.core import (QgsCoordinateTransform, QgsFeatureRequest, QgsPointXY, QgsProcessing,
                       QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterNumber, QgsWkbTypes)

from ...algorithms.core.errors import InputError
from ...algorithms.fiducial import DEFAULT_LAYER, fiducial_region, good_points
from ..base import WifiDensityAlgorithm, is_given
from ..layers import from_shapely, metric_crs, read_polygons
from ..rasters import style_on_load
from ..tables import require_source, write_table


class FiducialAlgorithm(WifiDensityAlgorithm):
    NAME = "fiducial"
    DISPLAY_NAME = "7. Fiducial region (convex layers)"
    GROUP_ID = "tools"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", self.tr("Localization points"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            "QUALITY_FIELD", self.tr("Quality field (only 'good' points are peeled; empty: use every point)"),
            "quality", "INPUT", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "LAYER", self.tr("LAYER: convex layer to output (1 = outer hull)"),
            QgsProcessingParameterNumber.Integer, DEFAULT_LAYER, minValue=1))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "EXCLUSIONS", self.tr("Exclusion zones (subtracted)"), [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "BOUNDARY", self.tr("Site boundary (intersected)"), [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", self.tr("Fiducial region"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "ALL_LAYERS", self.tr("All convex layers"), QgsProcessing.TypeVectorPolygon, optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("LAYERS", self.tr("Convex layers with an area")))
        self.addOutput(QgsProcessingOutputNumber("POINTS_INSIDE", self.tr("Points inside the region")))
        self.addOutput(QgsProcessingOutputNumber("AREA", self.tr("Area of the region (m²)")))

    def execute(self, parameters, context, feedback):
        xy, crs = self._points(parameters, context)
        exclusions = read_polygons(self, parameters, "EXCLUSIONS", context, crs)
        boundary = read_polygons(self, parameters, "BOUNDARY", context, crs)
        wants_all = is_given(parameters, "ALL_LAYERS")
        chosen, layers, count = fiducial_region(xy, self.parameterAsInt(parameters, "LAYER", context), exclusions,
                                                boundary, wants_all, self.progress(feedback, 0.0, 90.0))
        feedback.pushInfo(f"Layer {chosen.index} of {count}: {chosen.points_inside} points inside, "
                          f"{chosen.area:.0f} m².")
        outputs = {"OUTPUT": self._write(parameters, context, "OUTPUT", [chosen], crs, feedback),
                   "LAYERS": count, "POINTS_INSIDE": chosen.points_inside, "AREA": chosen.area}
        style_on_load(context, outputs["OUTPUT"], "fiducial")
        if wants_all:
            outputs["ALL_LAYERS"] = self._write(parameters, context, "ALL_LAYERS", layers, crs, feedback)
            style_on_load(context, outputs["ALL_LAYERS"], "fiducial")
        return outputs

    def _points(self, parameters, context):
        """The INPUT points fit to peel (fiducial.good_points) in a metric CRS (the layer's if projected, else
        the UTM zone of the points)."""
        source = require_source(self, parameters, "INPUT", context)
        field = self.parameterAsString(parameters, "QUALITY_FIELD", context)
        field = field if field and field in source.fields().names() else None
        request = QgsFeatureRequest().setSubsetOfAttributes([field], source.fields()) if field else \
            QgsFeatureRequest().setNoAttributes()
        raw, quality = [], []
        for feature in source.getFeatures(request):
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                continue
            vertices = [(p.x(), p.y()) for p in geometry.vertices()]
            raw.extend(vertices)
            quality.extend([feature[field] if field else None] * len(vertices))
        raw = good_points(raw, quality if field else None)
        if not len(raw):
            raise InputError("INPUT has no points with a geometry; give the Localization tool's output.")
        crs = metric_crs(self, parameters, context, source.sourceCrs(), (raw[:, 0], raw[:, 1]))
        if crs == source.sourceCrs():
            return raw, crs
        to_metric = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        metric = [to_metric.transform(QgsPointXY(x, y)) for x, y in raw]
        return np.array([[p.x(), p.y()] for p in metric], dtype=float), crs

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
        return write_table(self, parameters, context, name, columns, feedback, geometries,
                           QgsWkbTypes.MultiPolygon, crs)
