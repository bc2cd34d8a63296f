"""The help panel of every Processing dialog, read as QGIS renders it: whole paragraphs (QGIS turns each line
break of a help text into a paragraph break, which once cut sentences in half), no talk of the project's
paperwork, and a References link to a page that exists; the About box links to it too."""
import re
from itertools import pairwise
from pathlib import Path

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QTextCursor, QTextDocument
from qgis.PyQt.QtWidgets import QLabel, QTextBrowser

SENTENCE_ENDS = ".:;!?)"
PAPERWORK = (re.compile(r"issue [0-9]", re.IGNORECASE), re.compile("SPEC"))


def algorithm_ids():
    """The provider's algorithm ids, read once at collection so each gets its own test."""
    from wifidensity.plugin.paths import MODEL_DIR
    from wifidensity.plugin.provider import ALGORITHMS
    return sorted([f"wifidensity:{alg.NAME}" for alg in ALGORITHMS]
                  + [f"wifidensity:{path.stem}" for path in MODEL_DIR.glob("*.model3")])


@pytest.fixture()
def help_panel(provider, qgis_app, monkeypatch):
    """help_panel(algorithm id) -> the QTextDocument of the dialog's help panel, built as the toolbox does."""
    from processing.gui import ParametersPanel
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.gui import QgsBrowserGuiModel
    browser_model = QgsBrowserGuiModel()
    if ParametersPanel.iface is not None:  # pytest-qgis's stand-in interface has no browser model
        monkeypatch.setattr(ParametersPanel.iface, "browserModel", lambda: browser_model, raising=False)
    dialogs = []

    def build(algorithm_id):
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
        assert algorithm is not None, f"{algorithm_id} is not registered"
        dialog = AlgorithmDialog(algorithm, False, None)
        dialogs.append(dialog)
        browser = dialog.findChild(QTextBrowser, "textShortHelp")
        assert browser is not None, "the dialog has no help panel (textShortHelp)"
        return browser.document()

    yield build
    for dialog in dialogs:
        dialog.close()
        dialog.deleteLater()


def blocks(document):
    """(kind, text) of every non-empty block: 'heading', 'list', 'table' or 'paragraph'."""
    found = []
    block = document.begin()
    while block.isValid():
        text = block.text().strip()
        if text:
            if block.blockFormat().headingLevel() > 0:
                kind = "heading"
            elif block.textList() is not None:
                kind = "list"
            elif QTextCursor(block).currentTable() is not None:
                kind = "table"
            else:
                kind = "paragraph"
            found.append((kind, text))
        block = block.next()
    return found


def split_sentences(document):
    """Plain paragraphs that stop without ending a sentence while another plain paragraph follows."""
    found = blocks(document)
    return [text for (kind, text), (next_kind, _) in pairwise(found)
            if kind == next_kind == "paragraph" and text[-1] not in SENTENCE_ENDS]


def links(document):
    """(text, href) of every anchor of the document."""
    found = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                found.append((fragment.text(), fragment.charFormat().anchorHref()))
            fragments += 1
        block = block.next()
    return found


def references_page(document):
    """The file the document's References link points at (fails when there is none or it is not a file)."""
    hrefs = [href for text, href in links(document) if text.strip() == "References"]
    assert hrefs, "no References link"
    url = QUrl(hrefs[0])
    assert url.isLocalFile(), f"the References link is not a file URL: {hrefs[0]}"
    return Path(url.toLocalFile())


def test_the_checks_catch_what_they_are_for():
    """A sentence cut by a line break, as QGIS renders it, is caught; whole paragraphs, headings and list items
    are not."""
    cut = QTextDocument()
    cut.setHtml("<h2>Tool</h2><p>One run of the toolkit: Localization and path-loss</p><p>calibration, then the"
                " map.</p>")
    assert split_sentences(cut) == ["One run of the toolkit: Localization and path-loss"]
    whole = QTextDocument()
    whole.setHtml("<h2>Tool</h2><p>What it does.</p><h4>Parameters</h4><ul><li>INPUT</li><li>OUTPUT</li></ul>"
                  "<p>Advanced:</p><p>Then more.</p>")
    assert split_sentences(whole) == []
    assert any(pattern.search("Beyond the paper (issue 7)") for pattern in PAPERWORK)
    assert any(pattern.search("(SPEC tool 7)") for pattern in PAPERWORK)


@pytest.mark.parametrize("algorithm_id", algorithm_ids())
def test_the_help_panel_reads_in_whole_sentences(help_panel, algorithm_id):
    assert split_sentences(help_panel(algorithm_id)) == []


@pytest.mark.parametrize("algorithm_id", algorithm_ids())
def test_the_help_panel_names_the_tool_once(help_panel, algorithm_id):
    """The dialog heads the panel with the tool's name; the page must not add its own title (a heading of level 1
    to 3, as its h3) under it: its sections are h4."""
    name = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id).displayName()
    titles = []
    block = help_panel(algorithm_id).begin()
    while block.isValid():
        if 0 < block.blockFormat().headingLevel() <= 3:
            titles.append(block.text().strip())
        block = block.next()
    assert titles == [name]


@pytest.mark.parametrize("algorithm_id", algorithm_ids())
def test_the_help_panel_speaks_of_the_paper_not_of_our_paperwork(help_panel, algorithm_id):
    text = help_panel(algorithm_id).toPlainText()
    assert [pattern.pattern for pattern in PAPERWORK if pattern.search(text)] == []


@pytest.mark.parametrize("algorithm_id", algorithm_ids())
def test_the_help_panel_links_the_references_page(help_panel, algorithm_id):
    document = help_panel(algorithm_id)
    assert 'href="references.html"' not in document.toHtml(), "the panel has no base folder: the link is absolute"
    page = references_page(document)
    assert page.name == "references.html" and page.is_file(), page


def test_the_about_box_links_the_references_page(qgis_app):
    from wifidensity.plugin.gui.about import about_box
    box = about_box(None)
    try:
        document = QTextDocument()
        document.setHtml(box.text())
        assert "Sensors 2023, 23(13), 6142" in document.toPlainText()
        page = references_page(document)
        assert page.name == "references.html" and page.is_file(), page
        label = box.findChild(QLabel, "qt_msgbox_label")
        assert label is not None and label.openExternalLinks(), "the About box does not open its links"
    finally:
        box.deleteLater()
