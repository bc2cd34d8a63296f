"""algorithms/ is the science: it never imports QGIS, Qt or QGIS's processing plugin, not even inside a
function (Dask workers and these unit tests run it without QGIS)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"qgis", "PyQt5", "PyQt6", "processing", "sip"}
MODULES = sorted((ROOT / "algorithms").rglob("*.py"))


def imported_tops(source):
    """The top-level package of every import statement, wherever it stands."""
    tops = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_science_module_imports_no_qgis(path):
    assert not imported_tops(path.read_text(encoding="utf-8")) & FORBIDDEN


def test_the_check_sees_imports_inside_functions():
    assert imported_tops("def f():\n    from qgis.core import QgsPointXY\n") == {"qgis"}

