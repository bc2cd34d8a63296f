"""wifidensity:mldensity — maximum-likelihood client density, beyond the paper (science in algorithms/mldensity.py)."""
from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterRasterDestination

from ...algorithms.counting import DEFAULT_X_DAY, window_x
from ...algorithms.emissions import group_emissions
from ...algorithms.mldensity import DEFAULT_ITERATIONS, DEFAULT_SIEVE, ml_client_map
from .. import parameters as params
from .. import qgis_enums
from ..base import WifiDensityAlgorithm, is_given
from ..density_io import output_grid, write_density_param
from ..layers import read_access_points, read_shapes
from ..probe_tables import read_ap_and_rss, read_probes

FLOOR, X, EMISSIONS, ITERATIONS, SIEVE = "FLOOR", "X", "EMISSIONS", "ITERATIONS", "SIEVE"
SUPPORT, EXCLUSIONS, PR_OUTPUT = "SUPPORT", "EXCLUSIONS", "PR_OUTPUT"


class MLDensityAlgorithm(WifiDensityAlgorithm):
    NAME = "mldensity"
    DISPLAY_NAME = "Maximum-likelihood client density"
    GROUP_ID = "beyond"
    EXTRA_TAGS = ("maximum likelihood", "MLEM", "tomography", "raster")

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
        self.add_path_loss()
        self.addParameter(params.number(
            FLOOR, self.tr("Receivers' floor (dBm; default: the weakest RSS heard)"), optional=True, advanced=True))
        self.addParameter(params.number(
            params.X_DAY, self.tr("X_DAY: emissions per client per day"), DEFAULT_X_DAY, minimum=0.0,
            help_text=self.tr("X for the window is X_DAY x WINDOW_HOURS / 24 (the Counting tool's X12).")))
        self.addParameter(params.number(params.WINDOW_HOURS, self.tr("Window length (hours)"), 3.0, minimum=0.0))
        self.addParameter(params.number(
            X, self.tr("X: emissions per client in the window (default: X_DAY x WINDOW_HOURS / 24)"),
            optional=True, minimum=0.0, advanced=True))
        self.addParameter(params.number(
            EMISSIONS, self.tr("Emissions (default: counted in the table)"), optional=True, minimum=0.0,
            advanced=True))
        self.addParameter(params.number(ITERATIONS, self.tr("MLEM iterations"), DEFAULT_ITERATIONS, integer=True,
                                        minimum=1, advanced=True))
        self.addParameter(params.number(
            SIEVE, self.tr("Sieve (resolution) width (m; 0 = plain MLEM)"), DEFAULT_SIEVE, minimum=0.0,
            advanced=True, help_text=self.tr("Bounds the map's resolution to what the RSS noise allows.")))
        self.addParameter(params.source(
            SUPPORT, self.tr("Where clients can be (polygons, e.g. the fiducial region)"), [qgis_enums.POLYGONS],
            optional=True))
        self.addParameter(params.source(EXCLUSIONS, self.tr("Exclusion zones (polygons)"), [qgis_enums.POLYGONS],
                                        optional=True))
        self.add_output_grid()
        self.addParameter(QgsProcessingParameterRasterDestination(params.OUTPUT,
                                                                  self.tr("Client density (clients/m²)")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            PR_OUTPUT, self.tr("PR density of the fitted model (PRs/m²)"), optional=True, createByDefault=False))
        for name, label in (("CLIENTS", "Clients (EMISSIONS / X)"), (EMISSIONS, "Emissions used"),
                            (X, "X used"), ("PRS", "PRs used"),
                            ("EMISSIONS_MADE", "Emissions made, heard or not (the model's own estimate)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def execute(self, parameters, context, feedback):
        aps, crs = read_access_points(self, parameters, context)
        emission_field = self.field(parameters, params.EMISSION_FIELD, context)
        ap_ids, rss, extra = read_ap_and_rss(self, parameters, context, self.progress(feedback, 0.0, 5.0),
                                             extra_fields=(emission_field,))
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
        probes = read_probes(self, parameters, context)
        emission, _ = group_emissions(probes.time, probes.ap_id, probes.mac,
                                      self.parameterAsDouble(parameters, "TOLERANCE", context))
        return emission

    def _x(self, parameters, context):
        if is_given(parameters, "X"):
            return self.parameterAsDouble(parameters, "X", context)  # client_density rejects X <= 0
        return window_x(self.parameterAsDouble(parameters, "X_DAY", context),
                        self.parameterAsDouble(parameters, "WINDOW_HOURS", context))

