"""Test set-up: the repository root is the plugin package; import it as ``wifidensity`` whatever its folder
is called."""
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "external"
os.environ.setdefault("PROJ_DATA", "/usr/share/proj")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


sys.path.insert(0, str(ROOT / "devtools"))  # the plugin importer and the qgis_process.bin harness
from plugin_package import import_plugin_package  # noqa: E402

import_plugin_package()


@pytest.fixture(scope="session")
def shared_data():
    """The real captures under ../shared/data/external; they must be there (CI has them beside the clone)."""
    assert SHARED_DATA.is_dir(), f"missing {SHARED_DATA}: real-data tests need shared/ beside the repository"
    return SHARED_DATA


_PROVIDERS = []


def _registered_provider():
    """The wifidensity provider, registered again when a plugin test's unload removed (and so deleted) it."""
    from qgis.core import QgsApplication

    from wifidensity.plugin.provider import WifiDensityProvider
    registry = QgsApplication.processingRegistry()
    if registry.providerById("wifidensity") is None:
        _PROVIDERS.append(WifiDensityProvider())  # the registry holds no Python reference: keep one, or the
        registry.addProvider(_PROVIDERS[-1])      # subclass is collected and its algorithms vanish after a test
    return registry.providerById("wifidensity")


@pytest.fixture()
def provider(qgis_processing):
    """Processing initialised with the wifidensity provider registered, as the plugin does in initProcessing."""
    return _registered_provider()


@pytest.fixture(scope="module")
def module_provider(qgis_processing):
    """The same for module-scoped fixtures (the plugin tests unload it between modules, never within one)."""
    return _registered_provider()


@pytest.fixture(scope="session")
def qgis_cli(tmp_path_factory):
    """qgis_process.bin with the plugin enabled in a throwaway profile (see devtools/qgis_cli.py)."""
    from qgis_cli import QgisProcess
    return QgisProcess(tmp_path_factory.mktemp("qgis_process"))


@pytest.fixture(scope="session")
def write_geojson():
    """write(path, geometry_type, coordinates, properties, epsg=None) -> str(path): one feature per coordinates
    item, with an explicit CRS when ``epsg`` is given (GeoJSON without one is WGS84)."""
    def write(path, geometry_type, coordinates, properties, epsg=None):
        features = [{"type": "Feature", "properties": props, "geometry": {"type": geometry_type, "coordinates": c}}
                    for c, props in zip(coordinates, properties)]
        collection = {"type": "FeatureCollection", "features": features}
        if epsg is not None:
            collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
        path.write_text(json.dumps(collection))
        return str(path)
    return write


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL + PostGIS server on 127.0.0.1 (tests/postgres_server.py), stopped at the end."""
    from postgres_server import PostgresServer
    server = PostgresServer().start()
    yield server
    server.stop()
