"""The README's command-line examples, run exactly as written and in order, in one shell as a reader following
the README would: every ```bash block of README.md except the one with `make demo` / `make test` (those run
this very suite). A block a user cannot paste as it is must not be written as ```bash in the README."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bash_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [block for block in blocks if "make test" not in block]


def test_the_readme_has_command_line_examples():
    assert any("qgis_process.bin run wifidensity:pipeline" in block for block in bash_blocks())


@pytest.mark.qgis_process
def test_readme_blocks_run_as_written(tmp_path):
    block = "\n".join(bash_blocks())
    home = tmp_path / "home"  # a newcomer's home: their own QGIS profile and plugin folder
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    (tmp_path / "runtime").mkdir(mode=0o700)
    named = [Path(path) for path in re.findall(r"=(/tmp/[\w./]+)", block)]
    for path in named:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert all(path.exists() for path in named), named  # the outputs the block names were written
