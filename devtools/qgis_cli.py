"""Running the plugin through the qgis_process.bin command line, as a user would, in a throwaway profile."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the plugin folder (repository root)
QGIS_PROCESS = "qgis_process.bin"  # /usr/bin/qgis_process is a broken wrapper on Debian 12


class QgisProcess:
    """qgis_process.bin with the plugin on QGIS_PLUGINPATH (as folder 'wifidensity') and enabled in a fresh profile."""

    def __init__(self, workdir):
        workdir = Path(workdir)
        plugins = workdir / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        link = plugins / "wifidensity"
        if not link.exists():
            link.symlink_to(ROOT, target_is_directory=True)
        self.env = dict(os.environ, QGIS_PLUGINPATH=str(plugins), QT_QPA_PLATFORM="offscreen",
                        QGIS_CUSTOM_CONFIG_PATH=str(workdir / "profile"), PROJ_DATA="/usr/share/proj",
                        XDG_RUNTIME_DIR=str(workdir))
        self.call("plugins", "enable", "wifidensity")

    def call(self, *args, timeout=600):
        """Run qgis_process.bin with ``args``; returns the CompletedProcess (text)."""
        return subprocess.run([QGIS_PROCESS, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def run(self, algorithm, **parameters):
        """Run ``algorithm`` with --json; returns (exit code, parsed JSON or None, stderr)."""
        args = ["--json", "run", algorithm, "--"] + [f"{k}={v}" for k, v in parameters.items()]
        done = self.call(*args)
        try:
            payload = json.loads(done.stdout)
        except json.JSONDecodeError:
            payload = None
        return done.returncode, payload, done.stderr + done.stdout
