"""The radio table (algorithms/radio/radio_table.py): a fitted radio as one row per AP and back, its checks, and how
it matches an AP layer."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.records import AccessPoints
from wifidensity.algorithms.radio.model import Radio
from wifidensity.algorithms.radio.radio_table import FIELDS, GIVEN, NOT_CALIBRATED, REQUIRED, RadioTable
from wifidensity.algorithms.radio.radiocalibration import OK, RadioFit
from wifidensity.algorithms.radio.radiofit import START_RECEPTION

IDS = ["AP1", "AP2", "AP3"]


def _aps(ids):
    return AccessPoints(np.array(ids, dtype=object), np.arange(2.0 * len(ids)).reshape(-1, 2),
                        np.zeros(len(ids), dtype=bool))


def _fit():
    radio = Radio.make(-37.5, 2.61, 3.2, 3, floor=-90.0, gains=[1.5, -0.5, -1.0], reception=[0.9, 0.8, 0.7])
    stderr = {"a": 0.3, "n": 0.02, "sigma": 0.1, "reception": 0.01, "gains": np.array([0.2, 0.4, 1.7])}
    return RadioFit(radio, radio.a, radio.n, stderr, True, 80.0, 20.0, OK, "calibrated", 5000, 300, -1e4,
                    prs_per_ap=np.array([900.0, 400.0, 50.0]))


def test_a_fit_goes_to_columns_and_comes_back_the_same():
    table = RadioTable.of_fit(_fit(), IDS, [1000, 500, 60])
    columns = table.columns()
    assert tuple(columns) == FIELDS
    assert columns["determined"].tolist() == [True, True, False]    # 1.7 dB of standard error: not determined
    assert columns["status"].tolist() == [OK] * 3 and columns["a"].tolist() == [-37.5] * 3
    back = RadioTable.from_columns(columns)
    assert back == table
    assert hash(back) == hash(table)


def test_numbers_read_as_text_and_flags_as_integers_give_the_same_table():
    """A CSV read through GDAL holds every value as text; a GeoPackage holds booleans as 0/1."""
    table = RadioTable.of_fit(_fit(), IDS, [1000, 500, 60])
    as_text = {name: np.array([("" if isinstance(v, float) and np.isnan(v) else repr(float(v)) if isinstance(v, float)
                                else str(int(v)) if isinstance(v, (bool, np.bool_)) else str(v)) for v in values],
                              dtype=object)
               for name, values in table.columns().items()}
    assert RadioTable.from_columns(as_text) == table


def test_a_table_made_by_hand_needs_only_the_required_fields():
    table = RadioTable.from_columns({"ap_id": [1.0, 2.0], "gain_db": [2.0, -2.0], "a": [-40, -40], "n": [2.2, 2.2],
                                     "sigma_rss": [3, 3]})
    assert table.ap_ids == ("1", "2") and table.determined == (True, True)
    assert table.reception == (START_RECEPTION,) * 2 and table.status == GIVEN
    assert np.isnan(table.a_stderr) and np.isnan(table.prs).all()


@pytest.mark.parametrize("change, message", [
    (lambda c: c.pop("gain_db"), r"RADIO: the radio table has no field 'gain_db'"),
    (lambda c: c["gain_db"].__setitem__(1, "loud"), r"row 2 of the radio table: 'gain_db' holds 'loud', which is not"),
    (lambda c: c["n"].__setitem__(2, None), r"row 3 of the radio table: 'n' is empty"),
    (lambda c: c["a"].__setitem__(1, -20.0), r"'a' is -37.5 on row 1 but -20 on row 2"),
    (lambda c: c["n"].__setitem__(slice(None), -1.0), r"in the radio table: .*path-loss exponent n = -1"),
    (lambda c: c["reception"].__setitem__(0, 1.5), r"row 1 of the radio table: 'reception' = 1.5"),
    (lambda c: c["determined"].__setitem__(0, "maybe"), r"row 1 .*'determined' holds 'maybe'"),
    (lambda c: c["ap_id"].__setitem__(2, "AP1"), r"lists AP AP1 more than once"),
    (lambda c: c["status"].__setitem__(2, "uncertain"), r"different statuses"),
])
def test_a_bad_table_is_named_by_field_and_row(change, message):
    columns = {name: np.array(values, dtype=object) for name, values in
               RadioTable.of_fit(_fit(), IDS, [1000, 500, 60]).columns().items()}
    change(columns)
    with pytest.raises(InputError, match=message):
        RadioTable.from_columns(columns)


def test_required_fields_are_what_the_message_lists():
    with pytest.raises(InputError, match=", ".join(REQUIRED)):
        RadioTable.from_columns({"ap_id": ["AP1"]})


def test_matching_an_ap_layer_unknown_ids_are_an_error_missing_aps_get_no_gain():
    table = RadioTable.of_fit(_fit(), IDS, [1000, 500, 60])
    layer = _aps(["AP3", "AP1", "AP2", "CAFE"])
    assert table.missing(layer) == ["CAFE"]
    assert table.gains_for(layer).tolist() == [0.0, 1.5, -0.5, 0.0]               # AP3's gain is not determined
    assert table.gains_for(layer, determined_only=False).tolist() == [-1.0, 1.5, -0.5, 0.0]
    radio = table.radio_for(layer, -91.0, 1.0)
    assert radio.gains.tolist() == [-1.0, 1.5, -0.5, 0.0]
    assert radio.reception == pytest.approx([0.7, 0.9, 0.8, 0.8])                # CAFE: the mean reception
    assert (radio.a, radio.n, radio.sigma, radio.floor.tolist()) == (-37.5, 2.61, 3.2, [-91.0] * 4)
    with pytest.raises(InputError, match="not in the AP layer: AP2, AP3"):
        table.gains_for(_aps(["AP1", "CAFE"]))
    assert table.radio_for(_aps(["AP2"]), -90.0, 1.0).gains.tolist() == [-0.5]   # a subset of the layer: no check


def test_a_radio_used_as_given_has_no_standard_errors():
    radio = Radio.make(-30.0, 2.5, 2.0, 2, floor=-90.0)
    table = RadioTable.of_radio(radio, ["AP1", "AP2"], [10, 20])
    assert table.status == NOT_CALIBRATED and table.determined == (False, False)
    assert np.isnan(table.gain_stderr).all() and np.isnan(table.n_stderr)
    assert table.with_status("uncertain").status == "uncertain"


# ----- the tools that take a radio -----
@pytest.fixture(scope="module")
def site():
    from wifidensity.algorithms.twin.simulate import SiteConfig, simulate
    gains = [2.0, -1.0, 0.0, -1.0]
    return simulate(SiteConfig(ap_xy=[(0, 0), (120, 0), (0, 120), (120, 120)], gains=gains, crowds=[(60, 60, 20, 40)],
                               emissions_per_client=10, sigma_rss=3.0, seed=4)), np.array(gains)


def test_a_gain_common_to_every_ap_is_a_shift_of_a_in_both_estimators_and_the_bowl(site):
    from wifidensity.algorithms.paper.bowl import bowl, bowl_grid
    from wifidensity.algorithms.radio.mldensity import ml_emissions
    simulated, _ = site
    probes, aps = simulated.probes, simulated.aps
    grid = bowl_grid(aps.xy, 4.0, 20.0)
    shifted = ml_emissions(probes.ap_id, probes.rss, aps, grid, -40.0, 2.6, 3.0, iterations=5,
                           gains=np.full(len(aps), 2.0))
    plain = ml_emissions(probes.ap_id, probes.rss, aps, grid, -38.0, 2.6, 3.0, iterations=5)
    assert np.allclose(shifted.emissions.values, plain.emissions.values, rtol=1e-9, atol=0)
    ringed = bowl(probes.ap_id, probes.rss, aps, grid, -38.0, 2.6, 3.0, gains=np.full(len(aps), 2.0))
    assert np.allclose(ringed.values, bowl(probes.ap_id, probes.rss, aps, grid, -36.0, 2.6, 3.0).values,
                       rtol=1e-9, atol=1e-15)


def test_the_list_mode_map_of_a_radio_table_is_the_map_of_its_radio(site):
    from wifidensity.algorithms.paper.bowl import bowl_grid
    from wifidensity.algorithms.radio.listmode_density import given_radio, listmode_client_map, ml_listmode
    simulated, gains = site
    probes, aps = simulated.probes, simulated.aps
    emission = probes.extra["true_emission"]
    table = RadioTable.from_columns({"ap_id": list(aps.ids), "gain_db": gains, "a": [-38.0] * 4, "n": [2.6] * 4,
                                     "sigma_rss": [3.0] * 4, "reception": [0.9] * 4})
    grid = bowl_grid(aps.xy, 4.0, 20.0)
    radio = Radio.make(-38.0, 2.6, 3.0, 4, floor=float(probes.rss.min()), gains=gains, reception=0.9)
    direct = ml_listmode(emission, probes.ap_id, probes.rss, aps, grid, radio=radio, iterations=20)
    mapped = listmode_client_map(probes.ap_id, probes.rss, emission, aps, 10.0, lambda _: grid,
                                 radio=table.radio_for, iterations=20)
    used = mapped.estimate.radio
    assert mapped.estimate.fit is None and (used.a, used.n, used.sigma, used.width) == (-38.0, 2.6, 3.0, 1.0)
    assert [used.gains.tolist(), used.reception.tolist(), used.floor.tolist()] == \
        [radio.gains.tolist(), radio.reception.tolist(), radio.floor.tolist()]
    assert np.array_equal(mapped.estimate.emissions.values, direct.emissions.values)
    assert mapped.density.mass() == pytest.approx(len(np.unique(emission)) / 10.0, rel=1e-9)
    flat = listmode_client_map(probes.ap_id, probes.rss, emission, aps, 10.0, lambda _: grid,
                               radio=given_radio(-38.0, 2.6, 3.0), iterations=20)
    assert flat.estimate.radio.gains.tolist() == [0.0] * 4 and flat.estimate.radio.reception.tolist() == \
        [START_RECEPTION] * 4
