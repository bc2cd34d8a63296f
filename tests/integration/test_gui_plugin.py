"""The plugin in the QGIS interface: initGui adds its menu, toolbar, actions and dock; unload removes all of it."""
import pytest
from qgis.core import Qgis, QgsApplication, QgsProcessingModelAlgorithm, QgsProject, QgsVectorLayer
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QMessageBox, QToolBar

import wifidensity
from wifidensity.plugin.gui.basemap import SATELLITE_NAME
from wifidensity.plugin.gui.modeler import load_pipeline_model, open_in_modeler
from wifidensity.plugin.plugin import OBJECT_PREFIX

ACTIONS = {f"{OBJECT_PREFIX}{name}Action" for name in ("Drilldown", "Basemap", "Pipeline", "About")}


def flush_deletions():
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture()
def plugin(qgis_iface, qgis_processing):
    registry = QgsApplication.processingRegistry()
    if registry.providerById("wifidensity") is not None:  # registered by the `provider` fixture of other tests
        registry.removeProvider(registry.providerById("wifidensity"))
    loaded = wifidensity.classFactory(qgis_iface)
    loaded.initGui()
    yield loaded
    loaded.unload()
    flush_deletions()


def plugin_widgets(main, kind):
    return [w for w in main.findChildren(kind) if w.objectName().startswith(OBJECT_PREFIX)]


def test_initgui_adds_provider_menu_toolbar_and_dock(plugin, qgis_iface):
    main = qgis_iface.mainWindow()
    menus = [a.menu() for a in main.menuBar().actions() if a.menu() is plugin.menu]
    assert len(menus) == 1
    assert {a.objectName() for a in plugin.menu.actions()} == ACTIONS
    assert {a.objectName() for a in plugin.toolbar.actions()} == ACTIONS - {f"{OBJECT_PREFIX}AboutAction"}
    assert plugin_widgets(main, QDockWidget) == [plugin.dock]
    assert main.dockWidgetArea(plugin.dock) == Qt.RightDockWidgetArea
    assert plugin.dock.isHidden()
    assert QgsApplication.processingRegistry().providerById("wifidensity") is plugin.provider


def test_drilldown_action_shows_the_dock(plugin):
    plugin.actions[0].trigger()
    assert not plugin.dock.isHidden()


def test_unload_removes_provider_menu_toolbar_actions_and_dock(qgis_iface, qgis_processing):
    main = qgis_iface.mainWindow()
    registry = QgsApplication.processingRegistry()
    if registry.providerById("wifidensity") is not None:
        registry.removeProvider(registry.providerById("wifidensity"))
    before_menus = len(main.menuBar().actions())
    loaded = wifidensity.classFactory(qgis_iface)
    loaded.initGui()
    widgets = [loaded.menu, loaded.toolbar, loaded.dock, *loaded.actions]

    loaded.unload()
    flush_deletions()

    assert registry.providerById("wifidensity") is None
    assert len(main.menuBar().actions()) == before_menus
    assert all(sip.isdeleted(widget) for widget in widgets)
    for kind in (QDockWidget, QToolBar, QAction):
        assert plugin_widgets(main, kind) == []


def test_basemap_goes_under_the_outputs_once(plugin, qgis_new_project):
    project = QgsProject.instance()
    output = QgsVectorLayer("Point?crs=EPSG:32633", "APs", "memory")
    project.addMapLayer(output)

    basemap = plugin.add_basemap()
    again = plugin.add_basemap()

    assert again is basemap and len(project.mapLayersByName(SATELLITE_NAME)) == 1
    assert basemap.isValid() and basemap.providerType() == "wms"
    assert "type=xyz" in basemap.source() and "World_Imagery" in basemap.source()
    assert [node.layer() for node in project.layerTreeRoot().findLayers()] == [output, basemap]


def test_about_shows_the_citation(plugin, qgis_iface):
    plugin.actions[-1].trigger()
    boxes = [b for b in qgis_iface.mainWindow().findChildren(QMessageBox) if not b.isHidden()]
    assert any("Sensors 2023, 23(13), 6142" in box.text() for box in boxes)
    for box in boxes:
        box.close()


def test_pipeline_action_opens_the_shipped_model_in_the_modeler(plugin, monkeypatch):
    monkeypatch.setattr("processing.modeler.ModelerDialog.iface", None)  # pytest-qgis's iface has no iconSize()
    window = plugin.open_pipeline_model()
    assert window is not None, "resources/models/pipeline.model3 is missing or unreadable"
    assert window.model().childAlgorithms()
    assert any(child.algorithmId().startswith("wifidensity:") for child in window.model().childAlgorithms().values())
    assert window.model().sourceFilePath() == "", "Save must not overwrite the model shipped in the plugin"
    window.close()


def test_modeler_helpers_read_a_model_file(tmp_path, qgis_processing, monkeypatch):
    monkeypatch.setattr("processing.modeler.ModelerDialog.iface", None)
    model = QgsProcessingModelAlgorithm("Tiny", "tests")
    path = tmp_path / "tiny.model3"
    assert model.toFile(str(path))

    assert load_pipeline_model(tmp_path / "absent.model3") is None
    window = open_in_modeler(load_pipeline_model(path))
    assert window.model().name() == "Tiny"
    window.close()


def test_pipeline_action_says_so_when_the_model_cannot_be_read(plugin, qgis_iface, monkeypatch):
    import wifidensity.plugin.gui.modeler as modeler
    monkeypatch.setattr(modeler, "load_pipeline_model", lambda: None)
    assert plugin.open_pipeline_model() is None
    assert any("pipeline.model3" in text for text in qgis_iface.messageBar().get_messages(Qgis.Warning))
