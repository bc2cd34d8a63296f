"""The models shipped in resources/models, as algorithms of the provider (wifidensity:<model name>).

In the toolbox a model sits in the tools' group its file names (the pipeline beside the Season tool), under its
name capitalised (wifidensity:pipeline shows as "Pipeline"), and its dialog's Help button opens its help page, as
the tools' do. They run as QGIS runs any model, with three things more that the plugin's own tools do too: an
output nobody named goes to a temporary file (QGIS fills them in from its dialog and qgis_process, but not from
processing.run), CONNECTIONS may be a plain text file of tokens, one per line, and two outputs given one path
are refused before any step runs.
"""
from qgis.core import QgsProcessing, QgsProcessingException, QgsProcessingModelAlgorithm

from .base import GROUPS, help_page, help_url
from .io.columns import without_token_lists
from .io.destinations import distinct_outputs_problem
from .parameters import CONNECTIONS, is_given


def read_model(path):
    """The model of ``path`` as a ShippedModel with its help page as the tools show theirs, or None when the file
    is missing or unreadable. No source file path is kept (the provider sets one)."""
    model = ShippedModel()
    if not path.exists() or not model.fromFile(str(path)):
        return None
    page = help_page(path.stem)  # one line per paragraph, references linked
    if page:
        model.setHelpContent({**model.helpContent(), "ALG_DESC": page})
    return model


class ShippedModel(QgsProcessingModelAlgorithm):
    """A QgsProcessingModelAlgorithm read from a shipped .model3 file."""

    def displayName(self):  # noqa: N802 (QGIS API)
        return self.name()[:1].upper() + self.name()[1:]

    def groupId(self):  # noqa: N802
        """The tools' id of the model's group (QGIS takes a model's group name for its id: a second group)."""
        return next((key for key, name in GROUPS.items() if name == self.group()), super().groupId())

    def helpUrl(self):  # noqa: N802
        return help_url(self.name())

    def createInstance(self):  # noqa: N802 (QGIS API)
        copy = ShippedModel()
        copy.loadVariant(self.toVariant())
        copy.setSourceFilePath(self.sourceFilePath())
        return copy

    def _with_outputs(self, parameters):
        filled = dict(parameters)
        for definition in self.destinationParameterDefinitions():
            if not is_given(filled, definition.name()):
                filled[definition.name()] = QgsProcessing.TEMPORARY_OUTPUT
        return filled

    def checkParameterValues(self, parameters, context):  # noqa: N802
        return super().checkParameterValues(without_token_lists(self._with_outputs(parameters), (CONNECTIONS,)),
                                            context)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        clash = distinct_outputs_problem(self.destinationParameterDefinitions(), parameters)
        if clash:  # before any step runs: one output would overwrite the other
            raise QgsProcessingException(f"{self.displayName()}: {clash}")
        return super().processAlgorithm(self._with_outputs(parameters), context, feedback)
