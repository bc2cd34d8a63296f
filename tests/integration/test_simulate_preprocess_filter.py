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
        "GROUPING": 1, "OUTPUT": str(tmp_path / "pre.csv")})  # the paper's grouping, as the truth counts
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


def test_simulate_on_the_users_aps_and_crowds_in_degrees(provider, tmp_path, write_geojson):
    """APs and crowds in WGS84 (degrees): the site is computed in their UTM zone and the crowds are honoured."""
    import processing
    aps = write_geojson(tmp_path / "aps.geojson", "Point",
                        [(16.6070, 49.1945), (16.6090, 49.1945), (16.6080, 49.1960)],
                        [{"ap_id": "N1", "indoor": False}, {"ap_id": "N2", "indoor": False},
                         {"ap_id": "N3", "indoor": 1}])
    crowds = write_geojson(tmp_path / "crowds.geojson", "Point", [(16.6080, 49.1950), (16.6075, 49.1947)],
                           [{"spread": 10, "clients": 30}, {"spread": 5, "clients": 12}])
    sim = processing.run("wifidensity:simulate", {
        "APS": aps, "CROWDS": crowds, "INDOOR_CLIENTS": 4, "IOT_DEVICES": 0, "CONNECTED_CLIENTS": 0, "SEED": 3,
        "OUTPUT": str(tmp_path / "p.csv"), "AP_LAYER": str(tmp_path / "a.gpkg"),
        "CONNECTIONS": str(tmp_path / "c.csv"), "TRUTH": str(tmp_path / "t.gpkg")})
    truth = json.loads(sim["TRUTH_COUNTS"])
    assert (truth["outdoor"], truth["indoor"], truth["clients"]) == (42, 4, 46)
    layer = QgsVectorLayer(sim["AP_LAYER"], "aps", "ogr")
    assert layer.crs().authid() == "EPSG:32633"
    indoor = {f["ap_id"]: f["indoor"] for f in layer.getFeatures()}
    assert indoor == {"N1": 0, "N2": 0, "N3": 1}
    x = [f.geometry().asPoint().x() for f in layer.getFeatures()]
    assert 140 < max(x) - min(x) < 150  # 0.002 degrees of longitude at 49.2 N is about 146 m
    heard_by = {f["ap_id"] for f in QgsVectorLayer(sim["OUTPUT"], "p", "ogr").getFeatures()}
    assert heard_by == {"N1", "N2", "N3"}


def test_realistic_phones_write_one_row_per_frame_with_seq_and_fingerprint(provider, tmp_path):
    """REALISTIC_DEVICES: the probe table gains seq and fingerprint, the truth the devices; preprocessing reads it."""
    import processing
    sim = processing.run("wifidensity:simulate", {
        "SEED": 5, "WINDOW_HOURS": 1, "REALISTIC_DEVICES": True, "PASSERS_BY": 7,
        "OUTPUT": str(tmp_path / "probes.csv"), "AP_LAYER": str(tmp_path / "aps.gpkg"),
        "CONNECTIONS": str(tmp_path / "connections.csv"), "TRUTH": str(tmp_path / "truth.gpkg")})
    truth = json.loads(sim["TRUTH_COUNTS"])
    assert sim["TRUE_PASSERS_BY"] == truth["PASSERS_BY"] == 7
    assert sim["TRUE_DEVICES"] == truth["DEVICES"] == truth["clients"] - 7
    probes = QgsVectorLayer(sim["OUTPUT"], "p", "ogr")
    assert probes.fields().names() == ["time", "ap_id", "mac", "rss", "seq", "fingerprint"]
    assert probes.featureCount() == sim["PRS"]
    seqs = [int(f["seq"]) for f in probes.getFeatures()]
    assert min(seqs) >= 0 and max(seqs) < 4096
    assert len({f["fingerprint"] for f in probes.getFeatures()}) >= 4
    clients = QgsVectorLayer(sim["TRUTH"], "truth", "ogr")
    assert {"model", "frames"} <= set(clients.fields().names())
    assert sum(int(f["frames"]) for f in clients.getFeatures() if f["kind"] in ("outdoor", "indoor")) == \
        truth["FRAMES"]
    paper = processing.run("wifidensity:preprocess", {
        "INPUT": sim["OUTPUT"], "CONNECTIONS": sim["CONNECTIONS"], "ALL_CLASSES": True, "GROUPING": 1,
        "OUTPUT": str(tmp_path / "pre.csv")})
    assert paper["CR"] + paper["CF"] + paper["CC"] == sim["PRS"]  # the paper's grouping keeps every frame
    result = processing.run("wifidensity:preprocess", {
        "INPUT": sim["OUTPUT"], "CONNECTIONS": sim["CONNECTIONS"], "ALL_CLASSES": True,
        "OUTPUT": str(tmp_path / "bursts.csv")})
    assert result["CR"] + result["CF"] + result["CC"] < sim["PRS"]  # scan bursts: one PR per AP and burst
    assert result["CR"] > paper["CR"], "randomised MACs no longer taken for fixed ones by their frames"
