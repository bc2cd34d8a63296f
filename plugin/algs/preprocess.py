"""wifidensity:preprocess — the Preprocessing tool, paper §3.4 (science in algorithms/counting/preprocess.py)."""
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ...algorithms.core.timeparse import parse_instant, to_iso
from ...algorithms.counting.counting import format_higher, format_multiplicities
from ...algorithms.counting.preprocess import BURSTS, preprocess
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..io.columns import read_tokens
from ..io.probe_tables import read_probes
from ..io.table_output import write_table

COUNT_OUTPUTS = ["P", "P1", "P2", "P3", "P4PLUS", "EMISSIONS", "CR", "CF", "CC", "CR_MACS", "CF_MACS", "CC_MACS",
                 "WINDOW_HOURS"]
DESCRIPTIONS = {
    "P": "P: PRs of class CR", "P1": "P1: CR PRs of emissions heard by 1 AP",
    "P2": "P2: CR PRs of emissions heard by 2 APs", "P3": "P3: CR PRs of emissions heard by 3 APs",
    "P4PLUS": "P4+: CR PRs of emissions heard by 4 or more APs (emission counting only)",
    "EMISSIONS": "Number of CR emissions", "CR": "PRs of class CR", "CF": "PRs of class CF",
    "CC": "PRs of class CC", "CR_MACS": "MACs of class CR", "CF_MACS": "MACs of class CF",
    "CC_MACS": "MACs of class CC", "WINDOW_HOURS": "Window length (hours)",
}
THRESHOLD, COUNT_EMISSIONS, ALL_CLASSES, SECRET = "THRESHOLD", "COUNT_EMISSIONS", "ALL_CLASSES", "SECRET"


def connections_parameters(tr):
    """CONNECTIONS (a table or a plain list of tokens) and its MAC field, shared with the tools that classify."""
    return [
        params.source(params.CONNECTIONS, tr("Connections table (MACs of connected clients)"), [qgis_enums.VECTOR],
                      optional=True, help_text=tr("MACs (or tokens) of the clients connected to the network: a "
                                                  "table, or a text file with one per line. Their probe requests "
                                                  "form class CC (paper §3.2).")),
        params.field(params.CONNECTIONS_MAC_FIELD, params.CONNECTIONS, advanced=True),
    ]


def window_parameters(tr):
    """START and END of the window [START, END)."""
    return [
        params.finish(QgsProcessingParameterString(
            params.START, tr("Window start (ISO time, e.g. 2024-06-01T10:00:00, or epoch s; empty: first PR)"),
            optional=True), tr("Times without a zone are UTC; 2024-06-01T12:00:00+02:00 is the same instant.")),
        params.finish(QgsProcessingParameterString(
            params.END, tr("Window end, excluded (empty: after the last PR)"), optional=True)),
    ]


def read_connections(alg, parameters, context):
    """The connections table's tokens, or None when CONNECTIONS is not given."""
    if not is_given(parameters, params.CONNECTIONS):
        return None
    return read_tokens(alg, parameters, params.CONNECTIONS, context,
                       alg.field(parameters, params.CONNECTIONS_MAC_FIELD, context), params.CONNECTIONS_MAC_FIELD)


