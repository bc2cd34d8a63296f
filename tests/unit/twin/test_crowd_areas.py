"""Crowd areas of the site twin: uniform clients inside polygons."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.counting.zones import contains_xy
from wifidensity.algorithms.twin.crowd_areas import area_clients


def test_clients_fill_each_polygon_uniformly():
    from shapely.geometry import Polygon, box
    ell = Polygon([(0, 0), (100, 0), (100, 20), (20, 20), (20, 100), (0, 100)])
    xy = area_clients([ell, box(200, 0, 210, 10)], [4000, 30], np.random.default_rng(0))
    assert xy.shape == (4030, 2)
    assert contains_xy(ell, xy[:4000, 0], xy[:4000, 1]).all()
    assert contains_xy(box(200, 0, 210, 10), xy[4000:, 0], xy[4000:, 1]).all()
    arm = np.mean(xy[:4000, 1] > 20)  # the vertical arm holds 1600 of the 3600 m2
    assert arm == pytest.approx(1600 / 3600, abs=0.03)


def test_a_negative_count_names_the_layer():
    from shapely.geometry import box
    with pytest.raises(InputError, match="CROWD_AREAS"):
        area_clients([box(0, 0, 1, 1)], [-2], np.random.default_rng(0))
