"""wifidensity:preprocess — SPEC tool 1 (science in algorithms/preprocess.py)."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterBoolean, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterString)

from ...algorithms.core.errors import InputError
from ...algorithms.counting import format_higher, format_multiplicities
from ...algorithms.preprocess import preprocess
from ...algorithms.core.timeparse import to_iso, to_seconds
from ..base import WifiDensityAlgorithm, is_given
from ..tables import check_fields, read_columns, read_probes, require_source, text_column, write_table

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


class PreprocessAlgorithm(WifiDensityAlgorithm):
    NAME = "preprocess"
    DISPLAY_NAME = "1. Preprocessing (window, classes, emissions)"
    GROUP_ID = "tools"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table(("TIME_FIELD", "AP_FIELD", "MAC_FIELD", "RSS_FIELD"))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "CONNECTIONS", self.tr("Connections table (MACs of connected clients)"), [QgsProcessing.TypeVector],
            optional=True))
        self.addParameter(QgsProcessingParameterField(
            "CONNECTIONS_MAC_FIELD", self.tr("MAC field of the connections table"), "mac", "CONNECTIONS",
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            "START", self.tr("Window start (ISO time, e.g. 2024-06-01T10:00:00, or epoch s; empty: first PR)"),
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            "END", self.tr("Window end, excluded (empty: after the last PR)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "THRESHOLD", self.tr("THRESHOLD: most occurrences of a CR MAC"), QgsProcessingParameterNumber.Integer,
            3, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            "TOLERANCE", self.tr("TOLERANCE: most seconds between PRs of one emission"),
            QgsProcessingParameterNumber.Double, 2.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterBoolean(
            "COUNT_EMISSIONS", self.tr("Count a MAC's emissions, not its PR rows, against THRESHOLD"), False))
        self.addParameter(QgsProcessingParameterBoolean(
            "ALL_CLASSES", self.tr("Output every class (CR, CF, CC), not only CR"), False))
        self.addParameter(QgsProcessingParameterString(
            "SECRET", self.tr("Secret for hashing raw MAC addresses"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", self.tr("Preprocessed PRs"), QgsProcessing.TypeVector))
        for name in COUNT_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(DESCRIPTIONS[name])))
        self.addOutput(QgsProcessingOutputString("P_BY_K", self.tr("P_k for every k, as k:P_k;...")))
        self.addOutput(QgsProcessingOutputString(
            "P_MORE", self.tr("P4, P5, ... as a comma list (the Counting tool's P_MORE); empty without them")))

    def execute(self, parameters, context, feedback):
        probes = read_probes(self, parameters, context, feedback)
        feedback.pushInfo(f"Read {len(probes)} PRs.")
        result = preprocess(
            probes, start=self._time(parameters, "START", context), end=self._time(parameters, "END", context),
            connections=self._connections(parameters, context),
            threshold=self.parameterAsInt(parameters, "THRESHOLD", context),
            tolerance=self.parameterAsDouble(parameters, "TOLERANCE", context),
            count_emissions=self.parameterAsBoolean(parameters, "COUNT_EMISSIONS", context),
            all_classes=self.parameterAsBoolean(parameters, "ALL_CLASSES", context),
            secret=self.parameterAsString(parameters, "SECRET", context),
            progress=self.progress(feedback, 10.0, 80.0))
        for note in result.notes:
            feedback.pushWarning(note)
        out = result.probes
        columns = {"time": to_iso(out.time), "ap_id": out.ap_id, "mac": out.mac, "rss": out.rss, **out.extra}
        dest = write_table(self, parameters, context, "OUTPUT", columns, feedback)
        counts = result.counts
        p_by_k = format_multiplicities(counts["P_BY_K"])
        feedback.pushInfo(", ".join(f"{name} = {counts[name]:g}" for name in COUNT_OUTPUTS) + f"; P_k: {p_by_k}")
        p_more = format_higher(counts["P_BY_K"])
        return {"OUTPUT": dest, "P_BY_K": p_by_k, "P_MORE": p_more, **{name: counts[name] for name in COUNT_OUTPUTS}}

    def _time(self, parameters, name, context):
        text = self.parameterAsString(parameters, name, context).strip()
        if not text:
            return None
        try:
            return float(to_seconds(np.array([text], dtype=object), name)[0])
        except InputError:
            raise InputError(f"{name} = '{text}' is not a time; write it as ISO 8601 "
                             "(2024-06-01T10:00:00) or epoch seconds.") from None

    def _connections(self, parameters, context):
        if not is_given(parameters, "CONNECTIONS"):
            return None
        source = require_source(self, parameters, "CONNECTIONS", context)
        field = self.parameterAsString(parameters, "CONNECTIONS_MAC_FIELD", context) or "mac"
        check_fields(source, {"CONNECTIONS_MAC_FIELD": field})
        values = read_columns(self, parameters, "CONNECTIONS", context, [field])[field]
        return text_column(values, field, "CONNECTIONS_MAC_FIELD")
