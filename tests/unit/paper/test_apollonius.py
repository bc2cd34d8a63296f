"""Apollonius localization (SPEC tool 6): exact on noise-free RSS, degenerate cases flagged, vectorized."""
import numpy as np
import pytest

from wifidensity.algorithms.paper import apollonius
from wifidensity.algorithms.paper.pathloss import rss_at
from wifidensity.algorithms.twin.simulate import SiteConfig, simulate

OFFSET = np.array([398000.0, 332000.0])  # projected coordinates of realistic size: precision must hold there
APS = np.array([(0, 0), (100, 0), (50, 80), (0, 90), (100, 95), (200, 30)], dtype=float) + OFFSET


def _exact(clients, subsets, a=-38.0, n=2.6):
    """PR columns (emission, AP index, RSS) of noise-free emissions: client e heard by the APs subsets[e]."""
    distance = np.hypot(*(clients[:, None, :] - APS[subsets]).transpose(2, 0, 1))
    emission = np.repeat(np.arange(len(clients)), subsets.shape[1])
    return emission, subsets.ravel(), rss_at(distance, a, n).ravel()


def _errors(points, clients):
    return np.hypot(*(points.xy - clients[points.label]).T)


def test_noise_free_three_aps_exact_inside_their_triangle():
    rng = np.random.default_rng(1)
    weights = rng.dirichlet([1, 1, 1], 3000)  # clients inside the triangle of APs 0, 1, 2
    clients = weights @ APS[:3]
    subsets = np.tile([0, 1, 2], (len(clients), 1))
    points = apollonius.localize(apollonius.heard_emissions(*_exact(clients, subsets)), APS, 2.6)
    assert len(points.label) == 3000
    assert _errors(points, clients).max() < 1e-6
    assert np.all(points.quality == apollonius.GOOD)
    assert np.allclose(points.a_implied, -38.0, atol=1e-9)


@pytest.mark.parametrize("k", [4, 6])
def test_noise_free_four_and_more_aps_exact_anywhere(k):
    rng = np.random.default_rng(k)
    clients = rng.uniform((0, 0), (100, 90), (3000, 2)) + OFFSET
    subsets = np.array([rng.choice(6, k, replace=False) for _ in range(len(clients))])
    points = apollonius.localize(apollonius.heard_emissions(*_exact(clients, subsets)), APS, 2.6)
    assert _errors(points, clients).max() < 1e-6
    assert np.all(points.residual < 1e-6)


def test_equal_rss_circle_becomes_line():
    centre = OFFSET + (50.0, 24.375)  # circumcentre of APs 0, 1, 2: equal distances, equal RSS
    assert np.ptp(np.hypot(*(APS[:3] - centre).T)) < 1e-9
    bisector = OFFSET + (50.0, 40.0)  # equal RSS at APs 0 and 1 only
    clients = np.array([centre, bisector])
    points = apollonius.localize(apollonius.heard_emissions(*_exact(clients, np.tile([0, 1, 2], (2, 1)))),
                                 APS, 2.6)
    assert _errors(points, clients).max() < 1e-6


def test_collinear_aps_are_degenerate():
    line = np.array([(0, 0), (50, 0), (120, 0)], dtype=float) + OFFSET
    heard = apollonius.HeardEmissions(np.array([0]), np.array([[0, 1, 2]]), np.array([[-60.0, -65.0, -75.0]]))
    points = apollonius.localize(heard, line, 2.5)
    assert points.quality[0] == apollonius.DEGENERATE


def test_emissions_heard_by_fewer_than_three_aps_are_degenerate():
    # heard_emissions(min_aps=1) keeps them (the maximum-likelihood tools use them); they have no position
    heard = apollonius.heard_emissions(np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 0, 1, 2, 3]),
                                       np.array([-60.0, -65.0, -60.0, -70.0, -75.0, -50.0]), min_aps=1)
    points = apollonius.localize(heard, APS, 2.5)
    assert points.n_aps.tolist() == [2, 3, 1]
    assert points.quality[0] == points.quality[2] == apollonius.DEGENERATE
    assert points.quality[1] != apollonius.DEGENERATE


def test_no_real_intersection_gets_a_residual_and_is_flagged():
    # Equal RSS at APs 0 and 1 puts the client on x = 50, where it is >= 50 m from both; 50 dB weaker at AP 2
    # would need d2 = 100 d1 >= 5000 m, while AP 2 is within 80 m of that line: no point fits.
    heard = apollonius.HeardEmissions(np.array([0]), np.array([[0, 1, 2]]), np.array([[-40.0, -40.0, -90.0]]))
    points = apollonius.localize(heard, APS, 2.5, max_residual=3.0)
    assert points.residual[0] > 3.0
    assert points.quality[0] == apollonius.POOR
    assert np.all(np.isfinite(points.xy))


def test_a_solution_run_off_to_infinity_is_degenerate():
    # Nearly equal RSS at 4 APs around a square (but not the centre's): the best fit lies ~5 km away and implies a
    # phone heard above 0 dBm at 1 m: no physical solution.
    heard = apollonius.HeardEmissions(np.array([0]), np.array([[0, 1, 3, 4]]),
                                      np.array([[-80.0, -80.2, -80.1, -80.3]]))
    points = apollonius.localize(heard, APS, 2.5)
    assert points.a_implied[0] > 0.0
    assert points.quality[0] == apollonius.DEGENERATE


def test_outside_the_ap_hull_is_flagged():
    clients = np.array([OFFSET + (400.0, 400.0)])
    points = apollonius.localize(apollonius.heard_emissions(*_exact(clients, np.array([[0, 1, 2, 3, 4, 5]]))),
                                 APS, 2.6)
    assert _errors(points, clients)[0] < 1e-6
    assert points.quality[0] == apollonius.OUTSIDE


def test_heard_emissions_padding_rules():
    emission = np.array([7, 7, 7, 7, 8, 8, 9, 9, 9])
    ap = np.array([0, 1, 2, 1, 0, 1, 0, -1, 2])
    rss = np.array([-70, -60, -80, -65, -50, -55, -40, -30, -45], dtype=float)
    heard = apollonius.heard_emissions(emission, ap, rss)
    # 7: AP 1 twice keeps its strongest (-60), strongest first; 8: only 2 APs; 9: the unknown AP is ignored
    assert heard.label.tolist() == [7]
    assert heard.ap.tolist() == [[1, 0, 2]]
    assert heard.rss.tolist() == [[-60.0, -70.0, -80.0]]


def test_three_db_noise_median_error_on_a_simulated_site():
    """4 APs on a 100 m square, crowd inside. With sigma = 3 dB and n = 2.6 one RSS gives a distance to
    within ln(10) 3 / 26 = 27 % (1 sd); clients sit 40-70 m from the APs, so 11-19 m per AP. Only RSS ratios
    are used, so the position cannot be better than one AP's distance spread: the bound is 20 m (measured 16 m).
    """
    site = simulate(SiteConfig(ap_xy=[(0, 0), (100, 0), (0, 100), (100, 100)], crowds=[(50, 50, 15, 150)],
                               emissions_per_client=8, seed=11))
    probes = site.probes
    heard = apollonius.heard_emissions(probes.extra["true_emission"], site.aps.index_of(probes.ap_id), probes.rss)
    points = apollonius.localize(heard, site.aps.xy, 2.6)
    error = np.hypot(*(points.xy - site.emission_xy()[points.label]).T)
    assert len(points.label) > 500
    assert np.median(error[points.good]) < 20.0
    assert np.median(error[points.good]) > 1.0  # noise is there: a near-zero error would mean a leak of truth
