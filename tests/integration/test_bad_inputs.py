"""Bad input, tool by tool, through processing.run (and a sample through qgis_process.bin): each case must end in
a QgsProcessingException whose message names what is wrong and how to fix it, with no traceback, no output file
left behind and no input changed; inputs that are unusual but valid (a CSV with a BOM or with ';', APs in
EPSG:4326, a one-column list of connection tokens) must work."""
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback

from wifidensity.algorithms.core.geotiff import Density, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.plugin.paths import SAMPLE_DIR

SAMPLE_CRS = "EPSG:32633"
ORIGIN = (616990.0, 5450290.0)  # the sample site's south-west corner in UTM 33N
ROWS = ["2024-06-01T10:00:00.0,AP1,aaa,-70", "2024-06-01T10:00:00.3,AP2,aaa,-75", "2024-06-01T10:00:00.4,AP7,aaa,-71",
        "2024-06-01T10:05:00.0,AP1,bbb,-80"]
HEADER = "time,ap_id,mac,rss"


def _text(folder, name, lines):
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _square(x0, y0, side):
    return [[[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, write_geojson):
    """A folder of inputs, good and bad, that the cases read (and must leave as they were)."""
    folder = tmp_path_factory.mktemp("inputs")
    for name in ("probes.csv", "aps.geojson", "connections.csv"):
        shutil.copy(SAMPLE_DIR / name, folder / name)
    ox, oy = ORIGIN
    files = {name: str(folder / name) for name in ("probes.csv", "aps.geojson", "connections.csv")}
    files["few.csv"] = _text(folder, "few.csv", [HEADER] + ROWS)
    files["header_only.csv"] = _text(folder, "header_only.csv", [HEADER])
    second = "2024-06-01T10:00:01,AP2,ccc,"
    files["empty_rss.csv"] = _text(folder, "empty_rss.csv", [HEADER] + ROWS[:1] + [second])
    files["positive_rss.csv"] = _text(folder, "positive_rss.csv", [HEADER] + ROWS[:1] + [second + "17"])
    files["weak_rss.csv"] = _text(folder, "weak_rss.csv", [HEADER] + ROWS[:1] + [second + "-127"])
    files["text_rss.csv"] = _text(folder, "text_rss.csv", [HEADER] + ROWS[:1] + [second + "strong"])
    files["raw_macs.csv"] = _text(folder, "raw_macs.csv", [HEADER, "2024-06-01T10:00:00,AP1,aa:bb:cc:00:11:22,-70"])
    files["unknown_ap.csv"] = _text(folder, "unknown_ap.csv", [HEADER] + ROWS + ["2024-06-01T10:06:00,AP99,ddd,-80"])
    files["two_aps.csv"] = _text(folder, "two_aps.csv", [HEADER] + ROWS[:2] + ROWS[3:])
    files["foreign_aps.csv"] = _text(folder, "foreign_aps.csv", [HEADER, "2024-06-01T10:00:00,X1,aaa,-70",
                                                                "2024-06-01T10:00:00.1,X2,aaa,-71"])
    files["bom.csv"] = str(folder / "bom.csv")
    (folder / "bom.csv").write_text("\ufeff" + "\n".join([HEADER] + ROWS) + "\n", encoding="utf-8")
    files["semicolon.csv"] = _text(folder, "semicolon.csv", [HEADER.replace(",", ";")] +
                                   [r.replace(",", ";") for r in ROWS])
    files["tokens.csv"] = _text(folder, "tokens.csv", ["mac", "aaa"])
    files["tokens.txt"] = _text(folder, "tokens.txt", ["aaa", "bbb"])
    files["zeros.pcap"] = str(folder / "zeros.pcap")
    (folder / "zeros.pcap").write_bytes(bytes(4096))
    files["dot11.pcap"] = str(folder / "dot11.pcap")  # plain 802.11 (link type 105): no radiotap, no RSS
    (folder / "dot11.pcap").write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 105) +
                                        struct.pack("<IIII", 1717236000, 0, 24, 24) + bytes([0x40]) + bytes(23))
    files["empty_connections.csv"] = _text(folder, "empty_connections.csv", ["mac,ap_id"])
    radio_header, radio_rows = "ap_id,gain_db,a,n,sigma_rss", [f"AP{i},0.5,-38,2.6,3" for i in range(1, 8)]
    files["radio_no_sigma.csv"] = _text(folder, "radio_no_sigma.csv", ["ap_id,gain_db,a,n", "AP1,0.5,-38,2.6"])
    files["radio_text_gain.csv"] = _text(folder, "radio_text_gain.csv",
                                         [radio_header, radio_rows[0], "AP2,loud,-38,2.6,3"])
    files["radio_foreign.csv"] = _text(folder, "radio_foreign.csv", [radio_header] + radio_rows + ["Z9,1,-38,2.6,3"])
    files["radio_two_a.csv"] = _text(folder, "radio_two_a.csv", [radio_header, radio_rows[0], "AP2,0,-45,2.6,3"])
    files["radio_bad_n.csv"] = _text(folder, "radio_bad_n.csv", [radio_header, "AP1,0,-38,0,3"])
    aps = json.loads((SAMPLE_DIR / "aps.geojson").read_text())
    points = [f["geometry"]["coordinates"] for f in aps["features"]]
    ids = [f["properties"]["ap_id"] for f in aps["features"]]
    files["aps_polygons.geojson"] = write_geojson(folder / "aps_polygons.geojson", "Polygon",
                                                  [_square(x, y, 5) for x, y in points],
                                                  [{"ap_id": i} for i in ids], 32633)
    files["aps_duplicated.geojson"] = write_geojson(folder / "aps_duplicated.geojson", "Point", points,
                                                    [{"ap_id": "AP1"} for _ in ids], 32633)
    files["aps_outdoor.geojson"] = write_geojson(folder / "aps_outdoor.geojson", "Point", points,
                                                 [{"ap_id": i} for i in ids], 32633)
    files["aps_zones.geojson"] = write_geojson(folder / "aps_zones.geojson", "Point", points,
                                               [{"ap_id": i, "zone": "store"} for i in ids], 32633)
    files["aps_indoor.geojson"] = write_geojson(folder / "aps_indoor.geojson", "Point", points,
                                                [{"ap_id": i, "indoor": 1} for i in ids], 32633)
    lonlat = _to_lonlat(points)
    files["aps_4326.geojson"] = write_geojson(folder / "aps_4326.geojson", "Point", lonlat,
                                              [{"ap_id": i} for i in ids])
    files["points_no_crs.geojson"] = write_geojson(folder / "points_no_crs.geojson", "Point",
                                                   [[ox + 10 * k, oy + 7 * (k % 5)] for k in range(20)],
                                                   [{"quality": "good"} for _ in range(20)])
    files["three_points.geojson"] = write_geojson(folder / "three_points.geojson", "Point",
                                                  [[ox, oy], [ox + 100, oy], [ox, oy + 100]],
                                                  [{"quality": "good"}] * 3, 32633)
    files["region.geojson"] = write_geojson(folder / "region.geojson", "Polygon", [_square(ox + 50, oy + 50, 100)],
                                            [{"zone": "a"}], 32633)
    files["far_region.geojson"] = write_geojson(folder / "far_region.geojson", "Polygon",
                                                [_square(ox + 50000, oy, 100)], [{"zone": "far"}], 32633)
    files["everything.geojson"] = write_geojson(folder / "everything.geojson", "Polygon",
                                                [_square(ox - 1000, oy - 1000, 5000)], [{"zone": "all"}], 32633)
    files["twin_zones.geojson"] = write_geojson(folder / "twin_zones.geojson", "Polygon",
                                                [_square(ox, oy, 50), _square(ox + 60, oy, 50)],
                                                [{"zone": "a"}, {"zone": "a"}], 32633)
    files.update(_rasters(folder))
    return folder, files


