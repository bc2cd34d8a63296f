"""wifidensity:simulate — a simulated site with its ground truth, the site twin (science in algorithms/twin/simulate.py,
algorithms/twin/devices.py and algorithms/twin/crowd_areas.py)."""
import json
from dataclasses import replace

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ...algorithms.captures import capture_macs, write_site_captures
from ...algorithms.core.errors import InputError
from ...algorithms.core.timeparse import parse_instant, to_iso
from ...algorithms.twin.crowd_areas import area_clients, area_stream
from ...algorithms.twin.devices import DeviceConfig
from ...algorithms.twin.simulate import centred_crowd, sample_config, simulate
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..io.columns import check_fields, numeric_column, require_source
from ..io.layers import crs_from_text, read_access_points, read_polygon_features, transformed
from ..io.table_output import write_table

SAMPLE = sample_config()
KNOBS = [  # parameter, SiteConfig field, label, integer, default, advanced
    ("EMISSIONS_PER_CLIENT", "emissions_per_client", "Mean emissions per client in the window", False,
     SAMPLE.emissions_per_client, False),
    ("WINDOW_HOURS", "window_hours", "Window length (hours)", False, SAMPLE.window_hours, False),
    ("A", "a", "A: RSS at 1 m (dBm)", False, SAMPLE.a, True),
    ("N", "n", "n: path-loss exponent", False, SAMPLE.n, True),
    ("SIGMA_RSS", "sigma_rss", "RSS noise (dB)", False, SAMPLE.sigma_rss, True),
    ("FLOOR", "floor", "Receiver sensitivity: PRs below are not heard (dBm)", False, SAMPLE.floor, True),
    ("RECEPTION", "reception", "Probability that an AP in range hears an emission", False, SAMPLE.reception, True),
    ("INDOOR_CLIENTS", "indoor_clients", "Clients inside, around the first indoor AP", True, 25, True),
    ("IOT_DEVICES", "iot_devices", "Fixed-MAC IoT devices (class CF)", True, 6, True),
    ("CONNECTED_CLIENTS", "connected_clients", "Connected clients (class CC)", True, 10, True),
    ("SEED", "seed", "Random seed", True, 7, False),
]
TRUTH_NUMBERS = ["clients", "EMISSIONS", "P", "P1", "P2", "P3", "P4plus"]
CROWDS, SPREAD_FIELD, CLIENTS_FIELD = "CROWDS", "SPREAD_FIELD", "CLIENTS_FIELD"
CROWD_AREAS, AREA_CLIENTS_FIELD, CLIENTS = "CROWD_AREAS", "AREA_CLIENTS_FIELD", "CLIENTS"
AP_LAYER, TRUTH, CAPTURES = "AP_LAYER", "TRUTH", "CAPTURES"
REALISTIC_DEVICES, PASSERS_BY = "REALISTIC_DEVICES", "PASSERS_BY"
DEVICE_NUMBERS = ["DEVICES", "PASSERS_BY", "BURSTS_PER_PHONE", "FRAMES_PER_PHONE"]


