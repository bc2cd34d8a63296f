"""The bundled sample site is what its generator makes, and its truth matches its tables."""
import csv
import importlib.util
import json

import numpy as np

from wifidensity.plugin.paths import SAMPLE_DIR


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE_DIR / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bundled_files_are_what_make_sample_writes(tmp_path):
    _generator().make_sample(tmp_path)
    for name in ("probes.csv", "connections.csv", "aps.geojson", "truth.json", "truth_clients.geojson"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_the_sample_is_a_realistic_three_hour_site():
    truth = json.loads((SAMPLE_DIR / "truth.json").read_text())
    with open(SAMPLE_DIR / "probes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 5_000 <= len(rows) <= 20_000
    assert rows[0]["time"] >= truth["start"] and rows[-1]["time"] < truth["end"]
    aps = json.loads((SAMPLE_DIR / "aps.geojson").read_text())["features"]
    xy = np.array([f["geometry"]["coordinates"] for f in aps])
    assert 250 <= np.ptp(xy[:, 0]) <= 350 and 150 <= np.ptp(xy[:, 1]) <= 250
    assert sum(f["properties"]["indoor"] for f in aps) == 1
    counts = truth["counts"]
    assert counts["iot"] > 0 and counts["connected"] > 0 and counts["indoor"] > 0
    assert counts["P1"] > 0 and counts["P2"] > 0 and counts["P3"] > 0
