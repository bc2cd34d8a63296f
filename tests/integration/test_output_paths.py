"""Two outputs on one path: which destinations count as one path (the bad-input suite runs the tools)."""
import sys

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterDestination,
)

from wifidensity.plugin.io.destinations import distinct_outputs_problem, shared_destination

DEFINITIONS = [QgsProcessingParameterFeatureSink("DAYS"), QgsProcessingParameterFeatureSink("FLOWS"),
               QgsProcessingParameterRasterDestination("MAP"), QgsProcessingParameterFileDestination("CHART")]


def test_one_file_under_two_spellings_is_one_path(tmp_path):
    given = {"DAYS": str(tmp_path / "d.gpkg"), "FLOWS": QgsProcessingOutputLayerDefinition(
        str(tmp_path / "sub" / ".." / "d.gpkg")), "MAP": str(tmp_path / "m.tif")}
    assert shared_destination(DEFINITIONS, given)[:2] == ("DAYS", "FLOWS")
    message = distinct_outputs_problem(DEFINITIONS, given)
    assert message.startswith("DAYS and FLOWS are both set to ") and message.endswith("Give each output its own file.")


def test_temporary_memory_unnamed_and_distinct_layers_are_not_shared(tmp_path):
    temporary = QgsProcessing.TEMPORARY_OUTPUT
    assert shared_destination(DEFINITIONS, {"DAYS": temporary, "FLOWS": temporary, "MAP": "", "CHART": None}) is None
    assert shared_destination(DEFINITIONS, {"DAYS": "memory:", "FLOWS": "memory:"}) is None
    gpkg = tmp_path / "all.gpkg"
    assert shared_destination(DEFINITIONS, {"DAYS": f"{gpkg}|layername=days", "FLOWS": f"{gpkg}|layername=flows"}) \
        is None
    if sys.platform == "linux":  # case matters to its file systems
        assert shared_destination(DEFINITIONS, {"MAP": str(tmp_path / "a.tif"), "CHART": str(tmp_path / "A.tif")}) \
            is None
    assert distinct_outputs_problem(DEFINITIONS, {"MAP": str(tmp_path / "a.tif"), "CHART": str(tmp_path / "a.tif")})
