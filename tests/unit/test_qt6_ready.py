"""The plugin's code runs on Qt 5 (QGIS 3) and Qt 6 (QGIS 4) alike: read with ``ast`` (QGIS is not imported).

Each rule names a form that PyQt6 removed or changed and that PyQt5 5.15 also takes in its lasting form:

- Qt only through ``qgis.PyQt`` (never PyQt5, PyQt6, PySide or a bare ``sip``);
- every Qt enum value scoped by its enum (``Qt.AlignmentFlag.AlignLeft``, ``QMetaType.Type.QString``): a
  ``Class.Member`` of a Qt class whose member starts with a capital and is not called is taken as an unscoped
  enum value (PyQt6 has only the scoped form);
- ``exec()``, not ``exec_()``;
- no ``QVariant``: NULL attributes are ``None`` on QGIS 4 and ``qgis.core.NULL`` on QGIS 3, and field types are
  ``QMetaType.Type``. The one exception is plugin/qgis_enums.py, in the branch of ``if _FIELDS_BY_METATYPE``
  taken on QGIS older than 3.38, whose QgsField accepts nothing but ``QVariant.Type`` (Qt 5 only there);
- nothing that Qt 6 removed: QRegExp, QDesktopWidget (and ``QApplication.desktop()``), ``qApp``, compiled
  resources (``resources_rc``).
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([ROOT / "__init__.py", *(ROOT / "plugin").rglob("*.py"), *(ROOT / "algorithms").rglob("*.py")])
QT_BINDINGS = {"PyQt4", "PyQt5", "PyQt6", "PySide", "PySide2", "PySide6", "sip"}
REMOVED_IN_QT6 = {"QRegExp", "QRegExpValidator", "QDesktopWidget", "qApp", "resources_rc"}
# the guarded place where QVariant may stand: (file relative to ROOT, the name the `if` tests)
QVARIANT_ALLOWED = ("plugin/qgis_enums.py", "_FIELDS_BY_METATYPE")


def _dotted(node):
    """['Qt', 'AlignmentFlag', 'AlignLeft'] for Qt.AlignmentFlag.AlignLeft; None when the chain does not start
    at a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _qvariant_allowed_lines(tree):
    """The lines of the `else` branches of `if _FIELDS_BY_METATYPE:` (QGIS < 3.38)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == QVARIANT_ALLOWED[1]:
            for statement in node.orelse:
                lines.update(range(statement.lineno, statement.end_lineno + 1))
    return lines


def qt6_problems(source, name="<source>"):
    """Every form in ``source`` that breaks or is deprecated on PyQt6, as 'name:line: what' strings."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    qvariant_ok = _qvariant_allowed_lines(tree) if name == QVARIANT_ALLOWED[0] else set()
    qt_classes, qt_modules, problems = set(), set(), []

    def report(node, what):
        problems.append(f"{name}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in QT_BINDINGS:
                    report(node, f"import {alias.name}: import Qt through qgis.PyQt")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.split(".")[0] in QT_BINDINGS:
                report(node, f"from {module} import ...: import Qt through qgis.PyQt")
            for alias in node.names:
                if alias.name in REMOVED_IN_QT6:
                    report(node, f"{alias.name} is gone in Qt 6")
                if alias.name == "QVariant" and node.lineno not in qvariant_ok:
                    report(node, "import of QVariant: NULL is None or qgis.core.NULL, field types QMetaType.Type")
                if node.level or not module:
                    continue
                if module == "qgis.PyQt":
                    qt_modules.add(alias.asname or alias.name)
                elif module.startswith("qgis.PyQt."):
                    qt_classes.add(alias.asname or alias.name)
        elif isinstance(node, ast.FunctionDef) and node.name == "exec_":
            report(node, "def exec_: name it exec")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in REMOVED_IN_QT6 | {"QVariant"}:
            if node.id != "QVariant":
                report(node, f"{node.id} is gone in Qt 6")
            elif node.lineno not in qvariant_ok:
                report(node, "QVariant: NULL is None or qgis.core.NULL, field types are QMetaType.Type")
        elif isinstance(node, ast.Attribute):
            if node.attr == "exec_":
                report(node, "exec_(): call exec()")
            elif node.attr in REMOVED_IN_QT6 and node.attr != "resources_rc":
                report(node, f"{node.attr} is gone in Qt 6")
            elif node.attr == "desktop" and isinstance(parents.get(node), ast.Call) and \
                    not parents[node].args:
                report(node, "desktop() (QDesktopWidget) is gone in Qt 6: use QScreen")
            parent = parents.get(node)
            if isinstance(parent, ast.Attribute) and parent.value is node:
                continue  # not the whole chain: it is looked at from its outermost attribute
            parts = _dotted(node)
            through_module = bool(parts) and parts[0] in qt_modules
            if through_module:
                parts = parts[1:]  # QtCore.Qt.AlignLeft: the class is Qt
            if parts and len(parts) == 2 and (through_module or parts[0] in qt_classes) and parts[1][:1].isupper() and \
                    not (isinstance(parent, ast.Call) and parent.func is node) and node.lineno not in qvariant_ok:
                report(node, f"{'.'.join(parts)}: scope the enum value ({parts[0]}.<Enum>.{parts[1]})")
    return sorted(set(problems))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_module_is_qt6_ready(path):
    name = path.relative_to(ROOT).as_posix()
    assert qt6_problems(path.read_text(encoding="utf-8"), name) == []


# the rules themselves: what they must catch and what they must let through
@pytest.mark.parametrize("source", [
    "from qgis.PyQt.QtCore import Qt\nx = Qt.AlignLeft\n",
    "from qgis.PyQt.QtCore import Qt\nx = Qt.AlignLeft | Qt.AlignmentFlag.AlignTop\n",
    "from qgis.PyQt.QtCore import QMetaType\nx = QMetaType.QString\n",
    "from qgis.PyQt.QtGui import QImage\nimage = QImage(1, 1, QImage.Format_ARGB32)\n",
    "from qgis.PyQt import QtCore\nx = QtCore.Qt.UTC\n",
    "from PyQt5.QtCore import Qt\n",
    "import PyQt5.QtCore\n",
    "from PyQt6 import QtCore\n",
    "import sip\n",
    "dialog.exec_()\n",
    "class Dialog:\n    def exec_(self):\n        pass\n",
    "from qgis.PyQt.QtCore import QVariant\n",
    "def f(value):\n    return isinstance(value, QVariant) and value.isNull()\n",
    "value = QVariant()\n",
    "from qgis.PyQt.QtCore import QRegExp\n",
    "pattern = QtCore.QRegExp('a+')\n",
    "from qgis.PyQt.QtWidgets import QDesktopWidget\n",
    "screen = QApplication.desktop()\n",
    "from qgis.PyQt.QtWidgets import qApp\n",
    "from . import resources_rc\n",
])
def test_the_rules_catch(source):
    assert qt6_problems(source) != []


@pytest.mark.parametrize("source", [
    "from qgis.PyQt.QtCore import Qt\nx = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop\n",
    "from qgis.PyQt.QtCore import QMetaType\nx = QMetaType.Type.QString\n",
    "from qgis.PyQt.QtCore import QDateTime, Qt\nd = QDateTime.fromMSecsSinceEpoch(0, Qt.TimeSpec.UTC)\n",
    "from qgis.PyQt import sip\nfrom qgis.PyQt.QtWidgets import QMessageBox\nQMessageBox().exec()\n",
    "from qgis.core import NULL\n\ndef f(value):\n    return value is None or value == NULL\n",
    "from qgis.PyQt.QtGui import QFont\nfont = QFont('Sans')\nfont.setBold(True)\n",
    "from qgis.PyQt.QtWidgets import QSizePolicy\np = QSizePolicy.Policy(0)\n",
    "import sys\nprefix = sys.exec_prefix\n",
])
def test_the_rules_let_through(source):
    assert qt6_problems(source) == []


def test_qvariant_only_where_qgis_before_3_38_needs_it():
    guarded = ("_FIELDS_BY_METATYPE = False\nif _FIELDS_BY_METATYPE:\n    pass\nelse:\n"
               "    from qgis.PyQt.QtCore import QVariant\n    TEXT = QVariant.String\n")
    assert qt6_problems(guarded, QVARIANT_ALLOWED[0]) == []
    assert qt6_problems(guarded, "plugin/elsewhere.py") != []
    unguarded = "from qgis.PyQt.QtCore import QVariant\nTEXT = QVariant.String\n"
    assert qt6_problems(unguarded, QVARIANT_ALLOWED[0]) != []
