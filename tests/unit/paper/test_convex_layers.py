"""Convex layers (onion peeling) and the fiducial region (SPEC tool 7)."""
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.paper.convex_layers import convex_layers
from wifidensity.algorithms.paper.fiducial import fiducial_region


def _nested_squares(levels):
    """Squares of half-size levels, levels-1, ..., 1 around the origin plus the centre: levels + 1 layers."""
    rings = [np.array([(-s, -s), (s, -s), (s, s), (-s, s), (0, -s), (s, 0), (0, s), (-s, 0)], dtype=float)
             for s in range(levels, 0, -1)]
    return np.vstack(rings + [np.zeros((1, 2))])


def test_nested_squares_peel_one_square_per_layer_edge_midpoints_included():
    xy = _nested_squares(4) + (398000.0, 332000.0)
    layers = convex_layers(xy)
    assert layers.count == 5 and layers.complete
    assert [layers.points_on(k) for k in range(1, 6)] == [8, 8, 8, 8, 1]
    assert np.array_equal(layers.layer, np.repeat([1, 2, 3, 4, 5], [8, 8, 8, 8, 1]))
    assert Polygon(layers.rings[1]).area == pytest.approx(36.0)


def test_layers_against_brute_force_definition():
    """Every point of layer k is on the hull of the points of layers >= k, none of them is strictly inside it."""
    rng = np.random.default_rng(3)
    xy = rng.normal(size=(3000, 2)) * 40.0
    layers = convex_layers(xy)
    assert layers.complete and np.all(layers.layer >= 1)
    for k in (1, 2, 7, layers.count // 2):
        rest = Polygon(layers.rings[k - 1])
        on = xy[layers.layer == k]
        deeper = xy[layers.layer > k]
        assert all(rest.exterior.distance(_point(p)) < 1e-6 for p in on)
        assert all(rest.contains(_point(p)) for p in deeper)


def _point(p):
    from shapely.geometry import Point
    return Point(p)


def test_max_layers_stops_early():
    layers = convex_layers(_nested_squares(4), max_layers=2)
    assert layers.count == 2 and not layers.complete
    assert (layers.layer == 0).sum() == 17


def test_fiducial_layer_with_exclusions_and_boundary():
    xy = _nested_squares(4)
    chosen, all_layers, with_area = fiducial_region(xy, layer=2, all_layers=True)
    assert with_area == 4
    assert chosen.area == pytest.approx(36.0) and chosen.points_inside == 25 and chosen.points_on == 8
    assert [layer.area for layer in all_layers] == pytest.approx([64.0, 36.0, 16.0, 4.0])
    assert [layer.points_inside for layer in all_layers] == [33, 25, 17, 9]
    cut, _, _ = fiducial_region(xy, layer=2, exclusions=box(0, 0, 10, 10), boundary=box(-10, -10, 10, 1))
    # the 6 x 6 square minus its first quadrant, then only y <= 1: (-3..3) x (-3..0) plus (-3..0) x (0..1)
    assert cut.area == pytest.approx(18.0 + 3.0)
    assert cut.points_inside == len([p for p in xy if max(abs(p)) <= 3 and p[1] <= 1 and not (p > 0).all()])


@pytest.mark.parametrize("points, words", [
    ([(0, 0), (1, 1)], "at least 3"),
    ([(0, 0), (1, 1), (2, 2), (5, 5)], "one line"),
    ([(3, 3)] * 6, "1 distinct"),
])
def test_fiducial_refuses_degenerate_points(points, words):
    with pytest.raises(InputError, match=words):
        fiducial_region(points, layer=1)


def test_fiducial_layer_deeper_than_exists_says_how_many():
    with pytest.raises(InputError, match=r"only 4 convex layer\(s\) with an area \(plus 1 innermost"):
        fiducial_region(_nested_squares(4), layer=9)
    with pytest.raises(InputError, match="Nothing of layer 1"):
        fiducial_region(_nested_squares(4), layer=1, exclusions=box(-100, -100, 100, 100))
