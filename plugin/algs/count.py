"""wifidensity:count — clients from PRs with the legacy, strawman, multiplicity or position X (SPEC tool 5)."""
import numpy as np
from qgis.core import (QgsCoordinateTransform, QgsFeatureRequest, QgsProcessing, QgsProcessingOutputNumber,
                       QgsProcessingParameterEnum, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsWkbTypes)

from ...algorithms.counting import DEFAULT_X_DAY, connected_client_x, parse_higher
from ...algorithms.core.errors import InputError
from ...algorithms.zone_counts import METHODS, count_site, zone_table
from ...algorithms.zones import parse_breaks, zones_from_levels, zones_from_polygons
from ..base import WifiDensityAlgorithm, is_given
from ..layers import crs_from_text, from_shapely, read_polygon_features
from ..rasters import read_density_param, style_on_load
from ..tables import require_source, write_table

BASES = METHODS[:3]


class CountAlgorithm(WifiDensityAlgorithm):
    NAME = "count"
    DISPLAY_NAME = "5. Counting (PRs -> clients)"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        for name, label in (("P", "P: CR probe requests in the window"),
                            ("P1", "P1: PRs of emissions heard by 1 AP"),
                            ("P2", "P2: PRs of emissions heard by 2 APs"),
                            ("P3", "P3: PRs of emissions heard by 3 APs")):
            self.addParameter(QgsProcessingParameterNumber(name, self.tr(label), QgsProcessingParameterNumber.Double,
                                                           defaultValue=0.0))
        self.addParameter(QgsProcessingParameterString(
            "P_MORE", self.tr("P4, P5, ...: PRs of emissions heard by 4, 5, ... APs (comma list)"),
            defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "WINDOW_HOURS", self.tr("Window length (hours)"), QgsProcessingParameterNumber.Double, defaultValue=3.0))
        self.addParameter(QgsProcessingParameterNumber(
            "X_DAY", self.tr("X_DAY: PRs per client per day"), QgsProcessingParameterNumber.Double,
            defaultValue=DEFAULT_X_DAY))
        self.addParameter(QgsProcessingParameterEnum(
            "METHOD", self.tr("Method"), options=[self.tr(m) for m in METHODS], defaultValue=2))
        self.addParameter(QgsProcessingParameterEnum(
            "POSITION_BASE", self.tr("Base method whose total the position method keeps"),
            options=[self.tr(m) for m in BASES], defaultValue=1))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "ZONES", self.tr("Zones (polygons)"), [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "ZONE_NAME_FIELD", self.tr("Zone name field"), parentLayerParameterName="ZONES", optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "DENSITY", self.tr("PR density raster (PRs/m²)"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "POINTS", self.tr("Localization points (for the position method)"), [QgsProcessing.TypeVectorPoint],
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            "BREAKS", self.tr("Density levels for zones when no polygons are given (PRs/m², comma list)"),
            defaultValue="", optional=True))
        for name, label in (("P_CC", "Connected-client check: PRs of connected clients (P_CC)"),
                            ("A_CC", "Connected-client check: number of connected clients (A_CC)"),
                            ("T_CC_HOURS", "Connected-client check: their mean time on site (hours)")):
            self.addParameter(QgsProcessingParameterNumber(name, self.tr(label), QgsProcessingParameterNumber.Double,
                                                           optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", self.tr("Zones with X and clients"), QgsProcessing.TypeVectorPolygon, optional=True))
        for name, label in (("X", "X of the chosen method (PRs per client in the window)"),
                            ("X12", "X12: X_DAY scaled to the window"), ("CLIENTS", "Clients (chosen method)"),
                            ("CLIENTS_LEGACY", "Clients, legacy"), ("CLIENTS_STRAWMAN", "Clients, strawman"),
                            ("CLIENTS_MULTIPLICITY", "Clients, multiplicity"),
                            ("CLIENTS_POSITION", "Clients in the zones, position"),
                            ("X_CC_DAY", "X_CC: connected clients' PRs per client per day"),
                            ("ZONES_CAPPED", "Zones whose 3-AP share the position method capped")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        by_k = {k: self.parameterAsDouble(parameters, f"P{k}", context) for k in (1, 2, 3)}
        by_k.update(parse_higher(self.parameterAsString(parameters, "P_MORE", context)))
        site = self._site_count(parameters, context, by_k, feedback)
        results = {"X": site.chosen_x, "X12": site.x12, "CLIENTS": site.chosen_clients, "OUTPUT": None,
                   "CLIENTS_POSITION": None, "ZONES_CAPPED": None, "X_CC_DAY": self._x_cc(parameters, context)}
        for name in BASES:
            results[f"CLIENTS_{name.upper()}"] = site.clients.get(name)
        if results["X_CC_DAY"] is not None:
            feedback.pushInfo(f"Connected clients emit X_CC = {results['X_CC_DAY']:.0f} PRs per client per day.")
        zones, density = self._zones(parameters, context)
        if zones is None:
            if site.method == "position":
                raise InputError("The position method needs a DENSITY raster and zones (ZONES or BREAKS).")
            return results
        crs = crs_from_text(density.grid.crs)
        table = zone_table(site, zones, density, by_k[3], self._points(parameters, context, crs))
        _warn_about_zones(feedback, table)
        if "clients_position" in table.columns:
            results["CLIENTS_POSITION"] = float(table.columns["clients_position"].sum())
            results["ZONES_CAPPED"] = len(table.clamped)
        if parameters.get("OUTPUT") is not None:
            results["OUTPUT"] = self._write_zones(parameters, context, feedback, zones, table, crs)
        return results

    def _site_count(self, parameters, context, by_k, feedback):
        """The site totals by every method the inputs allow (algorithms.zone_counts.count_site)."""
        method = METHODS[self.parameterAsEnum(parameters, "METHOD", context)]
        base = BASES[self.parameterAsEnum(parameters, "POSITION_BASE", context)]
        site = count_site(self.parameterAsDouble(parameters, "P", context), by_k,
                          self.parameterAsDouble(parameters, "X_DAY", context),
                          self.parameterAsDouble(parameters, "WINDOW_HOURS", context), method, base)
        feedback.pushInfo(f"X12 = {site.x12:.2f}; " + "; ".join(
            f"{m}: X = {x:.2f}, clients = {site.clients[m]:.1f}" for m, x in site.x.items()))
        return site

    def _write_zones(self, parameters, context, feedback, zones, table, crs):
        """The zone polygons with the table's columns, styled with labels of their clients; returns the id."""
        geometries = [from_shapely(shape) for shape in zones.geometries]
        for geometry in geometries:
            geometry.convertToMultiType()
        layer_id = write_table(self, parameters, context, "OUTPUT", table.columns, feedback, geometries,
                               QgsWkbTypes.MultiPolygon, crs)
        style_on_load(context, layer_id, "zones")
        return layer_id

    def _zones(self, parameters, context):
        """(Zones, Density) from ZONES polygons or DENSITY levels, or (None, None) without a DENSITY raster."""
        has_zones = is_given(parameters, "ZONES")
        breaks_text = self.parameterAsString(parameters, "BREAKS", context)
        if not is_given(parameters, "DENSITY"):
            if has_zones or breaks_text.strip():
                raise InputError("Zones need the DENSITY raster to weigh their PRs: give DENSITY too.")
            return None, None
        density = read_density_param(self, parameters, "DENSITY", context)
        if not density.grid.crs:
            raise InputError("DENSITY has no CRS; set it (Layer Properties > Source) to the site's projected CRS.")
        if not has_zones:
            levels = parse_breaks(breaks_text) if breaks_text.strip() else []
            return zones_from_levels(density, levels), density
        name_field = self.parameterAsString(parameters, "ZONE_NAME_FIELD", context)
        features = read_polygon_features(self, parameters, "ZONES", context, crs_from_text(density.grid.crs),
                                          (name_field,) if name_field else ())
        if not features:
            raise InputError("The ZONES layer has no polygon with a geometry.")
        names = [str(attributes[name_field]) for _, attributes in features] if name_field else None
        return zones_from_polygons([shape for shape, _ in features], names, density.grid), density

    def _points(self, parameters, context, crs):
        """Localization points as (n x 2) metres in ``crs``, or None when POINTS is not given."""
        if not is_given(parameters, "POINTS"):
            return None
        source = require_source(self, parameters, "POINTS", context)
        to_crs = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        xy = []
        for feature in source.getFeatures(QgsFeatureRequest().setNoAttributes()):
            geometry = feature.geometry()
            if not geometry.isNull() and not geometry.isEmpty():
                point = to_crs.transform(geometry.centroid().asPoint())
                xy.append((point.x(), point.y()))
        if not xy:
            raise InputError("The POINTS layer has no point; give the Localization tool's output.")
        return np.array(xy, dtype=float)

    def _x_cc(self, parameters, context):
        """X_CC of ref [1] when P_CC, A_CC and T_CC_HOURS are all given, else None."""
        names = ("P_CC", "A_CC", "T_CC_HOURS")
        given = [is_given(parameters, name) for name in names]
        if not any(given):
            return None
        if not all(given):
            raise InputError("The connected-client check needs all of P_CC, A_CC and T_CC_HOURS.")
        return connected_client_x(*(self.parameterAsDouble(parameters, name, context) for name in names))


def _warn_about_zones(feedback, table):
    if table.clamped:
        feedback.pushWarning(f"Position method: zones {', '.join(table.clamped)} would hold more 3-AP PRs than "
                             "PRs; their 3-AP share was capped at 1 (X <= 3 X12).")
    empty = [str(name) for name, prs in zip(table.columns["zone"], table.columns["prs"]) if prs <= 0]
    if empty:
        feedback.pushWarning(f"Zones {', '.join(empty)} cover no PR mass of DENSITY.")
