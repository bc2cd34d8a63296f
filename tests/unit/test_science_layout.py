"""algorithms/__init__.py holds the table tool -> module -> paper section: every module and package at the top
of algorithms/ is in it (the plumbing lives in core), so a new one cannot go unlisted."""
import re
from pathlib import Path

import wifidensity.algorithms as science

TOP = Path(science.__file__).parent


def test_every_top_level_module_is_in_the_table():
    listed = set(re.findall(r"\b([a-z_]+)\b", science.__doc__.split("=====", 1)[1]))
    modules = {p.stem for p in TOP.glob("*.py") if p.stem != "__init__"} | \
        {p.name for p in TOP.iterdir() if (p / "__init__.py").exists() and p.name != "core"}
    assert modules - listed == set()


def test_the_plumbing_is_in_core():
    core = {p.stem for p in (TOP / "core").glob("*.py")}
    assert {"errors", "progress", "optional", "records", "grid", "geotiff", "masks", "crs", "timeparse",
            "validation", "privacy", "smoothing"} <= core
    assert not {"errors", "progress", "records", "grid", "geotiff", "masks"} & {p.stem for p in TOP.glob("*.py")}
