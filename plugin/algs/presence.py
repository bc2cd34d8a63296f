"""wifidensity:presence — visitors, passers-by, dwell time, re-entries, loyalty and zone flows of the devices that
keep a stable identifier, as aggregates with small counts withheld (science in algorithms/presence/)."""
import numpy as np
from qgis.core import (
    QgsGeometry,
    QgsPointXY,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProject,
)

from ...algorithms.core.errors import InputError
from ...algorithms.core.timeparse import to_seconds
from ...algorithms.presence import PresenceSettings, presence
from ...algorithms.presence.localdays import day_dates, local_days, time_zone
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..display.charts import time_chart
from ..display.print_layout import export_pdf, report
from ..display.styles import style_on_load
from ..io.columns import check_fields, read_columns, require_source, text_column
from ..io.layers import read_access_points
from ..io.probe_tables import read_probes
from ..io.table_output import write_table
from .preprocess import connections_parameters, read_connections

ZONE_FIELD, STORE_ZONE, THRESHOLD, SESSION_GAP = "ZONE_FIELD", "STORE_ZONE", "THRESHOLD", "SESSION_GAP"
VISITOR_RSS, MIN_DWELL, MAX_DWELL, TIMEZONE = "VISITOR_RSS", "MIN_DWELL", "MAX_DWELL", "TIMEZONE"
K_ANONYMITY, COMPLEMENTARY = "K_ANONYMITY", "COMPLEMENTARY"
OUTPUT_DAYS, OUTPUT_FLOWS, CHART, REPORT = "OUTPUT_DAYS", "OUTPUT_FLOWS", "CHART", "REPORT"
SEASON_TABLE, CLIENT_MAP = "SEASON_TABLE", "CLIENT_MAP"
SEASON_FIELDS = ("start", "clients_paper")  # the season tool's TABLE: one row per window (and zone)


