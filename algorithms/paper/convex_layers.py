"""Convex layers ("onion peeling") of a point set (paper §5.1.2, the Fiducial tool).

Layer 1 is the convex hull of all points; layer k is the hull of what remains after peeling layers 1..k-1.
A point belongs to the layer whose hull boundary it lies on (vertices and points on its edges alike).
"""
from dataclasses import dataclass

import numpy as np

from ..core.optional import require
from ..core.progress import SILENT


@dataclass
class ConvexLayers:
    """layer: (points,) 1-based layer of every point (0 = not peeled, when max_layers stopped early);
    rings: the hull vertices of each layer, counter-clockwise ((m, 2) arrays; fewer than 3 points or a
    collinear set for a last, degenerate layer); complete: whether every point was peeled."""

    layer: np.ndarray
    rings: list
    complete: bool

    @property
    def count(self):
        return len(self.rings)

    def points_on(self, k):
        return int((self.layer == k).sum())


def convex_layers(xy, max_layers=None, progress=SILENT):
    """Peel ``xy`` ((points, 2) metres) into convex layers; stop after ``max_layers`` layers if given.

    Each hull is computed only on the points that can be on it (outside the polygon of the remaining set's
    extreme points in 8 directions, the Akl-Toussaint filter), so deep peels of large sets stay fast.
    """
    spatial = require("scipy.spatial")
    xy = np.asarray(xy, dtype=float)
    layer = np.zeros(len(xy), dtype=np.int64)
    remaining = np.arange(len(xy))
    rings = []
    while len(remaining) and (max_layers is None or len(rings) < max_layers):
        points = xy[remaining]
        candidates = np.flatnonzero(~_inside_extremes(points))
        try:
            hull = spatial.ConvexHull(points[candidates], qhull_options="Qc")
        except spatial.QhullError:
            layer[remaining] = len(rings) + 1
            rings.append(_degenerate_ring(points))
            remaining = remaining[:0]
            break
        on = np.zeros(len(points), dtype=bool)
        on[candidates[hull.vertices]] = True
        if len(hull.coplanar):
            on[candidates[hull.coplanar[:, 0]]] = True
        layer[remaining[on]] = len(rings) + 1
        rings.append(points[candidates[hull.vertices]])
        remaining = remaining[~on]
        progress.step(1.0 - len(remaining) / len(xy))
    return ConvexLayers(layer, rings, len(remaining) == 0)


_DIRECTIONS = np.array([(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)], dtype=float)


def _inside_extremes(points):
    """True for points strictly inside the convex polygon of the extreme points in 8 directions: they
    cannot be hull vertices, nor lie on the hull boundary."""
    if len(points) < 16:
        return np.zeros(len(points), dtype=bool)
    extremes = points[np.argmax(points @ _DIRECTIONS.T, axis=0)]
    ring = extremes[np.r_[True, np.any(np.diff(extremes, axis=0) != 0, axis=1)]]
    if len(ring) > 1 and np.all(ring[0] == ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        return np.zeros(len(points), dtype=bool)
    edges = np.roll(ring, -1, axis=0) - ring
    scale = np.abs(points).max() + 1.0
    inside = np.ones(len(points), dtype=bool)
    for start, edge in zip(ring, edges):
        cross = edge[0] * (points[:, 1] - start[1]) - edge[1] * (points[:, 0] - start[0])
        inside &= cross > 1e-9 * scale * np.hypot(*edge)
    return inside


def _degenerate_ring(points):
    """The ends of a collinear (or single-point) last layer, ordered along it."""
    unique = np.unique(points, axis=0)
    if len(unique) == 1:
        return unique
    axis = unique[-1] - unique[0]
    along = (unique - unique[0]) @ axis
    return unique[[np.argmin(along), np.argmax(along)]]
