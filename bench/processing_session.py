"""QGIS with Processing and the wifidensity provider, for the benchmarks that time tools through processing.run."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PROJ_DATA", "/usr/share/proj")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(ROOT / "devtools"))
from plugin_package import import_plugin_package  # noqa: E402

import_plugin_package()


def start_processing():
    """(QgsApplication, provider): QGIS started, Processing initialised (with QGIS's native algorithms) and the
    plugin's provider registered; keep both alive while running, then call app.exitQgis()."""
    from qgis.analysis import QgsNativeAlgorithms
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing
    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    if registry.providerById("native") is None:
        registry.addProvider(QgsNativeAlgorithms())
    from wifidensity.plugin.provider import WifiDensityProvider
    provider = WifiDensityProvider()
    registry.addProvider(provider)
    return app, provider


def timed_run(name, parameters):
    """(seconds, results) of processing.run(name, parameters); the CPU seconds of this process are printed
    beside (on a shared machine the wall time also counts the others' load)."""
    import time

    import processing
    began, cpu = time.perf_counter(), time.process_time()
    result = processing.run(name, parameters)
    seconds = time.perf_counter() - began
    print(f"  ({name}: {seconds:.2f} s wall, {time.process_time() - cpu:.2f} s CPU)")
    return seconds, result
