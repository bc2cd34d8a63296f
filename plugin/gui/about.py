"""The plugin's About box: what it does, the paper to cite and the link to the references."""
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QMessageBox

from ..base import help_page


def about_box(parent):
    """A non-modal About box showing resources/help/about.html as the help panels show pages (its references
    link filled in), deleted when closed (the caller shows it)."""
    box = QMessageBox(QMessageBox.Icon.Information, "About WiFi Client Density", help_page("about"),
                      QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box
