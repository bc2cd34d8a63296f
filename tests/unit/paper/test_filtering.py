"""Filtering (SPEC tool 2): indoor APs and loud PRs are set aside; unknown AP ids and bad RSS are refused."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.records import AccessPoints
from wifidensity.algorithms.paper.filtering import split_probes
from wifidensity.algorithms.twin.simulate import sample_config, simulate

APS = AccessPoints(np.array(["A", "B", "CAFE"], object), np.zeros((3, 2)), np.array([False, False, True]))


def test_indoor_and_loud_prs_are_removed_and_the_rest_kept():
    split = split_probes(["A", "B", "CAFE", "A", "CAFE"], [-70, -55, -80, -60, -50], APS, rss_max=-60)
    assert split.removed.tolist() == [False, True, True, False, True]
    assert split.reason.tolist() == ["", "RSS above RSS_MAX", "indoor AP", "", "indoor AP"]
    assert (split.kept_count, split.removed_count) == (2, 3)


def test_indoor_aps_can_be_listed_without_an_ap_layer():
    split = split_probes(["A", "B", "C"], [-80, -80, -80], None, indoor_ids=["B", " C "])
    assert split.removed.tolist() == [False, True, True]


def test_on_a_simulated_site_the_indoor_ap_loses_all_its_prs():
    site = simulate(sample_config(seed=2))
    split = split_probes(site.probes.ap_id, site.probes.rss, site.aps, rss_max=-60)
    cafe = site.probes.ap_id == "CAFE"
    assert split.removed[cafe].all()
    outdoor = ~cafe
    assert np.array_equal(split.removed[outdoor], site.probes.rss[outdoor] > -60)
    assert split.kept_count + split.removed_count == len(site.probes)


@pytest.mark.parametrize("ap_id, rss, kwargs, message", [
    (["A", "X", "Y"], [-70, -70, -70], {}, "not in the AP layer: 'X', 'Y'"),
    (["A"], [-70], dict(indoor_ids=["Z"]), "INDOOR_APS lists AP ids that are not in the AP layer: 'Z'"),
    (["A"], [15], {}, "positive"),
    (["A"], ["loud"], {}, "not numbers"),
    (["A"], [float("nan")], {}, "not a number"),
    (["A"], [-70], dict(rss_max=float("nan")), "RSS_MAX"),
])
def test_bad_input_is_refused_with_a_message(ap_id, rss, kwargs, message):
    with pytest.raises(InputError, match=message):
        split_probes(ap_id, rss, APS, **kwargs)
