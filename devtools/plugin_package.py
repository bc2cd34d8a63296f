"""Import the repository root, which is the plugin folder, as the package ``wifidensity`` whatever its folder name."""
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_plugin_package(name="wifidensity"):
    """Import (once) and return the plugin package under ``name``, so relative imports inside it work."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
