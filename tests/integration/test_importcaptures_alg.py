"""wifidensity:importcaptures through processing.run and qgis_process.bin: a simulated site's captures (the
simulate tool's rehearsal option) go through import and preprocessing and give exactly the simulator's counts;
no raw MAC reaches any output; the fingerprint field holds keyed-hash tokens (NULL for airodump-ng logs) and no
raw information element."""
import csv
import json
import re
import sqlite3

import pytest

RAW_MAC = re.compile(rb"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}")
TOKEN = re.compile(r"^[0-9a-f]{16}$")
SECRET = "site-key"


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory, qgis_processing):
    import processing
    from qgis.core import QgsApplication

    from wifidensity.plugin.provider import WifiDensityProvider
    if QgsApplication.processingRegistry().providerById("wifidensity") is None:
        rehearsal.provider = WifiDensityProvider()
        QgsApplication.processingRegistry().addProvider(rehearsal.provider)
    folder = tmp_path_factory.mktemp("rehearsal")
    site = processing.run("wifidensity:simulate", {
        "SEED": 11, "OUTPUT": str(folder / "probes.csv"), "AP_LAYER": str(folder / "aps.gpkg"),
        "CONNECTIONS": str(folder / "connections.csv"), "TRUTH": str(folder / "truth.gpkg"),
        "CAPTURES": str(folder / "captures")})
    files = sorted(str(p) for p in (folder / "captures").iterdir())
    return folder, site, files


def test_the_rehearsal_writes_one_capture_per_ap(rehearsal):
    _, site, files = rehearsal
    assert [f.rsplit("/", 1)[-1] for f in files] == sorted(f"AP{i}.pcapng" for i in range(1, 8)) + ["CAFE.pcapng"]


def test_import_then_preprocess_gives_the_simulators_counts(rehearsal, tmp_path):
    import processing
    folder, site, files = rehearsal
    imported = processing.run("wifidensity:importcaptures", {
        "INPUT": files, "SECRET": SECRET, "CLOCK_SYNC": True, "OUTPUT": str(tmp_path / "probes.gpkg"),
        "OFFSETS": str(tmp_path / "offsets.csv")})
    assert imported["PROBES"] == site["PRS"] and imported["SENSORS"] == 8
    assert imported["FRAMES"] > imported["PROBES"] + imported["DROPPED_BAD_FCS"], "a busy channel's other frames"
    offsets = (tmp_path / "offsets.csv").read_text().splitlines()
    assert offsets[0] == "sensor,offset_s,matched" and len(offsets) == 9
    assert all(abs(float(line.split(",")[1])) < 1e-6 for line in offsets[1:]), "the simulated clocks agree"
    pre = processing.run("wifidensity:preprocess", {
        "INPUT": imported["OUTPUT"], "CONNECTIONS": site["CONNECTIONS"], "SECRET": SECRET,
        "GROUPING": 1, "OUTPUT": str(tmp_path / "cr.gpkg")})  # the paper's grouping, as the truth counts
    truth = json.loads(site["TRUTH_COUNTS"])
    assert (pre["P"], pre["P1"], pre["P2"], pre["P3"]) == (truth["P"], truth["P1"], truth["P2"], truth["P3"])
    assert pre["CC_MACS"] == truth["connected"]
    for output in (tmp_path / "probes.gpkg", tmp_path / "offsets.csv", tmp_path / "cr.gpkg"):
        assert not RAW_MAC.search(output.read_bytes()), output


def test_import_through_qgis_process_with_repeated_inputs(rehearsal, tmp_path, qgis_cli):
    _, site, files = rehearsal
    args = ["--json", "run", "wifidensity:importcaptures", "--", *(f"INPUT={f}" for f in files[:3]),
            f"SECRET={SECRET}", f"OUTPUT={tmp_path / 'three.csv'}"]
    done = qgis_cli.call(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    assert results["SENSORS"] == 3 and results["PROBES"] > 0
    header = (tmp_path / "three.csv").read_text().splitlines()[0]
    assert header == "time,ap_id,mac,rss,seq,fingerprint,freq_mhz"


def test_the_fingerprint_field_in_geopackage_and_csv_null_for_airodump_logs(rehearsal, tmp_path):
    import processing
    from capture_files import write_airodump_log

    from wifidensity.algorithms.captures.writer import MODELS
    _, _, files = rehearsal
    log = tmp_path / "S9.log.csv"
    write_airodump_log(log, ["2024-06-01 10:00:01", "2024-06-01 10:00:02"], ["02:aa:00:00:00:01", "02:aa:00:00:00:02"],
                       [-60, -61])
    inputs = files[:2] + [str(log)]
    outputs = {}
    for extension in ("gpkg", "csv"):
        path = tmp_path / f"probes.{extension}"
        done = processing.run("wifidensity:importcaptures", {"INPUT": inputs, "SECRET": SECRET, "OUTPUT": str(path)})
        assert done["SENSORS"] == 3
        if extension == "csv":
            with open(path, newline="") as handle:
                rows = [(r["ap_id"], r["fingerprint"] or None) for r in csv.DictReader(handle)]
        else:
            with sqlite3.connect(path) as connection:
                rows = connection.execute("SELECT ap_id, fingerprint FROM probes").fetchall()
        assert len(rows) == done["PROBES"]
        outputs[extension] = rows
        raw = path.read_bytes()
        for ident, contents in (element for model in MODELS[1:] for element in model if len(element[1]) >= 8):
            element = bytes([ident, len(contents)]) + contents
            assert element not in raw and contents.hex().encode() not in raw.lower(), (ident, contents)
    assert outputs["gpkg"] == outputs["csv"]
    heard = [token for ap, token in outputs["csv"] if ap != "S9"]
    assert all(TOKEN.match(t) for t in heard) and 1 < len(set(heard)) < len(MODELS)
    assert [token for ap, token in outputs["csv"] if ap == "S9"] == [None, None]
