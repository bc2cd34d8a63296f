"""The shared base of every wifidensity algorithm: name, group, help, icon, error handling."""
from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..algorithms.errors import Cancelled, InputError
from .feedback import FeedbackProgress
from .paths import HELP_DIR, ICON_DIR


class WifiDensityAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY_NAME, GROUP_ID and implement initAlgorithm and execute().

    The help shown in the dialog is ``resources/help/<NAME>.html``. InputError raised by the science
    becomes a QgsProcessingException; a cancel stops the run with no outputs.
    """

    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "tools"
    GROUPS = {
        "tools": "1. Paper toolkit",
        "beyond": "2. Beyond the paper",
        "data": "3. Data and simulation",
    }

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802 (QGIS API names)
        return self.tr(self.DISPLAY_NAME)

    def group(self):
        return self.tr(self.GROUPS[self.GROUP_ID])

    def groupId(self):  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self):  # noqa: N802
        page = HELP_DIR / f"{self.NAME}.html"
        return page.read_text(encoding="utf-8") if page.exists() else ""

    def icon(self):
        specific = ICON_DIR / f"{self.NAME}.svg"
        return QIcon(str(specific if specific.exists() else ICON_DIR / "wifidensity.svg"))

    def tr(self, text):
        return QCoreApplication.translate("wifidensity", text)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            return self.execute(parameters, context, feedback)
        except InputError as error:
            raise QgsProcessingException(f"{self.displayName()}: {error}") from None
        except Cancelled:
            feedback.pushInfo("Cancelled by the user: no output was written.")
            return {}

    def execute(self, parameters, context, feedback):
        """The algorithm's work; returns the outputs dict. (Not ``run``: QgsProcessingAlgorithm.run is
        what processing.run calls, and overriding it breaks every algorithm.)"""
        raise NotImplementedError

    @staticmethod
    def progress(feedback, start=0.0, end=100.0):
        """A Progress for the science that fills [start, end] % of the bar and honours cancel."""
        return FeedbackProgress(feedback, start, end)
