"""The list-mode likelihood (algorithms/radio/listmode.py) and the radio fit's gradient (algorithms/radio/radiofit.py),
against direct computations on a small simulated site."""
import numpy as np
import pytest

from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.smoothing import DomainGaussian
from wifidensity.algorithms.radio import listmode, radiofit
from wifidensity.algorithms.radio.model import Radio, log_miss, log_report
from wifidensity.algorithms.twin.simulate import SiteConfig, simulate

AP_XY = [(0, 0), (100, 0), (0, 100), (100, 100), (50, 50)]


@pytest.fixture(scope="module")
def small():
    site = simulate(SiteConfig(ap_xy=AP_XY, crowds=[(30, 60, 12, 40), (75, 30, 10, 30)], emissions_per_client=10,
                               gains=[2.0, -1.0, 0.0, 1.0, -2.0], seed=11))
    probes = site.probes
    rows = site.aps.index_of(probes.ap_id)
    patterns = listmode.detection_patterns(probes.extra["true_emission"], rows, probes.rss)
    grid = Grid(-30.0, 130.0, 8.0, 20, 20)
    cells = listmode.Cells(grid, np.ones(grid.shape, dtype=bool), site.aps.xy)
    radio = Radio.make(-38.0, 2.6, 3.0, 5, floor=-90.0, reception=0.9, gains=[2.0, -1.0, 0.0, 1.0, -2.0])
    return site, probes, rows, patterns, cells, radio


def _dense_log_likelihood(patterns, cells, radio):
    """log L_p(c) for every pattern and cell, written out from the radio functions (the same log-distance bins)."""
    log_d = cells.bin * listmode.LOG_STEP
    mu = radio.mean(log_d)
    sigma = radio.spread(log_d, cells.grid.pixel)[0]
    miss = log_miss(mu, radio.floor[:, None], sigma, radio.width, radio.reception[:, None])[0]
    out = np.tile(miss.sum(axis=0), (len(patterns), 1))
    for p in range(len(patterns)):
        for ap, rss in zip(patterns.ap[p], patterns.rss[p]):
            if ap >= 0:
                out[p] += (log_report(rss, mu[ap], sigma[ap], radio.width)[0] + np.log(radio.reception[ap])
                           - miss[ap])
    return out


def test_patterns_hold_every_emission_once(small):
    site, probes, rows, patterns, _, _ = small
    emission = probes.extra["true_emission"]
    assert patterns.emissions == len(np.unique(emission))
    assert np.all(np.diff(patterns.size) <= 0)                       # largest first
    for label in np.unique(emission)[::37]:
        mine = emission == label
        p = patterns.of_emission[np.searchsorted(patterns.labels, label)]
        used = patterns.ap[p] >= 0
        assert sorted(zip(patterns.ap[p][used], patterns.rss[p][used])) == sorted(zip(rows[mine], probes.rss[mine]))
    assert patterns.prs_per_ap(5) == pytest.approx(np.bincount(rows, minlength=5))


def test_pairs_are_the_likelihood_on_supports_that_hold_nearly_all_of_it(small):
    _, _, _, patterns, cells, radio = small
    pairs = listmode.pair_likelihood(patterns, cells, radio)
    dense = _dense_log_likelihood(patterns, cells, radio)
    got = np.log(pairs.value) + pairs.log_scale[pairs.pattern]
    assert got == pytest.approx(dense[pairs.pattern, pairs.cell], abs=1e-6)
    weight = np.exp(dense - dense.max(axis=1, keepdims=True))
    kept = np.bincount(pairs.pattern, weights=pairs.value, minlength=len(patterns))
    share = kept / weight.sum(axis=1)
    print(f"\nshare of each pattern's likelihood on its support: min {share.min():.4f}, mean {share.mean():.4f}")
    assert share.min() > 0.95 and share.mean() > 0.995                # measured 0.965 and 0.996
    assert len(pairs.pattern) < 0.5 * dense.size                   # and they are sparse


def test_mlem_raises_the_likelihood_and_the_weights_hold_the_emissions(small):
    _, _, _, patterns, cells, radio = small
    pairs = listmode.pair_likelihood(patterns, cells, radio)
    sieve = DomainGaussian(cells.grid.shape, 0.75, cells.mask)
    f, history = listmode.mlem(pairs, patterns, cells, sieve, listmode.starting_density(pairs, patterns, cells), 30)
    assert np.all(np.diff(history) > -1e-7 * np.abs(history[1:]))
    lam = sieve.forward(f).ravel()[cells.index]
    assert listmode.posterior_weights(pairs, patterns, lam).sum() == pytest.approx(patterns.emissions)
    assert lam @ pairs.heard == pytest.approx(patterns.emissions, rel=1e-3)   # MLEM's fixed point: all heard


def test_radio_gradient_is_the_likelihoods_at_the_density_held(small):
    """Fisher's identity: the tables' gradient equals finite differences of log L(theta, lambda) at fixed lambda."""
    _, _, _, patterns, cells, radio = small
    pairs = listmode.pair_likelihood(patterns, cells, radio)
    sieve = DomainGaussian(cells.grid.shape, 0.75, cells.mask)
    f, _ = listmode.mlem(pairs, patterns, cells, sieve, listmode.starting_density(pairs, patterns, cells), 20)
    lam = sieve.forward(f).ravel()[cells.index]
    params = radiofit._Parameters(radio, radiofit.Free(reception="per_ap"))
    _, grads = radiofit.radio_objective(radiofit.tables(pairs, patterns, cells, lam), radio)
    gradient = params.gradient_of(radio, *grads)
    x = params.vector_of(radio)

    def value(x):
        moved = listmode.pair_likelihood(patterns, cells, params.radio_of(x), support=pairs)
        return listmode.log_likelihood(moved, patterns, lam)

    for j in range(len(x)):
        step = np.zeros(len(x))
        step[j] = 1e-4
        assert gradient[j] == pytest.approx((value(x + step) - value(x - step)) / 2e-4, rel=1e-4, abs=1e-3)


def test_thinning_keeps_about_the_asked_number_of_emissions(small):
    patterns = small[3]
    half = listmode.thinned(patterns, patterns.emissions / 2, seed=1)
    assert half.emissions == pytest.approx(patterns.emissions / 2, rel=0.1)
    assert np.all(np.diff(half.size) <= 0) and np.all(half.count >= 1)
    assert listmode.thinned(patterns, 2 * patterns.emissions) is patterns
