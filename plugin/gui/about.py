"""The plugin's About box: what it does and the paper to cite."""
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QMessageBox

from ..paths import HELP_DIR

ABOUT_PAGE = HELP_DIR / "about.html"


def about_box(parent):
    """A non-modal About box showing resources/help/about.html, deleted when closed (the caller shows it)."""
    box = QMessageBox(QMessageBox.Information, "About WiFi Client Density",
                      ABOUT_PAGE.read_text(encoding="utf-8"), QMessageBox.Close, parent)
    box.setTextFormat(Qt.RichText)
    box.setModal(False)
    box.setAttribute(Qt.WA_DeleteOnClose)
    return box
