"""wifidensity:simulate — a simulated site with its ground truth (science in algorithms/simulate.py)."""
import json
from dataclasses import replace

import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry, QgsPointXY,
                       QgsProcessing, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterCrs, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterString, QgsWkbTypes)

from ...algorithms.crowd_areas import area_clients
from ...algorithms.core.errors import InputError
from ...algorithms.simulate import centred_crowd, sample_config, simulate
from ...algorithms.core.timeparse import to_iso, to_seconds
from ..base import WifiDensityAlgorithm, is_given
from ..layers import crs_from_text, read_access_points, read_polygon_features
from ..tables import check_fields, numeric_column, require_source, write_table

SAMPLE = sample_config()
KNOBS = [  # parameter, SiteConfig field, label, type, default
    ("EMISSIONS_PER_CLIENT", "emissions_per_client", "Mean emissions per client in the window", "d",
     SAMPLE.emissions_per_client),
    ("WINDOW_HOURS", "window_hours", "Window length (hours)", "d", SAMPLE.window_hours),
    ("A", "a", "A: RSS at 1 m (dBm)", "d", SAMPLE.a),
    ("N", "n", "n: path-loss exponent", "d", SAMPLE.n),
    ("SIGMA_RSS", "sigma_rss", "RSS noise (dB)", "d", SAMPLE.sigma_rss),
    ("FLOOR", "floor", "Receiver sensitivity: PRs below are not heard (dBm)", "d", SAMPLE.floor),
    ("RECEPTION", "reception", "Probability that an AP in range hears an emission", "d", SAMPLE.reception),
    ("INDOOR_CLIENTS", "indoor_clients", "Clients inside, around the first indoor AP", "i", 25),
    ("IOT_DEVICES", "iot_devices", "Fixed-MAC IoT devices (class CF)", "i", 6),
    ("CONNECTED_CLIENTS", "connected_clients", "Connected clients (class CC)", "i", 10),
    ("SEED", "seed", "Random seed", "i", 7),
]
_AREA_SEED_OFFSET = 7919  # the area clients draw from their own stream, so adding areas keeps the rest
TRUTH_NUMBERS = ["clients", "EMISSIONS", "P", "P1", "P2", "P3", "P4plus"]


