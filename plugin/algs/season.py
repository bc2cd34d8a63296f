"""wifidensity:season — every window of a season through the pipeline's flow, in parallel on Dask, resumable
(science in algorithms/season/runner.py, flow.py, dask_runner.py and probe_db.py)."""
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ...algorithms.core.errors import InputError
from ...algorithms.core.optional import require
from ...algorithms.core.timeparse import parse_instant
from ...algorithms.counting.counting import GLOBAL_METHODS
from ...algorithms.paper.reassemble import WHOLE_MAP
from ...algorithms.season.flow import EMPTY, ESTIMATORS, FLOWS, MAPPED, ML, PAPER, TABLE_FIELDS, FlowParameters
from ...algorithms.season.probe_db import PostgresProbes
from ...algorithms.season.runner import SortedProbes, run_season, season_windows
from ...algorithms.season.season_radio import needs_fitting
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..display.charts import time_chart
from ..display.season_layers import write_layer_definition
from ..io.layers import read_access_points, read_polygon_features
from ..io.probe_tables import read_probes
from ..io.radio_io import TRUSTED, read_radio_table, report_radio_table, write_radio_table
from ..io.table_output import write_table
from .preprocess import connections_parameters, read_connections

ZONES, ZONE_NAME_FIELD, WORKERS, SCHEDULER, OVERWRITE = "ZONES", "ZONE_NAME_FIELD", "WORKERS", "SCHEDULER", \
    "OVERWRITE"
RADIO_ONCE, RADIO_TABLE = "RADIO_ONCE", "RADIO_TABLE"
OUTPUT_FOLDER, TABLE, CHART, LAYER_DEFINITION = "OUTPUT_FOLDER", "TABLE", "CHART", "LAYER_DEFINITION"
DAY = 86400.0
MAP_GROUPS = {PAPER: "Clients, the paper's flow", ML: "Clients, maximum likelihood"}


