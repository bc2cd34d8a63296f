"""Names of the parameters the tools share, their default field names, and factories that make them with their
label, help text and flags in one place (as QGIS's own algorithms name theirs)."""
from qgis.core import (
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..algorithms.counting.counting import DEFAULT_X_DAY, GLOBAL_METHODS, MULTIPLICITY
from ..algorithms.counting.preprocess import BURSTS, GROUPINGS
from ..algorithms.paper.bowl import DEFAULT_MARGIN
from ..algorithms.paper.pathloss import DEFAULT_A, DEFAULT_N, DEFAULT_SIGMA_RSS
from ..algorithms.season.flow import BOTH, COUNTS, ESTIMATORS, FLOWS, LISTMODE, ML, PAPER
from . import qgis_enums

INPUT, OUTPUT = "INPUT", "OUTPUT"
TIME_FIELD, AP_FIELD, MAC_FIELD, RSS_FIELD, EMISSION_FIELD = "TIME_FIELD", "AP_FIELD", "MAC_FIELD", "RSS_FIELD", \
    "EMISSION_FIELD"
APS, AP_ID_FIELD, INDOOR_FIELD = "APS", "AP_ID_FIELD", "INDOOR_FIELD"
CONNECTIONS, CONNECTIONS_MAC_FIELD = "CONNECTIONS", "CONNECTIONS_MAC_FIELD"
A, N, SIGMA_RSS = "A", "N", "SIGMA_RSS"
PIXEL_SIZE, EXTENT, MARGIN, CRS = "PIXEL_SIZE", "EXTENT", "MARGIN", "CRS"
START, END, TOLERANCE, X_DAY, WINDOW_HOURS = "START", "END", "TOLERANCE", "X_DAY", "WINDOW_HOURS"
PROBES, FLOW, METHOD, SECRET = "PROBES", "FLOW", "METHOD", "SECRET"
RSS_MAX, LAYER, RETAIN, SMOOTH = "RSS_MAX", "LAYER", "RETAIN", "SMOOTH"
RADIO, ESTIMATOR, ML_ESTIMATOR = "RADIO", "ESTIMATOR", "ML_ESTIMATOR"
GROUPING = "GROUPING"
GROUPING_LABELS = {BURSTS: "bursts: a scan burst is one emission, however often each AP heard it",
                   "paper": "paper: a new emission whenever an AP hears the MAC again (§3.4)"}
ESTIMATOR_LABELS = {LISTMODE: "list-mode, self-calibrating (fits the radio from the same PRs)",
                    COUNTS: "counts per AP and RSS (A, n and sigma as given)"}
FLOW_LABELS = {PAPER: "the paper's flow (Figure 19)", ML: "maximum likelihood (mldensity)",
               BOTH: "both, for comparison"}

# the field each field parameter picks by default: the standard names the Preprocessing tool writes
FIELD_DEFAULTS = {TIME_FIELD: "time", AP_FIELD: "ap_id", MAC_FIELD: "mac", RSS_FIELD: "rss",
                  EMISSION_FIELD: "emission", AP_ID_FIELD: "ap_id", INDOOR_FIELD: "indoor",
                  CONNECTIONS_MAC_FIELD: "mac"}
FIELD_LABELS = {TIME_FIELD: "Time field", AP_FIELD: "AP id field", MAC_FIELD: "MAC field",
                RSS_FIELD: "RSS field (dBm)", EMISSION_FIELD: "Emission id field (grouped here when absent)",
                AP_ID_FIELD: "AP id field of the AP layer", INDOOR_FIELD: "Indoor flag field of the AP layer",
                CONNECTIONS_MAC_FIELD: "MAC field of the connections table"}
FIELD_HELP = {
    TIME_FIELD: "ISO 8601 text (2024-06-01T10:00:00.250), a date-time field, or epoch seconds. Times without a "
                "zone are taken as UTC.",
    AP_FIELD: "The id of the access point that heard the probe request, as in the AP layer.",
    MAC_FIELD: "The MAC address or its token. Raw addresses (aa:bb:cc:dd:ee:ff) are hashed with your secret "
               "before anything else and never written out.",
    RSS_FIELD: "Received signal strength in dBm (negative, e.g. -70).",
    EMISSION_FIELD: "The emission each probe request belongs to (the Preprocessing tool's emission field). "
                    "Without it, probe requests of one MAC within TOLERANCE seconds at distinct APs are grouped.",
    AP_ID_FIELD: "The field of the AP layer that holds the ids the probe table uses.",
    INDOOR_FIELD: "A field of the AP layer that flags indoor APs (1, true or yes). Absent: every AP is outdoor.",
    CONNECTIONS_MAC_FIELD: "The field of the connections table that holds the MACs (or tokens) of connected "
                           "clients.",
}


def is_given(parameters, name):
    """True when the user set parameter ``name`` (optional parameters arrive missing, None or '')."""
    return parameters.get(name) not in (None, "")


def field_name(alg, parameters, name, context):
    """The field chosen for field parameter ``name``, or its default when left empty."""
    chosen = alg.parameterAsString(parameters, name, context) if name in parameters else ""
    return chosen or FIELD_DEFAULTS[name]


def finish(parameter, help_text=None, advanced=False):
    """Give ``parameter`` its help (the dialog's tooltip) and mark it advanced (shown folded); returns it."""
    if help_text:
        parameter.setHelp(help_text)
    if advanced:
        parameter.setFlags(parameter.flags() | qgis_enums.ADVANCED)
    return parameter


def number(name, label, default=None, integer=False, minimum=None, maximum=None, optional=False, help_text=None,
           advanced=False):
    """A number parameter (double unless ``integer``)."""
    kind = qgis_enums.INTEGER if integer else qgis_enums.DOUBLE
    bounds = {}
    if minimum is not None:
        bounds["minValue"] = minimum
    if maximum is not None:
        bounds["maxValue"] = maximum
    return finish(QgsProcessingParameterNumber(name, label, kind, default, optional, **bounds), help_text, advanced)


def field(name, parent, label=None, numeric=False, advanced=False):
    """A field parameter of the layer ``parent`` with the standard default (optional, so the default applies:
    QGIS refuses a missing required field value)."""
    kind = {"type": qgis_enums.NUMERIC_FIELD} if numeric else {}
    return finish(QgsProcessingParameterField(name, label or FIELD_LABELS[name], FIELD_DEFAULTS[name], parent,
                                              optional=True, **kind), FIELD_HELP.get(name), advanced)


def source(name, label, types, optional=False, help_text=None, advanced=False):
    """A feature source parameter of the given QGIS source types."""
    return finish(QgsProcessingParameterFeatureSource(name, label, types, optional=optional), help_text, advanced)


def path_loss():
    """A, N and SIGMA_RSS of the log-distance model (paper §4.1)."""
    return [
        number(A, "A: RSS at 1 m (dBm)", DEFAULT_A,
               help_text="The signal strength 1 m from a phone. The Localization tool calibrates it (its A output)."),
        number(N, "n: path-loss exponent", DEFAULT_N, minimum=0.1, maximum=10.0,
               help_text="How fast the signal fades with distance: 2 in free space, 2-4 outdoors. The Localization "
                         "tool calibrates it (its N output)."),
        number(SIGMA_RSS, "RSS noise sigma (dB)", DEFAULT_SIGMA_RSS, minimum=0.01, advanced=True,
               help_text="Spread of the RSS around the model; it sets the width of each ring (paper §4.2)."),
    ]


def output_grid():
    """PIXEL_SIZE, EXTENT, MARGIN and CRS of a raster made from the AP layer."""
    return [
        number(PIXEL_SIZE, "Pixel size (m)", 1.0, minimum=0.01,
               help_text="Side of a square pixel in metres. Values are densities per m², whatever the pixel."),
        finish(QgsProcessingParameterExtent(EXTENT, "Output extent (default: the APs' extent plus the margin)",
                                            optional=True), advanced=True),
        number(MARGIN, "Margin around the APs (m)", DEFAULT_MARGIN, minimum=0.0, advanced=True),
        finish(QgsProcessingParameterCrs(CRS, "Output CRS (default: the AP layer's, or its UTM zone if in degrees)",
                                         optional=True), advanced=True),
    ]


def probe_table(description="Probe request table"):
    """INPUT: any table with one row per probe request."""
    return source(INPUT, description, [qgis_enums.VECTOR],
                  help_text="Any table QGIS reads (CSV, GeoPackage, PostGIS, ...), one row per probe request; "
                            "geometry is ignored.")


def access_points(description="Access points", optional=False):
    """APS: the AP point layer."""
    return source(APS, description, [qgis_enums.POINTS], optional,
                  "Points of the access points (or sensors), with an id field matching the probe table. Any CRS: "
                  "in degrees, the UTM zone of the APs is used.")


def pipeline_choices():
    """X_DAY, FLOW and METHOD of the pipeline (and of the season, which runs it per window)."""
    return [
        number(X_DAY, "X_DAY: PRs per client per day", DEFAULT_X_DAY, minimum=0.0,
               help_text="Probe requests one client leaves per day (Yang et al. 2022: 524)."),
        QgsProcessingParameterEnum(FLOW, "Client map from", [FLOW_LABELS[flow] for flow in FLOWS],
                                   defaultValue=FLOWS.index(BOTH)),
        finish(QgsProcessingParameterEnum(METHOD, "Counting method", list(GLOBAL_METHODS),
                                          defaultValue=GLOBAL_METHODS.index(MULTIPLICITY)), advanced=True),
    ]


def pipeline_knobs():
    """The pipeline's settings an analyst tunes (shown folded): the secret, the tools' thresholds, the grid."""
    return [
        finish(QgsProcessingParameterString(SECRET, "Secret for hashing raw MAC addresses", optional=True),
               advanced=True),
        number(RSS_MAX, "RSS_MAX: PRs stronger than this are a separate piece (dBm)", -60.0, advanced=True),
        number(LAYER, "Convex layer of the fiducial region", 3, integer=True, minimum=1, advanced=True),
        number(RETAIN, "Drill-down: fraction of the mass kept under the cap", 0.9, minimum=0.0, maximum=1.0,
               advanced=True),
        number(SMOOTH, "Smoothing sigma of the client map (m)", 10.0, minimum=0.0, advanced=True),
        number(PIXEL_SIZE, "Pixel size (m)", 1.0, minimum=0.01, advanced=True),
        estimator(ML_ESTIMATOR, "Estimator of the maximum-likelihood map", advanced=True),
        grouping(advanced=True),
        finish(QgsProcessingParameterCrs(CRS, "Output CRS (default: the APs', or their UTM zone)", optional=True),
               advanced=True),
    ]




def grouping(advanced=False):
    """GROUPING: scan bursts (default) or the paper's grouping of PRs into emissions."""
    return finish(QgsProcessingParameterEnum(GROUPING, "Grouping of PRs into emissions",
                                             [GROUPING_LABELS[g] for g in GROUPINGS],
                                             defaultValue=GROUPINGS.index(BURSTS)),
                  "Phones send each scan as a burst of 2-5 probe requests within about 100 ms, and an AP often "
                  "hears several of them. bursts: a MAC's frames within TOLERANCE are one emission, each AP's "
                  "frames of it one PR with their mean RSS (dBm), and MAC classes count bursts (so a randomised "
                  "MAC is not taken for a fixed one because an AP heard its scan three times). paper: the "
                  "Preprocessing tool of the paper (§3.4), rows grouped at distinct APs, for its checks.",
                  advanced)


def grouping_of(alg, parameters, context):
    """The GROUPING chosen, as the science names it."""
    return GROUPINGS[alg.parameterAsEnum(parameters, GROUPING, context)]


def radio_table(help_text=None):
    """RADIO: an optional radio table (one row per AP: gains, reception, and A, n, sigma on every row)."""
    return source(RADIO, "Radio table (when given, nothing is calibrated)", [qgis_enums.VECTOR], optional=True,
                  help_text=help_text or "A radio table as the maximum-likelihood tool writes it (RADIO_OUTPUT), "
                                         "or made by hand: one row per AP with ap_id and gain_db, and a, n, "
                                         "sigma_rss on every row.")


def estimator(name=ESTIMATOR, label="Estimator", advanced=False):
    """The maximum-likelihood map's estimator, list-mode (default) or counts."""
    return finish(QgsProcessingParameterEnum(name, label, [ESTIMATOR_LABELS[e] for e in ESTIMATORS],
                                             defaultValue=ESTIMATORS.index(LISTMODE)),
                  "List-mode: every emission's detection pattern (which APs heard it, at what RSS, which stayed "
                  "silent), with the radio (A, n, sigma, per-AP gains and reception) fitted from the same PRs. "
                  "Counts: the PRs counted per AP and RSS, with A, n and sigma as given.", advanced)


def pipeline_radio():
    """RADIO of the pipeline (and of the season): one radio for every tool of the run."""
    return radio_table("A radio table (the maximum-likelihood map's RADIO_TABLE of an earlier window or run): "
                       "Localization, both Bowls and the maximum-likelihood map use its radio, and nothing is "
                       "calibrated.")
