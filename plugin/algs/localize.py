"""wifidensity:localize — SPEC tool 6 (science in algorithms/apollonius.py, calibration.py, localization.py)."""
from datetime import datetime, timezone

import numpy as np
from qgis.core import (QgsGeometry, QgsPointXY, QgsProcessing, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber, QgsWkbTypes)

from ...algorithms.apollonius import DEFAULT_MAX_RESIDUAL, QUALITY_NAMES
from ...algorithms.localization import check_positions, distances_to_aps, localize_probes
from ...algorithms.localize_report import report_html
from ...algorithms.pathloss import DEFAULT_N
from ...algorithms.regularize import MIN_REDUNDANT
from ..base import WifiDensityAlgorithm
from ..layers import read_access_points
from ..rasters import style_on_load
from ..tables import read_probes, write_table


class LocalizeAlgorithm(WifiDensityAlgorithm):
    NAME = "localize"
    DISPLAY_NAME = "6. Localization (Circles of Apollonius) and path-loss calibration"
    GROUP_ID = "tools"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table(("TIME_FIELD", "AP_FIELD", "MAC_FIELD", "RSS_FIELD", "EMISSION_FIELD"))
        self.addParameter(QgsProcessingParameterNumber(
            "TOLERANCE", self.tr("TOLERANCE: PRs of one emission lie within (s)"),
            QgsProcessingParameterNumber.Double, 2.0, minValue=0.0))
        self.add_access_points()
        self.addParameter(QgsProcessingParameterNumber(
            "N", self.tr("Path-loss exponent n (start value; kept when the calibration is not trustworthy)"),
            QgsProcessingParameterNumber.Double, DEFAULT_N, minValue=0.1, maxValue=10.0))
        self.addParameter(QgsProcessingParameterBoolean(
            "CALIBRATE", self.tr("Calibrate A and n from the localizations"), True))
        self.addParameter(QgsProcessingParameterBoolean(
            "POSITION_PRIOR", self.tr("Steady noisy positions with a prior towards the strongest APs (off: pure "
                                      "Circles of Apollonius)"), True))
        self.addParameter(QgsProcessingParameterNumber(
            "MAX_RESIDUAL", self.tr("MAX_RESIDUAL: poorer RSS fits are flagged (dB, rms)"),
            QgsProcessingParameterNumber.Double, DEFAULT_MAX_RESIDUAL, minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", self.tr("Localizations"), QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFileDestination(
            "REPORT", self.tr("Report (RSS vs log-distance plot)"), self.tr("HTML files (*.html)"),
            optional=True, createByDefault=False))
        for name, label in (("A", "A: RSS at 1 m (dBm)"), ("N", "n: path-loss exponent"),
                            ("A_STDERR", "Standard error of A (dB)"), ("N_STDERR", "Standard error of n"),
                            ("LOCALIZED", "Emissions localized with good quality"),
                            ("CANDIDATES", "Emissions heard by 3+ APs")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))
        self.addOutput(QgsProcessingOutputNumber("FITTED_A", self.tr("A of the fit, even when not handed on")))
        self.addOutput(QgsProcessingOutputNumber("FITTED_N", self.tr("n of the fit, even when not handed on")))
        self.addOutput(QgsProcessingOutputString("CALIBRATION", self.tr("Calibration status and message")))
        self.addOutput(QgsProcessingOutputNumber("NOISE_SD", self.tr("RSS noise measured on 4+-AP emissions (dB); "
                                                                     "0: no position prior applied")))
        self.addOutput(QgsProcessingOutputNumber("PRIOR_SD", self.tr("Spread of the position prior (m)")))

    def execute(self, parameters, context, feedback):
        emission_field = self.parameterAsString(parameters, "EMISSION_FIELD", context) or "emission"
        probes = read_probes(self, parameters, context, feedback, extra_fields=(emission_field,))
        aps, crs = read_access_points(self, parameters, context, indoor_param="")
        emission = probes.extra.get(emission_field)
        if emission is not None:
            feedback.pushInfo(f"Emissions taken from the field '{emission_field}'.")
            emission = np.asarray(emission).astype(str)
        run = localize_probes(probes, aps, self.parameterAsDouble(parameters, "N", context),
                              self.parameterAsBoolean(parameters, "CALIBRATE", context),
                              self.parameterAsDouble(parameters, "MAX_RESIDUAL", context),
                              self.parameterAsDouble(parameters, "TOLERANCE", context), emission,
                              self.progress(feedback, 10.0, 90.0),
                              self.parameterAsBoolean(parameters, "POSITION_PRIOR", context))
        if run.unknown_ap_ids:
            feedback.reportError(f"{len(run.unknown_ap_ids)} AP id(s) of the probe table are not in the AP layer "
                                 f"and were ignored: {', '.join(run.unknown_ap_ids[:5])}", False)
        self._report_fit(run, parameters, context, feedback)
        output = self._write_points(run, parameters, context, crs, feedback)
        style_on_load(context, output, "localizations")
        report = self.parameterAsFileOutput(parameters, "REPORT", context)
        if report:
            with open(report, "w", encoding="utf-8") as page:
                page.write(report_html(run, *distances_to_aps(run, aps.xy)))
        fit = run.fit
        return {"OUTPUT": output, "REPORT": report or None, "A": fit.a, "N": fit.n, "A_STDERR": fit.a_stderr,
                "N_STDERR": fit.n_stderr, "LOCALIZED": run.localized, "CANDIDATES": run.candidates,
                "FITTED_A": fit.fitted_a, "FITTED_N": fit.fitted_n, "CALIBRATION": f"{fit.status}: {fit.message}",
                "NOISE_SD": run.noise_sd, "PRIOR_SD": run.prior_sd}

    def _report_fit(self, run, parameters, context, feedback):
        feedback.pushInfo(f"{run.candidates} emissions heard by 3+ APs, {run.localized} localized with good "
                          "quality.")
        if self.parameterAsBoolean(parameters, "CALIBRATE", context) and not run.fit.accepted:
            feedback.reportError(f"Calibration {run.fit.status}: {run.fit.message}", False)
        else:
            feedback.pushInfo(run.fit.message)
        if run.noise_sd > 0:
            feedback.pushInfo(f"Position prior: {run.noise_sd:.2f} dB of RSS noise measured on the emissions heard "
                              f"by 4+ APs, prior spread {run.prior_sd:.1f} m (half the median AP spacing).")
        elif self.parameterAsBoolean(parameters, "POSITION_PRIOR", context):
            feedback.pushInfo(f"Position prior not applied: fewer than {MIN_REDUNDANT} emissions heard by 4+ APs "
                              "to measure the RSS noise on; positions are pure Circles of Apollonius.")

    def _write_points(self, run, parameters, context, crs, feedback):
        points = run.points
        quality = np.asarray(QUALITY_NAMES, dtype=object)[points.quality]
        columns = {"emission": np.asarray(points.label).astype(str).astype(object),
                   "time": np.array([_iso(t) for t in run.time], dtype=object),
                   "n_aps": points.n_aps.astype(np.int64), "residual": points.residual,
                   "a_implied": points.a_implied, "quality": quality, "quality_code": points.quality,
                   "x": points.xy[:, 0], "y": points.xy[:, 1]}
        check_positions(points)
        geometries = [QgsGeometry.fromPointXY(QgsPointXY(x, y)) for x, y in points.xy]
        return write_table(self, parameters, context, "OUTPUT", columns, feedback, geometries,
                           QgsWkbTypes.Point, crs)


def _iso(seconds):
    """The emission's first PR time as ISO text, on the clock of the input (naive input stays naive)."""
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]

