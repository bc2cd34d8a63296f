"""preprocess and filter through processing.run: the bundled sample's truth, and clear messages for bad input."""
import json

import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from wifidensity.plugin.paths import SAMPLE_DIR

GOOD_ROWS = ["2024-06-01T10:00:00.0,AP1,aaa,-70", "2024-06-01T10:00:00.3,AP2,aaa,-75",
             "2024-06-01T10:05:00.0,AP1,bbb,-80"]


def _csv(folder, name, header, rows):
    path = folder / name
    path.write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    return str(path)


def _run(name, parameters):
    import processing  # importable once the provider fixture has initialised Processing
    return processing.run(f"wifidensity:{name}", parameters)


def test_preprocess_on_the_bundled_sample_gives_its_true_counts(provider, tmp_path):
    truth = json.loads((SAMPLE_DIR / "truth.json").read_text())
    counts = truth["counts"]
    result = _run("preprocess", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "CONNECTIONS": str(SAMPLE_DIR / "connections.csv"),
        "START": truth["start"], "END": truth["end"], "GROUPING": 1,  # the paper's grouping, as the truth counts
        "OUTPUT": str(tmp_path / "cr.gpkg")})
    assert (result["P"], result["P1"], result["P2"], result["P3"], result["EMISSIONS"]) == \
        (counts["P"], counts["P1"], counts["P2"], counts["P3"], counts["EMISSIONS_1TO3"])
    assert result["CC_MACS"] == counts["connected"] and result["WINDOW_HOURS"] == 3.0
    layer = QgsVectorLayer(result["OUTPUT"], "cr", "ogr")
    assert layer.featureCount() == counts["P"]


def test_emission_counting_option_reports_four_ap_emissions(provider, tmp_path):
    counts = json.loads((SAMPLE_DIR / "truth.json").read_text())["counts"]
    result = _run("preprocess", {
        "INPUT": str(SAMPLE_DIR / "probes.csv"), "CONNECTIONS": str(SAMPLE_DIR / "connections.csv"),
        "COUNT_EMISSIONS": True, "OUTPUT": str(tmp_path / "cr.csv")})
    assert result["P4PLUS"] == counts["P4plus"] > 0
    assert result["EMISSIONS"] == counts["EMISSIONS"]
    assert result["P_BY_K"].startswith(f"1:{counts['P1']};2:{counts['P2']};3:{counts['P3']};4:")
    higher = [counts["P_by_k"].get(str(k), 0) for k in range(4, 4 + len(result["P_MORE"].split(",")))]
    assert result["P_MORE"] == ", ".join(map(str, higher))


def test_raw_macs_are_hashed_and_never_written(provider, tmp_path):
    rows = [r.replace("aaa", "AA:BB:CC:00:11:22").replace("bbb", "aa:bb:cc:00:11:33") for r in GOOD_ROWS]
    table = _csv(tmp_path, "raw.csv", "time,ap_id,mac,rss", rows)
    result = _run("preprocess", {"INPUT": table, "SECRET": "site-key", "OUTPUT": str(tmp_path / "out.csv")})
    text = (tmp_path / "out.csv").read_text().lower()
    assert result["P2"] == 2 and "aa:bb:cc" not in text
    with pytest.raises(QgsProcessingException, match="SECRET"):
        _run("preprocess", {"INPUT": table, "OUTPUT": str(tmp_path / "out2.csv")})


def test_filter_refuses_raw_macs_it_would_copy(provider, tmp_path):
    rows = [r.replace("aaa", "AA:BB:CC:00:11:22") for r in GOOD_ROWS]
    table = _csv(tmp_path, "raw.csv", "time,ap_id,mac,rss", rows)
    with pytest.raises(QgsProcessingException, match="raw MAC addresses.*Run Preprocessing first"):
        _run("filter", {"INPUT": table, "OUTPUT": str(tmp_path / "kept.csv"), "REMOVED": str(tmp_path / "rem.csv")})
    assert not any("aa:bb:cc" in p.read_text().lower() for p in tmp_path.glob("*.csv") if p.name != "raw.csv")


def test_field_parameters_pick_other_names(provider, tmp_path):
    table = _csv(tmp_path, "named.csv", "stamp,sniffer,src,rssi", GOOD_ROWS)
    result = _run("preprocess", {"INPUT": table, "TIME_FIELD": "stamp", "AP_FIELD": "sniffer", "MAC_FIELD": "src",
                                 "RSS_FIELD": "rssi", "OUTPUT": str(tmp_path / "out.csv")})
    assert (result["P1"], result["P2"], result["EMISSIONS"]) == (1, 2, 2)
    header = (tmp_path / "out.csv").read_text().splitlines()[0]
    assert header == "time,ap_id,mac,rss,class,n_seen,emission,n_aps"


