"""The shared base of every wifidensity algorithm: name, group, help, icon, parameters, errors and clean failure."""
import gc
import importlib
import os
import re
import traceback

from qgis.core import QgsCsException, QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterNumber
from qgis.PyQt.QtCore import QCoreApplication, QUrl
from qgis.PyQt.QtGui import QIcon

from ..algorithms.core.errors import Cancelled, InputError
from ..algorithms.core.optional import install_hint
from . import parameters as params
from .feedback import FeedbackProgress
from .io.columns import without_token_lists
from .io.destinations import distinct_outputs_problem
from .parameters import is_given
from .paths import HELP_DIR, ICON_DIR

GROUPS = {"tools": "1. Paper toolkit", "beyond": "2. Beyond the paper", "data": "3. Data and simulation",
          "pipeline": "Pipeline"}
TAGS = ["wifi", "probe requests", "mac randomization", "density", "crowd", "occupancy", "heatmap"]


def help_page(name):
    """The help page resources/help/<name>.html as the dialog shows it: each paragraph on one line (the dialog
    turns every source line break into a paragraph break), without the page's leading title (the dialog heads
    the panel with the tool's name already) and its link to references.html made absolute (the panel has no
    base folder; a browser opening the page from helpUrl() follows the relative link)."""
    page = HELP_DIR / f"{name}.html"
    if not page.exists():
        return ""
    text = " ".join(line.strip() for line in page.read_text(encoding="utf-8").splitlines())
    text = re.sub(r"^\s*<h3>.*?</h3>\s*", "", text, count=1)
    return text.replace('href="references.html"',
                        f'href="{QUrl.fromLocalFile(str(HELP_DIR / "references.html")).toString()}"')


def help_url(name):
    """The file URL of resources/help/<name>.html (the dialog's Help button opens it), or '' without that page."""
    page = HELP_DIR / f"{name}.html"
    return QUrl.fromLocalFile(str(page)).toString() if page.exists() else ""


class WifiDensityAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY_NAME, GROUP_ID (and NEEDS, the optional libraries they import), and
    implement initAlgorithm and execute().

    The help shown in the dialog is ``resources/help/<NAME>.html``. InputError raised by the science becomes a
    QgsProcessingException; so does every other failure, in words, never as a traceback. A failed or cancelled
    run leaves no output behind: files an output parameter created are removed. Two outputs given one path are
    refused before any work.
    """

    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "tools"
    NEEDS = ("numpy", "scipy", "shapely", "rasterio", "pyproj")
    EXTRA_TAGS = ()
    TOKEN_LISTS = ()  # optional table parameters that also take a plain text file of tokens, one per line
    CANCEL_MESSAGE = "Cancelled by the user: no output was written."  # a subclass whose finished work stays says so

    def __init__(self):
        super().__init__()
        self._written = {}

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802 (QGIS API names)
        return self.tr(self.DISPLAY_NAME)

    def group(self):
        return self.tr(GROUPS[self.GROUP_ID])

    def groupId(self):  # noqa: N802
        return self.GROUP_ID

    def tags(self):
        return [self.tr(tag) for tag in (*TAGS, *self.EXTRA_TAGS)]

    def shortHelpString(self):  # noqa: N802
        return help_page(self.NAME)

    def helpUrl(self):  # noqa: N802
        return help_url(self.NAME)

    def icon(self):
        specific = ICON_DIR / f"{self.NAME}.svg"
        return QIcon(str(specific if specific.exists() else ICON_DIR / "wifidensity.svg"))

    def tr(self, text):
        return QCoreApplication.translate("wifidensity", text)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def canExecute(self):  # noqa: N802
        """False, with what to install, when a library the tool needs cannot be imported."""
        for module in self.NEEDS:
            try:
                importlib.import_module(module)
            except ImportError:
                return False, self.tr(f"{self.displayName()} needs the Python package '{module}'. "
                                      f"Install {install_hint(module)} and restart QGIS.")
        return True, ""

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's own checks, with numbers out of range explained (QGIS says only 'Incorrect parameter value'),
        and a plain list of tokens accepted where the tool reads one (QGIS cannot open it as a layer)."""
        for definition in self.parameterDefinitions():
            problem = _out_of_range(definition, parameters.get(definition.name()))
            if problem:
                return False, self.tr(problem)
        return super().checkParameterValues(without_token_lists(parameters, self.TOKEN_LISTS), context)

    # ----- running -----
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self._written = {}
        try:
            clash = distinct_outputs_problem(self.destinationParameterDefinitions(), parameters)
            if clash:  # before any work: one output would overwrite the other
                raise InputError(clash)
            outputs = self.execute(parameters, context, feedback)
            if feedback is not None and feedback.isCanceled():  # a cancel during the last write: nothing stays
                raise Cancelled()
            if feedback is not None:  # done: the bar ends full, whatever share the last steps were given
                feedback.setProgress(100.0)
            return outputs
        except Cancelled as cancel:
            self._discard_outputs(feedback, cancel)
            feedback.pushInfo(self.tr(self.CANCEL_MESSAGE))
            return {}
        except BaseException as error:  # every failure ends in words, with nothing half-written left behind
            self._discard_outputs(feedback, error)
            raise QgsProcessingException(self._message(error)) from None

    def _message(self, error):
        if isinstance(error, InputError):
            return f"{self.displayName()}: {error}"
        if isinstance(error, QgsCsException):
            return (f"{self.displayName()}: a coordinate could not be transformed ({error}). Check that each "
                    "layer's CRS is set right (Layer Properties > Source): projected coordinates in a layer "
                    "that claims degrees are outside its CRS's range.")
        if isinstance(error, MemoryError):
            return f"{self.displayName()}: not enough memory; raise PIXEL_SIZE, shrink the extent or the window."
        if isinstance(error, OSError):
            return f"{self.displayName()}: a file could not be read or written ({error}); check the paths."
        if isinstance(error, QgsProcessingException):
            return str(error)
        return (f"{self.displayName()}: unexpected error ({type(error).__name__}: {error}). Nothing was written. "
                "Please report it with the inputs that caused it.")

    def execute(self, parameters, context, feedback):
        """The algorithm's work; returns the outputs dict. (Not ``run``: QgsProcessingAlgorithm.run is
        what processing.run calls, and overriding it breaks every algorithm.)"""
        raise NotImplementedError

    def remember_output(self, path):
        """Note a file an output is about to write (and whether it existed), so a failed run can remove it."""
        path = str(path).split("|")[0]
        if path and path not in self._written:
            self._written[path] = os.path.exists(path)
        return path

    def parameterAsSink(self, parameters, name, context, *args):  # noqa: N802
        sink, dest_id = super().parameterAsSink(parameters, name, context, *args)
        if dest_id:
            self.remember_output(dest_id)
        return sink, dest_id

    def parameterAsOutputLayer(self, parameters, name, context):  # noqa: N802
        path = super().parameterAsOutputLayer(parameters, name, context)
        self.remember_output(path)
        return path

    def parameterAsFileOutput(self, parameters, name, context):  # noqa: N802
        path = super().parameterAsFileOutput(parameters, name, context)
        self.remember_output(path)
        return path

    def _discard_outputs(self, feedback, error):
        """Remove every file this run created for an output, after releasing the writers that the failed
        run's frames still hold."""
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        for path, existed in self._written.items():
            if os.path.isfile(path) and not existed:
                try:
                    os.remove(path)
                except OSError:
                    feedback.pushWarning(f"Could not remove the incomplete output {path}; delete it by hand.")
        self._written = {}

    # ----- parameters -----
    def add(self, parameter, help_text=None, advanced=False):
        """addParameter with help and the advanced flag; returns the parameter."""
        self.addParameter(params.finish(parameter, help_text, advanced))
        return parameter

    def add_probe_table(self, fields, description="Probe request table", labels=None, advanced=()):
        """INPUT (any table) and its field parameters, e.g. (AP_FIELD, RSS_FIELD), with the standard defaults;
        the fields named in ``advanced`` are shown folded."""
        self.addParameter(params.probe_table(self.tr(description)))
        for name in fields:
            label = (labels or {}).get(name, params.FIELD_LABELS[name])
            self.addParameter(params.field(name, params.INPUT, self.tr(label), advanced=name in advanced))

    def add_access_points(self, description="Access points", optional=False, indoor=False):
        """APS (points) with AP_ID_FIELD and, when ``indoor``, INDOOR_FIELD (both advanced)."""
        self.addParameter(params.access_points(self.tr(description), optional))
        self.addParameter(params.field(params.AP_ID_FIELD, params.APS, advanced=True))
        if indoor:
            self.addParameter(params.field(params.INDOOR_FIELD, params.APS, advanced=True))

    def add_path_loss(self):
        """A, N, SIGMA_RSS of the path-loss model."""
        for parameter in params.path_loss():
            self.addParameter(parameter)

    def add_output_grid(self):
        """PIXEL_SIZE, EXTENT, MARGIN, CRS of a raster made from the AP layer."""
        for parameter in params.output_grid():
            self.addParameter(parameter)

    def field(self, parameters, name, context):
        """The field chosen for field parameter ``name``, or its standard default."""
        return params.field_name(self, parameters, name, context)

    def optional_double(self, parameters, name, context):
        """The number of optional parameter ``name``, or None when it is not given."""
        return self.parameterAsDouble(parameters, name, context) if is_given(parameters, name) else None

    @staticmethod
    def progress(feedback, start=0.0, end=100.0):
        """A Progress for the science that fills [start, end] % of the bar and honours cancel."""
        return FeedbackProgress(feedback, start, end)


def _out_of_range(definition, value):
    """Why a number parameter's value is outside its range, or ''."""
    if not isinstance(definition, QgsProcessingParameterNumber) or value in (None, ""):
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""  # an expression or a model input: QGIS evaluates and checks it
    low, high = definition.minimum(), definition.maximum()
    if low <= number <= high:
        return ""
    bound = f"{low:g} or more" if number < low else f"{high:g} or less"
    return f"{definition.name()} = {number:g} is out of range ({definition.description()}): give {bound}."