class SimulateAlgorithm(WifiDensityAlgorithm):
    NAME = "simulate"
    DISPLAY_NAME = "Simulate a site (with ground truth)"
    GROUP_ID = "data"
    NEEDS = ("numpy", "shapely", "pyproj")
    EXTRA_TAGS = ("simulation", "site twin", "synthetic", "ground truth")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_access_points("Access points (empty: the built-in 300 x 200 m square in Brno)", optional=True,
                               indoor=True)
        self.addParameter(params.source(
            CROWDS, self.tr("Crowd centres (points with spread and clients fields)"), [qgis_enums.POINTS],
            optional=True, help_text=self.tr("Each point is a crowd: clients drawn from a 2-D Gaussian of the "
                                             "spread (m) around it.")))
        for name, label, default in ((SPREAD_FIELD, "Crowd spread field (m)", "spread"),
                                     (CLIENTS_FIELD, "Crowd clients field", "clients")):
            self.add(QgsProcessingParameterField(name, self.tr(label), default, CROWDS, optional=True),
                     advanced=True)
        self.addParameter(params.source(
            CROWD_AREAS, self.tr("Crowd areas (polygons, clients spread uniformly inside)"), [qgis_enums.POLYGONS],
            optional=True))
        self.add(QgsProcessingParameterField(AREA_CLIENTS_FIELD, self.tr("Crowd area clients field"), "clients",
                                             CROWD_AREAS, optional=True), advanced=True)
        self.addParameter(params.number(
            CLIENTS, self.tr("Clients of the one central crowd (APS given without CROWDS)"), 180, integer=True,
            minimum=0))
        self.add(QgsProcessingParameterString(params.START, self.tr("Window start (ISO time)"),
                                              to_iso(SAMPLE.start).item()))
        for name, _, label, integer, default, advanced in KNOBS:
            self.addParameter(params.number(name, self.tr(label), default, integer=integer, advanced=advanced))
        self.add(QgsProcessingParameterBoolean(REALISTIC_DEVICES, self.tr("Realistic phones (bursts, models, "
                                                                          "sequence numbers)"), False),
                 self.tr("Phones of several models send scan bursts of 2-5 frames, each model with its own "
                         "information elements, MAC policy and sequence counter; the probe table gains seq and "
                         "fingerprint fields and every row is one frame. EMISSIONS_PER_CLIENT is then unused: "
                         "the models' scan rates set how often phones scan."), advanced=True)
        self.addParameter(params.number(PASSERS_BY, self.tr("Passers-by walking past the site (with realistic "
                                                            "phones)"), 0, integer=True, minimum=0, advanced=True))
        self.add(QgsProcessingParameterCrs(
            params.CRS, self.tr("Metric CRS to compute in (with APS; default: the AP layer's or its UTM zone)"),
            optional=True), advanced=True)
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Simulated probe requests"),
                                                            qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(AP_LAYER, self.tr("Simulated access points"),
                                                            qgis_enums.POINTS))
        self.addParameter(QgsProcessingParameterFeatureSink(params.CONNECTIONS, self.tr("Connections table"),
                                                            qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(TRUTH, self.tr("True clients"), qgis_enums.POINTS))
        self.add(QgsProcessingParameterFolderDestination(
            CAPTURES, self.tr("Also write one capture per AP (pcapng) into this folder"), optional=True,
            createByDefault=False),
            self.tr("A rehearsal of your sensors: <AP id>.pcapng files with radiotap headers, other frames of a busy "
                    "channel mixed in, for wifidensity:importcaptures. Each emission is then one frame at one "
                    "instant at every AP that hears it, and the connections table holds the devices' MAC "
                    "addresses (hash them with the SECRET you give the import)."))
        for name in TRUTH_NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(f"TRUE_{name.upper()}", self.tr(f"True {name}")))
        for name in DEVICE_NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(f"TRUE_{name}", self.tr(f"True {name} (realistic phones)")))
        self.addOutput(QgsProcessingOutputNumber("PRS", self.tr("Simulated PRs")))
        self.addOutput(QgsProcessingOutputString("TRUTH_COUNTS", self.tr("All true counts (JSON)")))

    def execute(self, parameters, context, feedback):
        config, crs = self._layout(parameters, context)
        knobs = {field: (self.parameterAsInt if integer else self.parameterAsDouble)(parameters, name, context)
                 for name, field, _, integer, _, _ in KNOBS}
        start = parse_instant(self.parameterAsString(parameters, params.START, context), params.START)
        captures = self.parameterAsString(parameters, CAPTURES, context) if is_given(parameters, CAPTURES) else ""
        if captures:
            knobs["burst"] = 0.0  # one frame, one instant, at every sensor that hears it
        realistic = self.parameterAsBoolean(parameters, REALISTIC_DEVICES, context)
        passers_by = self.parameterAsInt(parameters, PASSERS_BY, context)
        if realistic and captures:
            raise InputError("CAPTURES cannot be written with REALISTIC_DEVICES yet (a capture rehearsal writes one "
                             "frame per emission): leave one of them unset.")
        if passers_by and not realistic:
            raise InputError("PASSERS_BY needs REALISTIC_DEVICES: switch it on, or set PASSERS_BY to 0.")
        if realistic:
            knobs["devices"] = DeviceConfig(passers_by=passers_by)
        site = simulate(replace(config, start=SAMPLE.start if start is None else start, **knobs))
        probes = site.probes
        progress = self.progress(feedback, 10.0, 100.0)
        columns = {"time": to_iso(probes.time), "ap_id": probes.ap_id, "mac": probes.mac, "rss": probes.rss}
        truth_columns = {"kind": site.truth.kind, "mac": site.truth.client_mac, "emissions": site.truth.emissions}
        if realistic:
            columns.update(seq=probes.extra["seq"], fingerprint=probes.extra["fingerprint"])
            truth_columns.update(model=site.truth.model, frames=site.truth.frames)
        outputs = {
            params.OUTPUT: write_table(self, parameters, context, params.OUTPUT, columns, progress),
            AP_LAYER: write_table(self, parameters, context, AP_LAYER, {
                "ap_id": site.aps.ids, "indoor": site.aps.indoor.astype(np.int64)}, progress,
                site.aps.xy, qgis_enums.POINT, crs),
            params.CONNECTIONS: write_table(self, parameters, context, params.CONNECTIONS, {
                "mac": capture_macs(site).text(site.connections) if captures else site.connections,
                "ap_id": site.connection_ap}, progress),
            TRUTH: write_table(self, parameters, context, TRUTH, truth_columns, progress, site.truth.client_xy,
                               qgis_enums.POINT, crs),
        }
        if captures:
            files = write_site_captures(site, captures, seed=knobs["seed"])
            feedback.pushInfo(f"Wrote {len(files)} captures into {captures}.")
            outputs[CAPTURES] = captures
        counts = site.truth.counts
        feedback.pushInfo(f"Simulated {len(probes)} PRs of {counts['clients']} clients; truth: "
                          + ", ".join(f"{k} = {counts[k]}" for k in TRUTH_NUMBERS))
        outputs.update({f"TRUE_{k.upper()}": counts[k] for k in TRUTH_NUMBERS})
        if realistic:
            feedback.pushInfo("Devices: " + ", ".join(f"{k} = {counts[k]:g}" for k in DEVICE_NUMBERS))
            outputs.update({f"TRUE_{k}": counts[k] for k in DEVICE_NUMBERS})
        outputs.update(PRS=len(probes), TRUTH_COUNTS=json.dumps(counts))
        return outputs

    def _layout(self, parameters, context):
        """(SiteConfig with APs and crowds, output CRS): the user's layers, or the built-in sample site."""
        if not is_given(parameters, params.APS):
            if is_given(parameters, CROWDS) or is_given(parameters, CROWD_AREAS):
                raise InputError("CROWDS / CROWD_AREAS need APS: give the access points the crowds are around.")
            return SAMPLE, QgsCoordinateReferenceSystem(SAMPLE.crs)
        aps, crs = read_access_points(self, parameters, context)
        crowds = self._crowds(parameters, context, crs)
        area_xy = self._crowd_areas(parameters, context, crs)
        if crowds is None:
            crowds = [] if area_xy is not None else centred_crowd(
                aps.xy, self.parameterAsInt(parameters, CLIENTS, context))
        config = replace(SAMPLE, ap_xy=aps.xy, ap_ids=list(aps.ids), indoor=aps.indoor, crowds=crowds,
                         client_xy=area_xy, crs=aps.crs)
        return config, crs_from_text(aps.crs) if aps.crs else crs

    def _crowds(self, parameters, context, crs):
        """[(x, y, spread, clients)] of the CROWDS points in ``crs``, or None when unset."""
        if not is_given(parameters, CROWDS):
            return None
        source = require_source(self, parameters, CROWDS, context)
        spread_field = self.parameterAsString(parameters, SPREAD_FIELD, context) or "spread"
        clients_field = self.parameterAsString(parameters, CLIENTS_FIELD, context) or "clients"
        check_fields(source, {SPREAD_FIELD: spread_field, CLIENTS_FIELD: clients_field})
        rows = [(f.geometry().centroid().asPoint(), f[spread_field], f[clients_field])
                for f in source.getFeatures() if not f.geometry().isEmpty()]
        if not rows:
            raise InputError("CROWDS has no point features.")
        xy = transformed([(p.x(), p.y()) for p, _, _ in rows], source.sourceCrs(), crs, context, CROWDS)
        spread = numeric_column(np.array([r[1] for r in rows], dtype=object), spread_field, SPREAD_FIELD)
        clients = numeric_column(np.array([r[2] for r in rows], dtype=object), clients_field, CLIENTS_FIELD)
        return [(x, y, s, int(c)) for (x, y), s, c in zip(xy, spread, clients)]

    def _crowd_areas(self, parameters, context, crs):
        """Clients spread uniformly over the CROWD_AREAS polygons (n x 2 in ``crs``), or None when unset."""
        if not is_given(parameters, CROWD_AREAS):
            return None
        field = self.parameterAsString(parameters, AREA_CLIENTS_FIELD, context) or "clients"
        features = read_polygon_features(self, parameters, CROWD_AREAS, context, crs, (field,))
        if not features:
            raise InputError("CROWD_AREAS has no polygon features.")
        counts = numeric_column(np.array([values[field] for _, values in features], dtype=object), field,
                                AREA_CLIENTS_FIELD)
        return area_clients([shape for shape, _ in features], counts,
                            area_stream(self.parameterAsInt(parameters, "SEED", context)))
