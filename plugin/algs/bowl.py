"""wifidensity:bowl — the Bowl tool, paper §4.2 (science in algorithms/paper/bowl.py and algorithms/paper/radial.py)."""
from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterRasterDestination

from ...algorithms.paper.bowl import bowl
from .. import parameters as params
from ..base import WifiDensityAlgorithm
from ..io.density_io import output_grid, write_density_param
from ..io.layers import read_access_points
from ..io.probe_tables import read_ap_and_rss
from ..io.radio_io import read_radio_table, report_radio_table


class BowlAlgorithm(WifiDensityAlgorithm):
    NAME = "bowl"
    DISPLAY_NAME = "3. Bowl (PR density rings)"
    EXTRA_TAGS = ("rings", "raster", "kernel density")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS API)
        self.add_probe_table((params.AP_FIELD, params.RSS_FIELD))
        self.add_access_points()
        self.add_path_loss()
        self.addParameter(params.radio_table(self.tr(
            "A radio table (the maximum-likelihood tool's RADIO_OUTPUT, or made by hand): its A, n and sigma are "
            "used and the RSS of each AP is corrected by its determined gain; A, N and SIGMA_RSS are then not "
            "used.")))
        self.add_output_grid()
        self.addParameter(QgsProcessingParameterRasterDestination(params.OUTPUT, self.tr("PR density (PRs/m²)")))
        self.addOutput(QgsProcessingOutputNumber("TOTAL", self.tr("Total PR mass (P)")))
        self.addOutput(QgsProcessingOutputNumber("MASS_OUTSIDE", self.tr("PR mass outside the extent")))

    def execute(self, parameters, context, feedback):
        ap_ids, rss, _ = read_ap_and_rss(self, parameters, context, self.progress(feedback, 0.0, 10.0))
        aps, crs = read_access_points(self, parameters, context)
        table = read_radio_table(self, parameters, context)
        if table is None:
            model = [self.parameterAsDouble(parameters, name, context)
                     for name in (params.A, params.N, params.SIGMA_RSS)] + [None]
        else:
            report_radio_table(table, aps, ap_ids, feedback, "A, n, sigma and the determined gains")
            model = [table.a, table.n, table.sigma, table.gains_for(aps)]
        grid = output_grid(self, parameters, context, aps, crs)
        feedback.pushInfo(f"{len(rss)} PRs at {len(aps)} APs onto {grid.width} x {grid.height} pixels "
                          f"of {grid.pixel:g} m in {crs.authid() or crs.description()}.")
        density = bowl(ap_ids, rss, aps, grid, *model, progress=self.progress(feedback, 10.0, 95.0))
        total, outside = float(density.tags["TOTAL"]), float(density.tags["MASS_OUTSIDE"])
        feedback.pushInfo(f"Total {total:g} PRs, of which {outside:.4g} fell outside the extent.")
        path = write_density_param(self, parameters, params.OUTPUT, context, density)
        return {params.OUTPUT: path, "TOTAL": total, "MASS_OUTSIDE": outside}
