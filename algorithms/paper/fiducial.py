"""The fiducial region: a convex layer of the localization points (paper §5.1.2).

Outer layers hold the poorly localized emissions scattered around the site; peeling them leaves the region
where localizations are dense. Exclusion zones are subtracted and an optional site boundary is intersected,
and the result is meant to be edited by hand before Renormalization.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.optional import require
from ..core.progress import SILENT
from . import apollonius
from .convex_layers import convex_layers

DEFAULT_LAYER = 3


@dataclass
class Layer:
    """One convex layer after exclusions and boundary: index (1-based), shapely polygon (may be empty or
    a MultiPolygon), points inside it, its area (m²), and the points on its hull."""

    index: int
    polygon: object
    points_inside: int
    area: float
    points_on: int


def good_points(xy, quality=None):
    """The localization points the region is peeled from: those whose quality (the Localization tool's text,
    apollonius.QUALITY_NAMES) is 'good', every point when ``quality`` is None. Localizations flagged poor,
    degenerate or outside the AP hull would stretch the outer layers."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if quality is None:
        return xy
    return xy[np.asarray(quality, dtype=object).astype(str) == apollonius.QUALITY_NAMES[apollonius.GOOD]]


def fiducial_region(xy, layer=DEFAULT_LAYER, exclusions=None, boundary=None, all_layers=False, progress=SILENT):
    """The convex layer ``layer`` of the points ``xy`` ((points, 2), metres) as a Layer, and the list of every
    layer (as Layers) when ``all_layers``, else []. Returns (Layer, layers, number of layers with an area).

    exclusions, boundary: shapely geometries or None.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    layer = int(layer)
    if layer < 1:
        raise InputError(f"LAYER = {layer}: layers are numbered from 1 (the outer hull).")
    if len(xy) < 3:
        raise InputError(f"The fiducial region needs at least 3 localization points; INPUT has {len(xy)}.")
    peeled = convex_layers(xy, None if all_layers else layer, progress)
    with_area = sum(1 for ring in peeled.rings if len(ring) >= 3)
    if with_area == 0:
        distinct = len(np.unique(xy, axis=0))
        raise InputError(f"The {len(xy)} points of INPUT ({distinct} distinct) lie on one line or coincide: their "
                         "convex hull has no area. Localize more emissions, or draw the region by hand.")
    if layer > with_area:
        total = _count_all(xy, peeled)
        flat = f" (plus {total - with_area} innermost one that is a segment or a point)" if total > with_area else ""
        raise InputError(f"LAYER = {layer}, but the {len(xy)} points form only {with_area} convex layer(s) with an "
                         f"area{flat}. Choose LAYER between 1 and {with_area}; ALL_LAYERS shows each one with its "
                         "points and area.")
    chosen = _layer(xy, peeled, layer, exclusions, boundary)
    if chosen.polygon.is_empty:
        raise InputError(f"Nothing of layer {layer} is left after subtracting EXCLUSIONS and intersecting with "
                         "BOUNDARY; check that they overlap the localizations and use the same CRS.")
    layers = [_layer(xy, peeled, k, exclusions, boundary) for k in range(1, with_area + 1)] if all_layers else []
    return chosen, layers, with_area


def _count_all(xy, peeled):
    return peeled.count if peeled.complete else convex_layers(xy).count


def _layer(xy, peeled, k, exclusions, boundary):
    geometry = require("shapely.geometry")
    polygon = geometry.Polygon(peeled.rings[k - 1])
    if exclusions is not None and not exclusions.is_empty:
        polygon = polygon.difference(exclusions)
    if boundary is not None:
        polygon = polygon.intersection(boundary)
    deeper = xy[(peeled.layer >= k) | (peeled.layer == 0)]  # 0: not peeled, inside the last hull computed
    return Layer(k, polygon, _covered(polygon, deeper), float(polygon.area), peeled.points_on(k))


def _covered(polygon, xy):
    """How many of ``xy`` lie in or on ``polygon`` (shapely 1.8 and 2 alike)."""
    if polygon.is_empty or len(xy) == 0:
        return 0
    prepared = require("shapely.prepared").prep(polygon)
    point = require("shapely.geometry").Point
    return int(sum(prepared.covers(point(x, y)) for x, y in xy))
