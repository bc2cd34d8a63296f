"""A season in one run: every window of a period through the pipeline's flow (flow.py), each window an
independent task, resumable.

The probe table is read once and sorted by time once; each window's rows are then a slice found by binary
search, so the season costs O(rows) plus its windows' work, not rows x windows (a database selects each
window's rows itself: probe_db.py). Windows run here (``workers`` = 0) or on Dask (dask_runner.py) with the
same task, ``compute_window``, which returns the window's TABLE row and its maps as GeoTIFF bytes; this
process writes them to the output folder, each under a temporary name renamed once complete, then a record
of the window (its row and a fingerprint of the inputs). A window counts as done when its record and maps
are there and the fingerprint matches, so a crash or a cancel leaves only complete windows and the next run
finishes the rest.

With the self-calibrating maximum-likelihood map and no radio table, the radio is fitted once, on the busiest
window, and every window is mapped with it (season_radio.py), unless ``radio_once`` is off.
"""
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..core.errors import Cancelled, InputError
from ..core.privacy import anonymise
from ..core.progress import SILENT, SubProgress
from ..paper.reassemble import WHOLE_MAP
from .dask_runner import run_on_dask
from .flow import EMPTY, MAPPED, FlowParameters, empty_row
from .season_radio import RECORD as RADIO_RECORD
from .season_radio import fit_season_radio, needs_fitting, radio_record, stored_radio
from .task import Rows, Window, WindowJob, WindowOutput, code_digest, compute_window

RECORDS = ".season"        # sub-folder of the output folder: a record per finished window, files being written
PARTIAL = ".partial"       # suffix of a file being written
RADIO_SHARE = 0.1          # of the progress bar, for fitting the season's radio


def season_windows(start, end, hours=3.0):
    """Consecutive windows of ``hours`` from ``start`` to ``end`` (seconds, UTC); the last one ends at ``end``."""
    if not (np.isfinite(hours) and hours > 0):
        raise InputError(f"WINDOW_HOURS = {hours}: the windows must last a positive number of hours.")
    if not (np.isfinite(start) and np.isfinite(end) and end > start):
        raise InputError("END must be after START: the season is empty.")
    width = float(hours) * 3600.0
    count = int(np.ceil((end - start) / width - 1e-9))
    return [Window(start + i * width, min(start + (i + 1) * width, end)) for i in range(count)]


class SortedProbes:
    """A probe table read once, sorted by time once; each window's rows are a slice found by binary search.

    Raw MAC addresses are replaced by their keyed hash with ``secret`` here, once, as the Preprocessing tool
    would (core.privacy.anonymise), so that no raw address travels to a worker.
    """

    def __init__(self, probes, secret=""):
        order = np.argsort(probes.time, kind="stable")
        probes = probes.take(order)
        self.probes = type(probes)(probes.time, probes.ap_id, anonymise(probes.mac, secret), probes.rss, probes.extra)

    def time_range(self):
        """(first, last) PR time in seconds, or None for an empty table."""
        return (float(self.probes.time[0]), float(self.probes.time[-1])) if len(self.probes.time) else None

    def _bounds(self, window):
        return np.searchsorted(self.probes.time, [window.start, window.end], side="left")

    def counts(self, windows):
        """The number of PRs in each window."""
        edges = np.searchsorted(self.probes.time, [[w.start, w.end] for w in windows], side="left")
        return (edges[:, 1] - edges[:, 0]).astype(int) if len(windows) else np.zeros(0, dtype=int)

    def rows(self, window):
        """The window's rows, ready to travel with its task."""
        low, high = self._bounds(window)
        return Rows(self.probes.take(slice(int(low), int(high))))


@dataclass
class SeasonReport:
    """rows: the TABLE, one row per window (and per zone with zones), in time order; computed, skipped (already
    complete), empty (no PR) and unmapped windows (the tools' message in their row's status); by_worker:
    windows computed per worker process; seconds: CPU seconds of each computed window; radio: the
    season_radio.SeasonRadio every window was mapped with, None when the windows had their own or a given one;
    radio_failed: the radio was to be fitted once but its window could not be mapped."""

    rows: list
    computed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    empty: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)
    by_worker: dict = field(default_factory=dict)
    seconds: list = field(default_factory=list)
    radio: object = None
    radio_failed: bool = False


def fingerprint(aps, parameters, connections=None, zones=(), code=None):
    """A digest of what a window's result depends on besides its rows: the inputs (the SECRET only through the
    digest) and the version of the science (``code``: its code_digest, computed when not given)."""
    digest = hashlib.sha256((code or code_digest()).encode())
    for part in (json.dumps(asdict(parameters), sort_keys=True), aps.crs,
                 np.asarray(aps.ids).astype(str).tolist(), np.asarray(aps.xy, dtype=float).tolist(),
                 np.asarray(aps.indoor, dtype=bool).tolist(),
                 sorted(np.asarray(connections).astype(str).tolist()) if connections is not None else None,
                 [(str(name), shape.wkt) for name, shape in zones]):
        digest.update(json.dumps(part).encode("utf-8"))
    return digest.hexdigest()


