"""Bowl density: mass bookkeeping, grouping, bad inputs."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.records import AccessPoints
from wifidensity.algorithms.paper.bowl import bowl, bowl_grid, rss_levels
from wifidensity.algorithms.paper.pathloss import distance_from_rss, distance_spread
from wifidensity.algorithms.paper.radial import annulus_mean


def _aps():
    return AccessPoints(np.array(["L", "R", "T"], dtype=object), np.array([[0.0, 0.0], [60.0, 0.0], [30.0, 45.0]]),
                        np.zeros(3, dtype=bool), "EPSG:32633")


def test_raster_plus_mass_outside_equals_p_and_tags():
    rng = np.random.default_rng(5)
    aps = _aps()
    ids = rng.choice(aps.ids, 3000)
    rss = rng.integers(-85, -40, 3000).astype(float)
    grid = bowl_grid(aps.xy, 1.0, 20.0, crs=aps.crs)
    density = bowl(ids, rss, aps, grid, a=-30, n=2.5, sigma_rss=2)
    total = float(density.tags["TOTAL"])
    outside = float(density.tags["MASS_OUTSIDE"])
    assert total == 3000
    assert density.mass() + outside == pytest.approx(3000, rel=1e-12)
    assert 0 < outside < 3000
    assert density.tags["UNITS"] == "PRs/m2" and density.tags["N"] == 2.5 and density.tags["SIGMA_RSS"] == 2
    assert grid.bounds == pytest.approx((-20.0, -20.0, 80.0, 65.0))


def test_mass_outside_is_the_rings_outside_share():
    """MASS_OUTSIDE is what the exact ring integrals put outside the extent, checked ring by ring."""
    aps = _aps()
    grid = Grid(-10.0, 10.0, 0.5, 40, 40)  # a 20 m box around AP L
    rss = np.array([-60.0, -60.0, -70.0])
    density = bowl(np.array(["L"] * 3), rss, aps, grid)
    mu = distance_from_rss(rss)
    sigma = distance_spread(mu)
    xs, ys = grid.centres()
    d = np.hypot(xs[None, :], ys[:, None])
    inside = sum(annulus_mean(d, m, s, 0.5).sum() * 0.25 for m, s in zip(mu, sigma))
    assert float(density.tags["MASS_OUTSIDE"]) == pytest.approx(3 - inside, rel=1e-3)


def test_many_distinct_rss_values_pool_on_a_lattice_keeping_mass_and_mean():
    rng = np.random.default_rng(2)
    rss = rng.uniform(-90, -40, 20000)
    levels, weights = rss_levels(rss)
    assert len(levels) < 2000
    assert weights.sum() == pytest.approx(20000)
    assert levels @ weights / weights.sum() == pytest.approx(rss.mean(), abs=1e-9)
    exact_levels, counts = rss_levels(np.array([-50.0, -50.0, -61.0]))
    assert list(exact_levels) == [-61.0, -50.0] and list(counts) == [1.0, 2.0]


def test_pooled_bowl_is_close_to_the_exact_one():
    rng = np.random.default_rng(4)
    aps = _aps()
    rss = rng.uniform(-75, -45, 3000)
    grid = Grid(-40.0, 40.0, 1.0, 80, 80)
    pooled = bowl(np.array(["L"] * 3000), rss, aps, grid).values
    exact = sum(bowl(np.array(["L"] * 1000), part, aps, grid).values for part in rss.reshape(3, 1000))
    assert np.abs(pooled - exact).max() <= 1e-3 * exact.max()


def test_probe_with_unknown_ap_is_named():
    with pytest.raises(InputError, match=r"row 2.*ZZ"):
        bowl(np.array(["L", "ZZ"]), np.array([-60.0, -61.0]), _aps(), Grid(0, 10, 1, 10, 10))


@pytest.mark.parametrize("pixel", [0.0, -1.0, float("nan")])
def test_bad_pixel_size(pixel):
    with pytest.raises(InputError, match="PIXEL_SIZE"):
        bowl_grid(_aps().xy, pixel, 50.0)


def test_bad_rss_and_model():
    with pytest.raises(InputError, match="RSS"):
        bowl(np.array(["L"]), np.array([np.nan]), _aps(), Grid(0, 10, 1, 10, 10))
    with pytest.raises(InputError, match=r"Row 2: RSS = 5 .* positive"):
        bowl(np.array(["L", "L"]), np.array([-60.0, 5.0]), _aps(), Grid(0, 10, 1, 10, 10))
    with pytest.raises(InputError, match="exponent"):
        bowl(np.array(["L"]), np.array([-60.0]), _aps(), Grid(0, 10, 1, 10, 10), n=0)
    with pytest.raises(InputError, match="MARGIN"):
        bowl_grid(_aps().xy, 1.0, -5)
