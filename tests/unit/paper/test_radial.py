"""The radial engine: exact ring integral, honest pixel integration, grouping, forward/adjoint."""
import numpy as np
import pytest
from scipy.integrate import quad

from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.paper.pathloss import distance_from_rss, distance_spread
from wifidensity.algorithms.paper.radial import (
    RingOperator,
    annulus_mean,
    ring_cumulative_mass,
    ring_density,
    ring_integral,
    square_in_disk,
)


def _plane_integral(mu, sigma, upper=np.inf):
    return quad(lambda r: 2 * np.pi * r * np.exp(-0.5 * ((r - mu) / sigma) ** 2), 0, upper,
                points=None if upper == np.inf else [mu], limit=200)[0]


@pytest.mark.parametrize("mu, sigma", [(0.0, 0.3), (0.4, 0.5), (1.0, 0.18), (5.0, 2.0), (120.0, 22.0)])
def test_ring_integral_matches_numerical_quadrature(mu, sigma):
    assert ring_integral(mu, sigma) == pytest.approx(_plane_integral(mu, sigma), rel=1e-9)


@pytest.mark.parametrize("mu, sigma, r", [(1.0, 0.18, 0.9), (5.0, 2.0, 3.0), (5.0, 2.0, 11.0), (0.2, 0.4, 0.5)])
def test_cumulative_mass_matches_quadrature(mu, sigma, r):
    expected = _plane_integral(mu, sigma, r) / _plane_integral(mu, sigma)
    assert ring_cumulative_mass(r, mu, sigma) == pytest.approx(expected, rel=1e-9)
    assert ring_cumulative_mass(0.0, mu, sigma) == 0.0
    assert ring_cumulative_mass(mu + 40 * sigma, mu, sigma) == pytest.approx(1.0, abs=1e-12)


def test_square_in_disk_against_dense_sampling():
    rng = np.random.default_rng(3)
    n = 400
    offsets = (np.arange(n) + 0.5) / n
    for _ in range(12):
        x0, y0 = rng.uniform(-2.5, 1.5, 2)
        r = rng.uniform(0.1, 3.0)
        x = x0 + offsets[None, :]
        y = y0 + offsets[:, None]
        expected = np.mean(x ** 2 + y ** 2 < r * r)
        assert square_in_disk(r, x0, y0, 1.0) == pytest.approx(expected, abs=3e-3)


@pytest.mark.parametrize("mu, sigma", [(0.05, 0.01), (0.6, 0.11), (1.0, 0.184), (3.0, 0.55), (8.0, 1.5), (30.0, 5.5)])
def test_single_ring_inside_extent_sums_to_one(mu, sigma):
    """Issue 3 acceptance: a single ring fully inside the extent sums to 1 PR within 0.5 %."""
    grid = Grid(0.0, 100.0, 1.0, 100, 100)
    for centre in [(50.0, 50.0), (50.5, 50.5), (49.73, 50.31)]:
        raster = RingOperator(grid, centre, [mu], [sigma]).forward([1.0])
        assert raster.sum() * grid.cell_area == pytest.approx(1.0, rel=5e-3)
        assert raster.min() >= 0


def _random_rings(rng, count, a=-30.0, n=2.5, sigma_rss=2.0):
    rss = rng.integers(-92, -28, count).astype(float)
    mu = distance_from_rss(rss, a, n)
    return mu, distance_spread(mu, sigma_rss, n)


