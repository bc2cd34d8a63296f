"""wifidensity:localize — the Localization tool, paper §4.6 (science in algorithms/paper/apollonius.py, calibration.py,
regularize.py, localization.py)."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
)

from ...algorithms.paper.apollonius import DEFAULT_MAX_RESIDUAL, DEGENERATE, QUALITY_NAMES
from ...algorithms.paper.localization import localize_probes, log_distance_and_rss
from ...algorithms.paper.localize_report import report_html
from ...algorithms.paper.pathloss import DEFAULT_N
from ...algorithms.paper.regularize import MIN_REDUNDANT
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm
from ..display.styles import style_on_load
from ..io.layers import read_access_points
from ..io.probe_tables import read_probes
from ..io.radio_io import read_radio_table, report_radio_table
from ..io.table_output import write_table

CALIBRATE, POSITION_PRIOR, MAX_RESIDUAL, REPORT = "CALIBRATE", "POSITION_PRIOR", "MAX_RESIDUAL", "REPORT"


class LocalizeAlgorithm(WifiDensityAlgorithm):
    NAME = "localize"
    DISPLAY_NAME = "6. Localization (Circles of Apollonius) and path-loss calibration"
    GROUP_ID = "tools"
    EXTRA_TAGS = ("apollonius", "trilateration", "positioning", "calibration", "path loss")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_probe_table((params.TIME_FIELD, params.AP_FIELD, params.MAC_FIELD, params.RSS_FIELD,
                              params.EMISSION_FIELD), advanced=(params.TIME_FIELD, params.MAC_FIELD))
        self.addParameter(params.number(
            params.TOLERANCE, self.tr("TOLERANCE: PRs of one emission lie within (s)"), 2.0, minimum=0.0,
            advanced=True, help_text=self.tr("Used only when the table has no emission field.")))
        self.add_access_points()
        self.addParameter(params.number(
            params.N, self.tr("Path-loss exponent n (start value; kept when the calibration is not trustworthy)"),
            DEFAULT_N, minimum=0.1, maximum=10.0))
        self.add(QgsProcessingParameterBoolean(CALIBRATE, self.tr("Calibrate A and n from the localizations"), True),
                 self.tr("Fits A and n of the path-loss model to all localized emissions together (paper §4.6, "
                         "Figure 6). A fit the data cannot support is refused, and n is kept."))
        self.addParameter(params.radio_table(self.tr(
            "A radio table (the maximum-likelihood tool's RADIO_OUTPUT, or made by hand): its A and n are used and "
            "the RSS of each AP is corrected by its determined gain before localizing; N and CALIBRATE are then "
            "not used.")))
        self.add(QgsProcessingParameterBoolean(
            POSITION_PRIOR, self.tr("Steady noisy positions with a prior towards the strongest APs (off: pure "
                                    "Circles of Apollonius)"), True),
            self.tr("With noisy RSS the ratios alone place emissions poorly; a weak prior near the APs that heard "
                    "them, weighted by the noise measured on 4+-AP emissions, steadies them."), advanced=True)
        self.addParameter(params.number(
            MAX_RESIDUAL, self.tr("MAX_RESIDUAL: poorer RSS fits are flagged (dB, rms)"), DEFAULT_MAX_RESIDUAL,
            minimum=0.0, advanced=True))
        self.addParameter(QgsProcessingParameterFeatureSink(params.OUTPUT, self.tr("Localizations"),
                                                            qgis_enums.POINTS))
        self.addParameter(QgsProcessingParameterFileDestination(
            REPORT, self.tr("Report (RSS vs log-distance plot)"), self.tr("HTML files (*.html)"),
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
        emission_field = self.field(parameters, params.EMISSION_FIELD, context)
        probes = read_probes(self, parameters, context, self.progress(feedback, 0.0, 10.0),
                             extra_fields=(emission_field,))
        aps, crs = read_access_points(self, parameters, context, indoor_param="")
        emission = probes.extra.get(emission_field)
        if emission is not None:
            feedback.pushInfo(f"Emissions taken from the field '{emission_field}'.")
            emission = np.asarray(emission).astype(str)
        table = read_radio_table(self, parameters, context)
        calibrate = self.parameterAsBoolean(parameters, CALIBRATE, context) and table is None
        given = {}
        if table is not None:
            report_radio_table(table, aps, probes.ap_id, feedback, "A, n and the determined gains")
            given = {"gains": table.gains_for(aps), "a": table.a}
        run = localize_probes(probes, aps,
                              self.parameterAsDouble(parameters, params.N, context) if table is None else table.n,
                              calibrate, self.parameterAsDouble(parameters, MAX_RESIDUAL, context),
                              self.parameterAsDouble(parameters, params.TOLERANCE, context), emission,
                              self.progress(feedback, 10.0, 90.0),
                              self.parameterAsBoolean(parameters, POSITION_PRIOR, context), **given)
        if run.unknown_ap_ids:
            feedback.pushWarning(f"{len(run.unknown_ap_ids)} AP id(s) of the probe table are not in the AP layer "
                                 f"and were ignored: {', '.join(run.unknown_ap_ids[:5])}")
        self._report_fit(run, parameters, context, calibrate, feedback)
        output = self._write_points(run, parameters, context, crs, feedback)
        style_on_load(context, output, "localizations")
        report = self.parameterAsFileOutput(parameters, REPORT, context)
        if report:
            with open(report, "w", encoding="utf-8") as page:
                page.write(report_html(run, *log_distance_and_rss(run, aps.xy)))
        fit = run.fit
        return {params.OUTPUT: output, REPORT: report or None, "A": fit.a, "N": fit.n, "A_STDERR": fit.a_stderr,
                "N_STDERR": fit.n_stderr, "LOCALIZED": run.localized, "CANDIDATES": run.candidates,
                "FITTED_A": fit.fitted_a, "FITTED_N": fit.fitted_n, "CALIBRATION": f"{fit.status}: {fit.message}",
                "NOISE_SD": run.noise_sd, "PRIOR_SD": run.prior_sd}

    def _report_fit(self, run, parameters, context, calibrate, feedback):
        feedback.pushInfo(f"{run.candidates} emissions heard by 3+ APs, {run.localized} localized with good "
                          "quality.")
        if calibrate and not run.fit.accepted:
            # an expected outcome, not an error: the run goes on with the given n
            feedback.pushWarning(f"Calibration {run.fit.status}: {run.fit.message}")
        else:
            feedback.pushInfo(run.fit.message)
        if run.noise_sd > 0:
            feedback.pushInfo(f"Position prior: {run.noise_sd:.2f} dB of RSS noise measured on the emissions heard "
                              f"by 4+ APs, prior spread {run.prior_sd:.1f} m (half the median AP spacing).")
        elif self.parameterAsBoolean(parameters, POSITION_PRIOR, context):
            feedback.pushInfo(f"Position prior not applied: fewer than {MIN_REDUNDANT} emissions heard by 4+ APs "
                              "to measure the RSS noise on; positions are pure Circles of Apollonius.")

    def _write_points(self, run, parameters, context, crs, feedback):
        """One row per emission heard by 3+ APs. A degenerate one (no finite position, or one implying an
        impossible RSS at 1 m) has no geometry and no x, y: it is not a position, and would stretch the layer's
        extent over continents. ``time`` is a DateTime for the Temporal Controller; ``time_iso`` keeps the
        microseconds."""
        points = run.located
        xy = np.where((points.quality == DEGENERATE)[:, None], np.nan, points.xy)
        degenerate = int((points.quality == DEGENERATE).sum())
        if degenerate:
            feedback.pushInfo(f"{degenerate} degenerate emissions are listed without a position.")
        micro = np.round(np.asarray(run.time, dtype=float) * 1e6).astype(np.int64).astype("datetime64[us]")
        columns = {"emission": np.asarray(points.label).astype(str).astype(object), "time": micro,
                   "time_iso": np.datetime_as_string(micro, unit="us").astype(object),
                   "n_aps": points.n_aps.astype(np.int64), "residual": points.residual,
                   "a_implied": points.a_implied, "quality": np.asarray(QUALITY_NAMES, dtype=object)[points.quality],
                   "quality_code": points.quality, "x": xy[:, 0], "y": xy[:, 1]}
        return write_table(self, parameters, context, params.OUTPUT, columns, self.progress(feedback, 90.0, 100.0),
                           xy, qgis_enums.POINT, crs)
