"""The plugin in the real QGIS desktop under Xvfb: load, run the bowl, drill down, open the pipeline, unload.

pytest-qgis's interface is a stand-in; this runs `qgis --code` with the plugin on QGIS_PLUGINPATH, drives it as a
user would through the real QgisInterface, and writes what it saw to a JSON file the test then checks.
"""
import json
import os
import subprocess

import numpy as np
from image_stats import rgb_array
from qgis.PyQt.QtGui import QImage

from wifidensity.plugin.paths import PLUGIN_DIR, SAMPLE_DIR

SESSION = """
import json, traceback
import processing
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QToolBar
from qgis.utils import iface, loadPlugin, plugins, startPlugin, unloadPlugin

OUT = {out!r}
seen = {{}}


def record(step):
    def wrapped():
        try:
            step()
        except Exception:
            seen["error"] = traceback.format_exc()
            finish()
    return wrapped


def plugin_widgets(kind):
    return [w.objectName() for w in iface.mainWindow().findChildren(kind) if w.objectName().startswith("WifiDensity")]


def start():
    seen["started"] = loadPlugin("wifidensity") and startPlugin("wifidensity")
    plugin = plugins["wifidensity"]
    seen["menus"] = [a.text() for a in iface.mainWindow().menuBar().actions()]
    seen["toolbar"] = [a.text() for a in plugin.toolbar.actions()]
    result = processing.runAndLoadResults("wifidensity:bowl", {{
        "INPUT": {probes!r}, "APS": {aps!r}, "A": -38, "N": 2.6, "SIGMA_RSS": 3, "PIXEL_SIZE": 2,
        "OUTPUT": {bowl!r}}})
    density = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == result["OUTPUT"]][0]
    aps = QgsVectorLayer({aps!r}, "Access points", "ogr")
    QgsProject.instance().addMapLayer(aps)
    basemap = plugin.add_basemap()
    QgsProject.instance().layerTreeRoot().findLayer(basemap.id()).setItemVisibilityChecked(False)  # offline
    seen["tree"] = [node.name() for node in QgsProject.instance().layerTreeRoot().children()]
    plugin.show_drilldown()
    plugin.dock.layer_combo.setLayer(density)
    plugin.dock.slider.setValue(900)
    seen["dock"] = [plugin.dock.retain_label.text(), plugin.dock.threshold_label.text()]
    seen["cap"] = density.renderer().classificationMax()
    seen["threshold"] = plugin.dock.threshold
    modeler = plugin.open_pipeline_model()
    seen["pipeline"] = sorted(c.algorithmId() for c in modeler.model().childAlgorithms().values())
    modeler.grab().save({modeler_png!r})
    modeler.close()
    seen["density_id"] = density.id()
    QTimer.singleShot(1500, record(frame))  # after QGIS's own zoom to the first layers


def frame():
    density = QgsProject.instance().mapLayer(seen["density_id"])
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(density.crs())
    canvas.setExtent(density.extent())
    canvas.refresh()
    QTimer.singleShot(2500, record(shoot))


def shoot():
    iface.mapCanvas().waitWhileRendering()
    iface.mapCanvas().saveAsImage({canvas_png!r})
    iface.mainWindow().grab().save({window_png!r})
    seen["unloaded"] = unloadPlugin("wifidensity")
    QgsApplication.sendPostedEvents(None, 52)  # QEvent.DeferredDelete
    seen["left"] = plugin_widgets(QDockWidget) + plugin_widgets(QToolBar) + [
        a.text() for a in iface.mainWindow().menuBar().actions() if "WiFi" in a.text()]
    seen["provider_left"] = QgsApplication.processingRegistry().providerById("wifidensity") is not None
    finish()


def finish():
    with open(OUT, "w") as handle:
        json.dump(seen, handle)
    QgsProject.instance().clear()  # QGIS 3.22 can crash at exit while layers are still loaded
    QTimer.singleShot(200, lambda: QgsApplication.exit(0))


QTimer.singleShot(500, record(start))
"""


def run_desktop(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "wifidensity").symlink_to(PLUGIN_DIR, target_is_directory=True)
    paths = {name: str(tmp_path / file) for name, file in [
        ("out", "seen.json"), ("bowl", "bowl.tif"), ("canvas_png", "canvas.png"), ("window_png", "desktop.png"),
        ("modeler_png", "modeler.png")]}
    script = tmp_path / "session.py"
    script.write_text(SESSION.format(probes=str(SAMPLE_DIR / "probes.csv"), aps=str(SAMPLE_DIR / "aps.geojson"),
                                     **paths), encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, QGIS_PLUGINPATH=str(plugins), PROJ_DATA="/usr/share/proj", XDG_RUNTIME_DIR=str(runtime))
    env.pop("QT_QPA_PLATFORM", None)  # a real X server (Xvfb), as on a desktop
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", "qgis", "--nologo", "--noversioncheck",
                           "--profiles-path", str(tmp_path / "profiles"), "--code", str(script)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert os.path.exists(paths["out"]), done.stdout[-2000:] + done.stderr[-2000:]
    with open(paths["out"], encoding="utf-8") as handle:
        return json.load(handle), paths


def test_plugin_in_the_qgis_desktop(tmp_path):
    seen, paths = run_desktop(tmp_path)

    assert "error" not in seen, seen.get("error")
    assert seen["started"] and "WiFi &Density" in seen["menus"]
    assert seen["menus"].index("WiFi &Density") == len(seen["menus"]) - 2  # just before Help
    assert len(seen["toolbar"]) == 3
    assert seen["tree"][-1].startswith("Satellite imagery")
    assert "90.0 %" in seen["dock"][0]
    assert seen["cap"] == seen["threshold"] > 0
    assert "wifidensity:bowl" in seen["pipeline"] and "wifidensity:reassemble" in seen["pipeline"]
    assert seen["unloaded"] and seen["left"] == [] and not seen["provider_left"]

    canvas = rgb_array(QImage(paths["canvas_png"]))
    painted = np.any(canvas < 250, axis=2)
    saturated = (canvas[..., 0] > 180) & (canvas[..., 1] < 60) & (canvas[..., 2] < 60)
    assert painted.mean() > 0.5 and saturated.mean() > 0.01, "the capped density with its red plateau is on the map"
