"""The windows of a season on Dask distributed: a local cluster of worker processes or a running scheduler.

One submission loop serves both. It keeps a few windows per worker in flight (so a cancel drops little and the
rows of the whole season never sit in memory at once), hands each finished window to the caller as it comes,
and on a cancel stops submitting and cancels what is pending. The workers receive this package's QGIS-free
code (its top-level module and ``algorithms``) as a zip through Dask's UploadFile plugin, so a remote worker
needs Python with numpy, scipy, shapely, rasterio and pyproj (psycopg2 to read a database), neither QGIS nor
a copy of the plugin. After upgrading the plugin, restart long-running workers: Python keeps the modules it
has imported.
"""
import concurrent.futures as cf
import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

from ..core.errors import Cancelled, InputError
from ..core.optional import require
from .task import PACKAGE_DIR, code_digest, code_files, compute_window_of

IN_FLIGHT_PER_WORKER = 2
POLL_SECONDS = 0.2         # how often a wait for finished windows looks at the cancel button
CONNECT_SECONDS = 30
PACKAGE = __name__.split(".")[0]


def run_on_dask(jobs, collect, progress, workers=0, scheduler=None):
    """Compute ``jobs`` (season.WindowJob) with season.compute_window on Dask and ``collect(window, output)``
    each as it finishes, here. ``scheduler``: address of a running scheduler; else a LocalCluster of
    ``workers`` processes (one thread each) that lives for this call."""
    distributed = require("distributed")
    with _client(distributed, workers, scheduler) as client:
        ship_code(client)
        executor = client.get_executor(pure=False)
        pending = iter(jobs)
        in_flight = {}
        try:
            while True:
                limit = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
                while len(in_flight) < limit and not progress.is_cancelled():
                    job = next(pending, None)
                    if job is None:
                        break
                    # the rows go straight to a worker, not through the scheduler, and the task follows them
                    rows = client.scatter(job.rows, hash=False)
                    in_flight[_submit(client, executor, partial(compute_window_of, replace(job, rows=None)), rows)] = \
                        (job.window, rows)
                if progress.is_cancelled():
                    raise Cancelled()
                if not in_flight:
                    return
                done, _ = cf.wait(in_flight, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    window, _ = in_flight.pop(future)
                    collect(window, future.result())
        finally:
            for future in in_flight:
                future.cancel()


def _submit(client, executor, task, *futures):
    """``task(*futures)`` on a worker (``task``: a functools.partial), with a task graph the scheduler can read
    without this package.

    Since distributed 2023.4 (Debian 13 ships 2024.12) the scheduler unpickles the graph it receives, and a
    scheduler started with dask-scheduler has no copy of this package: only the workers get it (ship_code). So
    ``task`` travels pickled inside bytes, a worker unpickles it (pickle.loads) and a second task calls it
    through ``functools.partial.__call__`` (operator.call would need Python 3.11; dask.utils.apply is taken apart
    by distributed, which treats its first argument as the function itself, not as a key to resolve). The
    scheduler sees only standard-library functions, bytes and futures. Returns the executor's future of the
    call."""
    unpickled = client.submit(pickle.loads, pickle.dumps(task), pure=False)
    return executor.submit(partial.__call__, unpickled, *futures)


@contextmanager
def _client(distributed, workers, scheduler):
    with warnings.catch_warnings():
        # Debian 12's distributed 2022.12 calls an event-loop method tornado 6.2 deprecates; the warning, printed
        # in the tool's log, is about those two libraries, not about the run
        warnings.filterwarnings("ignore", message="make_current is deprecated", category=DeprecationWarning)
        with _connected(distributed, workers, scheduler) as client:
            yield client


@contextmanager
def _connected(distributed, workers, scheduler):
    cluster = None
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise InputError(f"SCHEDULER = {scheduler}: no Dask scheduler answers there ({error}). Start one "
                             f"(dask-scheduler) and its workers (dask-worker {scheduler}), or leave SCHEDULER empty "
                             "to run on this machine.") from None
    else:
        if not (isinstance(workers, int) and workers >= 1):
            raise InputError(f"WORKERS = {workers}: give 0 (this process) or a number of worker processes.")
        _python_for_workers()
        cluster = local_cluster(distributed, workers)
        client = distributed.Client(cluster, set_as_default=False)
    try:
        try:
            client.wait_for_workers(1 if cluster is None else workers, timeout=CONNECT_SECONDS)
        except TimeoutError:
            if cluster is not None:
                raise InputError(f"WORKERS = {workers}: the worker processes did not start within "
                                 f"{CONNECT_SECONDS} s; set WORKERS to 0 to run here.") from None
            raise InputError(f"SCHEDULER = {scheduler}: the scheduler has no worker after {CONNECT_SECONDS} s; "
                             f"start some with: dask-worker {scheduler}") from None
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def local_cluster(distributed, workers):
    """A LocalCluster of ``workers`` one-thread processes on the loopback, started without the allocator
    setting Dask gives its workers (MALLOC_TRIM_THRESHOLD_): with it glibc hands every large array back to the
    system and page-faults it in again, about 0.5 s of system time per 20k-PR window. This process's
    environment, which Dask's nanny changes before it spawns a worker, is restored afterwards."""
    config = require("dask").config
    key = "distributed.nanny.pre-spawn-environ"
    spawn_environ = dict(config.get(key))
    before = {name: os.environ.get(name) for name in spawn_environ}
    try:
        with config.set({key: {k: v for k, v in spawn_environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}}):
            return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                            silence_logs=logging.WARNING)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ship_code(client):
    """Give every worker of ``client`` (and those joining later) this package's QGIS-free code."""
    upload = require("distributed.diagnostics.plugin").UploadFile
    # register_plugin since distributed 2023.9 (Debian 13), register_worker_plugin before (Debian 12)
    register = getattr(client, "register_plugin", None) or client.register_worker_plugin
    register(upload(str(code_zip())), name=f"{PACKAGE}-code")


def code_zip():
    """A zip of season.code_files under the package's name, named by their digest."""
    target = Path(tempfile.gettempdir()) / f"{PACKAGE}-code-{code_digest()[:16]}.zip"
    if not target.exists():
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in code_files():
                archive.write(path, f"{PACKAGE}/{path.relative_to(PACKAGE_DIR).as_posix()}")
        os.replace(partial, target)
    return target


def _python_for_workers():
    """Worker processes start with sys.executable, which inside QGIS can be QGIS itself, or whatever
    ``python3`` comes first on the PATH (another installation, whose modules do not match this one's): use
    the interpreter of this installation instead."""
    if _is_this_python(sys.executable):
        return
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    prefix = Path(sys.exec_prefix)
    for candidate in (prefix / "bin" / f"python{version}", prefix / "bin" / "python3", prefix / "python.exe",
                      prefix / "python3.exe"):
        if candidate.exists():
            multiprocessing.set_executable(str(candidate))
            return
    raise InputError(f"Dask worker processes need a Python {version} interpreter, and none was found in "
                     f"{prefix}. Set WORKERS to 0, or start a scheduler and workers yourself and give SCHEDULER.")


def _is_this_python(path):
    """True when ``path`` is a Python interpreter of this process's installation (or of its venv)."""
    resolved = Path(path).resolve() if path else Path()
    homes = {Path(prefix).resolve() for prefix in (sys.exec_prefix, sys.base_exec_prefix)}
    return resolved.name.lower().startswith("python") and any(home in resolved.parents for home in homes)