def test_grouped_engine_matches_brute_force_per_pr_sum():
    """Issue 3 acceptance: grouping by RSS + one profile per AP == the per-PR sum, within 1e-6 relative.

    Far pixels: each PR's closed-form annulus mean evaluated at the pixel itself (no profile, no interpolation).
    Near pixels: each PR's own operator with the same near radius, summed PR by PR.
    """
    rng = np.random.default_rng(7)
    grid = Grid(-3.0, 97.0, 1.0, 110, 100)
    centre = (51.37, 46.81)
    mu, sigma = _random_rings(rng, 120)
    levels, inverse, counts = np.unique(mu, return_inverse=True, return_counts=True)
    grouped = RingOperator(grid, centre, levels, sigma[np.unique(inverse, return_index=True)[1]])
    engine = grouped.forward(counts.astype(float))

    xs, ys = grid.centres()
    distance = np.hypot(xs[None, :] - centre[0], ys[:, None] - centre[1])
    far = distance >= grouped.near_radius
    brute = np.zeros(grid.shape)
    for m, s in zip(mu, sigma):
        brute[far] += annulus_mean(distance[far], m, s, grid.pixel)
        single = RingOperator(grid, centre, [m], [s], near=grouped.near_radius).forward([1.0])
        brute[~far] += single[~far]
    assert np.abs(engine - brute).max() <= 1e-6 * brute.max()
    assert far.sum() > 0.9 * far.size and (~far).sum() > 100


def test_near_pixels_match_fine_supersampling():
    """Rings narrower than a pixel near the AP: pixel values are the true pixel means of the ring density."""
    grid = Grid(0.0, 12.0, 1.0, 12, 12)
    centre = (6.2, 5.7)
    mu = np.array([0.8, 1.6, 2.5])
    sigma = distance_spread(mu, 2.0, 2.5)
    raster = RingOperator(grid, centre, mu, sigma).forward(np.ones(3))
    sub = 60
    offsets = (np.arange(sub) + 0.5) / sub
    worst = 0.0
    for row in range(3, 9):
        for col in range(3, 9):
            x = grid.x_min + col + offsets[None, :]
            y = grid.y_max - row - offsets[:, None]
            d = np.hypot(x - centre[0], y - centre[1])
            truth = sum(ring_density(d, m, s).mean() for m, s in zip(mu, sigma))
            worst = max(worst, abs(raster[row, col] - truth))
    assert worst <= 5e-3 * raster.max()


def test_adjoint_is_the_transpose_and_measures_ring_shares():
    rng = np.random.default_rng(11)
    grid = Grid(0.0, 80.0, 1.0, 90, 80)
    mu, sigma = _random_rings(rng, 25)
    operator = RingOperator(grid, (30.2, 41.9), mu, sigma)
    weights = rng.random(25)
    values = rng.random(grid.shape)
    lhs = np.sum(operator.forward(weights) * values) * grid.cell_area
    assert lhs == pytest.approx(operator.adjoint(values) @ weights, rel=1e-12)
    shares = operator.adjoint(np.ones(grid.shape))
    for k in range(25):
        inside = operator.forward(np.eye(25)[k]).sum() * grid.cell_area
        assert shares[k] == pytest.approx(inside, rel=1e-12)
    assert np.all(shares <= 1 + 1e-9)


def test_rings_of_an_ap_outside_the_grid_only_land_where_they_reach():
    grid = Grid(0.0, 50.0, 1.0, 50, 50)
    operator = RingOperator(grid, (-30.0, 25.0), [40.0], [6.0])
    raster = operator.forward([1.0])
    inside = raster.sum() * grid.cell_area
    assert 0.05 < inside < 0.95
    assert operator.adjoint(np.ones(grid.shape))[0] == pytest.approx(inside, rel=1e-12)


def test_radial_mass_bins_the_raster_by_distance():
    grid = Grid(0.0, 40.0, 1.0, 40, 40)
    values = np.ones(grid.shape)
    edges = np.array([0.0, 5.0, 10.0, 100.0])
    mass = radial_mass(values, grid, (20.0, 20.0), edges)
    assert mass.sum() == pytest.approx(1600.0)
    assert mass[0] == pytest.approx(np.pi * 25, rel=0.1)


def radial_mass(values, grid, centre, edges):
    """Mass of a density raster in each distance bin [edges[k], edges[k+1]) around ``centre``, by pixel centre."""
    xs, ys = grid.centres()
    d = np.hypot(xs[None, :] - centre[0], ys[:, None] - centre[1])
    mass, _ = np.histogram(d, bins=edges, weights=np.asarray(values, dtype=float) * grid.cell_area)
    return mass
