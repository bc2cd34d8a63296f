"""Counting methods against a simulated site's true client count (X_DAY = the simulation's emissions per client)."""
import pytest

from wifidensity.algorithms.counting.counting import clients, global_x, window_x
from wifidensity.algorithms.counting.emissions import group_emissions, multiplicity_counts
from wifidensity.algorithms.twin.simulate import SiteConfig, simulate

EMISSIONS_PER_CLIENT = 20.0
WINDOW_HOURS = 3.0


def _counts_by_method(config):
    """Preprocess the simulated PRs as the tools do, then count with each method; returns (truth, counts)."""
    site = simulate(config)
    probes = site.probes
    _, n_aps = group_emissions(probes.time, probes.ap_id, probes.mac, 2.0)
    by_k = multiplicity_counts(n_aps)
    p = len(n_aps)
    # X counts what one client emits in a day; here every client makes EMISSIONS_PER_CLIENT per window.
    x12 = window_x(EMISSIONS_PER_CLIENT * 24.0 / WINDOW_HOURS, WINDOW_HOURS)
    counts = {method: clients(p, global_x(method, x12, p, by_k)) for method in ("legacy", "strawman", "multiplicity")}
    return site.truth.counts, by_k, counts


@pytest.fixture(scope="module")
def two_ap_site():
    """APs in a row 100 m apart, two crowds half-way between neighbours: most emissions are heard by 2 APs."""
    config = SiteConfig(ap_xy=[(0, 0), (100, 0), (200, 0)], crowds=[(50, 0, 8, 200), (150, 0, 8, 200)],
                        emissions_per_client=EMISSIONS_PER_CLIENT, window_hours=WINDOW_HOURS, seed=4)
    return _counts_by_method(config)


@pytest.fixture(scope="module")
def three_ap_site():
    """Three APs around one crowd: most emissions are heard by all 3 APs."""
    config = SiteConfig(ap_xy=[(0, 0), (60, 0), (30, 50)], crowds=[(30, 20, 15, 400)],
                        emissions_per_client=EMISSIONS_PER_CLIENT, window_hours=WINDOW_HOURS, seed=3)
    return _counts_by_method(config)


@pytest.mark.parametrize("site", ["two_ap_site", "three_ap_site"])
def test_multiplicity_finds_the_true_client_count(site, request):
    truth, _, counts = request.getfixturevalue(site)
    assert counts["multiplicity"] == pytest.approx(truth["clients"], rel=0.03)


def test_strawman_overcounts_when_many_prs_are_heard_by_two_aps(two_ap_site):
    truth, by_k, counts = two_ap_site
    assert by_k[2] > 0.5 * sum(by_k.values())
    # Eq. 9 only merges 3-AP emissions, so each 2-AP emission still counts twice.
    assert counts["strawman"] > 1.5 * truth["clients"]
    assert counts["legacy"] > counts["strawman"]


def test_strawman_is_close_when_emissions_are_heard_by_three_aps(three_ap_site):
    truth, by_k, counts = three_ap_site
    assert by_k[3] > 0.7 * sum(by_k.values())
    assert abs(counts["strawman"] / truth["clients"] - 1) < abs(counts["legacy"] / truth["clients"] - 1)
