"""The plugin object QGIS creates: registers the provider, with or without a GUI, and the desktop extras."""
from qgis.core import Qgis, QgsApplication, QgsProject

from .paths import ICON_DIR
from .provider import WifiDensityProvider

MENU_TITLE = "WiFi &Density"
OBJECT_PREFIX = "WifiDensity"  # objectName prefix of every widget the plugin adds to the main window


class WifiDensityPlugin:
    """Registers the Processing provider in initProcessing (also called by qgis_process, with no iface).

    initGui adds a "WiFi Density" menu and toolbar (interactive drill-down, satellite basemap, pipeline model,
    About) and the drill-down dock; unload removes all of it and the provider.
    """

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.menu = None
        self.toolbar = None
        self.dock = None
        self.actions = []

    def initProcessing(self):  # noqa: N802 (QGIS API)
        if self.provider is None:
            self.provider = WifiDensityProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtWidgets import QMenu

        from .gui.drilldown_dock import DrilldownDock
        self.initProcessing()
        main = self.iface.mainWindow()
        self.menu = QMenu(MENU_TITLE, main)
        self.menu.setObjectName(f"{OBJECT_PREFIX}Menu")
        bar_actions = main.menuBar().actions()
        main.menuBar().insertMenu(bar_actions[-1] if bar_actions else None, self.menu)  # before Help
        self.toolbar = self.iface.addToolBar("WiFi Density")
        self.toolbar.setObjectName(f"{OBJECT_PREFIX}Toolbar")
        self.dock = DrilldownDock(main)
        self.dock.setObjectName(f"{OBJECT_PREFIX}DrilldownDock")
        main.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._add_action("Drilldown", "Interactive drill-down…", ICON_DIR / "wifidensity.svg", self.show_drilldown)
        self._add_action("Basemap", "Add satellite basemap", "/mActionAddXyzLayer.svg", self.add_basemap)
        self._add_action("Pipeline", "Open the pipeline model…", "/processingModel.svg", self.open_pipeline_model)
        self._add_action("About", "About WiFi Client Density…", "/mActionHelpAbout.svg", self.show_about,
                         on_toolbar=False)

    def _add_action(self, name, text, icon, slot, on_toolbar=True):
        from qgis.PyQt.QtGui import QIcon
        try:
            from qgis.PyQt.QtGui import QAction  # Qt 6 (QGIS 4)
        except ImportError:
            from qgis.PyQt.QtWidgets import QAction  # Qt 5 (QGIS 3)
        icon = QIcon(str(icon)) if not isinstance(icon, str) else QgsApplication.getThemeIcon(icon)
        action = QAction(icon, text, self.iface.mainWindow())
        action.setObjectName(f"{OBJECT_PREFIX}{name}Action")
        action.triggered.connect(slot)
        self.menu.addAction(action)
        if on_toolbar:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def show_drilldown(self):
        self.dock.show()
        self.dock.raise_()

    def add_basemap(self):
        from .gui.basemap import add_satellite_basemap
        return add_satellite_basemap(QgsProject.instance())

    def open_pipeline_model(self):
        """The Modeler window showing the pipeline, or None (with a message) when the model is not available."""
        from .gui.modeler import PIPELINE_MODEL, load_pipeline_model, open_in_modeler
        model = load_pipeline_model()
        if model is None:
            self.iface.messageBar().pushMessage(
                "WiFi Density", f"The pipeline model {PIPELINE_MODEL} is missing or unreadable; reinstall the plugin.",
                Qgis.MessageLevel.Warning, 10)
            return None
        return open_in_modeler(model)

    def show_about(self):
        from .gui.about import about_box
        box = about_box(self.iface.mainWindow())
        box.show()
        return box

    def unload(self):
        if self.menu is not None:
            self._remove_gui()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    def _remove_gui(self):
        main = self.iface.mainWindow()
        self.dock.release()
        main.removeDockWidget(self.dock)
        main.menuBar().removeAction(self.menu.menuAction())
        main.removeToolBar(self.toolbar)
        for widget in [*self.actions, self.dock, self.menu, self.toolbar]:
            widget.deleteLater()
        self.actions = []
        self.dock = self.menu = self.toolbar = None
