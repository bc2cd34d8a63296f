"""The per-window flow (algorithms/season/flow.py) and the pieces it shares with the tools: the GeoTIFF hand-off
(core.geotiff.stored, density_bytes), drill_down, zone_x_from, good_points, ml_client_map. That the flow equals
the pipeline model is tests/integration/test_season_flow.py."""
from dataclasses import replace

import numpy as np
import pytest
from shapely.geometry import box

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.geotiff import Density, density_bytes, read_density, stored, write_density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.paper.apollonius import QUALITY_NAMES
from wifidensity.algorithms.paper.bowl import bowl_grid
from wifidensity.algorithms.paper.drilldown import drill_down
from wifidensity.algorithms.paper.fiducial import good_points
from wifidensity.algorithms.paper.reassemble import zone_x_from
from wifidensity.algorithms.radio.mldensity import ml_client_map
from wifidensity.algorithms.season.flow import FlowParameters, run_window
from wifidensity.algorithms.twin.simulate import sample_config, simulate

START = 1717236000.0
END = START + 3 * 3600.0


@pytest.fixture(scope="module")
def site():
    return simulate(replace(sample_config(), emissions_per_client=10.0))


def _density(seed=3):
    rng = np.random.default_rng(seed)
    grid = Grid(500000.0, 5400000.0, 2.0, 40, 30, "EPSG:32633")
    return Density(rng.gamma(0.5, 0.01, grid.shape), grid, {"KIND": "PR density", "UNITS": "PRs/m2", "TOTAL": 99.5,
                                                            "MASS_OUTSIDE": 0.25})


def test_stored_and_density_bytes_are_what_the_geotiff_round_trip_gives(tmp_path):
    density = _density()
    write_density(str(tmp_path / "a.tif"), density)
    (tmp_path / "b.tif").write_bytes(density_bytes(density))
    from_file, from_bytes, here = read_density(str(tmp_path / "a.tif")), read_density(str(tmp_path / "b.tif")), \
        stored(density)
    assert np.array_equal(from_file.values, here.values) and np.array_equal(from_bytes.values, here.values)
    assert not np.array_equal(here.values, density.values)  # float32 rounding did happen
    assert {k: from_file.tags[k] for k in here.tags} == here.tags == {k: from_bytes.tags[k] for k in here.tags}
    assert from_bytes.grid == replace(density.grid, crs=from_bytes.grid.crs)


def test_drill_down_pieces_add_back_to_the_float32_values_and_carry_the_outside_mass():
    density = stored(_density())
    result = drill_down(density, retain=0.9)
    assert np.array_equal(result.capped.values + result.peaks.values, density.values.astype(np.float32))
    assert result.retained == pytest.approx(0.9, abs=1e-6)
    assert result.above == int((density.values.astype(np.float32) > result.threshold).sum()) > 0
    assert float(result.capped.tags["TOTAL"]) == pytest.approx(result.capped.mass() + 0.25, rel=1e-12)
    assert result.peaks.tags["MASS_OUTSIDE"] == 0.0
    fixed = drill_down(density, threshold=0.0)
    assert fixed.capped.mass() == 0.0 and fixed.peaks.mass() == pytest.approx(density.mass(), rel=1e-6)


def test_zone_x_from_reads_one_x_per_zone_and_names_a_bad_one():
    zones = zone_x_from([box(0, 0, 1, 1), box(1, 0, 2, 1)], [65.5, "70"])
    assert zones.x == [65.5, 70.0]
    with pytest.raises(InputError, match="Zone 2: the X field 'x_zone' holds 'n/a'"):
        zone_x_from([box(0, 0, 1, 1), box(1, 0, 2, 1)], [65.5, "n/a"], "x_zone")
    with pytest.raises(InputError, match="no polygon"):
        zone_x_from([], [])


