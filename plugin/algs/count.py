"""wifidensity:count — the Counting tool, paper §4.4 (Eq. 9) and §6.1.3: clients from PRs with the legacy,
strawman, multiplicity or position X (science in algorithms/counting/counting.py, zone_counts.py, zones.py)."""
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ...algorithms.core.errors import InputError
from ...algorithms.counting.counting import DEFAULT_X_DAY, GLOBAL_METHODS, POSITION, connected_client_x, parse_higher
from ...algorithms.counting.zone_counts import METHODS, count_site, zone_table
from ...algorithms.counting.zones import parse_breaks, zones_from_levels, zones_from_polygons
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..display.styles import style_on_load
from ..io.density_io import read_density_param
from ..io.layers import crs_from_text, from_shapely, read_points_in, read_polygon_features
from ..io.table_output import write_table

MULTIPLICITY_HELP = ("PRs of the window's CR emissions heard by exactly this many APs: the Preprocessing tool's "
                     "output of the same name.")


class CountAlgorithm(WifiDensityAlgorithm):
    NAME = "count"
    DISPLAY_NAME = "5. Counting (PRs -> clients)"
    NEEDS = ("numpy", "scipy", "shapely", "rasterio", "pyproj")
    EXTRA_TAGS = ("clients", "X", "strawman", "zones")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(params.number("P", self.tr("P: CR probe requests in the window"), 0.0, minimum=0.0,
                                        help_text=self.tr("The Preprocessing tool's P.")))
        for k in (1, 2, 3):
            self.addParameter(params.number(f"P{k}", self.tr(f"P{k}: PRs of emissions heard by {k} AP"
                                                             f"{'s' if k > 1 else ''}"), 0.0, minimum=0.0,
                                            help_text=self.tr(MULTIPLICITY_HELP)))
        self.add(QgsProcessingParameterString(
            "P_MORE", self.tr("P4, P5, ...: PRs of emissions heard by 4, 5, ... APs (comma list)"), defaultValue="",
            optional=True), self.tr("The Preprocessing tool's P_MORE (when it counts emissions)."), advanced=True)
        self.addParameter(params.number(params.WINDOW_HOURS, self.tr("Window length (hours)"), 3.0, minimum=0.0,
                                        help_text=self.tr("The Preprocessing tool's WINDOW_HOURS.")))
        self.addParameter(params.number(
            params.X_DAY, self.tr("X_DAY: PRs per client per day"), DEFAULT_X_DAY, minimum=0.0,
            help_text=self.tr("Probe requests one client leaves per day (Yang et al. 2022: 524); X for the window "
                              "is X_DAY x hours / 24.")))
        self.add(QgsProcessingParameterEnum("METHOD", self.tr("Method"), options=[self.tr(m) for m in METHODS],
                                            defaultValue=2),
                 self.tr("legacy: X12; strawman: the paper's Eq. 9; multiplicity: every emission counts once; "
                         "position: X per zone from the localizations (paper §6.1.3)."))
        self.add(QgsProcessingParameterEnum(
            "POSITION_BASE", self.tr("Base method whose total the position method keeps"),
            options=[self.tr(m) for m in GLOBAL_METHODS], defaultValue=1), advanced=True)
        self.addParameter(params.source("ZONES", self.tr("Zones (polygons)"), [qgis_enums.POLYGONS], optional=True))
        self.add(QgsProcessingParameterField("ZONE_NAME_FIELD", self.tr("Zone name field"),
                                             parentLayerParameterName="ZONES", optional=True), advanced=True)
        self.add(QgsProcessingParameterRasterLayer("DENSITY", self.tr("PR density raster (PRs/m²)"), optional=True),
                 self.tr("Weighs each zone's PRs (e.g. the drilled-down peaks); needed for zones."))
        self.addParameter(params.source(
            "POINTS", self.tr("Localization points (for the position method)"), [qgis_enums.POINTS], optional=True))
        self.add(QgsProcessingParameterString(
            "BREAKS", self.tr("Density levels for zones when no polygons are given (PRs/m², comma list)"),
            defaultValue="", optional=True), advanced=True)
        for name, label in (("P_CC", "Connected-client check: PRs of connected clients (P_CC)"),
                            ("A_CC", "Connected-client check: number of connected clients (A_CC)"),
                            ("T_CC_HOURS", "Connected-client check: their mean time on site (hours)")):
            self.addParameter(params.number(name, self.tr(label), optional=True, minimum=0.0, advanced=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            params.OUTPUT, self.tr("Zones with X and clients"), qgis_enums.POLYGONS, optional=True))
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
        for name in GLOBAL_METHODS:
            results[f"CLIENTS_{name.upper()}"] = site.clients.get(name)
        if results["X_CC_DAY"] is not None:
            feedback.pushInfo(f"Connected clients emit X_CC = {results['X_CC_DAY']:.0f} PRs per client per day.")
        zones, density = self._zones(parameters, context)
        if zones is None:
            if site.method == POSITION:
                raise InputError("The position method needs a DENSITY raster and zones (ZONES or BREAKS).")
            return results
        crs = crs_from_text(density.grid.crs)
        table = zone_table(site, zones, density, by_k[3], self._points(parameters, context, crs))
        _warn_about_zones(feedback, table, site.method == POSITION)
        if "clients_position" in table.columns:
            results["CLIENTS_POSITION"] = float(table.columns["clients_position"].sum())
            results["ZONES_CAPPED"] = len(table.clamped)
        results["OUTPUT"] = self._write_zones(parameters, context, feedback, zones, table, crs)
        return results

    def _site_count(self, parameters, context, by_k, feedback):
        """The site totals by every method the inputs allow (algorithms.zone_counts.count_site)."""
        method = METHODS[self.parameterAsEnum(parameters, "METHOD", context)]
        base = GLOBAL_METHODS[self.parameterAsEnum(parameters, "POSITION_BASE", context)]
        site = count_site(self.parameterAsDouble(parameters, "P", context), by_k,
                          self.parameterAsDouble(parameters, params.X_DAY, context),
                          self.parameterAsDouble(parameters, params.WINDOW_HOURS, context), method, base)
        feedback.pushInfo(f"X12 = {site.x12:.2f}; " + "; ".join(
            f"{m}: X = {x:.2f}, clients = {site.clients[m]:.1f}" for m, x in site.x.items()))
        return site

    def _write_zones(self, parameters, context, feedback, zones, table, crs):
        """The zone polygons with the table's columns, styled with labels of their clients; returns the id."""
        geometries = [from_shapely(shape) for shape in zones.geometries]
        for geometry in geometries:
            geometry.convertToMultiType()
        layer_id = write_table(self, parameters, context, params.OUTPUT, table.columns,
                               self.progress(feedback, 90.0, 100.0), geometries, qgis_enums.MULTI_POLYGON, crs)
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
        return read_points_in(self, parameters, "POINTS", context, crs, what="localization point")

    def _x_cc(self, parameters, context):
        """X_CC of ref [1] when P_CC, A_CC and T_CC_HOURS are all given, else None."""
        names = ("P_CC", "A_CC", "T_CC_HOURS")
        given = [is_given(parameters, name) for name in names]
        if not any(given):
            return None
        if not all(given):
            raise InputError("The connected-client check needs all of P_CC, A_CC and T_CC_HOURS.")
        return connected_client_x(*(self.parameterAsDouble(parameters, name, context) for name in names))


def _warn_about_zones(feedback, table, position_chosen):
    """Warnings about the zones; the position method's capped zones only when it is the chosen method (the other
    methods' clients do not depend on it: it is worked out as an extra column whenever POINTS are given)."""
    if table.clamped:
        note = (f"Position method{'' if position_chosen else ' (not the chosen one)'}: zones "
                f"{', '.join(table.clamped)} would hold more 3-AP PRs than PRs; their 3-AP share was capped at 1 "
                "(X <= 3 X12).")
        (feedback.pushWarning if position_chosen else feedback.pushInfo)(note)
    empty = [str(name) for name, prs in zip(table.columns["zone"], table.columns["prs"]) if prs <= 0]
    if empty:
        feedback.pushWarning(f"Zones {', '.join(empty)} cover no PR mass of DENSITY.")
