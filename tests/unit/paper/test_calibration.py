"""Ground-truth-free calibration of A and n (SPEC tool 6, issue 4's trap), measured against simulated truth."""
import numpy as np
from oracles import fit_pathloss

from wifidensity.algorithms.paper import apollonius, calibration
from wifidensity.algorithms.paper.pathloss import rss_at
from wifidensity.algorithms.twin.simulate import SiteConfig, simulate

OFFSET = np.array([616500.0, 5449000.0])
SQUARE = np.array([(0, 0), (100, 0), (0, 100), (100, 100), (50, 140), (150, 50)], dtype=float) + OFFSET


def _exact_heard(k, a=-38.0, n=2.6, count=400, seed=0):
    """Noise-free emissions of clients inside the AP square, each heard by the first k APs."""
    rng = np.random.default_rng(seed)
    clients = rng.uniform((10, 10), (90, 90), (count, 2)) + OFFSET
    distance = np.hypot(*(clients[:, None, :] - SQUARE[None, :k]).transpose(2, 0, 1))
    return apollonius.heard_emissions(np.repeat(np.arange(count), k), np.tile(np.arange(k), count),
                                      rss_at(distance, a, n).ravel())


def _simulated_heard(config):
    site = simulate(config)
    probes = site.probes
    return apollonius.heard_emissions(probes.extra["true_emission"], site.aps.index_of(probes.ap_id),
                                      probes.rss), site.aps.xy, site.emission_xy()


def _median_error(points, truth):
    return float(np.median(np.hypot(*(points.xy - truth[points.label]).T)[points.good]))


def test_noise_free_four_aps_recovers_a_and_n():
    fit, points = calibration.calibrate(_exact_heard(4), SQUARE, n=2.0, a=-30.0)
    assert fit.status == calibration.OK
    assert abs(fit.a + 38.0) < 1e-3 and abs(fit.n - 2.6) < 1e-3
    assert fit.n_stderr < 1e-3
    assert np.all(points.residual < 1e-6)


def test_noise_free_three_aps_fit_is_exact_but_not_handed_on():
    fit, _ = calibration.calibrate(_exact_heard(3), SQUARE, n=2.0, a=-30.0)
    assert abs(fit.fitted_a + 38.0) < 1e-3 and abs(fit.fitted_n - 2.6) < 1e-3
    # 3-AP fits are unreliable with noise (next test), so the tool never hands them on silently
    assert fit.status == calibration.UNCERTAIN
    assert (fit.a, fit.n) == (-30.0, 2.0)
    assert "3 APs" in fit.message


def test_three_db_noise_three_ap_site_says_the_data_do_not_determine_n():
    """The trap of issue 4: 3 APs only, true A = -38, n = 2.6, 3 dB noise, receivers' floor -90 dBm."""
    heard, ap_xy, truth = _simulated_heard(SiteConfig(ap_xy=[(0, 0), (80, 0), (40, 70)],
                                                      crowds=[(40, 25, 12, 200)], emissions_per_client=8, seed=5))
    assert np.all(heard.n_aps == 3)
    fit, points = calibration.calibrate(heard, ap_xy, n=2.5, a=-30.0)
    assert fit.status != calibration.OK
    assert (fit.a, fit.n) == (-30.0, 2.5)  # the user's values are handed on
    assert "kept the given A = -30 dBm, n = 2.5" in fit.message
    assert abs(fit.fitted_n - 2.6) > 0.3  # and rightly so: the fit itself is far off (measured 1.41)
    # Localized with the kept n = 2.5: clients 25-50 m from the APs, 27 % distance spread per AP at 3 dB
    # (7-13 m), ratios only: median error bound 15 m (measured 11.3 m).
    assert _median_error(points, truth) < 15.0


def test_the_papers_loop_drifts_on_the_same_site():
    """Why calibrate() does not iterate "localize with n, fit RSS on log10 d, repeat" (paper §5.3): on the
    3-AP site above, starting from n = 2.5 near the truth 2.6, every round lowers n (no fixed point near the
    truth): the collapse of issue 4, seen here in its first 30 rounds."""
    heard, ap_xy, _ = _simulated_heard(SiteConfig(ap_xy=[(0, 0), (80, 0), (40, 70)], crowds=[(40, 25, 12, 200)],
                                                  emissions_per_client=8, seed=5))
    history = [2.5]
    for _ in range(30):
        points = apollonius.localize(heard, ap_xy, history[-1])
        good = points.good
        offset = points.xy[good][:, None, :] - ap_xy[heard.ap[good]]
        history.append(fit_pathloss(np.hypot(offset[..., 0], offset[..., 1]).ravel(), heard.rss[good].ravel())[1])
    assert np.all(np.diff(history) < 0)
    assert history[-1] < 2.1  # measured 1.96 after 30 rounds, still falling


def test_three_db_noise_site_with_four_plus_aps_recovers_n_within_0_3():
    """16 APs on a 50 m grid, a crowd in the middle, true A = -38 dBm, n = 2.6, 3 dB noise, floor -90 dBm.
    n within 0.3 (issue 4); A within 5 dB, since A and n trade off as dA = 10 dn log10(d) ~ 17 dn at the
    typical 50 m; and the reported standard errors cover the truth within 3 of them (measured: n = 2.55 ± 0.24,
    A = -38.7 ± 4.0; 2.77 and -35.0 before the self-check's bias correction)."""
    grid = [(x, y) for x in (0, 50, 100, 150) for y in (0, 50, 100, 150)]
    heard, ap_xy, truth = _simulated_heard(SiteConfig(ap_xy=grid, crowds=[(75, 75, 30, 80)],
                                                      emissions_per_client=5, seed=6))
    assert np.mean(heard.n_aps >= 4) > 0.9
    fit, points = calibration.calibrate(heard, ap_xy, n=2.0, a=-30.0)
    assert fit.status == calibration.OK
    assert abs(fit.n - 2.6) <= 0.3
    assert abs(fit.a + 38.0) <= 5.0
    assert abs(fit.n - 2.6) <= 3 * fit.n_stderr and abs(fit.a + 38.0) <= 3 * fit.a_stderr
    assert points.good.mean() > 0.8
    # 4+ APs within 25-35 m of most clients (27 % per AP = 7-10 m) and redundancy: bound 10 m (measured 7.2 m)
    assert _median_error(points, truth) < 10.0


def test_implausible_exponent_is_refused():
    fit, _ = calibration.calibrate(_exact_heard(4, n=1.0), SQUARE, n=2.5, a=-30.0)
    assert abs(fit.fitted_n - 1.0) < 1e-3
    assert fit.status == calibration.IMPLAUSIBLE
    assert (fit.a, fit.n) == (-30.0, 2.5)


def test_too_few_emissions():
    fit, points = calibration.calibrate(_exact_heard(4, count=5), SQUARE, n=2.5, a=-30.0)
    assert fit.status == calibration.TOO_FEW
    assert (fit.a, fit.n) == (-30.0, 2.5)
    assert len(points.label) == 5