def test_good_points_keeps_the_good_localizations_only():
    xy = np.arange(8.0).reshape(4, 2)
    quality = np.asarray(QUALITY_NAMES, dtype=object)[[0, 1, 0, 3]]
    assert np.array_equal(good_points(xy, quality), xy[[0, 2]])
    assert np.array_equal(good_points(xy), xy)


def test_ml_client_map_leaves_indoor_aps_out_and_holds_emissions_over_x(site):
    probes = site.probes
    emission = probes.extra["true_emission"]
    grids = []

    def grid_for(outdoor):
        grids.append(outdoor)
        return bowl_grid(outdoor.xy, 4.0, 50.0, None, "EPSG:32633")
    result = ml_client_map(probes.ap_id, probes.rss, emission, site.aps, 65.5, grid_for, -38.0, 2.6, iterations=20)
    indoor = set(site.aps.ids[site.aps.indoor])
    heard_indoors = np.isin(probes.ap_id, list(indoor))
    assert result.left_out == int(heard_indoors.sum()) > 0 and result.prs == len(probes) - result.left_out
    assert not indoor & set(grids[0].ids)
    assert result.emissions == len(np.unique(emission[~heard_indoors]))
    assert result.density.mass() == pytest.approx(result.emissions / 65.5, rel=1e-9)


def test_a_paper_only_window_has_no_ml_map_and_zone_rows_of_its_map(site):
    parameters = FlowParameters(pixel_size=4.0, flow="paper", x_day=80.0)
    everything = box(*bowl_grid(site.aps.xy, 4.0, 50.0).bounds)
    result = run_window(site.probes, site.aps, START, END, parameters, site.connections,
                        [("site", everything), ("nowhere", box(0, 0, 1, 1))])
    row = result.row
    assert result.ml is None and row["clients_ml"] is None and row["status"] == "mapped"
    assert row["x"] > 80.0 * 3 / 24  # the multiplicity X divides out the PRs of emissions heard by several APs
    assert result.zone_rows[0]["clients_paper"] == pytest.approx(stored(result.paper).mass(), rel=1e-12)
    assert result.zone_rows[1] == {"zone": "nowhere", "clients_paper": 0.0, "clients_ml": None}
    assert row["clients_paper"] == pytest.approx(result.paper.mass(), rel=1e-12)


def test_a_window_the_tools_cannot_map_keeps_its_counts_and_says_why(site):
    few = site.probes.take(slice(0, 40))
    result = run_window(few, site.aps, START, END, FlowParameters(pixel_size=4.0), site.connections)
    row = result.row
    assert row["p"] > 0 and row["status"].startswith("not mapped: ")
    assert (row["clients_paper"], row["clients_ml"], result.paper, result.ml) == (None, None, None, None)
    with pytest.raises(InputError, match="FLOW 'maps'"):
        FlowParameters(flow="maps")


def test_with_a_radio_table_every_step_takes_its_radio_and_nothing_is_calibrated(site):
    import json
    from dataclasses import asdict

    from wifidensity.algorithms.radio.radio_table import RadioTable
    ids = [i for i, indoor in zip(site.aps.ids, site.aps.indoor) if not indoor]
    table = RadioTable.from_columns({"ap_id": ids, "gain_db": [0.5, -0.5] * (len(ids) // 2) + [0.0] * (len(ids) % 2),
                                     "a": [-38.0] * len(ids), "n": [2.6] * len(ids), "sigma_rss": [3.0] * len(ids)})
    parameters = FlowParameters(pixel_size=4.0, radio=table)
    json.dumps(asdict(parameters))  # a season's fingerprint holds its parameters
    row = run_window(site.probes, site.aps, START, END, parameters, site.connections).row
    assert row["status"] == "mapped"
    assert (row["a"], row["n"], row["a_ml"], row["n_ml"]) == (-38.0, 2.6, -38.0, 2.6)
    assert (row["calibration"], row["calibration_ml"]) == ("not calibrated", "not calibrated")
    with pytest.raises(InputError, match="ML_ESTIMATOR 'em' is unknown"):
        FlowParameters(estimator="em")
