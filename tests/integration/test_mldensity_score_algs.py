"""wifidensity:mldensity and wifidensity:score through processing.run and qgis_process.bin on a simulated site."""
import pytest
from qgis.core import QgsProcessingException

from wifidensity.algorithms.core.geotiff import read_density
from wifidensity.algorithms.twin.simulate import sample_config

SAMPLE = sample_config()
MODEL = {"A": SAMPLE.a, "N": SAMPLE.n, "SIGMA_RSS": SAMPLE.sigma_rss, "PIXEL_SIZE": 4.0, "MARGIN": 30.0}


@pytest.fixture()
def simulated(provider, tmp_path):
    import processing
    sim = processing.run("wifidensity:simulate", {
        "SEED": 5, "EMISSIONS_PER_CLIENT": 20, "OUTPUT": str(tmp_path / "probes.csv"),
        "AP_LAYER": str(tmp_path / "aps.gpkg"), "CONNECTIONS": str(tmp_path / "connections.csv"),
        "TRUTH": str(tmp_path / "truth.gpkg")})
    pre = processing.run("wifidensity:preprocess", {
        "INPUT": sim["OUTPUT"], "CONNECTIONS": sim["CONNECTIONS"], "OUTPUT": str(tmp_path / "cr.csv")})
    return sim, pre


def test_ml_map_holds_emissions_over_x_and_scores_against_the_truth(simulated, tmp_path):
    import processing
    sim, pre = simulated
    ml = processing.run("wifidensity:mldensity", dict(
        MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], X=20.0, OUTPUT=str(tmp_path / "ml.tif"),
        PR_OUTPUT=str(tmp_path / "ml_prs.tif")))
    assert 0 < ml["EMISSIONS"] <= pre["EMISSIONS"]  # emissions heard only by the indoor AP are left out
    density = read_density(ml["OUTPUT"])
    assert density.tags["UNITS"] == "clients/m2"
    assert density.mass() == pytest.approx(ml["EMISSIONS"] / 20.0, rel=0.005)
    assert ml["CLIENTS"] == pytest.approx(ml["EMISSIONS"] / 20.0)
    assert read_density(ml["PR_OUTPUT"]).mass() == pytest.approx(ml["PRS"], rel=0.005)
    scored = processing.run("wifidensity:score", {"INPUT": ml["OUTPUT"], "TRUTH": sim["TRUTH"]})
    print(f"\nML through processing: r = {scored['R']:.3f}, clients {scored['ESTIMATED']:.1f} vs "
          f"{scored['TRUE']:g} true")
    assert scored["R"] >= 0.8
    assert scored["TRUE"] == sim["TRUE_CLIENTS"] - 6 - 10   # without the IoT devices and connected clients


def test_ml_without_an_emission_field_groups_emissions_itself(simulated, tmp_path):
    import processing
    sim, pre = simulated
    ml = processing.run("wifidensity:mldensity", dict(
        MODEL, INPUT=pre["OUTPUT"], EMISSION_FIELD="no_such_field", APS=sim["AP_LAYER"], ITERATIONS=10,
        OUTPUT=str(tmp_path / "ml.tif")))
    with_field = processing.run("wifidensity:mldensity", dict(
        MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], ITERATIONS=10, OUTPUT=str(tmp_path / "ml2.tif")))
    assert ml["EMISSIONS"] == with_field["EMISSIONS"]
    assert ml["X"] == pytest.approx(524 * 3 / 24)


def test_bad_inputs_are_processing_errors(simulated, tmp_path):
    import processing
    sim, pre = simulated
    with pytest.raises(QgsProcessingException, match="FLOOR"):
        processing.run("wifidensity:mldensity", dict(MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], FLOOR=-40.0,
                                                     OUTPUT=str(tmp_path / "bad.tif")))
    with pytest.raises(QgsProcessingException, match="X = "):
        processing.run("wifidensity:mldensity", dict(MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], X=-1.0,
                                                     OUTPUT=str(tmp_path / "bad.tif")))
    ml = processing.run("wifidensity:mldensity", dict(MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], ITERATIONS=5,
                                                      OUTPUT=str(tmp_path / "ml.tif")))
    with pytest.raises(QgsProcessingException, match="KINDS"):
        processing.run("wifidensity:score", {"INPUT": ml["OUTPUT"], "TRUTH": sim["TRUTH"],
                                             "KINDS": "martian"})


