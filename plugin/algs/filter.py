"""wifidensity:filter — SPEC tool 2 (science in algorithms/filtering.py).

The kept and removed tables keep every field of the input (e.g. preprocess's class, emission, n_aps);
the removed one also says why each PR was set aside.
"""
from qgis.core import (QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing,
                       QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterNumber, QgsProcessingParameterString)
from qgis.PyQt.QtCore import QVariant

from ...algorithms.core.errors import InputError
from ...algorithms.core.privacy import holds_raw_macs
from ...algorithms.filtering import split_probes
from ..base import WifiDensityAlgorithm, is_given
from ..layers import read_access_points
from ..tables import read_ap_and_rss, require_source

REASON_FIELD = "removed_by"


class FilterAlgorithm(WifiDensityAlgorithm):
    NAME = "filter"
    DISPLAY_NAME = "2. Filtering (indoor APs, strong RSS)"
    GROUP_ID = "tools"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table(("AP_FIELD", "RSS_FIELD", "MAC_FIELD"))
        self.add_access_points(optional=True, indoor=True)
        self.addParameter(QgsProcessingParameterString(
            "INDOOR_APS", self.tr("Further indoor AP ids (comma separated)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "RSS_MAX", self.tr("RSS_MAX: remove PRs stronger than (dBm)"), QgsProcessingParameterNumber.Double,
            -60.0))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", self.tr("Kept PRs"), QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "REMOVED", self.tr("Removed PRs"), QgsProcessing.TypeVector))
        self.addOutput(QgsProcessingOutputNumber("KEPT", self.tr("PRs kept")))
        self.addOutput(QgsProcessingOutputNumber("REMOVED_COUNT", self.tr("PRs removed")))

    def execute(self, parameters, context, feedback):
        source = require_source(self, parameters, "INPUT", context)
        mac_field = self.parameterAsString(parameters, "MAC_FIELD", context) or "mac"
        ap_ids, rss, extra = read_ap_and_rss(self, parameters, context, feedback, extra_fields=(mac_field,))
        if mac_field in extra and holds_raw_macs(extra[mac_field]):
            # the outputs copy every input field (SPEC: Privacy)
            raise InputError(f"The field '{mac_field}' holds raw MAC addresses, which would be copied to the "
                             "outputs. Run Preprocessing first: it hashes them with your SECRET.")
        aps = None
        if is_given(parameters, "APS"):
            aps, _ = read_access_points(self, parameters, context)
        listed = self.parameterAsString(parameters, "INDOOR_APS", context).split(",")
        split = split_probes(ap_ids, rss, aps, self.parameterAsDouble(parameters, "RSS_MAX", context), listed)
        kept_id, removed_id = self._write(parameters, context, source, split, feedback)
        feedback.pushInfo(f"Kept {split.kept_count} PRs, removed {split.removed_count}.")
        return {"OUTPUT": kept_id, "REMOVED": removed_id, "KEPT": split.kept_count,
                "REMOVED_COUNT": split.removed_count}

    def _write(self, parameters, context, source, split, feedback):
        removed_fields = QgsFields(source.fields())
        removed_fields.append(QgsField(REASON_FIELD, QVariant.String))
        kept, kept_id = self.parameterAsSink(parameters, "OUTPUT", context, source.fields(), source.wkbType(),
                                             source.sourceCrs())
        removed, removed_id = self.parameterAsSink(parameters, "REMOVED", context, removed_fields,
                                                   source.wkbType(), source.sourceCrs())
        if kept is None or removed is None:
            raise InputError("OUTPUT / REMOVED: an output could not be created; check the paths and formats.")
        total = len(split.removed)
        progress = self.progress(feedback, 20.0, 100.0)
        for row, feature in enumerate(source.getFeatures()):
            if row >= total:
                raise InputError("The probe table changed while it was read; run the tool again.")
            if split.removed[row]:
                out = QgsFeature(removed_fields)
                out.setGeometry(feature.geometry())
                out.setAttributes(feature.attributes() + [split.reason[row]])
                removed.addFeature(out, QgsFeatureSink.FastInsert)
            else:
                kept.addFeature(feature, QgsFeatureSink.FastInsert)
            if row % 50_000 == 0:
                progress.step(row / max(total, 1))
        return kept_id, removed_id
