"""simulate -> preprocess -> filter through processing.run: the chain works and matches the truth."""
import json

from qgis.core import QgsVectorLayer


def _run_simulation(folder):
    import processing  # importable once the provider fixture has initialised Processing
    return processing.run("wifidensity:simulate", {
        "SEED": 5, "EMISSIONS_PER_CLIENT": 10,
        "OUTPUT": str(folder / "probes.csv"), "AP_LAYER": str(folder / "aps.gpkg"),
        "CONNECTIONS": str(folder / "connections.csv"), "TRUTH": str(folder / "truth.gpkg")})


def test_simulated_tables_preprocess_to_the_truth(provider, tmp_path):
    import processing
    sim = _run_simulation(tmp_path)
    truth = json.loads(sim["TRUTH_COUNTS"])
    aps = QgsVectorLayer(sim["AP_LAYER"], "aps", "ogr")
    assert aps.featureCount() == 8 and aps.crs().authid() == "EPSG:32633"
    clients = QgsVectorLayer(sim["TRUTH"], "truth", "ogr")
    assert clients.featureCount() == truth["clients"] == sim["TRUE_CLIENTS"]
    result = processing.run("wifidensity:preprocess", {
        "INPUT": sim["OUTPUT"], "CONNECTIONS": sim["CONNECTIONS"], "ALL_CLASSES": True,
        "OUTPUT": str(tmp_path / "pre.csv")})
    assert (result["P"], result["P1"], result["P2"], result["P3"]) == \
        (truth["P"], truth["P1"], truth["P2"], truth["P3"])
    assert result["EMISSIONS"] == truth["EMISSIONS_1TO3"]
    assert result["CC_MACS"] == truth["connected"]
    assert result["CF_MACS"] >= truth["iot"]
    out = QgsVectorLayer(result["OUTPUT"], "pre", "ogr")
    assert out.fields().names()[:8] == ["time", "ap_id", "mac", "rss", "class", "n_seen", "emission", "n_aps"]
    assert out.featureCount() == result["CR"] + result["CF"] + result["CC"] == sim["PRS"]
    assert result["WINDOW_HOURS"] <= 3.0

    filtered = processing.run("wifidensity:filter", {
        "INPUT": result["OUTPUT"], "APS": sim["AP_LAYER"], "RSS_MAX": -60,
        "OUTPUT": str(tmp_path / "kept.csv"), "REMOVED": str(tmp_path / "removed.csv")})
    assert filtered["KEPT"] + filtered["REMOVED_COUNT"] == sim["PRS"]
    kept = QgsVectorLayer(filtered["OUTPUT"], "kept", "ogr")
    removed = QgsVectorLayer(filtered["REMOVED"], "removed", "ogr")
    assert kept.featureCount() == filtered["KEPT"] and removed.featureCount() == filtered["REMOVED_COUNT"]
    assert "emission" in kept.fields().names() and "removed_by" in removed.fields().names()
    assert not any(f["ap_id"] == "CAFE" for f in kept.getFeatures())
    assert all(float(f["rss"]) <= -60 for f in kept.getFeatures())