def test_mldensity_through_qgis_process(qgis_cli, tmp_path):
    code, payload, log = qgis_cli.run(
        "wifidensity:simulate", SEED=5, EMISSIONS_PER_CLIENT=10, OUTPUT=tmp_path / "p.csv",
        AP_LAYER=tmp_path / "aps.gpkg", CONNECTIONS=tmp_path / "c.csv", TRUTH=tmp_path / "truth.gpkg")
    assert code == 0, log
    code, payload, log = qgis_cli.run(
        "wifidensity:mldensity", INPUT=tmp_path / "p.csv", APS=tmp_path / "aps.gpkg", ITERATIONS=30,
        OUTPUT=tmp_path / "ml.tif", **MODEL)
    assert code == 0, log
    results = payload["results"]
    assert read_density(results["OUTPUT"]).mass() == pytest.approx(results["CLIENTS"], rel=0.005)
    code, payload, log = qgis_cli.run("wifidensity:score", INPUT=tmp_path / "ml.tif", TRUTH=tmp_path / "truth.gpkg")
    assert code == 0, log
    assert -1.0 <= payload["results"]["R"] <= 1.0
    code, _, log = qgis_cli.run("wifidensity:mldensity", INPUT=tmp_path / "p.csv", APS=tmp_path / "aps.gpkg",
                                FLOOR=-40, OUTPUT=tmp_path / "bad.tif", **MODEL)
    assert code != 0 and "FLOOR" in log


def test_site_twin_on_the_users_aps_and_a_crowd_area_in_degrees(provider, tmp_path, write_geojson):
    """The analyst's APs and a terrace polygon in WGS84: simulate over them (UTM), map with ML, score the map."""
    import processing
    from qgis.core import QgsVectorLayer
    corners = [(16.6070, 49.1940), (16.6095, 49.1940), (16.6070, 49.1958), (16.6095, 49.1958), (16.6082, 49.1949)]
    aps = write_geojson(tmp_path / "aps.geojson", "Point", [list(c) for c in corners],
                        [{"ap_id": f"U{i}", "indoor": 0} for i in range(len(corners))])
    terrace = [[[16.6073, 49.1950], [16.6080, 49.1950], [16.6080, 49.1955], [16.6073, 49.1955], [16.6073, 49.1950]]]
    areas = write_geojson(tmp_path / "terrace.geojson", "Polygon", [terrace], [{"clients": 80}])
    sim = processing.run("wifidensity:simulate", {
        "APS": aps, "CROWD_AREAS": areas, "INDOOR_CLIENTS": 0, "IOT_DEVICES": 0, "CONNECTED_CLIENTS": 0,
        "EMISSIONS_PER_CLIENT": 20, "SEED": 4, "OUTPUT": str(tmp_path / "p.csv"),
        "AP_LAYER": str(tmp_path / "a.gpkg"), "CONNECTIONS": str(tmp_path / "c.csv"),
        "TRUTH": str(tmp_path / "t.gpkg")})
    assert sim["TRUE_CLIENTS"] == 80
    assert QgsVectorLayer(sim["TRUTH"], "t", "ogr").crs().authid() == "EPSG:32633"
    pre = processing.run("wifidensity:preprocess", {"INPUT": sim["OUTPUT"], "OUTPUT": str(tmp_path / "cr.csv")})
    ml = processing.run("wifidensity:mldensity", dict(
        MODEL, INPUT=pre["OUTPUT"], APS=sim["AP_LAYER"], X=20.0, OUTPUT=str(tmp_path / "ml.tif")))
    scored = processing.run("wifidensity:score", {"INPUT": ml["OUTPUT"], "TRUTH": sim["TRUTH"], "POLYGON": areas})
    print(f"\nsite twin: r = {scored['R']:.3f}, share in the terrace {scored['SHARE_ESTIMATED']:.2f} "
          f"(truth {scored['SHARE_TRUE']:.2f}), total error {scored['TOTAL_ERROR']:+.2f}")
    assert scored["SHARE_TRUE"] == 1.0
    assert scored["SHARE_ESTIMATED"] > 0.6
    assert scored["R"] >= 0.8