def _to_lonlat(points):
    from pyproj import Transformer
    to_wgs84 = Transformer.from_crs(SAMPLE_CRS, "EPSG:4326", always_xy=True)
    return [list(to_wgs84.transform(x, y)) for x, y in points]


def _rasters(folder):
    ox, oy = ORIGIN
    rng = np.random.default_rng(3)
    grid = Grid(ox - 50, oy + 260, 2.0, 200, 160, SAMPLE_CRS)
    coarse = Grid(ox - 50, oy + 260, 4.0, 100, 80, SAMPLE_CRS)
    paths = {}
    for name, g, values in (("density.tif", grid, rng.random(grid.shape)), ("zero.tif", grid, np.zeros(grid.shape)),
                            ("coarse.tif", coarse, rng.random(coarse.shape))):
        paths[name] = str(folder / name)
        write_density(paths[name], Density(values, g, {"KIND": "PR density", "UNITS": "PRs/m2"}))
    return paths


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# (algorithm, parameters given the input files and an output folder, what the message must say)
CASES = [
    ("preprocess", lambda f, o: {"INPUT": f["header_only.csv"], "OUTPUT": o / "a.gpkg"}, r"has no rows"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "START": "2030-01-01T00:00:00", "OUTPUT": o / "a.gpkg"},
     r"No PR lies in the window .* Set START and END inside that range"),
    ("preprocess", lambda f, o: {"INPUT": f["empty_rss.csv"], "OUTPUT": o / "a.gpkg"},
     r"Row 2: the field 'rss' \(RSS_FIELD\) is empty"),
    ("preprocess", lambda f, o: {"INPUT": f["positive_rss.csv"], "OUTPUT": o / "a.gpkg"},
     r"RSS = 17 .* is positive; RSS must be in dBm"),
    ("preprocess", lambda f, o: {"INPUT": f["text_rss.csv"], "OUTPUT": o / "a.gpkg"},
     r"Row 2: the field 'rss' \(RSS_FIELD\) holds 'strong', which is not a number"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "START": "2024-06-01T11:00:00", "END": "2024-06-01T10:00:00",
                                 "OUTPUT": o / "a.gpkg"}, r"END .* must be after START"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "TOLERANCE": -1, "OUTPUT": o / "a.gpkg"},
     r"TOLERANCE = -1 is out of range .*give 0 or more"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "START": "yesterday", "OUTPUT": o / "a.gpkg"},
     r"START = 'yesterday' is not a time; write it as ISO 8601"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "TIME_FIELD": "when", "OUTPUT": o / "a.gpkg"},
     r"no field 'when' \(TIME_FIELD\).*Set TIME_FIELD to the right one"),
    ("preprocess", lambda f, o: {"INPUT": f["raw_macs.csv"], "OUTPUT": o / "a.gpkg"}, r"give a SECRET"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "THRESHOLD": 0, "OUTPUT": o / "a.gpkg"},
     r"THRESHOLD = 0 is out of range"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "CONNECTIONS": f["empty_connections.csv"],
                                 "OUTPUT": o / "a.gpkg"}, r"connections table .* has no rows"),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "OUTPUT": str(o / "read_only" / "a.gpkg")},
     r"OUTPUT: the output .* could not be written .*check the folder exists and is writable"),
    ("filter", lambda f, o: {"INPUT": f["unknown_ap.csv"], "APS": f["aps.geojson"], "OUTPUT": o / "k.gpkg",
                             "REMOVED": o / "r.gpkg"}, r"AP ids that are not in the AP layer: 'AP99'.*Add them"),
    ("filter", lambda f, o: {"INPUT": f["raw_macs.csv"], "OUTPUT": o / "k.gpkg", "REMOVED": o / "r.gpkg"},
     r"raw MAC addresses.*Run Preprocessing first"),
    ("filter", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "INDOOR_APS": "KITCHEN",
                             "OUTPUT": o / "k.gpkg", "REMOVED": o / "r.gpkg"},
     r"INDOOR_APS lists AP ids that are not in the AP layer: 'KITCHEN'"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps_polygons.geojson"], "OUTPUT": o / "b.tif"},
     r"must hold points.*Centroids"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps_duplicated.geojson"], "OUTPUT": o / "b.tif"},
     r"AP ids must be unique.*repeated: AP1"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "PIXEL_SIZE": 0.01, "OUTPUT": o / "b.tif"},
     r"The grid would have .* pixels; raise PIXEL_SIZE or shrink the EXTENT"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "OUTPUT": f["few.csv"] + "/b.tif"},
     r"OUTPUT: cannot write the raster .*check that its folder exists"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "N": 0, "OUTPUT": o / "b.tif"},
     r"N = 0 is out of range"),
    ("bowl", lambda f, o: {"INPUT": f["unknown_ap.csv"], "APS": f["aps.geojson"], "OUTPUT": o / "b.tif"},
     r"name an AP that is not in the AP layer .*AP99.*Add those APs"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "SIGMA_RSS": 0, "OUTPUT": o / "b.tif"},
     r"SIGMA_RSS = 0 is out of range"),
    ("renormalize", lambda f, o: {"INPUT": f["density.tif"], "REGION": f["far_region.geojson"], "OUTPUT": o / "r.tif"},
     r"REGION does not cover the centre of any pixel.*same CRS and overlap"),
    ("renormalize", lambda f, o: {"INPUT": f["density.tif"], "REGION": f["region.geojson"],
                                  "EXCLUSIONS": f["everything.geojson"], "OUTPUT": o / "r.tif"},
     r"exclusion zones cover all of REGION"),
    ("renormalize", lambda f, o: {"INPUT": f["density.tif"], "REGION": f["region.geojson"], "TOTAL": -5,
                                  "OUTPUT": o / "r.tif"}, r"TOTAL = -5 is out of range"),
    ("drilldown", lambda f, o: {"INPUT": f["density.tif"], "RETAIN": 0, "OUTPUT": o / "c.tif", "PEAKS": o / "p.tif"},
     r"RETAIN = 0 must be a fraction in \(0, 1\]"),
    ("drilldown", lambda f, o: {"INPUT": f["density.tif"], "RETAIN": 1.5, "OUTPUT": o / "c.tif",
                                "PEAKS": o / "p.tif"}, r"RETAIN = 1.5 is out of range .*give 1 or less"),
    ("drilldown", lambda f, o: {"INPUT": f["zero.tif"], "OUTPUT": o / "c.tif", "PEAKS": o / "p.tif"},
     r"holds no mass"),
    ("count", lambda f, o: {"P": 0, "P3": 0}, r"P = 0: there are no CR PRs to count"),
    ("count", lambda f, o: {"P": 100, "P1": 90, "P2": 30}, r"P1 \+ P2 \+ P3 = 120 exceeds P = 100"),
    ("count", lambda f, o: {"P": 100, "P1": 50, "X_DAY": 0}, r"X_DAY = 0: PRs per client per day must be a positive"),
    ("count", lambda f, o: {"P": 100, "P1": 50, "P2": 30, "P3": 20, "METHOD": 3},
     r"position method needs a DENSITY raster"),
    ("count", lambda f, o: {"P": 100, "P1": 50, "P2": 30, "P3": 20, "DENSITY": f["density.tif"],
                            "BREAKS": "low, high"},
     r"BREAKS = 'low, high': give density levels as numbers"),
    ("count", lambda f, o: {"P": 100, "P1": 50, "P_MORE": "many"}, r"P_MORE = 'many': give P4, P5"),
    # the sample site's window: P and P_MORE from the Preprocessing tool, P1-P3 not given
    ("count", lambda f, o: {"P": 12640, "P_MORE": "352, 20", "X_DAY": 270},
     r"multiplicity method needs P1, P2 and P3 .*P1, P2 and P3 are all 0 while P = 12640"),
    ("count", lambda f, o: {"P": 12640, "P1": 2595, "P2": 6052, "METHOD": 1},
     r"strawman method needs P3, .*P3 is 0 while P = 12640.*choose METHOD legacy"),
    ("localize", lambda f, o: {"INPUT": f["two_aps.csv"], "APS": f["aps.geojson"], "OUTPUT": o / "l.gpkg"},
     r"No emission was heard by 3 or more APs .*Check TOLERANCE"),
    ("localize", lambda f, o: {"INPUT": f["foreign_aps.csv"], "APS": f["aps.geojson"], "OUTPUT": o / "l.gpkg"},
     r"None of the probe table's AP ids .* Check AP_FIELD and AP_ID_FIELD"),
    ("fiducial", lambda f, o: {"INPUT": f["three_points.geojson"], "LAYER": 3, "OUTPUT": o / "f.gpkg"},
     r"LAYER = 3, but the 3 points form only 1 convex layer"),
    ("fiducial", lambda f, o: {"INPUT": f["points_no_crs.geojson"], "OUTPUT": o / "f.gpkg"},
     r"claims EPSG:4326 \(degrees\) but holds coordinates .*set the layer's real CRS"),
    ("reassemble", lambda f, o: {"PIECES": [f["density.tif"], f["coarse.tif"]], "X": 65.5, "OUTPUT": o / "c.tif"},
     r"has 4 m pixels, .* 2 m; all pieces need the same pixel size"),
    ("reassemble", lambda f, o: {"PIECES": [f["density.tif"]], "X": 0, "OUTPUT": o / "c.tif"},
     r"X = 0 must be a positive number of PRs per client"),
    ("reassemble", lambda f, o: {"PIECES": [f["density.tif"]], "SMOOTH": -1, "OUTPUT": o / "c.tif"},
     r"SMOOTH = -1 is out of range"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps.geojson"], "FLOOR": -20,
                                "OUTPUT": o / "m.tif"}, r"FLOOR = -20.* is above the weakest RSS heard"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps_indoor.geojson"], "OUTPUT": o / "m.tif"},
     r"Every AP of the AP layer is flagged indoor"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_no_sigma.csv"],
                                "OUTPUT": o / "m.tif"}, r"RADIO: the radio table has no field 'sigma_rss'"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_text_gain.csv"],
                                "OUTPUT": o / "m.tif", "RADIO_OUTPUT": o / "r.gpkg"},
     r"row 2 of the radio table: 'gain_db' holds 'loud', which is not a number"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps.geojson"], "SELF_CHECK": True, "ESTIMATOR": 1,
                                "OUTPUT": o / "m.tif", "SELF_CHECK_OUTPUT": o / "s.gpkg"},
     r"SELF_CHECK maps simulated crowds with the list-mode estimator.*ESTIMATOR = counts"),
    ("mldensity", lambda f, o: {"INPUT": f["probes.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_bad_n.csv"],
                                "ESTIMATOR": 1, "OUTPUT": o / "m.tif"},
     r"in the radio table: The path-loss exponent n = 0"),
    ("localize", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_foreign.csv"],
                               "OUTPUT": o / "l.gpkg"}, r"radio table \(RADIO\) lists AP ids that are not in the AP "
                                                        r"layer: Z9"),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_two_a.csv"],
                           "OUTPUT": o / "b.tif"}, r"'a' is -38 on row 1 but -45 on row 2; a radio table holds one"),
    ("score", lambda f, o: {"INPUT": f["density.tif"], "TRUTH": f["three_points.geojson"], "KIND_FIELD": "quality",
                            "KINDS": "martian"}, r"TRUTH has no points of kind martian; check KINDS"),
    ("simulate", lambda f, o: {"CROWDS": f["three_points.geojson"], "OUTPUT": o / "p.csv", "AP_LAYER": o / "a.gpkg",
                               "CONNECTIONS": o / "c.csv", "TRUTH": o / "t.gpkg"}, r"CROWDS / CROWD_AREAS need APS"),
    ("simulate", lambda f, o: {"APS": f["aps_outdoor.geojson"], "INDOOR_CLIENTS": 5, "OUTPUT": o / "p.csv",
                               "AP_LAYER": o / "a.gpkg", "CONNECTIONS": o / "c.csv", "TRUTH": o / "t.gpkg"},
     r"Indoor clients \(INDOOR_CLIENTS\) need an indoor AP"),
    ("importcaptures", lambda f, o: {"INPUT": [f["zeros.pcap"]], "OUTPUT": o / "i.gpkg"},
     r"zeros.pcap: not a capture this tool reads.*pcapng"),
    ("importcaptures", lambda f, o: {"INPUT": [f["dot11.pcap"]], "OUTPUT": o / "i.gpkg"},
     r"no signal strength.*radiotap"),
    ("presence", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps_zones.geojson"], "TIMEZONE": "Mars/Olympus",
                               "OUTPUT_DAYS": o / "d.gpkg"}, r"TIMEZONE.*Mars/Olympus"),
    ("presence", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps.geojson"], "OUTPUT_DAYS": o / "d.gpkg"},
     r"no field 'zone' \(ZONE_FIELD\).*Set ZONE_FIELD"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "START": "2024-06-02T00:00:00",
                             "END": "2024-06-01T00:00:00", "OUTPUT_FOLDER": o / "s", "TABLE": o / "t.gpkg"},
     r"END must be after START"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "START": "yesterday",
                             "OUTPUT_FOLDER": o / "s", "TABLE": o / "t.gpkg"}, r"START = 'yesterday' is not a time"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "SCHEDULER": "localhost:8786",
                             "OUTPUT_FOLDER": o / "s", "TABLE": o / "t.gpkg"}, r"SCHEDULER = localhost:8786.*tcp://"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "ZONES": f["twin_zones.geojson"],
                             "OUTPUT_FOLDER": o / "s", "TABLE": o / "t.gpkg"}, r"ZONES: each zone needs its own name"),
    ("season", lambda f, o: {"PROBES": f["raw_macs.csv"], "APS": f["aps.geojson"], "OUTPUT_FOLDER": o / "s",
                             "TABLE": o / "t.gpkg"}, r"raw MAC addresses: give a SECRET"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "WINDOW_HOURS": 0,
                             "OUTPUT_FOLDER": o / "s", "TABLE": o / "t.gpkg"}, r"WINDOW_HOURS = 0 is out of range"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "WORKERS": 0,
                             "OUTPUT_FOLDER": o / "read_only" / "s", "TABLE": o / "t.gpkg"},
     r"could not be read or written"),
    ("preprocess", lambda f, o: {"INPUT": f["weak_rss.csv"], "OUTPUT": o / "a.gpkg"},
     r"Row 2: RSS = -127 in 'rss' is below -120 dBm.*Remove or correct those rows"),
    ("presence", lambda f, o: {"INPUT": f["raw_macs.csv"], "APS": f["aps_zones.geojson"], "OUTPUT_DAYS": o / "d.gpkg"},
     r"raw MAC addresses: give a SECRET"),
    # two outputs on one path: refused before any work, naming both and the path
    ("drilldown", lambda f, o: {"INPUT": f["density.tif"], "OUTPUT": o / "c.tif", "PEAKS": o / "c.tif"},
     r"OUTPUT and PEAKS are both set to .*c\.tif: one output would overwrite the other\. Give each output its own"),
    ("presence", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps_zones.geojson"], "OUTPUT_DAYS": o / "d.gpkg",
                               "OUTPUT_FLOWS": o / "sub" / ".." / "d.gpkg"},
     r"OUTPUT_DAYS and OUTPUT_FLOWS are both set to .*d\.gpkg.*Give each output its own file"),
    ("season", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "OUTPUT_FOLDER": o / "s",
                             "TABLE": o / "t.csv", "CHART": o / "t.csv"},
     r"TABLE and CHART are both set to .*t\.csv.*Give each output its own file"),
    ("pipeline", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "reassemble:CLIENT_MAP": o / "c.tif",
                               "mldensity:ML_CLIENT_MAP": o / "c.tif"},
     r"(mldensity:ML_CLIENT_MAP and reassemble:CLIENT_MAP|reassemble:CLIENT_MAP and mldensity:ML_CLIENT_MAP) are "
     r"both set to .*c\.tif.*Give each output its own file"),
    ("pipeline", lambda f, o: {"PROBES": f["probes.csv"], "APS": f["aps.geojson"], "RADIO": f["radio_foreign.csv"],
                               "reassemble:CLIENT_MAP": o / "c.tif"}, r"not in the AP layer: Z9"),
    ("pipeline", lambda f, o: {"PROBES": f["few.csv"], "APS": f["aps.geojson"], "START": "2030-01-01T00:00:00",
                               "reassemble:CLIENT_MAP": o / "c.tif"}, r"No PR lies in the window"),
]
VALID = [  # unusual but valid inputs: they must work
    ("preprocess", lambda f, o: {"INPUT": f["bom.csv"], "OUTPUT": o / "a.gpkg"}, {"P2": 0, "P3": 3, "EMISSIONS": 2}),
    ("preprocess", lambda f, o: {"INPUT": f["semicolon.csv"], "OUTPUT": o / "a.gpkg"}, {"P3": 3, "EMISSIONS": 2}),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "CONNECTIONS": f["tokens.csv"], "OUTPUT": o / "a.gpkg"},
     {"CC": 3, "P": 1}),
    ("preprocess", lambda f, o: {"INPUT": f["few.csv"], "CONNECTIONS": f["tokens.txt"], "OUTPUT": o / "a.gpkg"},
     {"CC": 4, "P": 0}),
    ("bowl", lambda f, o: {"INPUT": f["few.csv"], "APS": f["aps_4326.geojson"], "OUTPUT": o / "b.tif"}, {"TOTAL": 4}),
]