class PreprocessAlgorithm(WifiDensityAlgorithm):
    NAME = "preprocess"
    DISPLAY_NAME = "1. Preprocessing (window, classes, emissions)"
    GROUP_ID = "tools"
    NEEDS = ("numpy",)
    EXTRA_TAGS = ("time window", "hash", "emissions")
    TOKEN_LISTS = (params.CONNECTIONS,)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table((params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD))
        for parameter in connections_parameters(self.tr) + window_parameters(self.tr):
            self.addParameter(parameter)
        self.addParameter(params.number(
            THRESHOLD, self.tr("THRESHOLD: most occurrences of a CR MAC"), 3, integer=True, minimum=1,
            help_text=self.tr("A MAC seen at most this many times in the window is randomised (class CR); more "
                              "often, fixed (CF). The paper uses 3.")))
        self.addParameter(params.number(
            params.TOLERANCE, self.tr("TOLERANCE: most seconds between PRs of one emission"), 2.0, minimum=0.0,
            help_text=self.tr("Probe requests of one MAC at distinct APs within this many seconds are one "
                              "emission. Sensors whose clocks disagree need more.")))
        self.add(QgsProcessingParameterString(SECRET, self.tr("Secret for hashing raw MAC addresses"),
                                              optional=True),
                 self.tr("Key of the keyed hash (HMAC-SHA256) that replaces raw MAC addresses. Use the same secret "
                         "for every window and table of a site so tokens match."))
        self.addParameter(params.grouping())
        self.add(QgsProcessingParameterBoolean(
            COUNT_EMISSIONS, self.tr("Count a MAC's emissions, not its PR rows, against THRESHOLD"), False),
            self.tr("The paper counts rows, so an emission heard by 4+ APs lands in CF. Counting emissions keeps "
                    "it in CR and reports P4, P5, ... for the multiplicity method. Scan bursts (GROUPING) always "
                    "count emissions."), advanced=True)
        self.add(QgsProcessingParameterBoolean(
            ALL_CLASSES, self.tr("Output every class (CR, CF, CC), not only CR"), False), advanced=True)
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Preprocessed PRs"),
                                                            qgis_enums.VECTOR))
        for name in COUNT_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(DESCRIPTIONS[name])))
        self.addOutput(QgsProcessingOutputString("P_BY_K", self.tr("P_k for every k, as k:P_k;...")))
        self.addOutput(QgsProcessingOutputString(
            "P_MORE", self.tr("P4, P5, ... as a comma list (the Counting tool's P_MORE); empty without them")))

    def execute(self, parameters, context, feedback):
        probes = read_probes(self, parameters, context, self.progress(feedback, 0.0, 10.0))
        feedback.pushInfo(f"Read {len(probes)} PRs.")
        grouping = params.grouping_of(self, parameters, context)
        result = preprocess(
            probes, start=self._instant(parameters, params.START, context),
            end=self._instant(parameters, params.END, context),
            connections=read_connections(self, parameters, context),
            threshold=self.parameterAsInt(parameters, THRESHOLD, context),
            tolerance=self.parameterAsDouble(parameters, params.TOLERANCE, context),
            count_emissions=self.parameterAsBoolean(parameters, COUNT_EMISSIONS, context),
            all_classes=self.parameterAsBoolean(parameters, ALL_CLASSES, context),
            secret=self.parameterAsString(parameters, SECRET, context),
            grouping=grouping, progress=self.progress(feedback, 10.0, 70.0))
        for note in result.notes:
            feedback.pushWarning(note)
        if grouping == BURSTS:
            feedback.pushInfo(f"Scan bursts: the window's {result.counts['FRAMES']} frames are "
                              f"{int(sum(result.counts[c] for c in ('CR', 'CF', 'CC')))} PRs, one per AP and burst.")
        out = result.probes
        columns = {"time": to_iso(out.time), "ap_id": out.ap_id, "mac": out.mac, "rss": out.rss, **out.extra}
        dest = write_table(self, parameters, context, params.OUTPUT, columns, self.progress(feedback, 70.0, 100.0))
        counts = result.counts
        p_by_k = format_multiplicities(counts["P_BY_K"])
        feedback.pushInfo(", ".join(f"{name} = {counts[name]:g}" for name in COUNT_OUTPUTS) + f"; P_k: {p_by_k}")
        return {params.OUTPUT: dest, "P_BY_K": p_by_k, "P_MORE": format_higher(counts["P_BY_K"]),
                **{name: counts[name] for name in COUNT_OUTPUTS}}

    def _instant(self, parameters, name, context):
        return parse_instant(self.parameterAsString(parameters, name, context), name)