class SeasonAlgorithm(WifiDensityAlgorithm):
    NAME = "season"
    DISPLAY_NAME = "Season: every window through the pipeline"
    GROUP_ID = "pipeline"
    EXTRA_TAGS = ("season", "time series", "batch", "dask", "cluster", "postgis", "temporal", "animation")
    TOKEN_LISTS = (params.CONNECTIONS,)
    CANCEL_MESSAGE = ("Cancelled by the user: the windows finished so far are in OUTPUT_FOLDER; run again into the "
                      "same folder to finish the rest.")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.addParameter(params.source(
            params.PROBES, self.tr("Probe request table (a file or a PostgreSQL/PostGIS layer)"), [qgis_enums.VECTOR],
            help_text=self.tr("One row per probe request: time, AP id, MAC (or token), RSS in dBm. A file is read "
                              "once; from a PostgreSQL layer the server selects each window's rows.")))
        self.add_access_points(indoor=True)
        self.add(QgsProcessingParameterString(
            params.START, self.tr("Season start (ISO time or epoch s; empty: midnight UTC before the first PR)"),
            optional=True), self.tr("Times without a zone are UTC; windows follow each other from START."))
        self.add(QgsProcessingParameterString(
            params.END, self.tr("Season end, excluded (empty: the end of the window holding the last PR)"),
            optional=True))
        self.addParameter(params.number(params.WINDOW_HOURS, self.tr("Window length (hours)"), 3.0, minimum=0.01))
        for parameter in connections_parameters(self.tr):
            self.addParameter(parameter)
        self.addParameter(params.pipeline_radio())
        self.add(QgsProcessingParameterBoolean(
            RADIO_ONCE, self.tr("Fit the radio once, on the window with the most PRs"), True),
            self.tr("The self-calibrating maximum-likelihood map fits the radio (A, n, sigma, gains, reception) on "
                    "the busiest window, and every window is mapped with it, as the pipeline is when given that "
                    "radio table; it costs one fit instead of one per window. Off: every window fits its own, as "
                    "the pipeline run on it alone does. Not used with a radio table or the counts estimator."))
        for parameter in params.pipeline_choices():
            self.addParameter(parameter)
        self.addParameter(params.source(
            ZONES, self.tr("Zones to count clients in (polygons, optional)"), [qgis_enums.POLYGONS], optional=True,
            help_text=self.tr("TABLE gets a row per window and zone, beside the whole map's row.")))
        self.add(QgsProcessingParameterField(ZONE_NAME_FIELD, self.tr("Zone name field"), "zone", ZONES,
                                             optional=True), advanced=True)
        self.addParameter(params.number(
            WORKERS, self.tr("WORKERS: worker processes (0 = run here)"), os.cpu_count() or 1, integer=True,
            minimum=0, help_text=self.tr("N > 0 starts a local Dask cluster of N processes for the run (python3-"
                                         "distributed); the machine's cores by default.")))
        self.add(QgsProcessingParameterString(
            SCHEDULER, self.tr("SCHEDULER: a running Dask scheduler (tcp://host:8786; empty: this machine)"),
            optional=True),
            self.tr("Start it with dask-scheduler and its workers with dask-worker tcp://host:8786 on the other "
                    "machines; WORKERS is then ignored."), advanced=True)
        self.add(QgsProcessingParameterBoolean(OVERWRITE, self.tr("Recompute windows already in OUTPUT_FOLDER"),
                                               False),
                 self.tr("Off: a rerun into the same folder skips the windows finished with the same inputs."))
        fields = [params.field(name, params.PROBES, advanced=True) for name in (
            params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD)]
        for parameter in fields + params.pipeline_knobs():
            self.addParameter(parameter)
        self.add(QgsProcessingParameterFolderDestination(OUTPUT_FOLDER, self.tr("Folder of the window maps")),
                 self.tr("clients_YYYY-MM-DDTHH-MM.tif and ml_clients_YYYY-MM-DDTHH-MM.tif, named by the window's "
                         "start in UTC; keep the folder to resume or extend the season."))
        self.addParameter(QgsProcessingParameterFeatureSink(TABLE, self.tr("Season table (a row per window)"),
                                                            qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(
            RADIO_TABLE, self.tr("Radio the windows were mapped with (one point per AP; a RADIO for later runs)"),
            qgis_enums.VECTOR, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            CHART, self.tr("Chart of clients per window"), self.tr("PNG images (*.png)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            LAYER_DEFINITION, self.tr("Time-enabled maps (layer definition for the Temporal Controller)"),
            self.tr("QGIS layer definitions (*.qlr)"), optional=True))
        for name, label in (("WINDOWS", "Windows in the season"), ("COMPUTED", "Windows computed in this run"),
                            ("SKIPPED", "Windows already complete"), ("EMPTY", "Windows without a PR"),
                            ("UNMAPPED", "Windows the tools could not map")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        source = self._source(parameters, context, feedback)
        windows = self._windows(parameters, context, source)
        aps, crs = read_access_points(self, parameters, context)
        zones = self._zones(parameters, context, crs)
        flow = self._flow_parameters(parameters, context, aps, feedback)
        folder = Path(self.parameterAsFileOutput(parameters, OUTPUT_FOLDER, context))
        workers, scheduler = self._where(parameters, context)
        hours = (windows[0].end - windows[0].start) / 3600.0
        feedback.pushInfo(f"{len(windows)} windows of {hours:g} h from {_iso(windows[0].start)} to "
                          f"{_iso(windows[-1].end)}, "
                          + (f"on the scheduler {scheduler}." if scheduler else
                             f"on {workers} worker processes." if workers else "in this process."))
        radio_once = self.parameterAsBoolean(parameters, RADIO_ONCE, context)
        if radio_once and needs_fitting(flow):
            feedback.pushInfo("First the radio is fitted on the window with the most PRs (RADIO_ONCE), unless this "
                              "folder holds it from an earlier run; every window is then mapped with it.")
        report = run_season(source, aps, windows, folder, flow, read_connections(self, parameters, context), zones,
                            workers, scheduler, self.parameterAsBoolean(parameters, OVERWRITE, context), radio_once,
                            self.progress(feedback, 10.0, 95.0))
        self._log_radio(report, feedback)
        self._log(report, feedback)
        outputs = {OUTPUT_FOLDER: str(folder), "WINDOWS": len(windows), "COMPUTED": len(report.computed),
                   "SKIPPED": len(report.skipped), "EMPTY": len(report.empty), "UNMAPPED": len(report.unmapped)}
        columns = season_columns(report.rows, bool(zones))
        outputs[TABLE] = write_table(self, parameters, context, TABLE, columns, self.progress(feedback, 95.0, 97.0))
        outputs[RADIO_TABLE] = self._radio_table(parameters, context, report, aps, crs, feedback)
        outputs[CHART] = self._chart(parameters, context, report.rows, flow.flow)
        outputs[LAYER_DEFINITION] = self._layers(parameters, context, folder, windows, flow.flow)
        return outputs

    # ----- inputs -----
    def _source(self, parameters, context, feedback):
        """SortedProbes of a file read once, or PostgresProbes whose server selects each window's rows."""
        layer = self.parameterAsVectorLayer(parameters, params.PROBES, context)
        if layer is not None and layer.providerType() == "postgres":
            return self._database(parameters, context, layer, feedback)
        probes = read_probes(self, parameters, context, self.progress(feedback, 0.0, 8.0), params.PROBES)
        return SortedProbes(probes, self.parameterAsString(parameters, params.SECRET, context))

    def _database(self, parameters, context, layer, feedback):
        require("psycopg2")
        uri = QgsDataSourceUri(layer.source())
        table = uri.table()
        if not table or table.startswith("("):
            raise InputError("PROBES is a PostgreSQL query layer; give the table itself (the season selects each "
                             "window's rows by time).")
        if layer.subsetString():
            feedback.pushWarning(f"The layer's filter ({layer.subsetString()}) is not applied: the season reads "
                                 "every row of the table in each window.")
        fields = {name: self.field(parameters, name, context) for name in (
            params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD)}
        source = PostgresProbes.open(uri.connectionInfo(True), table, uri.schema() or "public",
                                     fields[params.TIME_FIELD], fields[params.AP_FIELD], fields[params.MAC_FIELD],
                                     fields[params.RSS_FIELD])
        feedback.pushInfo(f"Probe requests from the database {source.where()}, table {source.schema}.{table}: "
                          "the server selects each window's rows.")
        return source

    def _windows(self, parameters, context, source):
        start = parse_instant(self.parameterAsString(parameters, params.START, context), params.START)
        end = parse_instant(self.parameterAsString(parameters, params.END, context), params.END)
        hours = self.parameterAsDouble(parameters, params.WINDOW_HOURS, context)
        if start is None or end is None:
            span = source.time_range()
            if span is None:
                raise InputError("PROBES has no rows.")
            start = math.floor(span[0] / DAY) * DAY if start is None else start
            if end is None:  # the end of the window holding the last PR
                end = start + (math.floor((span[1] - start) / (hours * 3600.0)) + 1) * hours * 3600.0
        return season_windows(start, end, hours)

    def _zones(self, parameters, context, crs):
        """[(name, shapely polygon in the APs' CRS)] of ZONES, named by ZONE_NAME_FIELD when the layer has it."""
        if not is_given(parameters, ZONES):
            return []
        field = self.parameterAsString(parameters, ZONE_NAME_FIELD, context) or "zone"
        source = self.parameterAsSource(parameters, ZONES, context)
        named = (field,) if source is not None and field in source.fields().names() else ()
        features = read_polygon_features(self, parameters, ZONES, context, crs, named)
        if not features:
            raise InputError("ZONES has no polygon with a geometry.")
        names = [str(values[field]) if named else str(number + 1) for number, (_, values) in enumerate(features)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InputError(f"ZONES: each zone needs its own name in '{field}'; repeated: {', '.join(repeated[:5])}.")
        return [(name, shape) for name, (shape, _) in zip(names, features)]

    def _flow_parameters(self, parameters, context, aps, feedback):
        number = self.parameterAsDouble
        radio = read_radio_table(self, parameters, context)
        if radio is not None:
            report_radio_table(radio, aps, aps.ids, feedback, "every window's radio")
        return FlowParameters(
            x_day=number(parameters, params.X_DAY, context),
            method=GLOBAL_METHODS[self.parameterAsEnum(parameters, params.METHOD, context)],
            rss_max=number(parameters, params.RSS_MAX, context),
            layer=self.parameterAsInt(parameters, params.LAYER, context),
            retain=number(parameters, params.RETAIN, context), smooth=number(parameters, params.SMOOTH, context),
            pixel_size=number(parameters, params.PIXEL_SIZE, context),
            flow=FLOWS[self.parameterAsEnum(parameters, params.FLOW, context)],
            secret=self.parameterAsString(parameters, params.SECRET, context),
            estimator=ESTIMATORS[self.parameterAsEnum(parameters, params.ML_ESTIMATOR, context)], radio=radio,
            grouping=params.grouping_of(self, parameters, context))

    def _where(self, parameters, context):
        scheduler = self.parameterAsString(parameters, SCHEDULER, context).strip() or None
        workers = self.parameterAsInt(parameters, WORKERS, context)
        if scheduler and not scheduler.startswith(("tcp://", "tls://")):
            raise InputError(f"SCHEDULER = {scheduler}: give the scheduler's address as tcp://host:port, as "
                             "dask-scheduler prints it.")
        if scheduler or workers:
            require("distributed")
        return workers, scheduler

    # ----- outputs -----
    @staticmethod
    def _log_radio(report, feedback):
        if report.radio_failed:
            feedback.pushWarning("The radio could not be fitted on the window with the most PRs (see its status "
                                 "below): every window fitted its own.")
        radio = report.radio
        if radio is None:
            return
        table = radio.table
        feedback.pushInfo(f"The radio was fitted once{' (by the earlier run into this folder)' if radio.reused else ''}"
                          f", on the window {_iso(radio.start)} - {_iso(radio.end)} ({radio.prs:,} PRs): "
                          f"{table.status}, A = {table.a:.2f} dBm, n = {table.n:.3g}, sigma = {table.sigma:.2f} dB. "
                          "Every window is mapped with it, as the pipeline is when given it as RADIO (the "
                          "RADIO_TABLE output).")
        if table.status not in TRUSTED:
            feedback.pushWarning(f"That calibration is '{table.status}': its window's data do not determine A and n "
                                 "separately (the maps change little along the ridge they leave). Check them before "
                                 "handing the radio table to other tools.")

    def _radio_table(self, parameters, context, report, aps, crs, feedback):
        if report.radio is None or not is_given(parameters, RADIO_TABLE):
            return None
        return write_radio_table(self, parameters, context, RADIO_TABLE, report.radio.table, aps, crs,
                                 self.progress(feedback, 97.0, 98.0))

    def _log(self, report, feedback):
        done = f"{_windows(len(report.computed))} computed"
        if report.seconds:
            done += f" ({np.median(report.seconds):.2f} s of work per window, median)"
        feedback.pushInfo(f"{done}, {len(report.skipped)} already complete, {len(report.empty)} without a PR.")
        for worker, count in sorted(report.by_worker.items()):
            feedback.pushInfo(f"  {_windows(count)} on {worker}")
        for row in whole_map_rows(report.rows):
            if not str(row["status"]).startswith((MAPPED, EMPTY)):
                feedback.pushWarning(f"{_iso(row['start'])}: {row['status']}")

    def _chart(self, parameters, context, rows, flow):
        if not is_given(parameters, CHART):
            return None
        path = self.parameterAsFileOutput(parameters, CHART, context)
        whole = whole_map_rows(rows)
        series = [(label, [row[key] for row in whole]) for kind, key, label in (
            (PAPER, "clients_paper", "the paper's flow"), (ML, "clients_ml", "maximum likelihood"))
            if flow in (kind, "both")]
        labels = [datetime.fromtimestamp(row["start"], UTC).strftime("%m-%d %H:%M") for row in whole]
        return time_chart(path, labels, series, "Clients per window (UTC)", "clients")

    def _layers(self, parameters, context, folder, windows, flow):
        if not is_given(parameters, LAYER_DEFINITION):
            return None
        path = self.parameterAsFileOutput(parameters, LAYER_DEFINITION, context)
        groups = {}
        for window in windows:
            for kind, name in window.map_names(flow).items():
                if (folder / name).exists():
                    groups.setdefault(MAP_GROUPS[kind], []).append((folder / name, Path(name).stem, window.start,
                                                                    window.end))
        if not groups:
            return None
        return write_layer_definition(path, f"Season {_iso(windows[0].start)} - {_iso(windows[-1].end)}", groups)


def whole_map_rows(rows):
    """The rows of the whole map (with ZONES, TABLE also has a row per window and zone)."""
    return [row for row in rows if row.get("zone", WHOLE_MAP) == WHOLE_MAP]


def season_columns(rows, with_zones):
    """The TABLE's columns from the season's rows: start and end as UTC date-times, whole numbers as integers,
    other numbers as reals, the rest as text; a missing value (an empty or unmapped window's) is NULL."""
    names = list(TABLE_FIELDS) + (["zone"] if with_zones else [])
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in ("start", "end"):
            columns[name] = np.round(np.array(values, dtype=float) * 1e6).astype(np.int64).astype("datetime64[us]")
            continue
        given = [v for v in values if v is not None]
        missing = np.array([v is None for v in values], dtype=bool)
        if not given:
            columns[name] = np.ma.masked_array(np.full(len(values), np.nan), missing)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in given):
            columns[name] = np.ma.masked_array([0 if v is None else v for v in values], missing, dtype=np.int64)
        elif all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in given):
            columns[name] = np.ma.masked_array([np.nan if v is None else v for v in values], missing, dtype=float)
        else:
            columns[name] = np.array([None if v is None else str(v) for v in values], dtype=object)
    return columns


def _iso(seconds):
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M")


def _windows(count):
    """'1 window', '3 windows'."""
    return f"{count} window{'' if count == 1 else 's'}"
