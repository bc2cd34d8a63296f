"""Open the shipped pipeline model (resources/models/pipeline.model3) in the Graphical Modeler."""
from ..paths import MODEL_DIR
from ..shipped_model import read_model

PIPELINE_MODEL = MODEL_DIR / "pipeline.model3"


def load_pipeline_model(path=PIPELINE_MODEL):
    """The pipeline as a model algorithm, or None when the file is missing or unreadable.

    No source file path is kept: the Modeler's Save then asks where to write, so a user's edits never
    overwrite the model shipped inside the plugin folder.
    """
    return read_model(path)


def open_in_modeler(model):
    """Show ``model`` in a new Graphical Modeler window; returns the window."""
    from processing.modeler.ModelerDialog import ModelerDialog  # QGIS's processing plugin, loaded with the GUI
    dialog = ModelerDialog.create(model)
    dialog.show()
    return dialog
