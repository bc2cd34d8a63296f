"""What travels to a worker: one window's task (its rows, the APs, the flow's parameters) and the function that
computes it, and the code those workers run (the package's QGIS-free modules and their digest).

Both the season (runner.py) and its Dask executor (dask_runner.py) stand on this module; neither imports the
other's internals.
"""
import hashlib
import os
import socket
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..core.geotiff import density_bytes
from ..core.progress import SILENT
from .flow import BOTH, ML, PAPER, FlowParameters, run_window

PACKAGE_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Window:
    """[start, end) in seconds since 1970 UTC."""

    start: float
    end: float

    @property
    def stamp(self):
        """The start in UTC as YYYY-MM-DDTHH-MM (file names cannot hold ':')."""
        return datetime.fromtimestamp(self.start, UTC).strftime("%Y-%m-%dT%H-%M")

    def map_names(self, flow=BOTH):
        """The file names of the window's client maps for ``flow``: clients_<stamp>.tif, ml_clients_<stamp>.tif."""
        names = {PAPER: f"clients_{self.stamp}.tif", ML: f"ml_clients_{self.stamp}.tif"}
        return {kind: name for kind, name in names.items() if flow in (kind, BOTH)}


@dataclass
class Rows:
    """A window's rows carried with its task."""

    probes: object

    def read(self):
        return self.probes


@dataclass
class WindowJob:
    """Everything one window's task needs: the window, its rows (``read()`` gives records.Probes), the APs, the
    flow's parameters, the connections table and the zones to count in."""

    window: Window
    rows: object
    aps: object
    parameters: FlowParameters
    connections: object = None
    zones: tuple = ()


@dataclass
class WindowOutput:
    """What a task hands back: the TABLE row, the zone rows, the maps as GeoTIFF bytes by file name, the
    process that did the work and the CPU seconds it took."""

    row: dict
    zone_rows: list
    maps: dict
    worker: str
    seconds: float


def compute_window(job, progress=SILENT):
    """The pipeline on one window (flow.run_window), its maps encoded as GeoTIFFs: the task of a season.

    Runs in this process or in a Dask worker; needs no QGIS and no access to the output folder.
    """
    started = time.process_time()
    result = run_window(job.rows.read(), job.aps, job.window.start, job.window.end, job.parameters,
                        job.connections, job.zones, progress)
    names = job.window.map_names(job.parameters.flow)
    maps = {names[kind]: density_bytes(density)
            for kind, density in ((PAPER, result.paper), (ML, result.ml)) if density is not None}
    row = {key: value.item() if isinstance(value, np.generic) else value for key, value in result.row.items()}
    return WindowOutput(row, result.zone_rows, maps, f"{socket.gethostname()}:{os.getpid()}",
                        time.process_time() - started)


def compute_window_of(job, rows):
    """compute_window with the window's rows given apart (as Dask hands over data scattered to a worker)."""
    return compute_window(replace(job, rows=rows))


def code_files():
    """The package's QGIS-free code: its top-level module and every module of ``algorithms``."""
    return [PACKAGE_DIR / "__init__.py"] + sorted((PACKAGE_DIR / "algorithms").rglob("*.py"))


def code_digest():
    """A digest of ``code_files`` (names and contents): which version of the science ran."""
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
