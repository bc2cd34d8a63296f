"""Reassembly: totals before and after smoothing, per-zone X, grids, summary."""
import numpy as np
import pytest
from shapely.geometry import box

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.geotiff import Density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.masks import polygon_mask
from wifidensity.algorithms.core.smoothing import smooth
from wifidensity.algorithms.paper.reassemble import ZoneX, clients, zone_summary

GRID = Grid(0.0, 100.0, 1.0, 100, 100, "EPSG:32633")


def _piece(seed, grid=GRID):
    values = np.zeros(grid.shape)
    values[5:20, 30:48] = np.random.default_rng(seed).random((15, 18))  # mass hugging the top border
    return Density(values, grid, {"TOTAL": values.sum(), "MASS_OUTSIDE": 0.0})


def test_totals_before_and_after_smoothing():
    """Issue 3 acceptance: total == sum(piece mass / X), and smoothing keeps it (nothing leaks at borders)."""
    pieces = [_piece(1), _piece(2)]
    result = clients(pieces, 65.0)
    expected = sum(p.mass() for p in pieces) / 65.0
    assert result.mass() == pytest.approx(expected, rel=1e-12)
    smoothed = smooth(result.values, 10.0)
    assert smoothed.sum() == pytest.approx(result.values.sum(), rel=1e-9)
    assert smoothed.min() >= 0 and smoothed[50, 10] > 0


def test_smoothing_confined_to_a_domain():
    grid = Grid(0.0, 100.0, 1.0, 100, 100)
    values = _piece(3).values
    domain = polygon_mask(box(20, 60, 70, 100), grid)
    smoothed = smooth(values, 8.0, domain)
    assert smoothed.sum() == pytest.approx(values.sum(), rel=1e-9)
    assert not smoothed[~domain].any()


def test_position_piece_divides_by_its_zone_x():
    grid = Grid(0.0, 100.0, 1.0, 100, 100, "EPSG:32633")
    piece = Density(np.full(grid.shape, 0.01), grid, {})
    position = Density(np.full(grid.shape, 0.02), grid, {})
    zone_x = ZoneX([box(0, 0, 50, 100), box(40, 0, 100, 50)], [2.0, 4.0])
    result = clients([piece], 10.0, position, zone_x)
    assert result.values[50, 10] == pytest.approx(0.001 + 0.01)      # left zone: X = 2
    assert result.values[80, 45] == pytest.approx(0.001 + 0.01)      # both zones: the first wins
    assert result.values[80, 80] == pytest.approx(0.001 + 0.005)     # lower right: X = 4
    assert result.values[20, 80] == pytest.approx(0.001 + 0.002)     # no zone: the global X
    with pytest.raises(InputError, match="zone 2"):
        clients([piece], 10.0, position, ZoneX([box(0, 0, 5, 5), box(0, 0, 9, 9)], [1.0, 0.0]))


def test_pieces_on_shifted_lattices_are_summed_on_the_union_grid():
    a = _piece(4, Grid(0.0, 100.0, 1.0, 100, 100, "EPSG:32633"))
    b = _piece(5, Grid(30.0, 120.0, 1.0, 100, 100, "EPSG:32633"))
    result = clients([a, b], 2.0)
    assert result.grid.shape == (120, 130)
    assert result.mass() == pytest.approx((a.mass() + b.mass()) / 2.0, rel=1e-12)


@pytest.mark.parametrize("grid, message", [
    (Grid(0.0, 100.0, 1.0, 100, 100, "EPSG:4326"), "CRS"),
    (Grid(0.0, 100.0, 2.0, 50, 50, "EPSG:32633"), "pixel size"),
    (Grid(0.5, 100.0, 1.0, 100, 100, "EPSG:32633"), "fraction of a pixel"),
])
def test_incompatible_pieces(grid, message):
    with pytest.raises(InputError, match=message):
        clients([_piece(1), _piece(2, grid)], 65.0)


def test_bad_x_smooth_and_no_pieces():
    with pytest.raises(InputError, match="X = 0"):
        clients([_piece(1)], 0.0)
    with pytest.raises(InputError, match="SMOOTH"):
        smooth(np.ones((3, 3)), -1.0)
    with pytest.raises(InputError, match="PIECES"):
        clients([], 1.0)


def test_zone_summary():
    grid = Grid(0.0, 100.0, 1.0, 100, 100)
    density = Density(np.full(grid.shape, 0.5), grid, {})
    rows = zone_summary(density, [box(0, 0, 10, 10), box(50, 50, 70, 60)], ["a", "b"])
    assert rows == [{"zone": "a", "area_m2": 100.0, "clients": 50.0}, {"zone": "b", "area_m2": 200.0, "clients": 100.0}]
