"""`make package` builds a zip that installs into a fresh QGIS profile, where the provider and its tools appear."""
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from qgis_cli import QGIS_PROCESS, ROOT

pytestmark = pytest.mark.qgis_process
NOT_SHIPPED = re.compile(r"(^|/)(tests|bench|devtools|build|\.git|\.venv|__pycache__|\.pytest_cache)/|\.pyc$")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    built = subprocess.run(["make", "-B", "package"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    copy = tmp_path_factory.mktemp("package") / "wifidensity.zip"
    shutil.copy(ROOT / "build" / "wifidensity.zip", copy)
    return copy


def test_zip_holds_one_plugin_folder_without_tests_or_caches(package):
    names = zipfile.ZipFile(package).namelist()
    assert all(name.startswith("wifidensity/") for name in names)
    assert {"wifidensity/metadata.txt", "wifidensity/__init__.py", "wifidensity/plugin/provider.py",
            "wifidensity/plugin/gui/drilldown_dock.py", "wifidensity/resources/help/about.html"} <= set(names)
    assert [name for name in names if NOT_SHIPPED.search(name)] == []


def _qgis_process(config, *args):
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               PROJ_DATA="/usr/share/proj", XDG_RUNTIME_DIR=str(config.parent))
    env.pop("QGIS_PLUGINPATH", None)  # the plugin must come from the profile, as "Install from ZIP" puts it
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=300)


def test_zip_installs_into_a_fresh_profile_with_every_tool(package, tmp_path, provider):
    config = tmp_path / "config"
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(package).extractall(plugins)

    enabled = _qgis_process(config, "plugins", "enable", "wifidensity")
    listed = _qgis_process(config, "list")

    assert enabled.returncode == 0, enabled.stderr
    assert "error starting plugin" not in listed.stdout + listed.stderr, listed.stderr
    shipped = set(re.findall(r"^\s*wifidensity:(\w+)", listed.stdout, re.MULTILINE))
    assert "preprocess" in shipped and shipped == {algorithm.name() for algorithm in provider.algorithms()}, \
        listed.stdout