class PresenceAlgorithm(WifiDensityAlgorithm):
    NAME = "presence"
    DISPLAY_NAME = "Visitors, passers-by, dwell and loyalty (stable devices)"
    GROUP_ID = "beyond"
    NEEDS = ("numpy",)
    EXTRA_TAGS = ("footfall", "visitors", "dwell time", "loyalty", "retail", "mall", "k-anonymity")
    TOKEN_LISTS = (params.CONNECTIONS,)

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add_probe_table((params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD),
                             advanced=(params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD))
        self.add_access_points("Access points, each with the zone it serves")
        self.add(QgsProcessingParameterField(ZONE_FIELD, self.tr("Zone field of the AP layer"), "zone", params.APS,
                                             optional=True),
                 self.tr("The zone each AP serves, e.g. store or corridor."), advanced=True)
        self.add(QgsProcessingParameterString(STORE_ZONE, self.tr("Zone of the store (its APs are inside)"),
                                              "store"),
                 self.tr("A session becomes a visit when APs of this zone hear it, strongly enough, long enough."))
        for parameter in connections_parameters(self.tr):
            self.addParameter(parameter)
        self.add(QgsProcessingParameterString(params.SECRET, self.tr("Secret for hashing raw MAC addresses"),
                                              optional=True),
                 self.tr("Key of the keyed hash (HMAC-SHA256) that replaces raw MAC addresses, in the probe table "
                         "and the connections table, before anything else. Use the secret the site's other tools "
                         "use."), advanced=True)
        self.add(QgsProcessingParameterString(TIMEZONE, self.tr("Time zone of the days (IANA name)"), "UTC"),
                 self.tr("Days are the calendar days of this zone, daylight saving included, e.g. Europe/Paris. "
                         "Times without a zone in the table are UTC."))
        for name, label, default, integer, help_text in (
                (THRESHOLD, "THRESHOLD: a device with more PR rows is stable", 3, True,
                 "Tokens with at most this many rows are randomised MACs and never followed."),
                (SESSION_GAP, "SESSION_GAP: a longer silence ends a session (min)", 10.0, False, None),
                (VISITOR_RSS, "VISITOR_RSS: weakest RSS that counts as inside the store (dBm)", -70.0, False, None),
                (MIN_DWELL, "MIN_DWELL: shortest visit (min)", 5.0, False, None),
                (MAX_DWELL, "MAX_DWELL: longer presence in a day is staff or a fixed device (h)", 12.0, False, None)):
            self.addParameter(params.number(name, self.tr(label), default, integer=integer, advanced=True,
                                            help_text=self.tr(help_text) if help_text else None))
        self.addParameter(params.number(
            K_ANONYMITY, self.tr("K_ANONYMITY: smallest count published"), 5, integer=True, minimum=1,
            help_text=self.tr("Counts from 1 to K - 1 are withheld (NULL) and named in the row's suppressed field; "
                              "flows of fewer than K devices are left out.")))
        self.add(QgsProcessingParameterBoolean(
            COMPLEMENTARY, self.tr("Also withhold what would give a withheld count away"), True),
            self.tr("A withheld count that the row's other cells would reveal (a total minus its other parts, a "
                    "rate and one of its terms) is protected by withholding one more cell."), advanced=True)
        self.addParameter(params.source(SEASON_TABLE, self.tr("Season table to show beside (optional)"),
                                        [qgis_enums.VECTOR], optional=True, advanced=True,
                                        help_text=self.tr("The season tool's TABLE: clients of every window.")))
        self.add(QgsProcessingParameterRasterLayer(CLIENT_MAP, self.tr("Client map for the report (optional)"),
                                                   optional=True), advanced=True)
        self.addParameter(QgsProcessingParameterFeatureSink(OUTPUT_DAYS, self.tr("Days"), qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(OUTPUT_FLOWS, self.tr("Flows between zones"),
                                                            qgis_enums.LINES, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            CHART, self.tr("Chart of visitors and passers-by per day"), self.tr("PNG images (*.png)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            REPORT, self.tr("Report"), self.tr("PDF files (*.pdf)"), optional=True, createByDefault=False))
        for name, label in (("PR_ROWS", "PR rows read"), ("STABLE_ROWS", "PR rows of stable devices"),
                            ("DAYS", "Local days")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        probes = read_probes(self, parameters, context, self.progress(feedback, 0.0, 20.0))
        aps, crs = read_access_points(self, parameters, context, indoor_param="")
        result = presence(probes, aps, self._zones(parameters, context, aps),
                          read_connections(self, parameters, context), self._settings(parameters, context),
                          self.progress(feedback, 20.0, 80.0))
        for note in result.notes:
            feedback.pushWarning(note)
        days = _typed(result.days)
        outputs = {OUTPUT_DAYS: write_table(self, parameters, context, OUTPUT_DAYS, days,
                                            self.progress(feedback, 80.0, 85.0)),
                   OUTPUT_FLOWS: self._flows(parameters, context, result, crs, feedback)}
        chart = self._chart(parameters, context, days)
        outputs[CHART] = chart
        outputs[REPORT] = self._report(parameters, context, days, result, chart)
        summary = result.summary
        feedback.pushInfo(f"{summary['PR_ROWS']} PR rows, {summary['STABLE_ROWS']} of stable devices, "
                          f"{summary['DAYS']} local days from {summary['FIRST_DATE']} to {summary['LAST_DATE']}.")
        return {**outputs, **{name: summary[name] for name in ("PR_ROWS", "STABLE_ROWS", "DAYS")}}

    def _settings(self, parameters, context):
        return PresenceSettings(
            threshold=self.parameterAsInt(parameters, THRESHOLD, context),
            session_gap_min=self.parameterAsDouble(parameters, SESSION_GAP, context),
            visitor_rss=self.parameterAsDouble(parameters, VISITOR_RSS, context),
            min_dwell_min=self.parameterAsDouble(parameters, MIN_DWELL, context),
            max_dwell_h=self.parameterAsDouble(parameters, MAX_DWELL, context),
            timezone=self.parameterAsString(parameters, TIMEZONE, context).strip() or "UTC",
            store_zone=self.parameterAsString(parameters, STORE_ZONE, context).strip(),
            k_anonymity=self.parameterAsInt(parameters, K_ANONYMITY, context),
            complementary=self.parameterAsBoolean(parameters, COMPLEMENTARY, context),
            secret=self.parameterAsString(parameters, params.SECRET, context))

    def _zones(self, parameters, context, aps):
        """The zone of each AP of ``aps`` (read in the AP layer's order, as read_access_points does)."""
        field = self.parameterAsString(parameters, ZONE_FIELD, context) or "zone"
        source = require_source(self, parameters, params.APS, context)
        check_fields(source, {ZONE_FIELD: field})
        id_field = self.field(parameters, params.AP_ID_FIELD, context)
        zones = {str(feature[id_field]): feature[field] for feature in source.getFeatures()}
        return text_column(np.array([zones[str(ap)] for ap in aps.ids], dtype=object), field, ZONE_FIELD)

    def _flows(self, parameters, context, result, crs, feedback):
        lines = [QgsGeometry.fromPolylineXY([QgsPointXY(*start), QgsPointXY(*end)]) for start, end in
                 result.flow_lines]
        layer = write_table(self, parameters, context, OUTPUT_FLOWS, _typed(result.flows),
                            self.progress(feedback, 85.0, 90.0), lines, qgis_enums.LINE, crs)
        style_on_load(context, layer, "flows")
        return layer

    def _chart(self, parameters, context, days):
        if not is_given(parameters, CHART):
            return None
        path = self.parameterAsFileOutput(parameters, CHART, context)
        labels = [str(d) for d in days["date"].astype("datetime64[D]")]
        series = [(name, _values(days[field])) for name, field in (("visitors", "visitors"),
                                                                   ("passers-by", "passersby"))]
        return str(time_chart(path, labels, series, "Stable devices per day", "devices"))

    def _report(self, parameters, context, days, result, chart):
        if not is_given(parameters, REPORT):
            return None
        path = self.parameterAsFileOutput(parameters, REPORT, context)
        summary = result.summary
        shown = {"date": "date", "visitors": "visitors", "passersby": "passers-by", "residents": "residents",
                 "reentries": "re-entries", "capture_rate": "capture rate", "median_dwell_min": "median dwell (min)"}
        headers = list(shown.values())
        rows = [[_text(days[f][i]) for f in shown] for i in range(len(days["date"]))]
        season = self._season_clients(parameters, context, days)
        if season is not None:  # the whole crowd beside the stable devices, day by day
            headers += ["season: clients per window", "windows"]
            rows = [row + extra for row, extra in zip(rows, season)]
        tables = [("Days (stable devices; an empty cell is withheld: the Days table names them)", headers, rows)]
        project = QgsProject()
        map_layers = self._map_layers(parameters, context, project)
        layout = report(project, "Visitors and passers-by",
                        f"{summary['FIRST_DATE']} to {summary['LAST_DATE']} ({summary['DAYS']} days); devices that "
                        "keep a stable identifier only", tables, [chart] if chart else [], map_layers)
        try:
            export_pdf(layout, path)
        except OSError as error:
            raise InputError(f"REPORT: {error}; check the folder exists and is writable.") from None
        return path

    def _season_clients(self, parameters, context, days):
        """Per local day: [mean clients of the season's windows starting that day, their number] as text."""
        if not is_given(parameters, SEASON_TABLE):
            return None
        source = require_source(self, parameters, SEASON_TABLE, context)
        check_fields(source, {f"{SEASON_TABLE} ({field})": field for field in SEASON_FIELDS})
        table = read_columns(self, parameters, SEASON_TABLE, context, list(SEASON_FIELDS))
        zone = time_zone(self.parameterAsString(parameters, TIMEZONE, context).strip() or "UTC")
        day = day_dates(local_days(to_seconds(table["start"], "start"), zone))
        clients = np.array([np.nan if c in (None, "") else float(c) for c in table["clients_paper"]])
        cells = []
        for date in days["date"].astype("datetime64[D]"):
            mine = clients[(day == date) & np.isfinite(clients)]
            cells.append([f"{mine.mean():.1f}" if len(mine) else "", str(len(mine))])
        return cells

    def _map_layers(self, parameters, context, project):
        if not is_given(parameters, CLIENT_MAP):
            return None
        from ..display.styles import fit_density_ramp
        from ..paths import STYLE_DIR
        layer = self.parameterAsRasterLayer(parameters, CLIENT_MAP, context).clone()
        layer.setName("Clients per m²")
        layer.loadNamedStyle(str(STYLE_DIR / "density.qml"))
        fit_density_ramp(layer)
        project.addMapLayer(layer)
        return [layer]


def _typed(table):
    """The columns of a presence Table as numpy columns the writers type: dates as datetime64, counts and
    ratios as masked arrays (NULL where withheld), text as objects."""
    columns = {}
    for name, kind in table.fields:
        values = table.columns[name]
        if kind == "date":
            columns[name] = np.asarray(values).astype("datetime64[D]")
        elif kind in ("int", "float"):
            missing = np.array([v is None for v in values], dtype=bool)
            data = np.array([0 if v is None else v for v in values], dtype=np.int64 if kind == "int" else float)
            columns[name] = np.ma.array(data, mask=missing)
        else:
            columns[name] = np.asarray(values, dtype=object)
    return columns


def _values(column):
    return [None if np.ma.is_masked(v) else float(v) for v in column]


def _text(value):
    if np.ma.is_masked(value) or value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)
