"""wifidensity:reassemble — the Re-assembly tool, paper §1.6 and Figure 19 (science in
algorithms/paper/reassemble.py)."""
import numpy as np
from qgis.core import (
    QgsGeometry,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ...algorithms.core.masks import polygons_mask
from ...algorithms.paper.reassemble import WHOLE_MAP, clients, smoothed, zone_summary, zone_x_from
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..io.density_io import read_density_layer, read_density_param, write_density_param
from ..io.layers import crs_from_text, from_shapely, read_polygon_features, read_shapes
from ..io.table_output import write_table


class ReassembleAlgorithm(WifiDensityAlgorithm):
    NAME = "reassemble"
    DISPLAY_NAME = "9. Reassembly (PR pieces -> client map)"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add(QgsProcessingParameterMultipleLayers(
            "PIECES", self.tr("PR density pieces (divided by the global X)"), qgis_enums.RASTER),
            self.tr("The PR density rasters to add up: the capped base and the pieces set apart (removed PRs)."))
        self.addParameter(params.number(
            "X", self.tr("X: PRs per client in the window (global)"), 65.5, minimum=0.0,
            help_text=self.tr("The Counting tool's X. 524 PRs per client per day give 65.5 for a 3-hour window.")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "POSITION_PIECE", self.tr("Piece divided by the per-zone X (e.g. the drilled-down peaks)"),
            optional=True))
        self.addParameter(params.source(
            "ZONES_X", self.tr("Zones with their X (polygons, e.g. the Counting tool's output)"),
            [qgis_enums.POLYGONS], optional=True))
        self.add(QgsProcessingParameterField(
            "X_FIELD", self.tr("X field of the zones"), "x", "ZONES_X", qgis_enums.NUMERIC_FIELD, optional=True),
            advanced=True)
        self.addParameter(params.number(
            "SMOOTH", self.tr("Gaussian smoothing sigma (m; 0 = none)"), 10.0, minimum=0.0,
            help_text=self.tr("The client map is smoothed with this Gaussian; every pixel's mass is kept.")))
        self.addParameter(params.source(
            "SMOOTH_WITHIN", self.tr("Keep the smoothed mass inside these polygons (default: the raster)"),
            [qgis_enums.POLYGONS], optional=True, advanced=True))
        self.addParameter(params.source(
            "ZONES", self.tr("Summary zones (default: the zones with X)"), [qgis_enums.POLYGONS],
            optional=True))
        self.addParameter(QgsProcessingParameterField(
            "ZONE_NAME_FIELD", self.tr("Zone name field of the summary zones"), "zone", "ZONES", optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Client density (clients/m²)")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "SUMMARY", self.tr("Clients per zone"), qgis_enums.POLYGONS, optional=True))
        self.addOutput(QgsProcessingOutputNumber("CLIENTS", self.tr("Clients in the map")))

    def execute(self, parameters, context, feedback):
        layers = self.parameterAsLayerList(parameters, "PIECES", context)
        pieces = [read_density_layer(layer, f"PIECES ({layer.name()})") for layer in layers]
        names = [f"piece '{layer.name()}'" for layer in layers]
        position, zone_x = None, None
        if is_given(parameters, "POSITION_PIECE"):
            position = read_density_param(self, parameters, "POSITION_PIECE", context)
            names.append("POSITION_PIECE")
            zone_x = self._zone_x(parameters, context, position)
        result = clients(pieces, self.parameterAsDouble(parameters, "X", context), position, zone_x, names)
        before = result.mass()
        crs = crs_from_text(result.grid.crs)
        domain = None
        if is_given(parameters, "SMOOTH_WITHIN"):
            shapes = read_shapes(self, parameters, "SMOOTH_WITHIN", context, crs)
            domain = polygons_mask(shapes, result.grid)
        sigma = self.parameterAsDouble(parameters, "SMOOTH", context)
        client_map = smoothed(result, sigma, domain)
        feedback.pushInfo(f"{before:.4g} clients before smoothing, {client_map.mass():.4g} after "
                          f"(sigma {sigma:g} m).")
        return {"OUTPUT": write_density_param(self, parameters, "OUTPUT", context, client_map),
                "CLIENTS": client_map.mass(), "SUMMARY": self._summary(parameters, context, client_map, crs, feedback)}

    def _zone_x(self, parameters, context, position):
        """ZoneX from ZONES_X in the position piece's CRS; None (the global X everywhere) when not given."""
        if not is_given(parameters, "ZONES_X"):
            return None
        field = self.parameterAsString(parameters, "X_FIELD", context) or "x"
        features = read_polygon_features(self, parameters, "ZONES_X", context, crs_from_text(position.grid.crs),
                                          (field,))
        return zone_x_from([shape for shape, _ in features], [attributes[field] for _, attributes in features], field)

    def _summary(self, parameters, context, density, crs, feedback):
        """Clients and area per zone, and a last row for the whole map; returns the output's id (None unasked)."""
        if not is_given(parameters, "SUMMARY"):
            return None
        source_name = "ZONES" if is_given(parameters, "ZONES") else "ZONES_X"
        field = self.parameterAsString(parameters, "ZONE_NAME_FIELD", context) or "zone"
        named = (field,) if field in self._field_names(parameters, source_name, context) else ()
        features = read_polygon_features(self, parameters, source_name, context, crs, named)
        names = [str(attributes[field]) if named else str(i + 1) for i, (_, attributes) in enumerate(features)]
        rows = zone_summary(density, [shape for shape, _ in features], names)
        rows.append({"zone": WHOLE_MAP, "area_m2": density.grid.width * density.grid.height
                     * density.grid.cell_area, "clients": density.mass()})
        columns = {key: np.array([row[key] for row in rows]) for key in ("zone", "area_m2", "clients")}
        geometries = [from_shapely(shape) for shape, _ in features] + [QgsGeometry()]
        for geometry in geometries[:-1]:
            geometry.convertToMultiType()
        return write_table(self, parameters, context, "SUMMARY", columns, self.progress(feedback, 95.0, 100.0),
                           geometries, qgis_enums.MULTI_POLYGON, crs)

    def _field_names(self, parameters, name, context):
        source = self.parameterAsSource(parameters, name, context)
        return source.fields().names() if source is not None else []
