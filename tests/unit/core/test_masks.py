"""Polygon -> pixel-centre masks (numpy scanline) against rasterio's rasterizer."""
import numpy as np
import pytest
from rasterio import features
from rasterio.transform import Affine
from shapely.geometry import MultiPolygon, Point, box

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.core.masks import polygon_mask, region_mask


def _rasterio_mask(shape, grid):
    return features.geometry_mask([shape], out_shape=grid.shape, transform=Affine.from_gdal(*grid.transform()),
                                  invert=True)


def test_masks_match_rasterio_with_holes_and_multipolygons():
    grid = Grid(3.3, 207.1, 0.7, 300, 280)
    rng = np.random.default_rng(0)
    for k in range(12):
        centre = rng.uniform(0, 200, 2)
        shape = Point(*centre).buffer(rng.uniform(12, 120), int(rng.integers(2, 30)))
        shape = shape.difference(Point(*centre).buffer(10)) if k % 3 == 0 else shape
        if k % 4 == 1:
            shape = MultiPolygon([shape, Point(*(centre + 50)).buffer(20)])
        assert np.array_equal(polygon_mask(shape, grid), _rasterio_mask(shape, grid))


def test_overlapping_polygons_do_not_cancel_and_exclusions_subtract():
    grid = Grid(0, 10, 1, 10, 10)
    inside = region_mask([box(0, 0, 6, 10), box(4, 0, 10, 10)], grid, [box(0, 0, 10, 2)])
    assert inside.sum() == 80
    assert not inside[-2:].any()


def test_region_errors():
    grid = Grid(0, 10, 1, 10, 10)
    with pytest.raises(InputError, match="misses"):
        region_mask([box(100, 100, 120, 120)], grid)
    with pytest.raises(InputError, match="no polygon"):
        region_mask([Point(1, 1).buffer(0)], grid)
    with pytest.raises(InputError, match="exclusion"):
        region_mask([box(2, 2, 5, 5)], grid, [box(0, 0, 10, 10)])
