"""Localization on a real capture with GPS ground truth: UNIST campus, one phone, 25 outdoor sensors.

Run as a user would: wifi.csv as the probe table (sensor name as AP id, whole-second timestamps, so
TOLERANCE = 0.5 s groups the rows of one second into an emission), sensors.csv as the AP layer (EPSG:5186),
every other parameter at its default. Each localized emission is compared with the GPS fix at the same second,
and with the user's obvious alternative, "the phone is at the strongest sensor". Measured (2026-11, this code):

- path-loss fit with the GPS distances (fit_pathloss): A = -37.6 dBm, n = 1.58, residual sd 7.8 dB;
- 4,289 emissions heard by 3+ sensors, 3,831 with a GPS fix; strongest-sensor baseline: median 38.1 m;
- the self-calibration on the 1,627 emissions heard by 4+ sensors finds n = 2.99 (with this much noise every
  emission's position absorbs part of it, which steepens the fit); its simulated self-check measures a bias of
  +0.40 in n and corrects it to 2.59, but the standard error is 0.40, so the fit is NOT handed on (status
  "uncertain", n = 2.5 kept);
- defaults (n = 2.5, POSITION_PRIOR on, RSS noise measured at 6.2 dB): median error 34.4 m, better than the
  baseline by 3.8 m (10 %);
- POSITION_PRIOR off (pure Circles of Apollonius, the paper's method): 42.7 m, worse than the baseline by
  4.6 m: RSS ratios alone carry little position information at this noise;
- n = 1.58 (the GPS-fitted exponent, what a calibration walk would give), CALIBRATE off: 32.4 m, better than
  the baseline by 5.7 m (15 %).
"""
import numpy as np
import pytest
from oracles import fit_pathloss
from qgis.core import QgsVectorLayer
from unist_capture import read_rows, seconds


@pytest.fixture(scope="module")
def unist(shared_data):
    folder = shared_data / "unist-campus-wifi-gps"
    sensors = {r["sensor_name"]: (float(r["x_sensor"]), float(r["y_sensor"]))
               for r in read_rows(folder / "sensors.csv")}
    gps = {seconds(r["timestamp"]): (float(r["x"]), float(r["y"])) for r in read_rows(folder / "gps.csv")}
    wifi = read_rows(folder / "wifi.csv")
    uri = (f"file://{folder / 'sensors.csv'}?delimiter=,&xField=x_sensor&yField=y_sensor&crs=EPSG:5186")
    layer = QgsVectorLayer(uri, "sensors", "delimitedtext")
    assert layer.isValid() and layer.featureCount() == 25
    return {"folder": folder, "sensors": sensors, "gps": gps, "wifi": wifi, "aps": layer}


def _localize(unist, tmp_path, **options):
    import processing
    parameters = {"INPUT": str(unist["folder"] / "wifi.csv"), "TIME_FIELD": "timestamp",
                  "AP_FIELD": "sensor_name", "MAC_FIELD": "source_address", "RSS_FIELD": "rssi",
                  "TOLERANCE": 0.5, "APS": unist["aps"], "AP_ID_FIELD": "sensor_name",
                  "OUTPUT": str(tmp_path / "points.gpkg"), **options}
    result = processing.run("wifidensity:localize", parameters)
    layer = QgsVectorLayer(result["OUTPUT"], "points", "ogr")
    return result, list(layer.getFeatures())


def _errors(unist, features):
    """Localization error and strongest-sensor baseline error (m) for the emissions with a GPS fix and a
    position (a degenerate emission has none: the tool writes it without a geometry), and how many of those
    with a fix have no position."""
    strongest = {}
    for row in unist["wifi"]:
        t = seconds(row["timestamp"])
        if row["sensor_name"] in unist["sensors"] and float(row["rssi"]) > strongest.get(t, ("", -999.0))[1]:
            strongest[t] = (row["sensor_name"], float(row["rssi"]))
    ours, baseline, unplaced = [], [], 0
    for feature in features:
        t = seconds(feature["time_iso"][:19] + "Z")
        if t in unist["gps"] and not feature.hasGeometry():
            unplaced += 1
        elif t in unist["gps"]:
            truth = np.array(unist["gps"][t])
            point = feature.geometry().asPoint()
            ours.append(np.hypot(point.x() - truth[0], point.y() - truth[1]))
            baseline.append(np.hypot(*(np.array(unist["sensors"][strongest[t][0]]) - truth)))
    print(f"median error {np.median(ours):.1f} m, strongest sensor {np.median(baseline):.1f} m, {len(ours)} placed, "
          f"{unplaced} degenerate")
    return np.array(ours), np.array(baseline), unplaced


def _gps_fit(unist):
    distance, rss = [], []
    for row in unist["wifi"]:
        t = seconds(row["timestamp"])
        if row["sensor_name"] in unist["sensors"] and t in unist["gps"]:
            distance.append(np.hypot(*(np.array(unist["sensors"][row["sensor_name"]]) - unist["gps"][t])))
            rss.append(float(row["rssi"]))
    return fit_pathloss(np.maximum(distance, 1.0), rss)


def test_gps_distances_give_the_reference_model(unist):
    a, n, _, n_se, sd = _gps_fit(unist)
    assert a == pytest.approx(-37.6, abs=0.1) and n == pytest.approx(1.58, abs=0.01) and n_se < 0.02
    assert sd == pytest.approx(7.8, abs=0.1)


def test_defaults_refuse_the_self_calibration_and_beat_the_strongest_sensor(unist, provider, tmp_path):
    result, features = _localize(unist, tmp_path)
    assert result["CANDIDATES"] == 4289 == len(features)
    _, n_gps, _, _, _ = _gps_fit(unist)
    # the self-calibration is not trustworthy here (see the module docstring): the user's n is handed on,
    # and rightly so, since the fit is more than 0.3 from the GPS exponent
    assert result["N"] == 2.5 and result["CALIBRATION"].startswith("uncertain")
    assert abs(result["FITTED_N"] - n_gps) > 0.3 and result["N_STDERR"] > 0.3
    assert result["NOISE_SD"] == pytest.approx(6.2, abs=0.1) and result["PRIOR_SD"] == pytest.approx(40.8, abs=0.1)
    ours, baseline, unplaced = _errors(unist, features)
    assert len(ours) + unplaced == 3831
    assert np.median(baseline) == pytest.approx(38.1, abs=0.1)
    assert np.median(ours) < np.median(baseline) - 3.5  # measured 34.4 m against 38.1 m


def test_without_the_position_prior_ratios_alone_lose_to_the_strongest_sensor(unist, provider, tmp_path):
    result, features = _localize(unist, tmp_path, POSITION_PRIOR=False)
    assert result["NOISE_SD"] == 0.0
    ours, baseline, _ = _errors(unist, features)
    assert np.median(ours) > np.median(baseline) + 4.0  # measured 42.7 m against 38.1 m


def test_with_the_gps_fitted_exponent_it_beats_the_strongest_sensor_further(unist, provider, tmp_path):
    _, n_gps, _, _, _ = _gps_fit(unist)
    result, features = _localize(unist, tmp_path, N=n_gps, CALIBRATE=False)
    ours, baseline, _ = _errors(unist, features)
    assert np.median(ours) < np.median(baseline) - 5.0  # measured 32.4 m against 38.1 m
    good = np.array([f["quality"] == "good" for f in features])
    assert good.mean() > 0.85 and result["LOCALIZED"] == good.sum()