class SimulateAlgorithm(WifiDensityAlgorithm):
    NAME = "simulate"
    DISPLAY_NAME = "Simulate a site (with ground truth)"
    GROUP_ID = "data"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_access_points("Access points (empty: the built-in 300 x 200 m square in Brno)", optional=True,
                               indoor=True)
        self.addParameter(QgsProcessingParameterFeatureSource(
            "CROWDS", self.tr("Crowd centres (points with spread and clients fields)"),
            [QgsProcessing.TypeVectorPoint], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "SPREAD_FIELD", self.tr("Crowd spread field (m)"), "spread", "CROWDS", optional=True))
        self.addParameter(QgsProcessingParameterField(
            "CLIENTS_FIELD", self.tr("Crowd clients field"), "clients", "CROWDS", optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "CROWD_AREAS", self.tr("Crowd areas (polygons, clients spread uniformly inside)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "AREA_CLIENTS_FIELD", self.tr("Crowd area clients field"), "clients", "CROWD_AREAS", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "CLIENTS", self.tr("Clients of the one central crowd (APS given without CROWDS)"),
            QgsProcessingParameterNumber.Integer, 180, minValue=0))
        self.addParameter(QgsProcessingParameterString(
            "START", self.tr("Window start (ISO time)"), to_iso(SAMPLE.start).item()))
        for name, _, label, kind, default in KNOBS:
            number_type = QgsProcessingParameterNumber.Integer if kind == "i" else QgsProcessingParameterNumber.Double
            self.addParameter(QgsProcessingParameterNumber(name, self.tr(label), number_type, default))
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", self.tr("Metric CRS to compute in (with APS; default: the AP layer's or its UTM zone)"),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", self.tr("Simulated probe requests"), QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "AP_LAYER", self.tr("Simulated access points"), QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "CONNECTIONS", self.tr("Connections table"), QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "TRUTH", self.tr("True clients"), QgsProcessing.TypeVectorPoint))
        for name in TRUTH_NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(f"TRUE_{name.upper()}", self.tr(f"True {name}")))
        self.addOutput(QgsProcessingOutputNumber("PRS", self.tr("Simulated PRs")))
        self.addOutput(QgsProcessingOutputString("TRUTH_COUNTS", self.tr("All true counts (JSON)")))

    def execute(self, parameters, context, feedback):
        config, crs = self._layout(parameters, context)
        knobs = {field: (self.parameterAsInt if kind == "i" else self.parameterAsDouble)(parameters, name, context)
                 for name, field, _, kind, _ in KNOBS}
        start_text = self.parameterAsString(parameters, "START", context).strip()
        start = float(to_seconds(np.array([start_text], dtype=object), "START")[0])
        site = simulate(replace(config, start=start, **knobs))
        probes = site.probes
        outputs = {
            "OUTPUT": write_table(self, parameters, context, "OUTPUT", {
                "time": to_iso(probes.time), "ap_id": probes.ap_id, "mac": probes.mac, "rss": probes.rss}, feedback),
            "AP_LAYER": write_table(self, parameters, context, "AP_LAYER", {
                "ap_id": site.aps.ids, "indoor": site.aps.indoor.astype(np.int64)},
                geometries=_points(site.aps.xy), wkb_type=QgsWkbTypes.Point, crs=crs),
            "CONNECTIONS": write_table(self, parameters, context, "CONNECTIONS",
                                       {"mac": site.connections, "ap_id": site.connection_ap}),
            "TRUTH": write_table(self, parameters, context, "TRUTH", {
                "kind": site.truth.kind, "mac": site.truth.client_mac, "emissions": site.truth.emissions},
                geometries=_points(site.truth.client_xy), wkb_type=QgsWkbTypes.Point, crs=crs),
        }
        counts = site.truth.counts
        feedback.pushInfo(f"Simulated {len(probes)} PRs of {counts['clients']} clients; truth: "
                          + ", ".join(f"{k} = {counts[k]}" for k in TRUTH_NUMBERS))
        outputs.update({f"TRUE_{k.upper()}": counts[k] for k in TRUTH_NUMBERS})
        outputs.update(PRS=len(probes), TRUTH_COUNTS=json.dumps(counts))
        return outputs

    def _layout(self, parameters, context):
        """(SiteConfig with APs and crowds, output CRS): the user's layers, or the built-in sample site."""
        if not is_given(parameters, "APS"):
            if is_given(parameters, "CROWDS") or is_given(parameters, "CROWD_AREAS"):
                raise InputError("CROWDS / CROWD_AREAS need APS: give the access points the crowds are around.")
            return SAMPLE, QgsCoordinateReferenceSystem(SAMPLE.crs)
        aps, crs = read_access_points(self, parameters, context)
        crowds = self._crowds(parameters, context, crs)
        area_xy = self._crowd_areas(parameters, context, crs)
        if crowds is None:
            crowds = [] if area_xy is not None else centred_crowd(
                aps.xy, self.parameterAsInt(parameters, "CLIENTS", context))
        config = replace(SAMPLE, ap_xy=aps.xy, ap_ids=list(aps.ids), indoor=aps.indoor, crowds=crowds,
                         client_xy=area_xy, crs=aps.crs)
        return config, crs_from_text(aps.crs) if aps.crs else crs

    def _crowds(self, parameters, context, crs):
        if not is_given(parameters, "CROWDS"):
            return None
        source = require_source(self, parameters, "CROWDS", context)
        spread_field = self.parameterAsString(parameters, "SPREAD_FIELD", context) or "spread"
        clients_field = self.parameterAsString(parameters, "CLIENTS_FIELD", context) or "clients"
        check_fields(source, {"SPREAD_FIELD": spread_field, "CLIENTS_FIELD": clients_field})
        to_metric = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        rows = [(to_metric.transform(f.geometry().centroid().asPoint()), f[spread_field], f[clients_field])
                for f in source.getFeatures() if not f.geometry().isEmpty()]
        if not rows:
            raise InputError("CROWDS has no point features.")
        spread = numeric_column(np.array([r[1] for r in rows], dtype=object), spread_field, "SPREAD_FIELD")
        clients = numeric_column(np.array([r[2] for r in rows], dtype=object), clients_field, "CLIENTS_FIELD")
        return [(p.x(), p.y(), s, int(c)) for (p, _, _), s, c in zip(rows, spread, clients)]

    def _crowd_areas(self, parameters, context, crs):
        """Clients spread uniformly over the CROWD_AREAS polygons (n x 2 in ``crs``), or None when unset."""
        field = self.parameterAsString(parameters, "AREA_CLIENTS_FIELD", context) or "clients"
        features = read_polygon_features(self, parameters, "CROWD_AREAS", context, crs, (field,))
        if not is_given(parameters, "CROWD_AREAS"):
            return None
        if not features:
            raise InputError("CROWD_AREAS has no polygon features.")
        counts = numeric_column(np.array([values[field] for _, values in features], dtype=object), field,
                                "AREA_CLIENTS_FIELD")
        rng = np.random.default_rng(self.parameterAsInt(parameters, "SEED", context) + _AREA_SEED_OFFSET)
        return area_clients([shape for shape, _ in features], counts, rng)


def _points(xy):
    return [QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))) for x, y in xy]
