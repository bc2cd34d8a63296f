"""wifidensity:mldensity — maximum-likelihood client density, beyond the paper (science in algorithms/radio/:
mldensity.py, listmode_density.py, radiocalibration.py, radio_table.py, sitecheck.py)."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterRasterDestination,
)

from ...algorithms.core.errors import InputError
from ...algorithms.counting.counting import DEFAULT_X_DAY, window_x
from ...algorithms.counting.emissions import group_emissions
from ...algorithms.paper.pathloss import DEFAULT_A, DEFAULT_N, DEFAULT_SIGMA_RSS
from ...algorithms.radio.listmode_density import given_radio, listmode_client_map
from ...algorithms.radio.mldensity import DEFAULT_ITERATIONS, DEFAULT_SIEVE, ml_client_map, without_indoor_aps
from ...algorithms.radio.model import Radio
from ...algorithms.radio.radio_table import NOT_CALIBRATED, RadioTable, prs_heard
from ...algorithms.radio.sitecheck import self_check
from ...algorithms.season.flow import COUNTS, ESTIMATORS
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..io.density_io import output_grid, write_density_param
from ..io.layers import read_access_points, read_shapes
from ..io.probe_tables import read_ap_and_rss, read_probes
from ..io.radio_io import read_radio_table, report_radio_table, write_radio_table
from ..io.table_output import write_table

FLOOR, X, EMISSIONS, ITERATIONS, SIEVE = "FLOOR", "X", "EMISSIONS", "ITERATIONS", "SIEVE"
SUPPORT, EXCLUSIONS, PR_OUTPUT = "SUPPORT", "EXCLUSIONS", "PR_OUTPUT"
CALIBRATE, GAINS, RECEPTION, STDERR, SELF_CHECK = "CALIBRATE", "GAINS", "RECEPTION", "STDERR", "SELF_CHECK"
RADIO_OUTPUT, SELF_CHECK_OUTPUT = "RADIO_OUTPUT", "SELF_CHECK_OUTPUT"
RECEPTIONS = ("per_ap", "common")
RECEPTION_LABELS = ["one per AP (sensors differ, some are down part of the time)", "one for all APs"]


class MLDensityAlgorithm(WifiDensityAlgorithm):
    NAME = "mldensity"
    DISPLAY_NAME = "Maximum-likelihood client density"
    GROUP_ID = "beyond"
    EXTRA_TAGS = ("maximum likelihood", "MLEM", "tomography", "raster", "calibration", "path loss")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add_probe_table((params.AP_FIELD, params.RSS_FIELD, params.EMISSION_FIELD, params.TIME_FIELD,
                              params.MAC_FIELD), "Probe request table (Preprocessing's CR output)",
                             {params.EMISSION_FIELD: "Emission id field",
                              params.TIME_FIELD: "Time field (only without an emission field)",
                              params.MAC_FIELD: "MAC field (only without an emission field)"},
                             advanced=(params.EMISSION_FIELD, params.TIME_FIELD, params.MAC_FIELD))
        self.addParameter(params.number(
            params.TOLERANCE, self.tr("Emission grouping tolerance (s; only without an emission field)"), 2.0,
            minimum=0.0, advanced=True))
        self.add_access_points("Access points (indoor-flagged APs and their PRs are left out)", indoor=True)
        self.addParameter(params.estimator())
        self.add(QgsProcessingParameterBoolean(CALIBRATE, self.tr("Fit the radio from the PRs (list-mode; off: A, n "
                                                                  "and sigma as given)"), True),
                 self.tr("Fits A, n, the RSS noise sigma, each AP's reception probability and per-sensor gains "
                         "jointly with the map. A fit the data cannot pin is reported (CALIBRATION) and the map "
                         "still uses it; only a determined A and n are handed on (outputs A, N)."))
        self.addParameter(params.radio_table(self.tr(
            "A radio table (this tool's RADIO_OUTPUT of an earlier window or run, or made by hand): the map uses "
            "its radio and nothing is fitted; CALIBRATE, A, N and SIGMA_RSS are then not used.")))
        self.addParameter(params.number(
            params.X_DAY, self.tr("X_DAY: emissions per client per day"), DEFAULT_X_DAY, minimum=0.0,
            help_text=self.tr("X for the window is X_DAY x WINDOW_HOURS / 24 (the Counting tool's X12).")))
        self.addParameter(params.number(params.WINDOW_HOURS, self.tr("Window length (hours)"), 3.0, minimum=0.0))
        self.addParameter(params.source(
            SUPPORT, self.tr("Where clients can be (polygons, e.g. the fiducial region)"), [qgis_enums.POLYGONS],
            optional=True))
        self.addParameter(params.source(EXCLUSIONS, self.tr("Exclusion zones (polygons)"), [qgis_enums.POLYGONS],
                                        optional=True))
        self.add(QgsProcessingParameterBoolean(SELF_CHECK, self.tr("Self-check: map four simulated crowds on this AP "
                                                                   "layout with this radio (slower)"), False),
                 self.tr("Simulates your AP layout with the radio of the map for four crowd shapes, maps each "
                         "from scratch and scores it against its truth: how good a map of this layout can be, how "
                         "far the count can be off, how well the layout pins A and n."))
        self.add_output_grid()
        self._add_expert_parameters()
        self.addParameter(QgsProcessingParameterRasterDestination(params.OUTPUT,
                                                                  self.tr("Client density (clients/m²)")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            PR_OUTPUT, self.tr("PR density of the fitted model (PRs/m²)"), optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            RADIO_OUTPUT, self.tr("Radio table (one point per AP: gain, reception; A, n, sigma)"), qgis_enums.POINTS,
            optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            SELF_CHECK_OUTPUT, self.tr("Self-check table (with SELF_CHECK; the log has its summary)"),
            qgis_enums.VECTOR, optional=True, createByDefault=False))
        for name, label in (("CLIENTS", "Clients (EMISSIONS / X)"), (EMISSIONS, "Emissions used"),
                            (X, "X used"), ("PRS", "PRs used"),
                            ("EMISSIONS_MADE", "Emissions made, heard or not (the model's own estimate)"),
                            (params.A, "A handed on (dBm): the fitted one when the data determine it"),
                            (params.N, "n handed on: the fitted one when the data determine it"),
                            ("A_STDERR", "Standard error of the fitted A (dB)"),
                            ("N_STDERR", "Standard error of the fitted n"),
                            ("FITTED_A", "A the map used (dBm)"), ("FITTED_N", "n the map used"),
                            (params.SIGMA_RSS, "RSS noise sigma the map used (dB)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))
        self.addOutput(QgsProcessingOutputString("CALIBRATION", self.tr("Calibration status and message")))

    def _add_expert_parameters(self):
        """The radio's start values and the estimators' knobs, folded under Advanced."""
        number = params.number
        for parameter in (
            number(params.A, self.tr("A: RSS at 1 m (dBm; used when the radio is not fitted)"), DEFAULT_A,
                   advanced=True, help_text=self.tr("With the counts estimator or CALIBRATE off. The Localization "
                                                    "tool calibrates it (its A output).")),
            number(params.N, self.tr("n: path-loss exponent (the fit's start; as given when not fitted)"),
                   DEFAULT_N, minimum=0.1, maximum=10.0, advanced=True),
            number(params.SIGMA_RSS, self.tr("RSS noise sigma (dB; used when the radio is not fitted)"),
                   DEFAULT_SIGMA_RSS, minimum=0.01, advanced=True),
        ):
            self.addParameter(parameter)
        self.add(QgsProcessingParameterBoolean(GAINS, self.tr("Fit per-sensor gains (kept only when the data "
                                                              "support them)"), True), advanced=True)
        self.add(QgsProcessingParameterEnum(RECEPTION, self.tr("Reception probability"), RECEPTION_LABELS,
                                            defaultValue=0), advanced=True)
        self.add(QgsProcessingParameterBoolean(STDERR, self.tr("Standard errors of the fit"), True),
                 self.tr("Needed to judge the fit (status ok / uncertain); off saves a few seconds."), advanced=True)
        self.addParameter(number(
            FLOOR, self.tr("Receivers' floor (dBm; default: the weakest RSS heard)"), optional=True, advanced=True))
        self.addParameter(number(
            X, self.tr("X: emissions per client in the window (default: X_DAY x WINDOW_HOURS / 24)"),
            optional=True, minimum=0.0, advanced=True))
        self.addParameter(number(EMISSIONS, self.tr("Emissions (default: counted in the table)"), optional=True,
                                 minimum=0.0, advanced=True))
        self.addParameter(number(ITERATIONS, self.tr("MLEM iterations"), DEFAULT_ITERATIONS, integer=True, minimum=1,
                                 advanced=True))
        self.addParameter(number(
            SIEVE, self.tr("Sieve (resolution) width (m; 0 = plain MLEM)"), DEFAULT_SIEVE, minimum=0.0,
            advanced=True, help_text=self.tr("Bounds the map's resolution to what the RSS noise allows.")))

    def execute(self, parameters, context, feedback):
        estimator = ESTIMATORS[self.parameterAsEnum(parameters, params.ESTIMATOR, context)]
        checking = self.parameterAsBoolean(parameters, SELF_CHECK, context)
        if checking and estimator == COUNTS:
            raise InputError("SELF_CHECK maps simulated crowds with the list-mode estimator and the radio it fits; "
                             "with ESTIMATOR = counts there is none. Choose the list-mode estimator or turn "
                             "SELF_CHECK off.")
        aps, crs = read_access_points(self, parameters, context)
        table = read_radio_table(self, parameters, context)
        emission_field = self.field(parameters, params.EMISSION_FIELD, context)
        ap_ids, rss, extra = read_ap_and_rss(self, parameters, context, self.progress(feedback, 0.0, 5.0),
                                             extra_fields=(emission_field,))
        emission = extra.get(emission_field)
        if emission is None:
            emission = self._grouped_emissions(parameters, context, feedback, emission_field)
        if table is not None:
            outdoor_ids = set(np.asarray(aps.ids)[~aps.indoor].astype(str))
            uses = "A, n, sigma and every gain" if estimator == COUNTS else \
                "the whole radio (A, n, sigma, every gain and reception)"
            report_radio_table(table, aps, [i for i in np.unique(ap_ids.astype(str)) if i in outdoor_ids], feedback,
                               uses)
        support = read_shapes(self, parameters, SUPPORT, context, crs) if is_given(parameters, SUPPORT) else None
        common = dict(floor=self.optional_double(parameters, FLOOR, context),
                      emissions=self.optional_double(parameters, EMISSIONS, context), support=support,
                      exclusions=read_shapes(self, parameters, EXCLUSIONS, context, crs),
                      iterations=self.parameterAsInt(parameters, ITERATIONS, context),
                      sieve=self.parameterAsDouble(parameters, SIEVE, context),
                      progress=self.progress(feedback, 5.0, 60.0 if checking else 90.0))
        grid_for = lambda outdoor: output_grid(self, parameters, context, outdoor, crs)  # noqa: E731
        args = (ap_ids, rss, emission, aps, self._x(parameters, context), grid_for)
        a, n, sigma = (self.parameterAsDouble(parameters, name, context)
                       for name in (params.A, params.N, params.SIGMA_RSS))
        if estimator == COUNTS:
            if table is not None:
                a, n, sigma = table.a, table.n, table.sigma
            result = ml_client_map(*args, a, n, sigma, gains=None if table is None else
                                   table.gains_for(aps, determined_only=False), **common)
        else:
            radio = table.radio_for if table is not None else \
                None if self.parameterAsBoolean(parameters, CALIBRATE, context) else given_radio(a, n, sigma)
            result = listmode_client_map(
                *args, radio=radio, n=n, gains=self.parameterAsBoolean(parameters, GAINS, context),
                reception=RECEPTIONS[self.parameterAsEnum(parameters, RECEPTION, context)],
                stderr=self.parameterAsBoolean(parameters, STDERR, context), **common)
        outputs = self._map_outputs(parameters, context, feedback, result, estimator, table)
        outdoor_aps = without_indoor_aps(ap_ids, aps)[1]
        used = self._radio_used(result, outdoor_aps, ap_ids, table, (a, n, sigma))
        outputs[RADIO_OUTPUT] = write_radio_table(self, parameters, context, RADIO_OUTPUT, used, outdoor_aps, crs,
                                                  self.progress(feedback, 90.0, 92.0))
        if checking:
            outputs[SELF_CHECK_OUTPUT] = self._self_check(parameters, context, feedback, aps, result, n, crs)
        return outputs

    def _map_outputs(self, parameters, context, feedback, result, estimator, table):
        if result.left_out:
            feedback.pushInfo(f"Left out {result.left_out} PRs of indoor APs (the model has no walls).")
        estimate, grid = result.estimate, result.density.grid
        feedback.pushInfo(f"{result.prs} PRs, {result.emissions:g} emissions, X = {result.x:g}: {result.clients:.4g} "
                          f"clients on {grid.width} x {grid.height} pixels of {grid.pixel:g} m "
                          f"(model cells {estimate.emissions.tags['MODEL_CELL']:g} m, {estimate.iterations} "
                          f"iterations, {estimator} estimator).")
        tags = result.density.tags
        fit = getattr(estimate, "fit", None)
        outputs = {params.OUTPUT: write_density_param(self, parameters, params.OUTPUT, context, result.density),
                   "CLIENTS": result.clients, EMISSIONS: result.emissions, X: result.x, "PRS": result.prs,
                   "EMISSIONS_MADE": estimate.emissions.mass(), "FITTED_A": float(tags["A"]),
                   "FITTED_N": float(tags["N"]), params.SIGMA_RSS: float(tags["SIGMA_RSS"])}
        if fit is None:
            source = "the radio table's radio" if table is not None else "A, n and sigma as given"
            calibration = f"{NOT_CALIBRATED}: mapped with {source}."
            feedback.pushInfo(f"Radio not calibrated: mapped with {source}.")
            outputs.update({params.A: float(tags["A"]), params.N: float(tags["N"]), "A_STDERR": float("nan"),
                            "N_STDERR": float("nan")})
        else:
            calibration = f"{fit.status}: {fit.message}"
            if fit.accepted:
                feedback.pushInfo(f"Radio calibration {calibration}")
            else:  # an expected outcome, not an error: the map goes on with the fitted radio
                feedback.pushWarning(f"Radio calibration {calibration}")
            outputs.update({params.A: fit.a, params.N: fit.n, "A_STDERR": fit.stderr["a"],
                            "N_STDERR": fit.stderr["n"]})
        outputs["CALIBRATION"] = calibration
        outputs[PR_OUTPUT] = write_density_param(self, parameters, PR_OUTPUT, context, estimate.prs) \
            if is_given(parameters, PR_OUTPUT) else None
        return outputs

    @staticmethod
    def _radio_used(result, outdoor_aps, ap_ids, table, given):
        """The RadioTable of the radio the map used, over the outdoor APs, with the PRs each heard here."""
        prs = prs_heard(ap_ids, outdoor_aps)
        estimate = result.estimate
        fit = getattr(estimate, "fit", None)
        if fit is not None:
            return RadioTable.of_fit(fit, outdoor_aps.ids, prs)
        if table is not None:
            return table.over(outdoor_aps, prs)
        # the counts' model has no reception probability (a common one only scales the density)
        radio = getattr(estimate, "radio", None) or \
            Radio.make(*given, len(outdoor_aps), float(estimate.emissions.tags["FLOOR"]), reception=1.0)
        return RadioTable.of_radio(radio, outdoor_aps.ids, prs)

    def _self_check(self, parameters, context, feedback, aps, result, n, crs):
        estimate = result.estimate
        check = self_check(aps, estimate.radio, estimate.emissions, result.emissions, result.x, result.density.grid,
                           n=n, gains=self.parameterAsBoolean(parameters, GAINS, context),
                           progress=self.progress(feedback, 60.0, 99.0))
        feedback.pushInfo(f"Self-check: {check.message}")
        twins = check.twins
        columns = {"shape": np.array([t.shape for t in twins], dtype=object),
                   "clients": np.array([t.clients for t in twins], dtype=np.int64),
                   "r": np.array([t.r for t in twins]), "count_error": np.array([t.count_error for t in twins]),
                   "made_error": np.array([t.made_error for t in twins]),
                   "a": np.array([t.radio.a for t in twins]), "n": np.array([t.radio.n for t in twins]),
                   "status": np.array([t.status for t in twins], dtype=object)}
        return write_table(self, parameters, context, SELF_CHECK_OUTPUT, columns, self.progress(feedback, 99.0, 100.0))

    def _grouped_emissions(self, parameters, context, feedback, field):
        """Emission id per PR for a table without an emission field: grouped here (same MAC, TOLERANCE)."""
        feedback.pushInfo(f"No '{field}' field: grouping PRs into emissions (same MAC within TOLERANCE).")
        probes = read_probes(self, parameters, context)
        emission, _ = group_emissions(probes.time, probes.ap_id, probes.mac,
                                      self.parameterAsDouble(parameters, params.TOLERANCE, context))
        return emission

    def _x(self, parameters, context):
        if is_given(parameters, X):
            return self.parameterAsDouble(parameters, X, context)  # client_density rejects X <= 0
        return window_x(self.parameterAsDouble(parameters, params.X_DAY, context),
                        self.parameterAsDouble(parameters, params.WINDOW_HOURS, context))
