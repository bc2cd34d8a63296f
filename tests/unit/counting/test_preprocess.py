"""Preprocessing (SPEC tool 1) against the simulator's ground truth and hand-made tables."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.records import Probes
from wifidensity.algorithms.counting.preprocess import preprocess
from wifidensity.algorithms.twin.simulate import sample_config, simulate


@pytest.fixture(scope="module")
def site():
    return simulate(sample_config(seed=11))


@pytest.fixture(scope="module")
def result(site):
    return preprocess(site.probes, connections=site.connections, all_classes=True)


def _table(rows):
    """Probes from (time, ap, mac, rss) tuples."""
    time, ap, mac, rss = zip(*rows)
    return Probes(np.array(time, float), np.array(ap, object), np.array(mac, object), np.array(rss, float))


def test_cr_emissions_and_multiplicities_equal_the_truth(site, result):
    truth = site.truth.counts
    counts = result.counts
    assert counts["EMISSIONS"] == truth["EMISSIONS_1TO3"]
    assert (counts["P"], counts["P1"], counts["P2"], counts["P3"]) == \
        (truth["P"], truth["P1"], truth["P2"], truth["P3"])
    assert counts["P4PLUS"] == 0


def test_each_found_emission_is_one_true_emission(site, result):
    cr = result.probes.extra["class"] == "CR"
    found = result.probes.extra["emission"][cr]
    true = site.probes.extra["true_emission"][cr]
    pairs = np.unique(np.column_stack([found, true]), axis=0)
    assert len(pairs) == len(np.unique(found)) == len(np.unique(true))


def test_iot_macs_are_cf_connected_are_cc_and_wide_emissions_cf(site, result):
    kind = site.probes.extra["true_kind"].astype(str)
    cls = result.probes.extra["class"].astype(str)
    assert set(cls[kind == "connected"]) == {"CC"}
    assert set(cls[kind == "iot"]) == {"CF"}
    assert result.counts["CC"] == int((kind == "connected").sum())
    assert result.counts["CF"] == int((kind == "iot").sum()) + site.truth.counts["P4plus"]
    assert result.counts["CC_MACS"] == len(site.connections)


def test_counting_emissions_keeps_emissions_heard_by_four_aps(site):
    counted = preprocess(site.probes, connections=site.connections, count_emissions=True)
    truth = site.truth.counts
    assert truth["P4plus"] > 0
    assert counted.counts["P_BY_K"] == {k: truth["P_by_k"].get(k, 0) for k in counted.counts["P_BY_K"]}
    assert counted.counts["P4PLUS"] == truth["P4plus"]
    assert counted.counts["EMISSIONS"] == truth["EMISSIONS"]
    assert set(counted.probes.extra["class"]) == {"CR"}


def test_only_cr_rows_are_output_by_default(site, result):
    default = preprocess(site.probes, connections=site.connections)
    assert len(default.probes) == result.counts["CR"] == default.counts["P"]
    assert set(default.probes.extra["class"]) == {"CR"}
    assert len(result.probes) == len(site.probes)


def test_threshold_counts_rows_by_default():
    # mac a: 3 rows (one emission at 3 APs) -> CR; mac b: 4 rows (4 APs) -> CF; mac c: 2 emissions of 1 row
    rows = [(0.0, "A", "a", -60), (0.1, "B", "a", -61), (0.2, "C", "a", -62),
            (0.0, "A", "b", -60), (0.1, "B", "b", -61), (0.2, "C", "b", -62), (0.3, "D", "b", -63),
            (10.0, "A", "c", -70), (50.0, "A", "c", -71)]
    out = preprocess(_table(rows), all_classes=True)
    cls = dict(zip(out.probes.mac, out.probes.extra["class"]))
    assert cls == {"a": "CR", "b": "CF", "c": "CR"}
    assert (out.counts["P1"], out.counts["P2"], out.counts["P3"]) == (2, 0, 3)
    assert out.counts["EMISSIONS"] == 3
    strict = preprocess(_table(rows), threshold=2, all_classes=True)
    assert dict(zip(strict.probes.mac, strict.probes.extra["class"]))["a"] == "CF"
    emissions = preprocess(_table(rows), threshold=1, count_emissions=True, all_classes=True)
    assert dict(zip(emissions.probes.mac, emissions.probes.extra["class"])) == {"a": "CR", "b": "CR", "c": "CF"}
    assert emissions.counts["P_BY_K"][4] == 4


def test_tolerance_decides_whether_two_aps_heard_one_emission():
    rows = [(0.0, "A", "m", -60), (0.9, "B", "m", -61)]
    assert preprocess(_table(rows), tolerance=1.0).counts["P2"] == 2
    split = preprocess(_table(rows), tolerance=0.5).counts
    assert (split["P1"], split["P2"], split["EMISSIONS"]) == (2, 0, 2)


def test_window_is_half_open_and_reports_its_hours():
    rows = [(0.0, "A", "a", -60), (3600.0, "A", "b", -60), (7200.0, "A", "c", -60)]
    out = preprocess(_table(rows), start=0.0, end=7200.0)
    assert sorted(out.probes.mac) == ["a", "b"]
    assert out.counts["WINDOW_HOURS"] == 2.0


def test_raw_macs_are_hashed_with_the_secret_and_connections_too():
    rows = [(0.0, "A", "AA:BB:CC:DD:EE:01", -60), (1.0, "A", "aa:bb:cc:dd:ee:02", -60)]
    out = preprocess(_table(rows), connections=np.array(["aa-bb-cc-dd-ee-02"], object), secret="s3cret",
                     all_classes=True)
    assert not any(":" in m or "-" in m for m in out.probes.mac)
    assert list(out.probes.extra["class"]) == ["CR", "CC"]
    other = preprocess(_table(rows), secret="another", all_classes=True)
    assert set(other.probes.mac).isdisjoint(out.probes.mac)
    with pytest.raises(InputError, match="SECRET"):
        preprocess(_table(rows))


@pytest.mark.parametrize("rows, kwargs, message", [
    ([(0.0, "A", "a", -60)], dict(start=100.0, end=200.0), "No PR lies in the window"),
    ([(0.0, "A", "a", -60)], dict(start=100.0, end=50.0), "must be after START"),
    ([(0.0, "A", "a", 12)], {}, "positive"),
    ([(0.0, "A", "a", float("nan"))], {}, "not a number"),
    ([(0.0, "A", "a", -60)], dict(connections=np.array([], object)), "connections table"),
    ([(0.0, "A", "a", -60)], dict(threshold=0), "THRESHOLD"),
    ([(0.0, "A", "a", -60)], dict(tolerance=-1.0), "TOLERANCE"),
])
def test_bad_input_is_refused_with_a_message(rows, kwargs, message):
    with pytest.raises(InputError, match=message):
        preprocess(_table(rows), **kwargs)


def test_connections_that_never_occur_leave_a_note():
    out = preprocess(_table([(0.0, "A", "a", -60)]), connections=np.array(["zz"], object))
    assert out.counts["CC"] == 0 and out.notes
