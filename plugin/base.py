"""The shared base of every wifidensity algorithm: name, group, help, icon, error handling."""
from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..algorithms.core.errors import Cancelled, InputError
from .feedback import FeedbackProgress
from .paths import HELP_DIR, ICON_DIR


def is_given(parameters, name):
    """True when the user set parameter ``name`` (optional parameters arrive missing, None or '')."""
    return parameters.get(name) not in (None, "")


PROBE_FIELDS = {  # field parameter: (label, default field name = the standard output name of preprocess)
    "TIME_FIELD": ("Time field", "time"), "AP_FIELD": ("AP id field", "ap_id"), "MAC_FIELD": ("MAC field", "mac"),
    "RSS_FIELD": ("RSS field (dBm)", "rss"),
    "EMISSION_FIELD": ("Emission id field (grouped here when absent)", "emission"),
}


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

    def add_probe_table(self, fields, description="Probe request table", labels=None):
        """INPUT (any table) and its field parameters, e.g. ("AP_FIELD", "RSS_FIELD"), with the standard defaults.

        The field parameters are optional so their defaults apply: QGIS refuses a missing required field value.
        """
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", self.tr(description), [QgsProcessing.TypeVector]))
        for name in fields:
            label, default = PROBE_FIELDS[name]
            label = (labels or {}).get(name, label)
            self.addParameter(QgsProcessingParameterField(name, self.tr(label), default, "INPUT", optional=True))

    def add_access_points(self, description="Access points", optional=False, indoor=False):
        """APS (points) with AP_ID_FIELD and, when ``indoor``, INDOOR_FIELD."""
        self.addParameter(QgsProcessingParameterFeatureSource(
            "APS", self.tr(description), [QgsProcessing.TypeVectorPoint], optional=optional))
        self.addParameter(QgsProcessingParameterField(
            "AP_ID_FIELD", self.tr("AP id field of the AP layer"), "ap_id", "APS", optional=True))
        if indoor:
            self.addParameter(QgsProcessingParameterField(
                "INDOOR_FIELD", self.tr("Indoor flag field of the AP layer"), "indoor", "APS", optional=True))

    def optional_double(self, parameters, name, context):
        """The number of optional parameter ``name``, or None when it is not given."""
        return self.parameterAsDouble(parameters, name, context) if is_given(parameters, name) else None

    @staticmethod
    def progress(feedback, start=0.0, end=100.0):
        """A Progress for the science that fills [start, end] % of the bar and honours cancel."""
        return FeedbackProgress(feedback, start, end)
