"""Cancel stops a run promptly and leaves no output behind, whether it comes while the table is read, while the
science runs or while the output is being written."""
import pytest
from qgis.core import QgsProcessingFeedback

from wifidensity.plugin.paths import SAMPLE_DIR


class CancelAt(QgsProcessingFeedback):
    """Cancels as soon as the progress bar reaches ``percent``; records how far it went."""

    def __init__(self, percent):
        super().__init__()
        self.percent = percent
        self.highest = 0.0
        self.progressChanged.connect(self._moved)

    def _moved(self, progress):
        self.highest = max(self.highest, progress)
        if progress >= self.percent:
            self.cancel()


@pytest.mark.parametrize("percent", [5, 40, 75])
def test_a_cancelled_preprocess_writes_nothing(provider, tmp_path, percent):
    import processing
    feedback = CancelAt(percent)
    output = tmp_path / "out.gpkg"
    result = processing.run("wifidensity:preprocess", {"INPUT": str(SAMPLE_DIR / "probes.csv"),
                                                       "OUTPUT": str(output)}, feedback=feedback)
    assert feedback.isCanceled() and result == {}
    assert feedback.highest < percent + 35, "the run went on long after the cancel"
    assert not output.exists() and list(tmp_path.iterdir()) == []


def test_a_cancelled_bowl_writes_no_raster(provider, tmp_path):
    import processing
    feedback = CancelAt(50)
    output = tmp_path / "bowl.tif"
    result = processing.run("wifidensity:bowl", {"INPUT": str(SAMPLE_DIR / "probes.csv"),
                                                 "APS": str(SAMPLE_DIR / "aps.geojson"), "PIXEL_SIZE": 2,
                                                 "OUTPUT": str(output)}, feedback=feedback)
    assert result == {} and not output.exists()
