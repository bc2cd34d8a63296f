"""qgis_process.bin runs preprocess and filter on the bundled sample site, as in the README."""
import json

import pytest

from wifidensity.plugin.paths import SAMPLE_DIR

pytestmark = pytest.mark.qgis_process


def test_qgis_process_preprocess_prints_the_sample_truth(qgis_cli, tmp_path):
    truth = json.loads((SAMPLE_DIR / "truth.json").read_text())
    code, payload, log = qgis_cli.run(
        "wifidensity:preprocess", INPUT=SAMPLE_DIR / "probes.csv", CONNECTIONS=SAMPLE_DIR / "connections.csv",
        START=truth["start"], END=truth["end"], GROUPING=1, OUTPUT=tmp_path / "cr.gpkg")  # the paper's grouping
    assert code == 0, log
    results = payload["results"]
    for name in ("P", "P1", "P2", "P3"):
        assert results[name] == truth["counts"][name], name
    assert results["EMISSIONS"] == truth["counts"]["EMISSIONS_1TO3"]
    assert results["CC_MACS"] == truth["counts"]["connected"]


def test_qgis_process_filter_reports_an_unknown_ap(qgis_cli, tmp_path):
    table = tmp_path / "probes.csv"
    table.write_text("time,ap_id,mac,rss\n2024-06-01T10:00:00,AP42,aaa,-70\n2024-06-01T10:00:01,AP1,b,-70\n")
    code, _, log = qgis_cli.run("wifidensity:filter", INPUT=table, APS=SAMPLE_DIR / "aps.geojson",
                                OUTPUT=tmp_path / "k.csv", REMOVED=tmp_path / "r.csv")
    assert code != 0 and "AP42" in log and "Traceback" not in log
