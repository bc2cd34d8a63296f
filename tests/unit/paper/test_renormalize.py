"""Renormalization: the region holds the requested total, both modes, bad regions."""
import numpy as np
import pytest
from shapely.geometry import box

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.geotiff import Density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.masks import region_mask
from wifidensity.algorithms.paper.renormalize import renormalize


def _density():
    rng = np.random.default_rng(1)
    grid = Grid(0.0, 40.0, 2.0, 20, 20)
    values = rng.random(grid.shape)
    return Density(values, grid, {"TOTAL": values.sum() * 4 + 123.0, "MASS_OUTSIDE": 123.0, "UNITS": "PRs/m2"})


@pytest.mark.parametrize("mode", ["proportional", "uniform"])
def test_region_holds_the_recorded_total(mode):
    density = _density()
    inside = region_mask([box(5, 5, 30, 30)], density.grid, [box(10, 10, 15, 15)])
    result = renormalize(density, inside, mode)
    recorded = float(density.tags["TOTAL"])
    assert result.density.mass() == pytest.approx(recorded, rel=1e-12)
    assert not result.density.values[~inside].any()
    kept = density.values[inside].sum() * 4
    assert result.mass_moved == pytest.approx(recorded - kept, rel=1e-12)
    assert result.density.tags["TOTAL"] == pytest.approx(recorded)
    if mode == "proportional":
        ratio = result.density.values[inside] / density.values[inside]
        assert np.allclose(ratio, ratio[0])
    else:
        added = result.density.values[inside] - density.values[inside]
        assert np.allclose(added, added[0])


def test_requested_total_overrides_the_recorded_one():
    density = _density()
    inside = region_mask([box(0, 0, 20, 40)], density.grid)
    result = renormalize(density, inside, total=50.0)
    assert result.density.mass() == pytest.approx(50.0, rel=1e-12)


def test_bad_inputs():
    density = _density()
    inside = region_mask([box(0, 0, 20, 40)], density.grid)
    with pytest.raises(InputError, match="MODE"):
        renormalize(density, inside, "sideways")
    with pytest.raises(InputError, match="TOTAL"):
        renormalize(density, inside, total=-1)
    with pytest.raises(InputError, match="negative"):
        renormalize(density, inside, "uniform", total=1.0)
    empty = Density(np.zeros(density.grid.shape), density.grid, {"TOTAL": 10.0})
    with pytest.raises(InputError, match="uniform"):
        renormalize(empty, inside)
    assert renormalize(empty, inside, "uniform").density.mass() == pytest.approx(10.0)
