"""wifidensity:importcaptures — probe tables from what sensors write: pcap/pcapng with radiotap, Kismet logs,
airodump-ng frame logs (science in algorithms/captures/)."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
)

from ...algorithms.captures import import_captures
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm
from ..io.table_output import write_table

SENSOR_PATTERN, SECRET, CLOCK_SYNC, OFFSETS = "SENSOR_PATTERN", "SECRET", "CLOCK_SYNC", "OFFSETS"
NUMBERS = (("FRAMES", "Capture records read"), ("PROBES", "Probe requests written"), ("SENSORS", "Sensors"),
           ("DROPPED_BAD_FCS", "Probe requests dropped: bad FCS"),
           ("DROPPED_DUPLICATES", "Probe requests dropped: the same frame twice at one sensor"),
           ("DROPPED_NO_RSS", "Probe requests dropped: no usable signal strength"))


class ImportCapturesAlgorithm(WifiDensityAlgorithm):
    NAME = "importcaptures"
    DISPLAY_NAME = "Import sensor captures (pcap, pcapng, Kismet, airodump-ng)"
    GROUP_ID = "data"
    NEEDS = ("numpy",)
    EXTRA_TAGS = ("pcap", "pcapng", "radiotap", "kismet", "airodump", "tcpdump", "sniffer", "monitor mode", "import")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add(QgsProcessingParameterMultipleLayers(params.INPUT, self.tr("Capture files (one or more)"),
                                                      qgis_enums.FILE_LIST),
                 self.tr("pcap or pcapng files with radiotap headers (tcpdump/tshark on a monitor interface), "
                         "Kismet .kismet logs or airodump-ng *.log.csv files; the format is told by the bytes."))
        self.add(QgsProcessingParameterString(
            SENSOR_PATTERN, self.tr("Sensor id from the file name (regular expression with one group; empty: the "
                                    "file name without its extension)"), optional=True),
            self.tr("For example sensor-(\\w+)_ takes 'S03' from sensor-S03_2024-06-01.pcapng. Kismet logs name "
                    "their sensors themselves."), advanced=True)
        self.add(QgsProcessingParameterString(SECRET, self.tr("Secret for hashing the MAC addresses"), optional=True),
                 self.tr("Key of the keyed hash that replaces every MAC on entry (and keys the device-model "
                         "fingerprints). Use the same secret for every import and for the connections table, or "
                         "the tokens will not match."))
        self.add(QgsProcessingParameterBoolean(CLOCK_SYNC, self.tr("Synchronise the sensors' clocks"), False),
                 self.tr("Estimates each sensor's clock offset from frames several sensors heard (same MAC and "
                         "sequence number) and corrects the times, so emissions are grouped across sensors."))
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Probe requests"),
                                                            qgis_enums.VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(
            OFFSETS, self.tr("Clock offsets of the sensors"), qgis_enums.VECTOR, optional=True, createByDefault=False))
        for name, label in NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        paths = self.parameterAsFileList(parameters, params.INPUT, context)
        result = import_captures(paths, self.parameterAsString(parameters, SENSOR_PATTERN, context) or None,
                                 self.parameterAsString(parameters, SECRET, context),
                                 self.parameterAsBoolean(parameters, CLOCK_SYNC, context),
                                 self.progress(feedback, 0.0, 60.0))
        for warning in result.warnings:
            feedback.pushWarning(warning)
        columns = {"time": result.time_iso, "ap_id": result.ap_id, "mac": result.mac, "rss": result.rss,
                   "seq": _unknown_as_null(result.seq), "fingerprint": result.fingerprint,
                   "freq_mhz": _unknown_as_null(result.freq_mhz)}
        outputs = {params.OUTPUT: write_table(self, parameters, context, params.OUTPUT, columns,
                                              self.progress(feedback, 60.0, 98.0)),
                   OFFSETS: self._offsets(parameters, context, result, feedback)}
        counts = result.counts
        feedback.pushInfo(", ".join(f"{name} = {counts[name]}" for name, _ in NUMBERS))
        return {**outputs, **{name: counts[name] for name, _ in NUMBERS}}

    def _offsets(self, parameters, context, result, feedback):
        offsets = result.offsets
        for sensor, offset, matched in zip(offsets.sensor, offsets.offset_s, offsets.matched):
            feedback.pushInfo(f"Sensor {sensor}: clock offset {offset:+.4f} s ({matched} frames matched)"
                              if np.isfinite(offset) else f"Sensor {sensor}: too few shared frames for an offset")
        return write_table(self, parameters, context, OFFSETS, {
            "sensor": offsets.sensor, "offset_s": offsets.offset_s, "matched": offsets.matched},
            self.progress(feedback, 98.0, 100.0))


def _unknown_as_null(values):
    """An integer column whose -1 means unknown, masked there (written as NULL)."""
    return np.ma.masked_less(np.asarray(values), 0)