def _name(case):
    return f"{case[0]}-{case[2][:40]}" if isinstance(case[2], str) else f"{case[0]}-valid"


@pytest.fixture()
def outputs(tmp_path):
    """An empty output folder, with a read-only subfolder (made so for root too: a read-only bind mount)."""
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    read_only.chmod(0o555)
    mounted = False
    if os.geteuid() == 0:  # root writes into any folder: mount it read-only instead
        mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(read_only), str(read_only)],
                                 capture_output=True).returncode == 0
        assert mounted, "a read-only bind mount is needed to test a read-only output folder as root"
    yield tmp_path
    if mounted:
        subprocess.run(["umount", str(read_only)], check=True)


class Log(QgsProcessingFeedback):
    """The errors a run reports (a model's exception names the failed step; QGIS 3.22 logs the step's message)."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatal_error=False):  # noqa: N802 (QGIS API)
        self.errors.append(error)


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_bad_input_ends_in_a_clear_message_and_writes_nothing(case, inputs, outputs, provider):
    import processing
    algorithm, parameters, message = case
    folder, files = inputs
    before = _fingerprint(folder)
    given = {k: (str(v) if not isinstance(v, list) else v) for k, v in parameters(files, outputs).items()}
    log = Log()
    with pytest.raises(QgsProcessingException) as raised:
        processing.run(f"wifidensity:{algorithm}", given, feedback=log)
    said = "\n".join([str(raised.value), *log.errors])
    assert re.search(message, said), said
    assert "Traceback" not in said
    assert [p.name for p in outputs.rglob("*") if p.is_file()] == [], "a failed run left output behind"
    assert _fingerprint(folder) == before, "an input changed"


@pytest.mark.parametrize("case", VALID, ids=_name)
def test_unusual_but_valid_input_works(case, inputs, outputs, provider):
    import processing
    algorithm, parameters, expected = case
    folder, files = inputs
    result = processing.run(f"wifidensity:{algorithm}", {k: str(v) for k, v in parameters(files, outputs).items()})
    assert {k: result[k] for k in expected} == expected


def test_there_are_at_least_forty_bad_input_cases_over_every_tool(provider):
    from wifidensity.plugin.provider import ALGORITHMS
    assert len(CASES) >= 40
    assert {cls.NAME for cls in ALGORITHMS} <= {algorithm for algorithm, _, _ in CASES}


@pytest.mark.qgis_process
@pytest.mark.parametrize("index", [0, 6, 16, 24, 36, -1])
def test_bad_input_through_qgis_process(index, inputs, tmp_path, qgis_cli):
    algorithm, parameters, message = CASES[index]
    _, files = inputs
    (tmp_path / "read_only").mkdir()
    given = {k: (v if not isinstance(v, list) else v[0]) for k, v in parameters(files, tmp_path).items()}
    code, _, log = qgis_cli.run(f"wifidensity:{algorithm}", **given)
    assert code != 0
    assert re.search(message, log), log[-2000:]
    assert "Traceback" not in log
