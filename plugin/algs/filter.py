"""wifidensity:filter — the Filtering tool, paper §4.5 and §5.1.1 (science in algorithms/paper/filtering.py).

The kept and removed tables keep every field of the input (e.g. preprocess's class, emission, n_aps);
the removed one also says why each PR was set aside.
"""
import numpy as np
from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink, QgsProcessingParameterString

from ...algorithms.core.errors import InputError
from ...algorithms.core.privacy import holds_raw_macs
from ...algorithms.paper.filtering import DEFAULT_RSS_MAX, split_probes
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..io.columns import require_source
from ..io.layers import read_access_points
from ..io.probe_tables import read_ap_and_rss
from ..io.table_output import write_table

REASON_FIELD = "removed_by"
INDOOR_APS, RSS_MAX, REMOVED = "INDOOR_APS", "RSS_MAX", "REMOVED"


class FilterAlgorithm(WifiDensityAlgorithm):
    NAME = "filter"
    DISPLAY_NAME = "2. Filtering (indoor APs, strong RSS)"
    GROUP_ID = "tools"
    NEEDS = ("numpy", "pyproj")
    EXTRA_TAGS = ("indoor", "filter")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table((params.AP_FIELD, params.RSS_FIELD, params.MAC_FIELD), advanced=(params.MAC_FIELD,))
        self.add_access_points(optional=True, indoor=True)
        self.add(QgsProcessingParameterString(INDOOR_APS, self.tr("Further indoor AP ids (comma separated)"),
                                              optional=True),
                 self.tr("Ids of APs to treat as indoor besides those the AP layer flags."))
        self.addParameter(params.number(
            RSS_MAX, self.tr("RSS_MAX: remove PRs stronger than (dBm)"), DEFAULT_RSS_MAX,
            help_text=self.tr("Probe requests louder than this come from devices next to an AP; their ring would "
                              "be a spike. They become a separate piece that Reassembly adds back (paper §5.1.1).")))
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Kept PRs"), qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(REMOVED, self.tr("Removed PRs"), qgis_enums.VECTOR))
        self.addOutput(QgsProcessingOutputNumber("KEPT", self.tr("PRs kept")))
        self.addOutput(QgsProcessingOutputNumber("REMOVED_COUNT", self.tr("PRs removed")))

    def execute(self, parameters, context, feedback):
        mac_field = self.field(parameters, params.MAC_FIELD, context)
        names = require_source(self, parameters, params.INPUT, context).fields().names()
        ap_ids, rss, table = read_ap_and_rss(self, parameters, context, self.progress(feedback, 0.0, 30.0),
                                             extra_fields=names)  # every field: the outputs copy them all
        if mac_field in table and holds_raw_macs(table[mac_field]):
            raise InputError(f"The field '{mac_field}' holds raw MAC addresses, which would be copied to the "
                             "outputs. Run Preprocessing first: it hashes them with your SECRET.")
        aps = read_access_points(self, parameters, context)[0] if is_given(parameters, params.APS) else None
        listed = self.parameterAsString(parameters, INDOOR_APS, context).split(",")
        split = split_probes(ap_ids, rss, aps, self.parameterAsDouble(parameters, RSS_MAX, context), listed)
        kept = {name: values[~split.removed] for name, values in table.items()}
        removed = {name: values[split.removed] for name, values in table.items()}
        removed[REASON_FIELD] = np.asarray(split.reason, dtype=object)[split.removed]
        outputs = {params.OUTPUT: write_table(self, parameters, context, params.OUTPUT, kept,
                                              self.progress(feedback, 40.0, 80.0)),
                   REMOVED: write_table(self, parameters, context, REMOVED, removed,
                                        self.progress(feedback, 80.0, 100.0))}
        feedback.pushInfo(f"Kept {split.kept_count} PRs, removed {split.removed_count}.")
        return {**outputs, "KEPT": split.kept_count, "REMOVED_COUNT": split.removed_count}
