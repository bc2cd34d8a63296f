"""The self-check on the user's own layout (algorithms/radio/sitecheck.py): does it predict how good the user's map is?

A simulated "user" site is mapped as a user would (list-mode estimator at defaults); the self-check sees only
what the user has (APs, the fitted radio and map, EMISSIONS, X) and its twins' r is compared with the r the
user's map really has against the site's true clients.
"""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.paper.bowl import bowl_grid
from wifidensity.algorithms.radio import sitecheck
from wifidensity.algorithms.radio.listmode_density import ml_listmode
from wifidensity.algorithms.radio.mldensity import client_density, without_indoor_aps
from wifidensity.algorithms.twin.scoring import score
from wifidensity.algorithms.twin.simulate import OUTDOOR, RANDOMISING, SiteConfig, simulate

X = 20.0


@pytest.fixture(scope="module")
def user():
    config = SiteConfig(ap_xy=[(0, 0), (110, 10), (220, 0), (10, 120), (120, 110), (230, 130), (120, 60)],
                        indoor=[False] * 6 + [True], crowds=[(60, 40, 15, 60), (180, 100, 20, 50)],
                        indoor_clients=10, emissions_per_client=X, a=-39.0, n=2.5, sigma_rss=3.5, seed=2501)
    site = simulate(config)
    probes = site.probes
    use = np.isin(probes.extra["true_kind"].astype(str), RANDOMISING)
    kept, aps = without_indoor_aps(probes.ap_id, site.aps)
    use &= kept
    emission = probes.extra["true_emission"][use]
    grid = bowl_grid(aps.xy, 3.0, 30.0)
    estimate = ml_listmode(emission, probes.ap_id[use], probes.rss[use], aps, grid)
    emissions = len(np.unique(emission))
    truth = site.truth.client_xy[site.truth.kind.astype(str) == OUTDOOR]
    actual = score(client_density(estimate, emissions, X), truth).r
    return site, estimate, emissions, grid, actual


def test_the_fitted_crowd_twin_predicts_the_users_own_r(user):
    site, estimate, emissions, grid, actual = user
    check = sitecheck.self_check(site.aps, estimate.radio, estimate.emissions, emissions, X, grid,
                                 shapes=("fitted", "one crowd"))
    fitted, one = check.twins
    print(f"\nuser's map r = {actual:.3f}; {check.message}")
    assert fitted.r == pytest.approx(actual, abs=0.05)
    assert check.r_min == min(fitted.r, one.r) and 0.0 < check.r_min <= 1.0
    assert abs(fitted.radio.n - estimate.radio.n) < 0.3          # the refit finds the radio it was given
    assert fitted.clients == pytest.approx(emissions / X, rel=0.1)  # the user's number of clients (outdoor)
    assert np.isfinite(fitted.count_error) and np.isfinite(fitted.made_error)
    assert "fitted" in check.message and "one crowd" in check.message


def test_crowd_shapes_follow_their_rules(user):
    site, estimate, _, _, _ = user
    outdoor = site.aps.xy[~site.aps.indoor]
    rng = np.random.default_rng(0)
    spread = sitecheck._clients("spread out", outdoor, 500, estimate.emissions, rng)
    assert np.all((spread >= outdoor.min(axis=0)) & (spread <= outdoor.max(axis=0)))
    fitted = sitecheck._clients("fitted", outdoor, 2000, estimate.emissions, rng)
    g = estimate.emissions.grid
    assert np.all((fitted[:, 0] >= g.x_min) & (fitted[:, 1] <= g.y_max))
    centre = sitecheck._clients("one crowd", outdoor, 2000, estimate.emissions, rng).mean(axis=0)
    assert centre == pytest.approx(outdoor.mean(axis=0), abs=3.0)
    assert len(sitecheck._clients("crowds at APs", outdoor, 300, estimate.emissions, rng)) == 300


def test_unknown_shapes_and_empty_windows_are_refused(user):
    site, estimate, emissions, grid, _ = user
    with pytest.raises(InputError, match="Unknown crowd shapes"):
        sitecheck.self_check(site.aps, estimate.radio, estimate.emissions, emissions, X, grid, shapes=("ring",))
    with pytest.raises(InputError, match="emissions"):
        sitecheck.self_check(site.aps, estimate.radio, estimate.emissions, 0, X, grid)