class SeasonFolder:
    """The output folder: the maps under their final names and a record per finished window in RECORDS."""

    def __init__(self, folder, fingerprint=None, overwrite=False):
        self.folder = Path(folder)
        self.records = self.folder / RECORDS
        self.records.mkdir(parents=True, exist_ok=True)
        for left in self.records.glob(f"*{PARTIAL}"):  # what a crash left half written
            left.unlink()
        self.fingerprint = fingerprint
        self.overwrite = overwrite

    def done(self, window):
        """The stored output of a window finished with the same inputs, or None."""
        path = self.records / f"{window.stamp}.json"
        if self.overwrite or not path.exists():
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("fingerprint") != self.fingerprint:
            return None
        if not all((self.folder / name).exists() for name in record["maps"]):
            return None
        return WindowOutput(record["row"], record["zone_rows"], {}, record["worker"], record["seconds"])

    def season_radio(self, inputs):
        """The season's radio recorded by a run with the same ``inputs``, or None (always None to overwrite)."""
        return None if self.overwrite else stored_radio(self.records, inputs)

    def store_radio(self, radio, inputs):
        self._write(self.records / RADIO_RECORD, radio_record(radio, inputs))

    def store(self, window, output):
        """Write the maps (each complete before it gets its name), then the window's record."""
        for name, data in output.maps.items():
            self._write(self.folder / name, data)
        record = {"fingerprint": self.fingerprint, "row": output.row, "zone_rows": output.zone_rows,
                  "maps": sorted(output.maps), "worker": output.worker, "seconds": output.seconds}
        self._write(self.records / f"{window.stamp}.json", json.dumps(record).encode("utf-8"))

    def _write(self, path, data):
        """Write under a temporary name out of sight in RECORDS, then rename: a file is complete or absent."""
        partial = self.records / (path.name + PARTIAL)
        partial.write_bytes(data)
        os.replace(partial, path)


def run_season(source, aps, windows, folder, parameters=None, connections=None, zones=(), workers=0,
               scheduler=None, overwrite=False, radio_once=True, progress=SILENT):
    """Run the pipeline's flow on every window of ``windows`` (season_windows) into ``folder``.

    source: SortedProbes (a table read once) or probe_db.PostgresProbes (rows selected by the database);
    aps: records.AccessPoints in a metric CRS with indoor flags; zones: [(name, shapely polygon in the APs'
    CRS)]; workers: 0 runs the windows in this process, N > 0 on a local Dask cluster of N worker processes;
    scheduler: the address of a running Dask scheduler ('tcp://host:8786'), used instead when given;
    radio_once: fit the list-mode map's radio once for the season (season_radio.py), not in every window.
    progress advances per finished window; a cancel stops submitting, drops the pending windows and raises
    core.errors.Cancelled (the finished windows stay). Returns a SeasonReport.
    """
    parameters = parameters or FlowParameters()
    if connections is not None:  # hashed here like the probe table's MACs, so no raw address leaves this process
        connections = anonymise(connections, parameters.secret)
    store = SeasonFolder(folder, overwrite=overwrite)
    report = SeasonReport([])
    counts = source.counts(windows)
    code = code_digest()  # read once: the radio's record and the windows' records both need it
    if radio_once and needs_fitting(parameters) and counts.any():
        report.radio = _season_radio(source, aps, windows, counts, parameters, connections, store,
                                     fingerprint(aps, parameters, connections, zones, code),
                                     progress.part(0.0, RADIO_SHARE))
        report.radio_failed = report.radio is None
        progress = progress.part(RADIO_SHARE, 1.0)
        if report.radio is not None:
            parameters = replace(parameters, radio=report.radio.table)
    store.fingerprint = fingerprint(aps, parameters, connections, zones, code)
    zones = tuple((str(name), shape) for name, shape in zones)
    outputs = {}
    todo = []
    for window, count in zip(windows, counts):
        if count == 0:
            report.empty.append(window)
            outputs[window] = WindowOutput(empty_row(window.start, window.end), [], {}, "", 0.0)
        elif (stored := store.done(window)) is not None:
            report.skipped.append(window)
            outputs[window] = stored
        else:
            todo.append(window)
    finished = len(windows) - len(todo)
    progress.step(finished / max(len(windows), 1))

    def collect(window, output):
        nonlocal finished
        store.store(window, output)
        outputs[window] = output
        report.computed.append(window)
        report.seconds.append(output.seconds)
        report.by_worker[output.worker] = report.by_worker.get(output.worker, 0) + 1
        finished += 1
        progress.step(finished / len(windows))

    jobs = (WindowJob(window, source.rows(window), aps, parameters, connections, zones) for window in todo)
    if workers == 0 and not scheduler:
        for job in jobs:
            if progress.is_cancelled():
                raise Cancelled()
            share = SubProgress(progress, finished / len(windows), (finished + 1) / len(windows))
            collect(job.window, compute_window(job, share))
    elif todo:
        run_on_dask(jobs, collect, progress, workers, scheduler)
    for window in windows:
        output = outputs[window]
        if not str(output.row["status"]).startswith((MAPPED, EMPTY)):
            report.unmapped.append(window)
        report.rows.extend(_table_rows(output, [name for name, _ in zones]))
    return report


def _season_radio(source, aps, windows, counts, parameters, connections, store, inputs, progress):
    """The season_radio.SeasonRadio of an earlier run into ``store`` with the same ``inputs`` (their
    fingerprint), else fitted now and recorded there; None when the busiest window cannot be mapped."""
    radio = store.season_radio(inputs)
    if radio is None:
        radio = fit_season_radio(source, aps, windows, counts, parameters, connections, progress)
        if radio is not None:
            store.store_radio(radio, inputs)
    progress.step(1.0)
    return radio


def _table_rows(output, zone_names):
    """The window's TABLE rows: its row, and with zones the row of the whole map then one row per zone (without
    totals when the window has no map)."""
    if not zone_names:
        return [dict(output.row)]
    by_zone = {zone_row["zone"]: zone_row for zone_row in output.zone_rows}
    return [dict(output.row, zone=WHOLE_MAP)] + [
        dict(output.row, **by_zone.get(name, {"zone": name, "clients_paper": None, "clients_ml": None}))
        for name in zone_names]
