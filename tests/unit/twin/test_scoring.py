"""Scoring a client raster against true client points (issue 7): r after smoothing, total error, share inside."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.geotiff import Density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.twin.scoring import points_density, score

GRID = Grid(0.0, 100.0, 1.0, 100, 100, "EPSG:32633")


def _truth(rng):
    return np.vstack([rng.normal((30, 30), 4, (60, 2)), rng.normal((70, 60), 6, (40, 2))])


def test_the_truth_itself_scores_r_1_and_no_total_error():
    truth = _truth(np.random.default_rng(0))
    values, outside = points_density(truth, GRID)
    result = score(Density(values, GRID, {}), truth)
    assert outside == 0
    assert result.r == pytest.approx(1.0)
    assert result.estimated == pytest.approx(100.0) and result.total_error == pytest.approx(0.0)


def test_a_map_of_the_wrong_crowd_scores_low_and_its_total_error_is_relative():
    truth = _truth(np.random.default_rng(1))
    wrong, _ = points_density(np.random.default_rng(2).normal((80, 20), 5, (150, 2)), GRID)
    result = score(Density(wrong, GRID, {}), truth)
    assert result.r < 0.1
    assert result.total_error == pytest.approx(0.5)


def test_share_inside_a_polygon_for_map_and_truth():
    from shapely.geometry import box
    truth = _truth(np.random.default_rng(3))
    uniform = Density(np.full(GRID.shape, 100.0 / 10_000), GRID, {})
    result = score(uniform, truth, polygon=box(0, 0, 50, 50))
    assert result.share_estimated == pytest.approx(0.25)
    inside = np.sum((truth[:, 0] < 50) & (truth[:, 1] < 50))
    assert result.share_true == pytest.approx(inside / 100.0)


def test_points_outside_the_extent_count_in_the_total_only():
    truth = np.array([[10.0, 10.0], [500.0, 500.0]])
    values, outside = points_density(truth, GRID)
    assert outside == 1 and values.sum() == 1.0
    assert score(Density(values, GRID, {}), truth).total_error == pytest.approx(-0.5)


def test_no_truth_is_an_input_error():
    with pytest.raises(InputError, match="TRUTH"):
        score(Density(np.zeros(GRID.shape), GRID, {}), np.zeros((0, 2)))
