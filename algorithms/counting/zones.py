"""Zones of the Counting tool (paper §6.1.3): polygons or density levels, each with a cell mask on the grid.

A zone's PR mass is the density it covers (pixel centres inside it); its localizations are the points inside
its polygon. Level zones come from classing a density raster at BREAKS (paper §6.1.3 works per level).
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.masks import polygon_mask
from ..core.optional import require


@dataclass
class Zones:
    """names: text per zone; geometries: shapely (multi)polygons in the grid's CRS; masks: bool arrays on it."""

    names: list
    geometries: list
    masks: list

    def __len__(self):
        return len(self.names)

    def areas(self):
        """Area of each zone's polygon in m² (the CRS is metric)."""
        return np.array([g.area for g in self.geometries], dtype=float)

    def masses(self, density):
        """PR mass P_i each zone covers: sum of its pixels x pixel area."""
        return np.array([float(np.sum(density.values[m], dtype=np.float64)) * density.grid.cell_area
                         for m in self.masks])

    def localizations(self, xy):
        """N_i: how many of the points ``xy`` (n x 2, metres) lie inside each zone's polygon."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return np.array([int(np.count_nonzero(contains_xy(g, xy[:, 0], xy[:, 1]))) for g in self.geometries])


def contains_xy(geometry, x, y):
    """Boolean array: which points lie inside ``geometry`` (shapely 2 or 1.8)."""
    shapely = require("shapely")
    if hasattr(shapely, "contains_xy"):
        return shapely.contains_xy(geometry, x, y)
    vectorized = require("shapely.vectorized")
    return vectorized.contains(geometry, x, y)


def parse_breaks(text):
    """BREAKS as increasing positive densities, from '0.01, 0.05 0.1' (commas or spaces)."""
    tokens = [t for t in str(text or "").replace(";", ",").replace(",", " ").split() if t]
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        raise InputError(f"BREAKS = '{text}': give density levels as numbers separated by commas, "
                         "e.g. '0.01, 0.05, 0.1' (PRs/m²).") from None
    if not values:
        raise InputError("BREAKS is empty: give at least one density level, e.g. '0.05' (PRs/m²).")
    if any(not np.isfinite(v) or v <= 0 for v in values) or np.any(np.diff(values) <= 0):
        raise InputError(f"BREAKS = '{text}': the levels must be positive and increasing.")
    return values


def level_labels(values, breaks):
    """Level per pixel: 0 where the density is 0 (outside every zone), else 1 + the number of breaks <= value.

    Level 1 is (0, b1), level k is [b_(k-1), b_k), the last level [b_last, inf).
    """
    labels = np.searchsorted(np.asarray(breaks, dtype=float), values, side="right") + 1
    return np.where(values > 0, labels, 0).astype(np.int32)


def zones_from_levels(density, breaks):
    """One zone per non-empty density level, named by its range, with its polygon traced from the pixels."""
    features = require("rasterio.features")
    geometry = require("shapely.geometry")
    ops = require("shapely.ops")
    from rasterio.transform import Affine
    labels = level_labels(density.values, breaks)
    pieces = {}
    for shape, level in features.shapes(labels, mask=labels > 0,
                                        transform=Affine.from_gdal(*density.grid.transform())):
        pieces.setdefault(int(level), []).append(geometry.shape(shape))
    names, shapes, masks = [], [], []
    for level in sorted(pieces):
        names.append(_level_name(level, breaks))
        shapes.append(ops.unary_union(pieces[level]))
        masks.append(labels == level)
    if not names:
        raise InputError("The DENSITY raster is zero everywhere: there is nothing to class into levels.")
    return Zones(names, shapes, masks)


def _level_name(level, breaks):
    """'< b1', 'b1 - b2', ..., '>= b_last' (PRs/m²); 'all' without breaks."""
    if not breaks:
        return "all"
    if level == 1:
        return f"< {breaks[0]:g} PRs/m2"
    if level > len(breaks):
        return f">= {breaks[-1]:g} PRs/m2"
    return f"{breaks[level - 2]:g} - {breaks[level - 1]:g} PRs/m2"


def zones_from_polygons(shapes, names, grid):
    """One zone per polygon (shapely, in the grid's CRS), its mask the pixels whose centre it holds; ``names``
    None numbers the zones 1, 2, ... in their order."""
    names = [str(i + 1) for i in range(len(shapes))] if names is None else list(names)
    return Zones(names, list(shapes), [polygon_mask(shape, grid) for shape in shapes])
