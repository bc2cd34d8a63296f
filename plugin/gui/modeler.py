"""Open the shipped pipeline model (resources/models/pipeline.model3) in the Graphical Modeler."""
from qgis.core import QgsProcessingModelAlgorithm

from ..paths import MODEL_DIR

PIPELINE_MODEL = MODEL_DIR / "pipeline.model3"


def load_pipeline_model(path=PIPELINE_MODEL):
    """The pipeline as a QgsProcessingModelAlgorithm, or None when the file is missing or unreadable."""
    model = QgsProcessingModelAlgorithm()
    if not path.exists() or not model.fromFile(str(path)):
        return None
    model.setSourceFilePath(str(path))
    return model


def open_in_modeler(model):
    """Show ``model`` in a new Graphical Modeler window; returns the window."""
    from processing.modeler.ModelerDialog import ModelerDialog  # QGIS's processing plugin, loaded with the GUI
    dialog = ModelerDialog.create(model)
    dialog.show()
    return dialog
