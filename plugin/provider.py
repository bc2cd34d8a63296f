"""The `wifidensity` Processing provider: one algorithm per tool of the paper."""
from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algs.bowl import BowlAlgorithm
from .algs.count import CountAlgorithm
from .algs.drilldown import DrilldownAlgorithm
from .algs.fiducial import FiducialAlgorithm
from .algs.filter import FilterAlgorithm
from .algs.importcaptures import ImportCapturesAlgorithm
from .algs.localize import LocalizeAlgorithm
from .algs.mldensity import MLDensityAlgorithm
from .algs.preprocess import PreprocessAlgorithm
from .algs.presence import PresenceAlgorithm
from .algs.reassemble import ReassembleAlgorithm
from .algs.renormalize import RenormalizeAlgorithm
from .algs.score import ScoreAlgorithm
from .algs.season import SeasonAlgorithm
from .algs.simulate import SimulateAlgorithm
from .paths import ICON_DIR, MODEL_DIR
from .shipped_model import read_model

ALGORITHMS = [
    BowlAlgorithm,
    RenormalizeAlgorithm,
    DrilldownAlgorithm,
    ReassembleAlgorithm,
    CountAlgorithm,
    PreprocessAlgorithm,
    FilterAlgorithm,
    LocalizeAlgorithm,
    FiducialAlgorithm,
    SimulateAlgorithm,
    ImportCapturesAlgorithm,
    PresenceAlgorithm,
    MLDensityAlgorithm,
    ScoreAlgorithm,
    SeasonAlgorithm,
]


class WifiDensityProvider(QgsProcessingProvider):
    """Registers every tool as ``wifidensity:<name>``."""

    def id(self):
        return "wifidensity"

    def name(self):
        return "WiFi client density"

    def longName(self):  # noqa: N802
        return "WiFi client density (Yang, Ahriz & Denby 2023)"

    def icon(self):
        return QIcon(str(ICON_DIR / "wifidensity.svg"))

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
        for path in sorted(MODEL_DIR.glob("*.model3")):
            model = read_model(path)
            if model is None:
                QgsMessageLog.logMessage(f"Cannot read the shipped model {path}", "wifidensity",
                                         Qgis.MessageLevel.Warning)
                continue
            model.setSourceFilePath(str(path))
            self.addAlgorithm(model)  # exposed as wifidensity:<model name>
