"""The radio model of the list-mode likelihood (algorithms/radio/model.py) and the gain helpers of pathloss.py."""
import numpy as np
import pytest

from wifidensity.algorithms.paper.pathloss import cell_spread, rss_at, without_gains
from wifidensity.algorithms.radio.model import Radio, log_miss, log_report


@pytest.mark.parametrize("width", [1.0, 0.0])
def test_log_report_derivatives_match_finite_differences(width):
    rss, mu, sigma = np.array([-80.0, -61.0, -45.0]), np.array([-70.0, -62.5, -58.0]), 3.2
    value, d_mu, d_sigma = log_report(rss, mu, sigma, width)
    h = 1e-5
    assert d_mu == pytest.approx((log_report(rss, mu + h, sigma, width)[0] -
                                  log_report(rss, mu - h, sigma, width)[0]) / (2 * h), rel=1e-5)
    assert d_sigma == pytest.approx((log_report(rss, mu, sigma + h, width)[0] -
                                     log_report(rss, mu, sigma - h, width)[0]) / (2 * h), rel=1e-5)


def test_log_miss_derivatives_match_finite_differences():
    mu, floor, sigma, p = np.array([-95.0, -88.0, -60.0]), -90.0, 3.0, 0.85
    value, d_mu, d_sigma, d_p = log_miss(mu, floor, sigma, 1.0, p)
    h = 1e-6
    for got, shifted in ((d_mu, lambda e: log_miss(mu + e, floor, sigma, 1.0, p)),
                         (d_sigma, lambda e: log_miss(mu, floor, sigma + e, 1.0, p)),
                         (d_p, lambda e: log_miss(mu, floor, sigma, 1.0, p + e))):
        assert got == pytest.approx((shifted(h)[0] - shifted(-h)[0]) / (2 * h), rel=1e-4, abs=1e-9)


def test_reports_above_the_floor_and_the_miss_add_up_to_one():
    radio = Radio.make(-38.0, 2.6, 3.0, 1, floor=-90.0, reception=0.8)
    mu = np.array([-97.0, -89.0, -50.0])
    levels = np.arange(-90.0, 0.0)[:, None]
    report = np.exp(log_report(levels, mu[None, :], 3.0, 1.0)[0])
    heard = radio.reception[0] * report.sum(axis=0)
    missed = np.exp(log_miss(mu, -90.0, 3.0, 1.0, 0.8)[0])
    assert heard + missed == pytest.approx(np.ones(3), abs=1e-9)
    assert radio.detection(mu, 0) == pytest.approx(report.sum(axis=0), abs=1e-9)


def test_spread_widens_sigma_by_the_cell_and_its_derivatives_hold():
    radio = Radio.make(-38.0, 2.6, 3.0, 1, floor=-90.0)
    log_d = np.log10([5.0, 20.0, 200.0])
    total, by_sigma, by_n = radio.spread(log_d, 12.0)
    tau = cell_spread(log_d, 2.6, 12.0)
    assert total == pytest.approx(np.sqrt(9.0 + tau ** 2))
    assert tau[1] > tau[2] and tau[0] == pytest.approx(cell_spread(np.log10(6.0), 2.6, 12.0))  # held at half a cell
    h = 1e-6
    assert by_sigma == pytest.approx((radio.with_(sigma=3.0 + h).spread(log_d, 12.0)[0] -
                                      radio.with_(sigma=3.0 - h).spread(log_d, 12.0)[0]) / (2 * h), rel=1e-5)
    assert by_n == pytest.approx((radio.with_(n=2.6 + h).spread(log_d, 12.0)[0] -
                                  radio.with_(n=2.6 - h).spread(log_d, 12.0)[0]) / (2 * h), rel=1e-5)


def test_cell_spread_is_the_rss_spread_of_points_spread_over_the_cell():
    """Far from the AP the mean RSS over a uniform square varies with sd 10 n sd(log10 d), sd(d) = side / sqrt(12)."""
    rng = np.random.default_rng(3)
    offset = rng.uniform(-6.0, 6.0, (200_000, 2))
    distance = np.hypot(80.0 + offset[:, 0], offset[:, 1])
    assert np.std(rss_at(distance, -38.0, 2.6)) == pytest.approx(cell_spread(np.log10(80.0), 2.6, 12.0), rel=0.02)


def test_without_gains_takes_each_aps_gain_off_and_leaves_unknown_aps():
    rss = np.array([-60.0, -70.0, -80.0])
    assert without_gains(rss, np.array([0, 1, -1]), np.array([4.0, -4.0])) == pytest.approx([-64.0, -66.0, -80.0])
    assert without_gains(rss, np.array([0, 1, -1]), None) == pytest.approx(rss)
