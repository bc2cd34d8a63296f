"""The season's progress bar: it never goes back and ends at 100."""
from itertools import pairwise

from wifidensity.plugin.paths import SAMPLE_DIR


def test_a_season_s_progress_never_goes_back_and_ends_at_100(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback

    class Recorder(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.values = []
            self.progressChanged.connect(self.values.append)

    feedback = Recorder()
    result = processing.run("wifidensity:season", {
        "PROBES": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
        "START": "2024-06-01T10:00:00", "END": "2024-06-01T12:00:00", "WINDOW_HOURS": 1, "WORKERS": 0, "X_DAY": 270,
        "OUTPUT_FOLDER": str(tmp_path / "season"), "TABLE": str(tmp_path / "season.csv"),
        "CHART": str(tmp_path / "season.png")}, feedback=feedback)
    assert result["COMPUTED"] == 2
    values = feedback.values
    assert values, "the season reported no progress"
    assert all(later >= earlier for earlier, later in pairwise(values)), values
    assert values[-1] == 100, values
