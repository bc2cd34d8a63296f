"""The position method (paper §6.1.3) on a simulated site: bowl density, Apollonius localizations, two zones.

One crowd stands inside the AP square (heard by several APs: many PRs per client), one outside it (heard by
few: few PRs per client). The position method must keep the site total and give the inner zone the larger X,
as the simulation's truth does.
"""
import numpy as np
import pytest

from wifidensity.algorithms.counting.emissions import group_emissions, multiplicity_counts
from wifidensity.algorithms.counting.zone_counts import count_site, zone_table
from wifidensity.algorithms.counting.zones import contains_xy, zones_from_polygons
from wifidensity.algorithms.paper.apollonius import heard_emissions, localize
from wifidensity.algorithms.paper.bowl import bowl, bowl_grid
from wifidensity.algorithms.twin.simulate import SiteConfig, simulate

THRESHOLD = 3  # the paper's CR class: a MAC seen at most 3 times


@pytest.fixture(scope="module")
def counted():
    from shapely.geometry import box
    config = SiteConfig(ap_xy=[(0, 0), (200, 0), (0, 200), (200, 200), (100, 100)],
                        crowds=[(100, 100, 25, 200), (300, 100, 20, 200)], emissions_per_client=20, seed=11)
    site = simulate(config)
    probes = site.probes
    emission, n_aps = group_emissions(probes.time, probes.ap_id, probes.mac, 2.0)
    cr = n_aps <= THRESHOLD  # randomised MACs: one emission per MAC, so its size is the MAC's row count
    by_k = multiplicity_counts(n_aps[cr], THRESHOLD)
    grid = bowl_grid(site.aps.xy, 2.0, 150.0)
    density = bowl(probes.ap_id[cr], probes.rss[cr], site.aps, grid, config.a, config.n, config.sigma_rss)
    located = localize(heard_emissions(emission[cr], site.aps.index_of(probes.ap_id[cr]), probes.rss[cr]),
                       site.aps.xy, config.n)
    inner = box(20, 20, 180, 180)
    zones = zones_from_polygons([inner, box(*grid.bounds).difference(inner)], ["inner", "outer"], grid)
    count = count_site(int(cr.sum()), by_k, config.emissions_per_client * 24 / 3, 3, "position", "strawman")
    table = zone_table(count, zones, density, by_k[3], located.xy[located.good])

    xy = site.truth.client_xy
    in_inner = contains_xy(inner, xy[:, 0], xy[:, 1])
    cr_prs_per_client = np.bincount(probes.extra["true_client"][cr], minlength=len(xy))
    true_x = [cr_prs_per_client[in_inner].mean(), cr_prs_per_client[~in_inner].mean()]
    return count, table.columns, true_x


def test_position_keeps_the_base_total(counted):
    count, columns, _ = counted
    assert columns["clients"].sum() == pytest.approx(columns["prs"].sum() / count.x["strawman"])


def test_position_gives_the_localization_rich_zone_the_larger_x_as_the_truth_does(counted):
    _, columns, true_x = counted
    per_pr = columns["localizations"] / columns["prs"]
    assert per_pr[0] > 2 * per_pr[1]
    assert true_x[0] > true_x[1]
    assert columns["x"][0] > columns["x"][1]
