"""The self-calibrating maximum-likelihood map and the radio table through processing.run, on a simulated site
(algorithms/twin/simulate.py) with per-sensor gains of up to 3 dB, 4 dB of RSS noise and an indoor AP.

Oracles: the simulation's truth (true clients for the maps' r, true emission positions for the localization
error, true gains for the fitted ones). The probe table carries the true emission of every PR, as the
Preprocessing tool's emission field would, so localizations can be matched to where they were made.
"""
import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from wifidensity.algorithms.core.geotiff import read_density
from wifidensity.algorithms.core.timeparse import to_iso
from wifidensity.algorithms.radio.radio_table import FIELDS
from wifidensity.algorithms.twin.simulate import OUTDOOR, SiteConfig, simulate

OX, OY = 616990.0, 5450290.0
JITTER = [(3, -5), (-6, 2), (4, 4), (-2, -7), (5, 1), (-4, 6), (2, -3), (-5, -2), (6, 5)]
GAINS = [3.0, -2.0, 0.0, 2.5, 0.0, -3.0, 1.5, -1.0, -1.0]    # dB, zero mean; the fifth AP is indoor
INDOOR = [False] * 4 + [True] + [False] * 4
CONFIG = SiteConfig(ap_xy=[(OX + 80.0 * (i % 3) + dx, OY + 80.0 * (i // 3) + dy) for i, (dx, dy) in enumerate(JITTER)],
                    indoor=INDOOR, gains=GAINS,
                    crowds=[(OX + 40, OY + 120, 20, 60), (OX + 150, OY + 40, 15, 50), (OX + 90, OY + 150, 25, 40)],
                    indoor_clients=20, emissions_per_client=20, a=-36.0, n=2.8, sigma_rss=4.0, reception=0.9,
                    floor=-88.0, crs="EPSG:32633", seed=2102)
GRID = {"PIXEL_SIZE": 3.0, "MARGIN": 30.0}
X = CONFIG.emissions_per_client


class Log(QgsProcessingFeedback):
    """What a run says: info lines and warnings."""

    def __init__(self):
        super().__init__()
        self.info, self.warnings = [], []

    def pushInfo(self, info):  # noqa: N802 (QGIS API)
        self.info.append(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)


@pytest.fixture(scope="module")
def site(tmp_path_factory, write_geojson):
    from probe_files import write_ap_layer
    folder = tmp_path_factory.mktemp("radio_site")
    simulated = simulate(CONFIG)
    probes = simulated.probes
    emission = probes.extra["true_emission"]
    with open(folder / "probes.csv", "w", encoding="utf-8") as table:
        table.write("time,ap_id,mac,rss,emission\n")
        table.writelines(f"{t},{a},{m},{r:g},{e}\n" for t, a, m, r, e in
                         zip(to_iso(probes.time), probes.ap_id, probes.mac, probes.rss, emission))
    truth = simulated.truth
    outdoor = truth.client_xy[truth.kind.astype(str) == OUTDOOR]
    return {"probes": str(folder / "probes.csv"), "aps": write_ap_layer(folder / "aps.gpkg", simulated.aps, 32633),
            "truth": write_geojson(folder / "truth.geojson", "Point", outdoor.tolist(),
                                   [{"kind": OUTDOOR}] * len(outdoor), 32633),
            "emission_xy": simulated.emission_xy(), "ap_ids": [str(i) for i in simulated.aps.ids],
            "ap_xy": simulated.aps.xy, "folder": folder}


def _ml(site, out, **parameters):
    import processing
    log = Log()
    result = processing.run("wifidensity:mldensity", {"INPUT": site["probes"], "APS": site["aps"], "X": X, **GRID,
                                                      "OUTPUT": str(out), **parameters}, feedback=log)
    return result, log


def _r(site, raster):
    import processing
    return processing.run("wifidensity:score", {"INPUT": raster, "TRUTH": site["truth"], "KINDS": OUTDOOR})["R"]


@pytest.fixture(scope="module")
def fitted(site, qgis_processing):
    """mldensity at its defaults (list-mode, radio fitted), with its radio table."""
    from qgis.core import QgsApplication

    from wifidensity.plugin.provider import WifiDensityProvider
    registry = QgsApplication.processingRegistry()
    if registry.providerById("wifidensity") is None:
        fitted.provider = WifiDensityProvider()
        registry.addProvider(fitted.provider)
    result, log = _ml(site, site["folder"] / "listmode.tif", RADIO_OUTPUT=str(site["folder"] / "radio.gpkg"))
    return result, log


def _layer_rows(path):
    layer = QgsVectorLayer(path, "t", "ogr")
    assert layer.isValid(), path
    return layer, [{name: f[name] for name in layer.fields().names()} for f in layer.getFeatures()]


def test_the_list_mode_map_beats_the_counts_estimator_even_at_the_true_path_loss(site, fitted, tmp_path):
    result, log = fitted
    counts, _ = _ml(site, tmp_path / "counts.tif", ESTIMATOR=1, A=CONFIG.a, N=CONFIG.n, SIGMA_RSS=CONFIG.sigma_rss)
    r_listmode, r_counts = _r(site, result["OUTPUT"]), _r(site, counts["OUTPUT"])
    print(f"\nr list-mode {r_listmode:.3f} vs counts at the true A, n, sigma {r_counts:.3f}; {result['CALIBRATION']}")
    assert r_listmode >= 0.85 and r_listmode > r_counts + 0.05
    density = read_density(result["OUTPUT"])
    assert density.mass() == pytest.approx(result["EMISSIONS"] / X, rel=0.05)
    assert density.tags["ESTIMATOR"] == "list-mode"
    assert result["CALIBRATION"].split(":")[0] in ("ok", "uncertain")
    assert any(line.startswith("Radio calibration") for line in log.info + log.warnings)
    assert (result["FITTED_A"], result["FITTED_N"]) == (float(density.tags["A"]), float(density.tags["N"]))


def test_the_radio_table_is_a_point_per_outdoor_ap_with_the_gains_recovered(site, fitted):
    layer, rows = _layer_rows(fitted[0]["RADIO_OUTPUT"])
    assert tuple(layer.fields().names()[1:]) == FIELDS   # after the GeoPackage's fid
    outdoor = [i for i, indoor in zip(site["ap_ids"], INDOOR) if not indoor]
    assert [row["ap_id"] for row in rows] == outdoor
    points = {f["ap_id"]: f.geometry().asPoint() for f in layer.getFeatures()}
    for ap_id, xy in zip(site["ap_ids"], site["ap_xy"]):
        if ap_id in points:
            assert (points[ap_id].x(), points[ap_id].y()) == pytest.approx(tuple(xy))
    assert len({row["a"] for row in rows}) == 1 and len({row["status"] for row in rows}) == 1
    true = np.array([g for g, indoor in zip(GAINS, INDOOR) if not indoor])
    fitted_gains = np.array([row["gain_db"] for row in rows])
    determined = np.array([bool(row["determined"]) for row in rows])
    print(f"\ngains fitted {np.round(fitted_gains, 2)} for true {true}; determined {determined}")
    assert determined.sum() >= 6
    error = np.abs(fitted_gains - true)[determined]
    assert np.median(error) < 0.5 and error.max() < 1.5
    from qgis.core import QgsExpression, QgsExpressionContext

    from wifidensity.plugin.paths import STYLE_DIR
    assert layer.loadNamedStyle(str(STYLE_DIR / "radio.qml"))[1] and layer.labelsEnabled()
    label, context = QgsExpression(layer.labeling().settings().fieldName), QgsExpressionContext()
    context.setFeature(next(layer.getFeatures()))
    unsure = "" if determined[0] else " ?"
    assert label.evaluate(context) == f"{rows[0]['ap_id']} {rows[0]['gain_db']:.1f} dB{unsure}"


def test_mldensity_given_its_own_radio_table_fits_nothing_and_makes_the_same_map(site, fitted, tmp_path):
    result, _ = fitted
    again, log = _ml(site, tmp_path / "again.tif", RADIO=result["RADIO_OUTPUT"])
    assert again["CALIBRATION"].startswith("not calibrated")
    assert (again["FITTED_A"], again["FITTED_N"]) == (result["FITTED_A"], result["FITTED_N"])
    assert any("nothing is calibrated" in line for line in log.info)
    first, second = read_density(result["OUTPUT"]), read_density(again["OUTPUT"])
    assert np.allclose(first.values, second.values, rtol=1e-5, atol=1e-12 * first.values.max())


def _radio_csv(path, site, gains, drop=()):
    rows = [f"{ap_id},{gain},{CONFIG.a},{CONFIG.n},{CONFIG.sigma_rss}"
            for ap_id, gain in zip(site["ap_ids"], gains) if ap_id not in drop]
    path.write_text("ap_id,gain_db,a,n,sigma_rss\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _localization_error(site, out, radio):
    import processing
    log = Log()
    result = processing.run("wifidensity:localize", {"INPUT": site["probes"], "APS": site["aps"], "RADIO": radio,
                                                     "OUTPUT": str(out)}, feedback=log)
    layer, rows = _layer_rows(result["OUTPUT"])
    good = [(int(row["emission"]), row["x"], row["y"]) for row in rows if row["quality"] == "good"]
    label, x, y = (np.array(column) for column in zip(*good))
    return float(np.median(np.hypot(x - site["emission_xy"][label, 0], y - site["emission_xy"][label, 1]))), \
        result, log


def test_localize_with_the_true_gains_places_emissions_closer(site, tmp_path, provider):
    with_gains, result, log = _localization_error(site, tmp_path / "gains.gpkg",
                                                  _radio_csv(tmp_path / "true.csv", site, GAINS))
    without, _, _ = _localization_error(site, tmp_path / "flat.gpkg",
                                        _radio_csv(tmp_path / "flat.csv", site, [0.0] * len(GAINS)))
    print(f"\nmedian localization error {with_gains:.1f} m with the true gains, {without:.1f} m without")
    assert with_gains < 0.9 * without
    assert (result["A"], result["N"]) == (CONFIG.a, CONFIG.n)
    assert result["CALIBRATION"].startswith("not calibrated")
    assert any("nothing is calibrated" in line for line in log.info)


def test_bowl_takes_the_radio_and_an_ap_missing_from_the_table_gets_no_gain(site, tmp_path, provider):
    import processing
    missing = site["ap_ids"][0]
    log = Log()
    radio = _radio_csv(tmp_path / "radio.csv", site, GAINS, drop=(missing,))
    bowl = processing.run("wifidensity:bowl", {"INPUT": site["probes"], "APS": site["aps"], "RADIO": radio, **GRID,
                                               "OUTPUT": str(tmp_path / "bowl.tif")}, feedback=log)
    plain = processing.run("wifidensity:bowl", {"INPUT": site["probes"], "APS": site["aps"], "A": CONFIG.a,
                                                "N": CONFIG.n, "SIGMA_RSS": CONFIG.sigma_rss, **GRID,
                                                "OUTPUT": str(tmp_path / "plain.tif")})
    assert any(missing in w and "0 dB" in w for w in log.warnings), log.warnings
    with_radio, without = read_density(bowl["OUTPUT"]), read_density(plain["OUTPUT"])
    assert [float(with_radio.tags[k]) for k in ("A", "N", "SIGMA_RSS")] == [CONFIG.a, CONFIG.n, CONFIG.sigma_rss]
    assert bowl["TOTAL"] == plain["TOTAL"]
    assert not np.allclose(with_radio.values, without.values)   # the gains moved the rings


def test_the_self_check_table_has_one_row_per_crowd_shape(site, tmp_path, provider):
    result, log = _ml(site, tmp_path / "ml.tif", SELF_CHECK=True, STDERR=False, ITERATIONS=60,
                      SELF_CHECK_OUTPUT=str(tmp_path / "check.gpkg"), PIXEL_SIZE=5.0)
    _, rows = _layer_rows(result["SELF_CHECK_OUTPUT"])
    print("\n" + "\n".join(f"{row['shape']}: r {row['r']:.3f}, count error {row['count_error']:+.2f}, A {row['a']:.1f}"
                           f", n {row['n']:.2f} ({row['status']})" for row in rows))
    assert [row["shape"] for row in rows] == ["fitted", "one crowd", "crowds at APs", "spread out"]
    assert all(-1.0 <= row["r"] <= 1.0 and np.isfinite(row["count_error"]) for row in rows)
    assert any(line.startswith("Self-check: maps of this layout") for line in log.info)


class CancelAt(QgsProcessingFeedback):
    def __init__(self, percent):
        super().__init__()
        self.percent, self.highest = percent, 0.0
        self.progressChanged.connect(self._moved)

    def _moved(self, progress):
        self.highest = max(self.highest, progress)
        if progress >= self.percent:
            self.cancel()


def test_a_cancel_during_the_calibration_stops_it_and_writes_nothing(site, tmp_path, provider):
    import processing
    feedback = CancelAt(15)    # the radio is fitted over 5-56 % of the bar, the map over 56-90 %
    result = processing.run("wifidensity:mldensity", {"INPUT": site["probes"], "APS": site["aps"], **GRID,
                                                      "OUTPUT": str(tmp_path / "ml.tif"),
                                                      "RADIO_OUTPUT": str(tmp_path / "radio.gpkg")}, feedback=feedback)
    assert result == {} and list(tmp_path.iterdir()) == []
    assert feedback.highest < 56, "the run went on to the map after a cancel during the calibration"


def test_a_radio_table_of_another_site_is_refused(site, tmp_path, provider):
    radio = tmp_path / "foreign.csv"
    radio.write_text("ap_id,gain_db,a,n,sigma_rss\nZ1,0,-40,2.5,3\n", encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="not in the AP layer: Z1"):
        _ml(site, tmp_path / "ml.tif", RADIO=str(radio))


def test_the_counts_estimator_takes_a_radio_table_gains_included(site, tmp_path, provider):
    flat, _ = _ml(site, tmp_path / "flat.tif", ESTIMATOR=1, A=CONFIG.a, N=CONFIG.n, SIGMA_RSS=CONFIG.sigma_rss)
    given, log = _ml(site, tmp_path / "given.tif", ESTIMATOR=1, RADIO=_radio_csv(tmp_path / "r.csv", site, GAINS),
                     RADIO_OUTPUT=str(tmp_path / "used.gpkg"))
    r_flat, r_given = _r(site, flat["OUTPUT"]), _r(site, given["OUTPUT"])
    print(f"\ncounts estimator at the true A, n, sigma: r {r_flat:.3f} without the gains, {r_given:.3f} with them")
    assert r_given > r_flat
    assert given["CALIBRATION"].startswith("not calibrated") and given["FITTED_N"] == CONFIG.n
    _, rows = _layer_rows(given["RADIO_OUTPUT"])
    assert [row["gain_db"] for row in rows] == [g for g, indoor in zip(GAINS, INDOOR) if not indoor]
    assert {row["status"] for row in rows} == {"given"}
