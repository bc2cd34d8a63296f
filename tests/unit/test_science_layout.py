"""The science's folders say what algorithms/__init__.py says: every module sits in a folder of the table, a
folder imports only the folders before it, and no module imports itself back through others (an import loop
makes the import order matter and hides which module stands on which)."""
import ast
import re
from pathlib import Path

import wifidensity.algorithms as science

TOP = Path(science.__file__).parent
ORDER = ["core", "captures", "counting", "paper", "twin", "radio", "season"]  # each imports only those before it
APART = {"presence": {"core"}}                                                 # and what it may import


def module_name(path, root):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root):
    """{module: modules it imports} among the .py files under ``root`` (relative imports, wherever they stand,
    inside functions too); names are dotted paths below ``root``, a package is its folder's name."""
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                below = ".".join([*base, alias.name])
                targets.add(below if below in modules else ".".join(base))
        graph[name] = targets - {name, ""}
    return graph


def import_loops(graph):
    """Every module from which an import chain leads back to it, as the chain found first."""
    loops, state = [], {}

    def visit(module, chain):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                loops.append([*chain[chain.index(target):], target])
            elif target not in state:
                visit(target, [*chain, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return loops


def test_no_import_loop_among_the_science_modules():
    assert import_loops(import_graph(TOP)) == []


def test_a_planted_import_loop_is_found(tmp_path):
    (tmp_path / "season").mkdir()
    (tmp_path / "season" / "__init__.py").write_text("")
    (tmp_path / "season" / "runner.py").write_text("from .task import job\n")
    (tmp_path / "season" / "task.py").write_text("def job():\n    from . import dask_runner\n")
    (tmp_path / "season" / "dask_runner.py").write_text("from .runner import run\n")
    loops = import_loops(import_graph(tmp_path))
    assert loops == [["season.dask_runner", "season.runner", "season.task", "season.dask_runner"]]


def test_every_module_sits_in_a_folder_of_the_table():
    assert {p.stem for p in TOP.glob("*.py")} == {"__init__"}
    folders = {p.name for p in TOP.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(ORDER) | set(APART)
    listed = set(re.findall(r"\b([a-z_]+)\b", science.__doc__.split("=====", 1)[1]))
    modules = {p.stem for folder in set(ORDER) - {"core", "captures"} for p in (TOP / folder).glob("*.py")}
    assert modules - {"__init__"} - listed == set()  # captures and presence are listed whole


def test_a_folder_imports_only_the_folders_before_it():
    allowed = {folder: set(ORDER[:i + 1]) for i, folder in enumerate(ORDER)}
    allowed.update({folder: deps | {folder} for folder, deps in APART.items()})
    crossings = {(module.split(".")[0], target.split(".")[0])
                 for module, targets in import_graph(TOP).items() for target in targets if "." in module}
    assert {(a, b) for a, b in crossings if b not in allowed[a]} == set()


def test_the_plumbing_is_in_core():
    core = {p.stem for p in (TOP / "core").glob("*.py")}
    assert {"errors", "progress", "optional", "records", "grid", "geotiff", "masks", "crs", "timeparse",
            "validation", "privacy", "smoothing"} <= core
