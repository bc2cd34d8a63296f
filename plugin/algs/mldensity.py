"""wifidensity:mldensity — maximum-likelihood client density (issue 7; science in algorithms/mldensity.py)."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterCrs,
                       QgsProcessingParameterExtent, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination)

from ...algorithms.bowl import DEFAULT_MARGIN
from ...algorithms.counting import DEFAULT_X_DAY, window_x
from ...algorithms.emissions import group_emissions
from ...algorithms.mldensity import DEFAULT_ITERATIONS, DEFAULT_SIEVE, ml_client_map
from ...algorithms.pathloss import DEFAULT_A, DEFAULT_N, DEFAULT_SIGMA_RSS
from ..base import WifiDensityAlgorithm, is_given
from ..layers import read_access_points, read_shapes
from ..rasters import output_grid, write_density_param
from ..tables import read_ap_and_rss, read_probes

DOUBLE, INTEGER = QgsProcessingParameterNumber.Double, QgsProcessingParameterNumber.Integer


class MLDensityAlgorithm(WifiDensityAlgorithm):
    NAME = "mldensity"
    DISPLAY_NAME = "Maximum-likelihood client density"
    GROUP_ID = "beyond"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add_probe_table(("AP_FIELD", "RSS_FIELD", "EMISSION_FIELD", "TIME_FIELD", "MAC_FIELD"),
                             "Probe request table (Preprocessing's CR output)",
                             {"EMISSION_FIELD": "Emission id field",
                              "TIME_FIELD": "Time field (only without an emission field)",
                              "MAC_FIELD": "MAC field (only without an emission field)"})
        self.addParameter(QgsProcessingParameterNumber(
            "TOLERANCE", self.tr("Emission grouping tolerance (s; only without an emission field)"), DOUBLE, 2.0,
            minValue=0.0))
        self.add_access_points("Access points (indoor-flagged APs and their PRs are left out)", indoor=True)
        for name, label, default in (("A", "A: RSS at 1 m (dBm)", DEFAULT_A), ("N", "n: path-loss exponent", DEFAULT_N),
                                     ("SIGMA_RSS", "RSS noise sigma (dB)", DEFAULT_SIGMA_RSS)):
            self.addParameter(QgsProcessingParameterNumber(name, self.tr(label), DOUBLE, default))
        self.addParameter(QgsProcessingParameterNumber(
            "FLOOR", self.tr("Receivers' floor (dBm; default: the weakest RSS heard)"), DOUBLE, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "X", self.tr("X: emissions per client in the window (default: X_DAY x WINDOW_HOURS / 24)"), DOUBLE,
            optional=True))
        self.addParameter(QgsProcessingParameterNumber("X_DAY", self.tr("X_DAY: per client per day"), DOUBLE,
                                                       DEFAULT_X_DAY))
        self.addParameter(QgsProcessingParameterNumber(
            "WINDOW_HOURS", self.tr("Window length (hours)"), DOUBLE, 3.0))
        self.addParameter(QgsProcessingParameterNumber(
            "EMISSIONS", self.tr("Emissions (default: counted in the table)"), DOUBLE, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "ITERATIONS", self.tr("MLEM iterations"), INTEGER, DEFAULT_ITERATIONS, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            "SIEVE", self.tr("Sieve (resolution) width (m; 0 = plain MLEM)"), DOUBLE, DEFAULT_SIEVE, minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "SUPPORT", self.tr("Where clients can be (polygons, e.g. the fiducial region)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "EXCLUSIONS", self.tr("Exclusion zones (polygons)"), [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterNumber("PIXEL_SIZE", self.tr("Pixel size (m)"), DOUBLE, 1.0))
        self.addParameter(QgsProcessingParameterExtent(
            "EXTENT", self.tr("Output extent (default: the APs' extent plus the margin)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "MARGIN", self.tr("Margin around the APs (m)"), DOUBLE, DEFAULT_MARGIN))
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", self.tr("Output CRS (default: the AP layer's, or its UTM zone if in degrees)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", self.tr("Client density (clients/m²)")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "PR_OUTPUT", self.tr("PR density of the fitted model (PRs/m²)"), optional=True, createByDefault=False))
        for name, label in (("CLIENTS", "Clients (EMISSIONS / X)"), ("EMISSIONS", "Emissions used"),
                            ("X", "X used"), ("PRS", "PRs used"),
                            ("EMISSIONS_MADE", "Emissions made, heard or not (the model's own estimate)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        aps, crs = read_access_points(self, parameters, context)
        emission_field = self.parameterAsString(parameters, "EMISSION_FIELD", context) or "emission"
        ap_ids, rss, extra = read_ap_and_rss(self, parameters, context, feedback, extra_fields=(emission_field,))
        emission = extra.get(emission_field)
        if emission is None:
            emission = self._grouped_emissions(parameters, context, feedback, emission_field)
        support = read_shapes(self, parameters, "SUPPORT", context, crs) if is_given(parameters, "SUPPORT") else None
        result = ml_client_map(
            ap_ids, rss, emission, aps, self._x(parameters, context),
            lambda outdoor: output_grid(self, parameters, context, outdoor, crs),
            self.parameterAsDouble(parameters, "A", context), self.parameterAsDouble(parameters, "N", context),
            self.parameterAsDouble(parameters, "SIGMA_RSS", context),
            floor=self.optional_double(parameters, "FLOOR", context),
            emissions=self.optional_double(parameters, "EMISSIONS", context), support=support,
            exclusions=read_shapes(self, parameters, "EXCLUSIONS", context, crs),
            iterations=self.parameterAsInt(parameters, "ITERATIONS", context),
            sieve=self.parameterAsDouble(parameters, "SIEVE", context), progress=self.progress(feedback, 0.0, 90.0))
        if result.left_out:
            feedback.pushInfo(f"Left out {result.left_out} PRs of indoor APs (the model has no walls).")
        estimate, grid = result.estimate, result.density.grid
        feedback.pushInfo(f"{result.prs} PRs, {result.emissions:g} emissions, X = {result.x:g}: {result.clients:.4g} "
                          f"clients on {grid.width} x {grid.height} pixels of {grid.pixel:g} m "
                          f"(model cells {estimate.emissions.tags['MODEL_CELL']:g} m, {estimate.iterations} "
                          f"iterations).")
        outputs = {"OUTPUT": write_density_param(self, parameters, "OUTPUT", context, result.density),
                   "CLIENTS": result.clients, "EMISSIONS": result.emissions, "X": result.x, "PRS": result.prs,
                   "EMISSIONS_MADE": estimate.emissions.mass()}
        if is_given(parameters, "PR_OUTPUT"):
            outputs["PR_OUTPUT"] = write_density_param(self, parameters, "PR_OUTPUT", context, estimate.prs)
        return outputs

    def _grouped_emissions(self, parameters, context, feedback, field):
        """Emission id per PR for a table without an emission field: grouped here (same MAC, TOLERANCE)."""
        feedback.pushInfo(f"No '{field}' field: grouping PRs into emissions (same MAC within TOLERANCE).")
        probes = read_probes(self, parameters, context, feedback)
        emission, _ = group_emissions(probes.time, probes.ap_id, probes.mac,
                                      self.parameterAsDouble(parameters, "TOLERANCE", context))
        return emission

    def _x(self, parameters, context):
        if is_given(parameters, "X"):
            return self.parameterAsDouble(parameters, "X", context)  # client_density rejects X <= 0
        return window_x(self.parameterAsDouble(parameters, "X_DAY", context),
                        self.parameterAsDouble(parameters, "WINDOW_HOURS", context))