@pytest.mark.parametrize("header, rows, extra, message", [
    ("time,ap_id,mac,rss", GOOD_ROWS, {"TIME_FIELD": "when"}, r"no field 'when' \(TIME_FIELD\)"),
    ("time,ap_id,mac,rss", GOOD_ROWS, {"RSS_FIELD": "mac"},
     r"Row 1: the field 'mac' \(RSS_FIELD\) holds 'aaa', which is not a number"),
    ("time,ap_id,mac,rss", GOOD_ROWS, {"TIME_FIELD": "mac"}, r"time field 'mac' holds 'aaa', which is not a time"),
    ("time,ap_id,mac,rss", GOOD_ROWS + ["yesterday noon,AP1,ccc,-70"], {}, r"Row 4: the time field 'time'"),
    ("time,ap_id,mac,rss", GOOD_ROWS + ["2024-06-01T10:06:00,AP1,ccc,strong"], {}, r"Row 4: .*'strong'.*not a number"),
    ("time,ap_id,mac,rss", GOOD_ROWS + ["2024-06-01T10:06:00,AP1,ccc,17"], {}, r"Row 4: RSS = 17 .* positive"),
    ("time,ap_id,mac,rss", GOOD_ROWS, {"START": "2024-06-02T00:00:00", "END": "2024-06-02T03:00:00"},
     r"No PR lies in the window .* 2024-06-01T10:00:00"),
    ("time,ap_id,mac,rss", GOOD_ROWS, {"START": "next monday"}, r"START = 'next monday' is not a time"),
])
def test_preprocess_bad_input_gets_a_clear_message(provider, tmp_path, header, rows, extra, message):
    table = _csv(tmp_path, "probes.csv", header, rows)
    with pytest.raises(QgsProcessingException, match=message):
        _run("preprocess", {"INPUT": table, "OUTPUT": str(tmp_path / "out.csv"), **extra})


def test_an_empty_connections_table_is_refused(provider, tmp_path):
    table = _csv(tmp_path, "probes.csv", "time,ap_id,mac,rss", GOOD_ROWS)
    empty = _csv(tmp_path, "connections.csv", "mac,ap_id", [])
    with pytest.raises(QgsProcessingException, match="connections table .* has no rows"):
        _run("preprocess", {"INPUT": table, "CONNECTIONS": empty, "OUTPUT": str(tmp_path / "out.csv")})
    wrong = _csv(tmp_path, "connections2.csv", "address,ap_id", ["aaa,AP1"])
    with pytest.raises(QgsProcessingException, match=r"no field 'mac' \(CONNECTIONS_MAC_FIELD\)"):
        _run("preprocess", {"INPUT": table, "CONNECTIONS": wrong, "OUTPUT": str(tmp_path / "out.csv")})


def test_filter_on_the_sample_removes_the_cafe_and_loud_prs(provider, tmp_path):
    result = _run("filter", {"INPUT": str(SAMPLE_DIR / "probes.csv"), "APS": str(SAMPLE_DIR / "aps.geojson"),
                             "OUTPUT": str(tmp_path / "kept.csv"), "REMOVED": str(tmp_path / "removed.csv")})
    kept = QgsVectorLayer(result["OUTPUT"], "kept", "ogr")
    removed = QgsVectorLayer(result["REMOVED"], "removed", "ogr")
    total = QgsVectorLayer(str(SAMPLE_DIR / "probes.csv"), "all", "ogr").featureCount()
    assert kept.featureCount() + removed.featureCount() == total == result["KEPT"] + result["REMOVED_COUNT"]
    reasons = {f["removed_by"] for f in removed.getFeatures()}
    assert reasons == {"indoor AP", "RSS above RSS_MAX"}
    assert all(f["ap_id"] != "CAFE" and float(f["rss"]) <= -60 for f in kept.getFeatures())


def test_filter_names_ap_ids_missing_from_the_ap_layer(provider, tmp_path):
    table = _csv(tmp_path, "probes.csv", "time,ap_id,mac,rss", GOOD_ROWS + ["2024-06-01T10:06:00,AP99,c,-70"])
    with pytest.raises(QgsProcessingException, match="not in the AP layer: 'AP99'"):
        _run("filter", {"INPUT": table, "APS": str(SAMPLE_DIR / "aps.geojson"),
                        "OUTPUT": str(tmp_path / "k.csv"), "REMOVED": str(tmp_path / "r.csv")})


def test_filter_with_listed_indoor_aps_and_no_ap_layer(provider, tmp_path):
    table = _csv(tmp_path, "probes.csv", "time,ap_id,mac,rss", GOOD_ROWS)
    result = _run("filter", {"INPUT": table, "INDOOR_APS": "AP2", "RSS_MAX": -75,
                             "OUTPUT": str(tmp_path / "k.csv"), "REMOVED": str(tmp_path / "r.csv")})
    assert (result["KEPT"], result["REMOVED_COUNT"]) == (1, 2)


@pytest.mark.parametrize("rows, extra, message", [
    (GOOD_ROWS + ["2024-06-01T10:06:00,AP1,c,loud"], {}, r"Row 4: .*'loud'.*not a number"),
    (GOOD_ROWS, {"RSS_FIELD": "signal"}, r"no field 'signal' \(RSS_FIELD\)"),
    (GOOD_ROWS + ["2024-06-01T10:06:00,AP1,c,3"], {}, r"Row 4: RSS = 3 .* positive"),
])
def test_filter_bad_rss_gets_a_clear_message(provider, tmp_path, rows, extra, message):
    table = _csv(tmp_path, "probes.csv", "time,ap_id,mac,rss", rows)
    with pytest.raises(QgsProcessingException, match=message):
        _run("filter", {"INPUT": table, "OUTPUT": str(tmp_path / "k.csv"), "REMOVED": str(tmp_path / "r.csv"),
                        **extra})
